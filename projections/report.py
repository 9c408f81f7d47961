"""The reporting cycle: what the secretariat prepares before each meeting, and what a unit still
has to report before the next one. Meetings of the plan's committee are the reporting periods.

Read from the read models only (as known at any time), never by replaying events.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg

from domain.facts import EARLIEST
from domain.vocabulary import Health
from projections.keyresults import committee_meetings, key_result_rows, plan_health
from projections.queries import ALL_DATES, ALL_TIMES, AS_OF, Changes, Point, activities_of, changes
from projections.queries.late import closings
from projections.queries.meetings import judged_action_items
from projections.queries.rows import _family_rows, _row, _table
from projections.schema import PREFIX

#: activities in these statuses need no more updates
SETTLED = ("COMPLETED", "CANCELLED")


@dataclass
class MeetingRef:
    id: UUID
    code: str
    on: date
    body: str


@dataclass
class Chase:
    """What one responsible unit has not updated (unit None: no unit is named)."""

    unit: str | None
    activities: list[dict[str, Any]] = field(default_factory=list)
    key_results: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class ProgressReport:
    plan_id: UUID
    meeting: MeetingRef
    previous: MeetingRef | None
    known_at: datetime | None
    changes: Changes
    measurements: list[dict[str, Any]]
    not_updated: list[Chase]
    milestones_due: list[dict[str, Any]]
    milestones_overdue: list[dict[str, Any]]
    key_results_at_risk: list[dict[str, Any]]
    risks_noted: list[dict[str, Any]]
    risks_raised: list[dict[str, Any]]
    open_action_items: list[dict[str, Any]]
    #: late reports told in the period (rm_event rows, payload decoded, each with the closed meeting
    #: it is late on as `late`): at this meeting, or as live updates since the previous one
    late_reports: list[dict[str, Any]] = field(default_factory=list)

    @property
    def since(self) -> date:
        return self.previous.on if self.previous else EARLIEST


@dataclass
class DueUpdates:
    plan_id: UUID
    unit: str
    on: date
    known_at: datetime | None
    last_meeting: MeetingRef | None
    next_meeting: MeetingRef | None
    activities: list[dict[str, Any]]
    key_results: list[dict[str, Any]]
    milestones: list[dict[str, Any]]
    risks_to_review: list[dict[str, Any]]
    action_items: list[dict[str, Any]]


def _ref(record: asyncpg.Record | None) -> MeetingRef | None:
    if record is None:
        return None
    return MeetingRef(record["stream_id"], record["code"], record["meeting_on"], record["body"])


async def _meeting(conn: asyncpg.Connection, meeting_id: UUID, known_at: datetime | None) -> MeetingRef | None:
    record = await conn.fetchrow(
        f"SELECT stream_id, code, meeting_on, body FROM {_table('meeting')} WHERE stream_id = $1 AND {AS_OF}",
        meeting_id,
        ALL_DATES,
        known_at or ALL_TIMES,
        ALL_DATES,
    )
    return _ref(record)


async def meeting_ids_of_plan(conn: asyncpg.Connection, plan_id: UUID, code: str) -> list[UUID]:
    """Meetings with this code held by the plan's committee (the same code may be another body's)."""
    records = await conn.fetch(
        f"SELECT DISTINCT stream_id FROM {committee_meetings()} m WHERE code = $5",
        plan_id,
        ALL_DATES,
        ALL_TIMES,
        ALL_DATES,
        code.strip(),
    )
    return [r["stream_id"] for r in records]


async def _neighbour(
    conn: asyncpg.Connection, plan_id: UUID, on: date, known_at: datetime | None, before: bool
) -> MeetingRef | None:
    """The committee's meeting before `on` (strictly; `before`) or the first after it."""
    compare, order = ("<", "DESC") if before else (">", "ASC")
    record = await conn.fetchrow(
        f"SELECT stream_id, code, meeting_on, body FROM {committee_meetings()} m WHERE meeting_on {compare} $5 "
        f"ORDER BY meeting_on {order}, code LIMIT 1",
        plan_id,
        ALL_DATES,
        known_at or ALL_TIMES,
        ALL_DATES,
        on,
    )
    return _ref(record)


async def _updated_streams(
    conn: asyncpg.Connection, plan_id: UUID, after: date, until: date, known_at: datetime | None
) -> set[UUID]:
    """Streams with a fact effective in (after, until], as recorded by `known_at`."""
    records = await conn.fetch(
        f"SELECT DISTINCT stream_id FROM {PREFIX}event WHERE plan_id = $1 AND effective_on > $2 "
        "AND effective_on <= $3 AND recorded_at <= $4",
        plan_id,
        after,
        until,
        known_at or ALL_TIMES,
    )
    return {r["stream_id"] for r in records}


