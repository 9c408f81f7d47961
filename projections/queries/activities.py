"""An activity and what hangs off it: activity_as_of (the activity with its milestones and risks),
milestone timelines (`overdue` judged as of a date), the risk register and every believed version
of a risk, and their batched reads by activity or by plan (activities_of, activities_by_id,
milestones_of, risks_of, plan_milestones, plan_risks, risk_histories). Together because milestones
and risks are always an activity's: their rows are kept in the activity's stream.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any
from uuid import UUID

import asyncpg

from domain.vocabulary import RiskLevel
from projections.queries.rows import ALL_REPORTED, AS_OF, Point, _family_rows, _group, _row, _table, _times


async def activity_as_of(
    conn: asyncpg.Connection,
    activity_id: UUID,
    on: date | None = None,
    known_at: datetime | None = None,
    reported: date | None = None,
) -> dict[str, Any] | None:
    """One activity with its milestones and risks at that point; None if it did not exist."""
    point = Point(on, known_at, reported)
    result = (await activities_by_id(conn, [activity_id], point)).get(activity_id)
    if result is None:
        return None
    result["milestones"] = (await milestones_of(conn, [activity_id], point)).get(activity_id, [])
    result["risks"] = (await risks_of(conn, [activity_id], point)).get(activity_id, [])
    return result


def _milestone(record: asyncpg.Record, overdue_on: date) -> dict[str, Any]:
    return _judged(_row(record, "milestone", "activity_id"), overdue_on)


def _judged(milestone: dict[str, Any], overdue_on: date) -> dict[str, Any]:
    """The milestone with `overdue`: still planned and due before `overdue_on`."""
    milestone["overdue"] = milestone["status"] == "PLANNED" and milestone["due_on"] < overdue_on
    return milestone


async def milestones(
    conn: asyncpg.Connection,
    plan_id: UUID | None = None,
    activity_id: UUID | None = None,
    on: date | None = None,
    known_at: datetime | None = None,
    overdue_on: date | None = None,
    only_overdue: bool = False,
    reported: date | None = None,
) -> list[dict[str, Any]]:
    """Milestone timelines: original due date, every reschedule, achieved/dropped, slip, overdue.

    `overdue` is judged as of `overdue_on` (default: `on`, else today).
    """
    d, t, rep = _times(on, known_at, reported)
    judge = overdue_on or on or date.today()
    records = await conn.fetch(
        f"SELECT * FROM {_table('milestone')} WHERE ($1::uuid IS NULL OR plan_id = $1) AND {AS_OF} "
        "AND ($5::uuid IS NULL OR stream_id = $5) "
        "AND (NOT $6 OR (status = 'PLANNED' AND due_on < $7)) "
        "ORDER BY due_on, milestone_id",
        plan_id,
        d,
        t,
        rep,
        activity_id,
        only_overdue,
        judge,
    )
    return [_milestone(r, judge) for r in records]


async def risks(
    conn: asyncpg.Connection,
    plan_id: UUID | None = None,
    on: date | None = None,
    known_at: datetime | None = None,
    min_level: str | None = None,
    statuses: Iterable[str] | None = None,
    reported: date | None = None,
) -> list[dict[str, Any]]:
    """The risk register at that point, highest score first, then those not yet assessed (no
    score, no level: a `min_level` leaves them out)."""
    d, t, rep = _times(on, known_at, reported)
    rank = RiskLevel.parse(min_level, "minLevel").rank if min_level else None
    wanted = list(statuses) if statuses is not None else None
    records = await conn.fetch(
        f"SELECT * FROM {_table('risk')} WHERE ($1::uuid IS NULL OR plan_id = $1) AND {AS_OF} "
        "AND ($5::int IS NULL OR level_rank >= $5) AND ($6::text[] IS NULL OR status = ANY($6)) "
        "ORDER BY score DESC NULLS LAST, noted_on, risk_id",
        plan_id,
        d,
        t,
        rep,
        rank,
        wanted,
    )
    return [_row(r, "risk", "activity_id") for r in records]


async def risk_history(conn: asyncpg.Connection, activity_id: UUID, risk_id: str) -> list[dict[str, Any]]:
    """Every version of a risk ever believed, with its valid and recorded intervals."""
    records = await conn.fetch(
        f"SELECT * FROM {_table('risk')} WHERE stream_id = $1 AND risk_id = $2 AND {ALL_REPORTED} "
        "ORDER BY recorded_from, valid_from",
        activity_id,
        risk_id,
    )
    out = []
    for r in records:
        row = _row(r, "risk", "activity_id")
        row.update(
            valid_from=r["valid_from"],
            valid_to=r["valid_to"],
            recorded_from=r["recorded_from"],
            recorded_to=r["recorded_to"],
        )
        out.append(row)
    return out


# -- batched reads (one statement for many keys: what the API's DataLoaders call) --------------


async def activities_of(
    conn: asyncpg.Connection, plan_ids: Iterable[UUID], point: Point
) -> dict[UUID, list[dict[str, Any]]]:
    rows = await _family_rows(conn, "activity", "plan_id", plan_ids, point, "strategy_number, title, stream_id", "id")
    return _group(rows, "plan_id")


async def activities_by_id(conn: asyncpg.Connection, ids: Iterable[UUID], point: Point) -> dict[UUID, dict[str, Any]]:
    rows = await _family_rows(conn, "activity", "stream_id", ids, point, "stream_id", "id")
    return {r["id"]: r for r in rows}


async def milestones_of(
    conn: asyncpg.Connection, activity_ids: Iterable[UUID], point: Point
) -> dict[UUID, list[dict[str, Any]]]:
    """Each activity's milestones at `point`; `overdue` judged on the point's date (else today)."""
    rows = await _family_rows(
        conn, "milestone", "stream_id", activity_ids, point, "stream_id, original_due_on, milestone_id", "activity_id"
    )
    judge = point.on or date.today()
    return _group([_judged(m, judge) for m in rows], "activity_id")


async def risks_of(
    conn: asyncpg.Connection, activity_ids: Iterable[UUID], point: Point
) -> dict[UUID, list[dict[str, Any]]]:
    rows = await _family_rows(conn, "risk", "stream_id", activity_ids, point, "stream_id, risk_id", "activity_id")
    return _group(rows, "activity_id")


def _by_plan_and_activity(rows: list[dict[str, Any]]) -> dict[UUID, dict[UUID, list[dict[str, Any]]]]:
    out: dict[UUID, dict[UUID, list[dict[str, Any]]]] = {}
    for row in rows:
        out.setdefault(row["plan_id"], {}).setdefault(row["activity_id"], []).append(row)
    return out


def _at_least(names: Iterable[str] | None, *needed: str) -> frozenset[str] | None:
    return None if names is None else frozenset((*names, *needed))


async def plan_milestones(
    conn: asyncpg.Connection, plan_ids: Iterable[UUID], point: Point, names: Iterable[str] | None = None
) -> dict[UUID, dict[UUID, list[dict[str, Any]]]]:
    """`milestones_of` every activity of each plan: {plan: {activity: milestones}}, one statement.
    `names`: the milestones' keys wanted (None: all); those it groups and judges by are always read."""
    only = _at_least(names, "plan_id", "activity_id", "status", "due_on")
    rows = await _family_rows(
        conn, "milestone", "plan_id", plan_ids, point, "stream_id, original_due_on, milestone_id", "activity_id", only
    )
    judge = point.on or date.today()
    return _by_plan_and_activity([_judged(m, judge) for m in rows])


