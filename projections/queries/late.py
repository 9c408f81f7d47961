"""Late reports: facts effective inside a period that approved minutes have closed, told to the
committee after that period's meeting.

Meeting E, held on T, is closed once its minutes (or a later meeting's of the same body) are
approved at a meeting A (domain/committee.py). A fact about an activity or a key result effective
on or before T that the committee was told after T (its reporting date, projections/reported.py:
the date of the meeting that heard it, else the day it was recorded) is a late report on E: E
could have heard it and did not. The FY 2563 results as at 30 Sep 2020 heard at 1/2564 (6 Jan
2021) are late on 9/2563 (2 Dec 2020), closed by 1/2564's approval of its minutes. Late is not
refused: it is flagged, naming the closed meeting (the earliest one that could have heard it)
and where its minutes were approved. Corrections are not reports, and what the plan and the
meetings record is told on its own date, so neither is ever late.

Worked out when asked, from the closings the read models hold as known at the time asked (each
meeting's minutes approvals, rm_meeting), never stored with the fact: an approval recorded after
the fact (minutes imported out of order) flags it just the same, so the answer does not depend on
the order the log came in. Closings count for their body only: the body of the meeting that
heard the fact, or for a live update the bodies whose meetings the plan names. A few rows per
approval, read once per request.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

import asyncpg

from projections.queries.rows import _table, _times

#: the kinds of stream whose facts are reports (what the plan and meetings record is told on its own date)
REPORTED_KINDS = frozenset({"activity", "key_result"})


@dataclass(frozen=True)
class Closed:
    """Meeting `code` of `body`, held on `held_on`, closed by the approval of its minutes (or a
    later meeting's) at meeting `approved_code`, held on `approved_on`."""

    body: str
    meeting_id: UUID
    code: str
    held_on: date
    approved_id: UUID
    approved_code: str
    approved_on: date


@dataclass(frozen=True)
class Closings:
    """Every closed meeting, with what it takes to tell whose closings a fact meets."""

    closed: tuple[Closed, ...] = ()
    #: meeting ID (as text, as facts name it) -> its body
    bodies: Mapping[str, str] = field(default_factory=dict)
    #: plan -> the bodies whose meetings name it
    plan_bodies: Mapping[UUID, frozenset[str]] = field(default_factory=dict)

    def late_on(self, event: Mapping[str, Any]) -> Closed | None:
        """The closed meeting an `rm_event` row is a late report on (None: not late)."""
        if event.get("corrects") is not None or event.get("stream_kind") not in REPORTED_KINDS:
            return None
        effective_on: date = event["effective_on"]
        reported_on: date | None = event.get("reported_on")
        if reported_on is None or reported_on <= effective_on:
            return None
        meeting_id = event.get("meeting_id")
        if meeting_id is not None:
            body = self.bodies.get(str(meeting_id))
            bodies = frozenset() if body is None else frozenset({body})
        else:
            plan_id = event.get("plan_id")
            bodies = self.plan_bodies.get(plan_id, frozenset()) if plan_id is not None else frozenset()
        candidates = [c for c in self.closed if c.body in bodies and effective_on <= c.held_on < reported_on]
        return min(candidates, key=lambda c: (c.held_on, c.approved_on, c.code), default=None)


async def closings(conn: asyncpg.Connection, known_at: datetime | None = None) -> Closings:
    """The closings as known at `known_at` (None: now)."""
    d, t, rep = _times(None, known_at, None)
    table = _table("meeting")
    meetings = await conn.fetch(
        f"SELECT stream_id, plan_id, body, code, meeting_on, minutes_approvals FROM {table} "
        "WHERE valid_from <= $1 AND $1 < valid_to AND recorded_from <= $2 AND $2 < recorded_to "
        "AND reported_from <= $3 AND $3 < reported_to",
        d,
        t,
        rep,
    )
    by_id = {str(m["stream_id"]): m for m in meetings}
    held: dict[str, tuple[str, date]] = {}  # closed meeting -> (approving meeting id, its date), first approval
    for approving in meetings:
        approvals = approving["minutes_approvals"]
        for approval in json.loads(approvals) if isinstance(approvals, str) else approvals or []:
            of = str(approval.get("of_meeting_id"))
            seen = held.get(of)
            if seen is None or approving["meeting_on"] < seen[1]:
                held[of] = (str(approving["stream_id"]), approving["meeting_on"])
    closed: list[Closed] = []
    for of, (approving_id, _) in held.items():
        minutes, approving = by_id.get(of), by_id[approving_id]
        if minutes is None:
            continue
        # the approval closes the meeting and every earlier one of its body
        for m in meetings:
            if m["body"] == approving["body"] and m["meeting_on"] <= minutes["meeting_on"]:
                closed.append(_closed(m, approving))
    first: dict[str, Closed] = {}
    for c in closed:  # each meeting closed by the first approval to reach it
        key = str(c.meeting_id)
        if key not in first or (c.approved_on, c.approved_code) < (first[key].approved_on, first[key].approved_code):
            first[key] = c
    plan_bodies: dict[UUID, set[str]] = {}
    for m in meetings:
        if m["plan_id"] is not None:
            plan_bodies.setdefault(m["plan_id"], set()).add(m["body"])
    return Closings(
        tuple(sorted(first.values(), key=lambda c: (c.held_on, c.code))),
        {key: m["body"] for key, m in by_id.items()},
        {plan: frozenset(bodies) for plan, bodies in plan_bodies.items()},
    )


def _closed(meeting: asyncpg.Record, approving: asyncpg.Record) -> Closed:
    return Closed(
        body=meeting["body"],
        meeting_id=meeting["stream_id"],
        code=meeting["code"],
        held_on=meeting["meeting_on"],
        approved_id=approving["stream_id"],
        approved_code=approving["code"],
        approved_on=approving["meeting_on"],
    )