async def _reported_streams(
    conn: asyncpg.Connection, plan_id: UUID, meeting: MeetingRef, since: date, known_at: datetime | None
) -> set[UUID]:
    """Streams with a fact reported in the meeting's period: at the meeting itself, or as a live
    update (no meeting) recorded after the previous meeting's day and by this one's. Whatever date
    the facts take effect on."""
    records = await conn.fetch(
        f"SELECT DISTINCT stream_id "
        f"FROM {PREFIX}event WHERE plan_id = $1 AND recorded_at <= $5 AND stream_kind IN ('activity', 'key_result') "
        "AND type NOT LIKE '%Corrected' AND (meeting_id = $2 OR (meeting_id IS NULL "
        "AND (recorded_at AT TIME ZONE 'Asia/Bangkok')::date > $3 "
        "AND (recorded_at AT TIME ZONE 'Asia/Bangkok')::date <= $4))",
        plan_id,
        str(meeting.id),
        since,
        meeting.on,
        known_at or ALL_TIMES,
    )
    return {r["stream_id"] for r in records}


async def _late_reports(
    conn: asyncpg.Connection, plan_id: UUID, since: date, until: date, known_at: datetime | None
) -> list[dict[str, Any]]:
    """Facts about the plan's activities and key results told in (since, until] — at a meeting in
    the period, or as live updates recorded in it — that are late reports
    (projections/queries/late.py), as known at `known_at`; voided ones left out."""
    records = await conn.fetch(
        f"SELECT * FROM {PREFIX}event e WHERE plan_id = $1 AND stream_kind IN ('activity', 'key_result') "
        "AND corrects IS NULL AND reported_on > effective_on AND reported_on > $2 AND reported_on <= $3 "
        "AND recorded_at <= $4 AND NOT EXISTS (SELECT 1 FROM "
        f"{PREFIX}event v WHERE v.stream_id = e.stream_id AND v.corrects = e.version AND v.void "
        # by when told, then when it held, then by stream and version: never the log's positions, which
        # depend on how the facts were written (an import runs activities' commands concurrently)
        "AND v.recorded_at <= $4) ORDER BY reported_on, effective_on, stream_id, version",
        plan_id,
        since,
        until,
        known_at or ALL_TIMES,
    )
    if not records:
        return []
    known = await closings(conn, known_at)
    out = []
    for r in records:
        late = known.late_on(r)
        if late is not None:
            row = dict(r)
            row["payload"] = json.loads(row["payload"]) if isinstance(row["payload"], str) else row["payload"]
            out.append({**row, "late": late})
    return out


async def _activities(conn: asyncpg.Connection, plan_id: UUID, point: Point) -> list[dict[str, Any]]:
    return (await activities_of(conn, [plan_id], point)).get(plan_id, [])


async def _milestones(conn: asyncpg.Connection, plan_id: UUID, point: Point) -> list[dict[str, Any]]:
    return await _family_rows(conn, "milestone", "plan_id", [plan_id], point, "due_on, milestone_id", "activity_id")


def _by_unit(
    activities: list[dict[str, Any]], key_results: list[dict[str, Any]], units_of: dict[UUID, list[str]]
) -> list[Chase]:
    chases: dict[str | None, Chase] = {}

    def chase(unit: str | None) -> Chase:
        return chases.setdefault(unit, Chase(unit))

    for a in activities:
        for unit in a["units"] or [None]:
            chase(unit).activities.append(a)
    for k in key_results:
        units: list[str | None] = list(units_of.get(k["activity_id"], []))
        for unit in units or [None]:
            chase(unit).key_results.append(k)
    return sorted(chases.values(), key=lambda c: (c.unit is None, c.unit or ""))


