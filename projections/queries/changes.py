"""What changed in a plan between two points (Changes): activities whose status, progress or
outcome changed, milestones met or slipped, risks noted, re-scored or closed, resolutions passed.
It reads the rows of those four families at both points and compares them in Python, so it belongs
to none of their modules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import asyncpg

from projections.queries.late import closings
from projections.queries.rows import ALL_REPORTED, AS_OF, Point, _row, _table, _times
from projections.schema import PREFIX


@dataclass
class Changes:
    """What changed in a plan between two points."""

    activities: list[dict[str, Any]] = field(default_factory=list)
    milestones_met: list[dict[str, Any]] = field(default_factory=list)
    milestones_slipped: list[dict[str, Any]] = field(default_factory=list)
    risks_noted: list[dict[str, Any]] = field(default_factory=list)
    risks_rescored: list[dict[str, Any]] = field(default_factory=list)
    risks_closed: list[dict[str, Any]] = field(default_factory=list)
    resolutions_passed: list[dict[str, Any]] = field(default_factory=list)


async def _rows_at(conn: asyncpg.Connection, family: str, plan_id: UUID, point: Point) -> list[asyncpg.Record]:
    d, t, rep = _times(point.on, point.known_at, point.reported)
    result: list[asyncpg.Record] = await conn.fetch(
        f"SELECT * FROM {_table(family)} WHERE plan_id = $1 AND {AS_OF}", plan_id, d, t, rep
    )
    return result


#: the latest fact of each activity inside the later point and outside the earlier one (reported,
#: recorded or effective after it): the change's effective date and the meeting that heard it
HEARD = (
    f"SELECT DISTINCT ON (e.stream_id) e.stream_id, e.effective_on, e.meeting_id, e.reported_on, e.plan_id, "
    "e.stream_kind, e.corrects, e.reason, "
    f"(SELECT m.code FROM {_table('meeting')} m WHERE m.stream_id::text = e.meeting_id "
    f"AND m.{ALL_REPORTED} ORDER BY m.recorded_to DESC LIMIT 1) AS meeting_code "
    f"FROM {PREFIX}event e WHERE e.stream_id = ANY($1::uuid[]) AND e.type <> 'Activity.Registered' "
    "AND e.effective_on <= $2 AND e.recorded_at <= $3 AND e.reported_on <= $4 "
    "AND (e.effective_on > $5 OR e.recorded_at > $6 OR e.reported_on > $7) "
    "ORDER BY e.stream_id, e.reported_on DESC, e.effective_on DESC, e.position DESC"
)


NOT_HEARD: dict[str, Any] = dict.fromkeys(
    ("effective_on", "meeting_id", "meeting_code", "reported_on", "reason", "late")
)


async def _heard(
    conn: asyncpg.Connection, ids: list[UUID], from_point: Point, to_point: Point
) -> dict[UUID, dict[str, Any]]:
    """Each activity's latest fact between the points: its effective date, the meeting that heard
    it (ID and code), and whether it is a late report (`late`: the closed meeting, as known at the
    later point; projections/queries/late.py) with its reason and reporting date."""
    records = await conn.fetch(
        HEARD,
        ids,
        *_times(to_point.on, to_point.known_at, to_point.reported),
        *_times(from_point.on, from_point.known_at, from_point.reported),
    )
    known = await closings(conn, to_point.known_at) if records else None
    return {
        r["stream_id"]: {
            "effective_on": r["effective_on"],
            "meeting_id": None if r["meeting_id"] is None else UUID(r["meeting_id"]),
            "meeting_code": r["meeting_code"],
            "reported_on": r["reported_on"],
            "reason": r["reason"],
            "late": None if known is None else known.late_on(r),
        }
        for r in records
    }


def _plan_order(row: dict[str, Any]) -> tuple[int, int, str, str, str]:
    return (
        row.get("strategy_number") or 0,
        row.get("fiscal_year") or 0,
        row.get("kind") or "",
        row.get("title") or "",
        str(row.get("stream_id") or ""),
    )


async def changes(
    conn: asyncpg.Connection, plan_id: UUID, from_point: Point, to_point: Point, only: frozenset[str] | None = None
) -> Changes:
    """Activities whose status, progress or outcome changed; milestones met or slipped; risks
    noted, re-scored or closed; resolutions passed — between `from_point` and `to_point`.
    `only`: just these families (activity, milestone, risk, resolution); the rest stay empty."""
    out = Changes()
    wanted = only or frozenset({"activity", "milestone", "risk", "resolution"})

    async def both(family: str, key: str) -> tuple[dict[Any, dict[str, Any]], dict[Any, dict[str, Any]]]:
        rows = []
        for point in (from_point, to_point):
            records = await _rows_at(conn, family, plan_id, point)
            rows.append({(r["stream_id"], r[key] if key else None): r for r in records})
        return (
            {k: _row(v, family, "stream_id") for k, v in rows[0].items()},
            {k: _row(v, family, "stream_id") for k, v in rows[1].items()},
        )

    before, after = await both("activity", "") if "activity" in wanted else ({}, {})
    for k, new in after.items():
        old = before.get(k)
        changed = [f for f in ("status", "progress", "outcome") if old is None or old[f] != new[f]]
        if changed:
            out.activities.append(
                {
                    "activity_id": k[0],
                    "title": new["title"],
                    "changed": changed,
                    "before": None if old is None else {f: old[f] for f in changed},
                    "after": {f: new[f] for f in changed},
                }
            )
    # in the plan's order (strategy, fiscal year, kind, title), never the rows' order on disk: that
    # depends on how the facts were written (an import runs activities' commands concurrently)
    out.activities.sort(key=lambda a: _plan_order(after[(a["activity_id"], None)]))
    if out.activities:
        heard = await _heard(conn, [a["activity_id"] for a in out.activities], from_point, to_point)
        for a in out.activities:
            a.update(heard.get(a["activity_id"], NOT_HEARD))
    before, after = await both("milestone", "milestone_id") if "milestone" in wanted else ({}, {})
    for k, new in after.items():
        old = before.get(k)
        if new["status"] == "ACHIEVED" and (old is None or old["status"] != "ACHIEVED"):
            out.milestones_met.append({"activity_id": k[0], **new})
        if old is not None and new["due_on"] > old["due_on"]:
            out.milestones_slipped.append(
                {
                    "activity_id": k[0],
                    **new,
                    "due_before": old["due_on"],
                    "slipped_days": (new["due_on"] - old["due_on"]).days,
                }
            )
    before, after = await both("risk", "risk_id") if "risk" in wanted else ({}, {})
    for k, new in after.items():
        old = before.get(k)
        if old is None:
            out.risks_noted.append({"activity_id": k[0], **new})
            continue
        if old["score"] != new["score"]:
            out.risks_rescored.append(
                {"activity_id": k[0], **new, "score_before": old["score"], "level_before": old["level"]}
            )
        if new["status"] == "CLOSED" and old["status"] != "CLOSED":
            out.risks_closed.append({"activity_id": k[0], **new})
    before, after = await both("resolution", "resolution_id") if "resolution" in wanted else ({}, {})
    out.resolutions_passed = [{"meeting_id": k[0], **v} for k, v in after.items() if k not in before]
    return out