async def plan_risks(
    conn: asyncpg.Connection, plan_ids: Iterable[UUID], point: Point, names: Iterable[str] | None = None
) -> dict[UUID, dict[UUID, list[dict[str, Any]]]]:
    """`risks_of` every activity of each plan: {plan: {activity: risks}}, one statement. `names`: the
    risks' keys wanted (None: all); those it groups by are always read."""
    only = _at_least(names, "plan_id", "activity_id")
    rows = await _family_rows(conn, "risk", "plan_id", plan_ids, point, "stream_id, risk_id", "activity_id", only)
    return _by_plan_and_activity(rows)


async def risk_histories(
    conn: asyncpg.Connection, keys: Iterable[tuple[UUID, str]]
) -> dict[tuple[UUID, str], list[dict[str, Any]]]:
    """Every version of each (activity, risk) ever believed, with its valid and recorded intervals."""
    pairs = list(keys)
    records = await conn.fetch(
        f"SELECT r.* FROM {_table('risk')} r JOIN unnest($1::uuid[], $2::text[]) AS k(stream_id, risk_id) "
        f"ON r.stream_id = k.stream_id AND r.risk_id = k.risk_id WHERE r.{ALL_REPORTED} "
        "ORDER BY r.recorded_from, r.valid_from",
        [p[0] for p in pairs],
        [p[1] for p in pairs],
    )
    out: dict[tuple[UUID, str], list[dict[str, Any]]] = {}
    for r in records:
        row = _row(r, "risk", "activity_id")
        row.update(
            valid_from=r["valid_from"],
            valid_to=r["valid_to"],
            recorded_from=r["recorded_from"],
            recorded_to=r["recorded_to"],
        )
        out.setdefault((r["stream_id"], r["risk_id"]), []).append(row)
    return out