async def progress_report(
    conn: asyncpg.Connection, plan_id: UUID, meeting_id: UUID, known_at: datetime | None = None
) -> ProgressReport | None:
    """What changed since the previous meeting, what was not updated (by unit), milestones due and
    overdue, key results off track or at risk, risks noted or raised, and open action items —
    for the meeting `meeting_id`, as known at `known_at`. None when there is no such meeting."""
    meeting = await _meeting(conn, meeting_id, known_at)
    if meeting is None:
        return None
    previous = await _neighbour(conn, plan_id, meeting.on, known_at, before=True)
    since = previous.on if previous else EARLIEST
    now = Point(meeting.on, known_at)
    reported = await _reported_streams(conn, plan_id, meeting, since, known_at)
    # what the meeting heard, not what changed in the world since the previous meeting's date: the
    # plan as the committee had been told it by the previous meeting, against as told by this one
    # (on the reporting axis, so minutes imported in any order give the same report: a fact of
    # 1/2564 recorded after 2/2564's reports was still told before them)
    then = Point(since, known_at, reported=since)
    changed = await changes(
        conn, plan_id, then, Point(meeting.on, known_at, reported=meeting.on), only=frozenset({"activity", "risk"})
    )
    changed.activities = [a for a in changed.activities if a["activity_id"] in reported]

    health = await plan_health(conn, plan_id, now)
    titles = {k["id"]: k["title"] for k in health.key_results}
    measured = await conn.fetch(
        f"SELECT * FROM {_table('measurement')} WHERE plan_id = $1 AND {AS_OF} AND measured_on > $5 "
        "ORDER BY measured_on, stream_id, substr(measurement_id, 2)::int",
        plan_id,
        meeting.on,
        known_at or ALL_TIMES,
        ALL_DATES,
        since,
    )
    measurements = [
        {**_row(r, "measurement", "key_result_id"), "key_result_title": titles.get(r["stream_id"])} for r in measured
    ]

    activities = await _activities(conn, plan_id, now)
    updated = reported
    units_of = {a["id"]: list(a["units"] or []) for a in activities}
    stale_activities = [a for a in activities if a["status"] not in SETTLED and a["id"] not in updated]
    judged = {k["id"]: k for k in health.key_results}
    # health's reporting window starts at the meeting before this one: the same period, mostly
    rows = health.key_results if health.window_start == since else await key_result_rows(conn, plan_id, now, since)
    stale_key_results = [
        judged[k["id"]]
        for k in rows
        if not k["recent_count"] and (k["retired_on"] is None or k["retired_on"] > meeting.on)
    ]

    milestones = await _milestones(conn, plan_id, now)
    due = [m for m in milestones if since < m["due_on"] <= meeting.on]
    overdue = [m for m in milestones if m["status"] == "PLANNED" and m["due_on"] < meeting.on]
    troubled = [k for k in health.key_results if k["health"] in (Health.OFF_TRACK, Health.AT_RISK)]
    # (a risk assessed for the first time had no score before: assessed, not raised)
    raised = [
        r
        for r in changed.risks_rescored
        if r["score"] is not None and r["score_before"] is not None and r["score"] > r["score_before"]
    ]

    items = await conn.fetch(
        f"SELECT * FROM {_table('action_item')} WHERE plan_id = $1 AND {AS_OF} AND meeting_on < $5 "
        "AND (done_on IS NULL OR done_on > $5) ORDER BY meeting_on, item_id",
        plan_id,
        meeting.on,
        known_at or ALL_TIMES,
        ALL_DATES,
        meeting.on,
    )
    return ProgressReport(
        plan_id=plan_id,
        meeting=meeting,
        previous=previous,
        known_at=known_at,
        changes=changed,
        measurements=measurements,
        not_updated=_by_unit(stale_activities, stale_key_results, units_of),
        milestones_due=due,
        milestones_overdue=overdue,
        key_results_at_risk=troubled,
        risks_noted=changed.risks_noted,
        risks_raised=raised,
        open_action_items=await judged_action_items(conn, items, meeting.on),
        late_reports=await _late_reports(conn, plan_id, since, meeting.on, known_at),
    )


async def due_updates(
    conn: asyncpg.Connection, plan_id: UUID, unit: str, on: date | None = None, known_at: datetime | None = None
) -> DueUpdates:
    """What `unit` still has to report before the committee's next meeting after `on` (default
    today): its activities and key results with no update since the last meeting, its milestones
    due by the next meeting (or overdue), its risks due for review, and open action items it owns."""
    today = on or date.today()
    last = await _neighbour(conn, plan_id, today + timedelta(days=1), known_at, before=True)
    upcoming = await _neighbour(conn, plan_id, today, known_at, before=False)
    since = last.on if last else EARLIEST
    point = Point(today, known_at)
    activities = [a for a in await _activities(conn, plan_id, point) if unit in (a["units"] or [])]
    mine = {a["id"] for a in activities}
    updated = await _updated_streams(conn, plan_id, since, today, known_at)
    health = await plan_health(conn, plan_id, point)
    judged = {k["id"]: k for k in health.key_results}
    key_results = [
        judged[k["id"]]
        for k in await key_result_rows(conn, plan_id, point, since)
        if k["activity_id"] in mine and not k["recent_count"] and (k["retired_on"] is None or k["retired_on"] > today)
    ]
    horizon = upcoming.on if upcoming else today
    milestones = [
        m
        for m in await _milestones(conn, plan_id, point)
        if m["activity_id"] in mine and m["status"] == "PLANNED" and m["due_on"] <= horizon
    ]
    risks = await conn.fetch(
        f"SELECT * FROM {_table('risk')} WHERE plan_id = $1 AND {AS_OF} AND status <> 'CLOSED' "
        "AND review_on IS NOT NULL AND review_on <= $5 AND stream_id = ANY($6::uuid[]) ORDER BY review_on, risk_id",
        plan_id,
        today,
        known_at or ALL_TIMES,
        ALL_DATES,
        horizon,
        list(mine),
    )
    items = await conn.fetch(
        f"SELECT * FROM {_table('action_item')} WHERE plan_id = $1 AND {AS_OF} AND strpos(owner, $5) > 0 "
        "AND (done_on IS NULL OR done_on > $2) ORDER BY meeting_on, item_id",
        plan_id,
        today,
        known_at or ALL_TIMES,
        ALL_DATES,
        unit,
    )
    return DueUpdates(
        plan_id=plan_id,
        unit=unit,
        on=today,
        known_at=known_at,
        last_meeting=last,
        next_meeting=upcoming,
        activities=[a for a in activities if a["status"] not in SETTLED and a["id"] not in updated],
        key_results=key_results,
        milestones=milestones,
        risks_to_review=[_row(r, "risk", "activity_id") for r in risks],
        action_items=await judged_action_items(conn, items, today),
    )
