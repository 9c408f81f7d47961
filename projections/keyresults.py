"""Key results, their measurements and health, as of any date and as known at any time.

Read from the read models (rm_key_result, rm_measurement, rm_activity, rm_milestone, rm_meeting,
rm_plan) in a handful of statements per plan, never by replaying events; the arithmetic is the
domain's (`domain.health`).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import asyncpg

from domain.health import (
    DEFAULT_RULES,
    Figures,
    activity_health,
    key_result_health,
    reporting_window_start,
)
from domain.values import EvaluationRule
from domain.vocabulary import ActivityStatus, Direction, Health
from projections.queries.rows import AS_OF, Point, _row, _table, _times

#: AS_OF for the key_result table under the alias k
K_AS_OF = (
    "k.valid_from <= $2 AND $2 < k.valid_to AND k.recorded_from <= $3 AND $3 < k.recorded_to "
    "AND k.reported_from <= $4 AND $4 < k.reported_to"
)


def day_of(point: Point) -> date:
    """The date health is judged on: the point's date, or today for "now"."""
    return point.on or date.today()


def _bounds(point: Point) -> tuple[date, datetime, date]:
    return _times(day_of(point), point.known_at, point.reported)


async def evaluation_rules(conn: asyncpg.Connection, plan_id: UUID, point: Point) -> tuple[EvaluationRule, ...]:
    d, t, rep = _bounds(point)
    raw = await conn.fetchval(
        f"SELECT evaluation_rules FROM {_table('plan')} WHERE stream_id = $1 AND {AS_OF}", plan_id, d, t, rep
    )
    return parse_rules(raw)


def parse_rules(raw: Any) -> tuple[EvaluationRule, ...]:
    rules = json.loads(raw) if isinstance(raw, str) else raw
    if not rules:
        return DEFAULT_RULES
    return tuple(EvaluationRule(r["health"], Decimal(str(r["at_least"]))) for r in rules)


def committee_meetings() -> str:
    """Rows of rm_meeting (as of $2, $3, $4) of plan $1's committee: the plan's own meetings, and
    meetings of the same body tied to no plan (such as those cited by reference). Two indexed
    lookups: an OR over plan and body would scan every plan's meetings."""
    table = _table("meeting")
    return (
        f"(SELECT * FROM {table} WHERE plan_id = $1 AND {AS_OF} UNION ALL "
        f"SELECT * FROM {table} WHERE plan_id IS NULL AND {AS_OF} "
        f"AND body IN (SELECT body FROM {table} WHERE plan_id = $1 AND {AS_OF}))"
    )


async def meeting_dates(conn: asyncpg.Connection, plan_id: UUID, point: Point) -> list[date]:
    """Dates of the meetings of the plan's committee held by the point's date, as known then."""
    d, t, rep = _bounds(point)
    rows = await conn.fetch(
        f"SELECT DISTINCT meeting_on FROM {committee_meetings()} m WHERE meeting_on <= $2 ORDER BY meeting_on",
        plan_id,
        d,
        t,
        rep,
    )
    return [r["meeting_on"] for r in rows]


@dataclass
class PlanHealth:
    """Health of a plan's key results and activities on one day, with the roll-ups."""

    on: date
    rules: tuple[EvaluationRule, ...]
    window_start: date | None
    key_results: list[dict[str, Any]] = field(default_factory=list)
    activities: dict[UUID, Health | None] = field(default_factory=dict)
    strategies: dict[int, Counter[Health]] = field(default_factory=dict)
    plan: Counter[Health] = field(default_factory=Counter)
    #: cancelled activities (no health), by strategy
    not_evaluated: Counter[int] = field(default_factory=Counter)

    def of_activity(self, activity_id: UUID) -> list[dict[str, Any]]:
        return [k for k in self.key_results if k["activity_id"] == activity_id]


async def key_result_rows(
    conn: asyncpg.Connection, plan_id: UUID, point: Point, window_start: date | None
) -> list[dict[str, Any]]:
    """The plan's key results with their latest measurement, counts and whether one falls after
    `window_start` (the last reporting period)."""
    d, t, rep = _bounds(point)
    records = await conn.fetch(
        f"""
        WITH m AS MATERIALIZED (
            SELECT stream_id,
                   (array_agg(value ORDER BY measured_on DESC, substr(measurement_id, 2)::int DESC))[1] AS value,
                   max(measured_on) AS last_on, count(*) AS n,
                   count(*) FILTER (WHERE $5::date IS NULL OR measured_on > $5) AS recent
            FROM {_table("measurement")} WHERE plan_id = $1 AND {AS_OF} GROUP BY stream_id
        )
        SELECT k.*, m.value AS latest_value, m.last_on AS last_measured_on, m.n AS measurement_count,
               m.recent AS recent_count
        FROM {_table("key_result")} k LEFT JOIN m ON m.stream_id = k.stream_id
        WHERE k.plan_id = $1 AND {K_AS_OF}
        ORDER BY k.strategy_number, k.activity_id NULLS FIRST, k.defined_on, k.title
        """,
        plan_id,
        d,
        t,
        rep,
        window_start,
    )
    return [_row(r, "key_result", "id") for r in records]


def judge(row: dict[str, Any], on: date, rules: tuple[EvaluationRule, ...]) -> dict[str, Any]:
    """Add attainment, expected attainment and health to a key result row (in place)."""
    figures = Figures(
        Direction(row["direction"]),
        row["baseline"],
        row["target"],
        row["starts_on"],
        row["due_on"],
        row.get("latest_value"),
        bool(row.get("recent_count")),
    )
    row["attainment"] = figures.attainment()
    row["expected_attainment"] = figures.expected(on)
    retired = row["retired_on"] is not None and row["retired_on"] <= on
    row["retired"] = retired
    row["health"] = None if retired else key_result_health(figures, on, rules)
    row["measurement_count"] = row.get("measurement_count") or 0
    return row


async def plan_health(conn: asyncpg.Connection, plan_id: UUID, point: Point) -> PlanHealth:
    """Key results, activities, strategies and the plan by health on the point's day."""
    on = day_of(point)
    d, t, rep = _bounds(point)
    rules = await evaluation_rules(conn, plan_id, point)
    window = reporting_window_start(await meeting_dates(conn, plan_id, point), on)
    out = PlanHealth(on, rules, window)
    out.key_results = [judge(r, on, rules) for r in await key_result_rows(conn, plan_id, point, window)]
    activities = await conn.fetch(
        f"SELECT stream_id, strategy_number, status FROM {_table('activity')} WHERE plan_id = $1 AND {AS_OF}",
        plan_id,
        d,
        t,
        rep,
    )
    overdue = dict(
        await conn.fetch(
            f"SELECT stream_id, count(*) FROM {_table('milestone')} WHERE plan_id = $1 AND {AS_OF} "
            "AND status = 'PLANNED' AND due_on < $2 GROUP BY stream_id",
            plan_id,
            d,
            t,
            rep,
        )
    )
    by_activity: dict[UUID, list[Health]] = {}
    for k in out.key_results:
        if k["activity_id"] is not None and k["health"] is not None:
            by_activity.setdefault(k["activity_id"], []).append(k["health"])
    for a in activities:
        activity_id = a["stream_id"]
        health = activity_health(
            ActivityStatus(a["status"]), overdue.get(activity_id, 0), by_activity.get(activity_id, [])
        )
        out.activities[activity_id] = health
        counts = out.strategies.setdefault(a["strategy_number"], Counter())
        if health is None:
            out.not_evaluated[a["strategy_number"]] += 1
            continue
        counts[health] += 1
        out.plan[health] += 1
    return out


async def measurements_of(
    conn: asyncpg.Connection, key_result_ids: list[UUID], point: Point
) -> dict[UUID, list[dict[str, Any]]]:
    """Each key result's measurements on the point's day (as known then), oldest first."""
    d, t, rep = _bounds(point)
    records = await conn.fetch(
        f"SELECT * FROM {_table('measurement')} WHERE stream_id = ANY($1::uuid[]) AND {AS_OF} "
        "ORDER BY measured_on, substr(measurement_id, 2)::int",
        key_result_ids,
        d,
        t,
        rep,
    )
    out: dict[UUID, list[dict[str, Any]]] = {}
    for r in records:
        row = _row(r, "measurement", "key_result_id")
        out.setdefault(row["key_result_id"], []).append(row)
    return out


async def key_result_plans(conn: asyncpg.Connection, key_result_ids: list[UUID]) -> dict[UUID, UUID]:
    """The plan of each key result (fixed at definition)."""
    records = await conn.fetch(
        f"SELECT DISTINCT stream_id, plan_id FROM {_table('key_result')} WHERE stream_id = ANY($1::uuid[])",
        key_result_ids,
    )
    return {r["stream_id"]: r["plan_id"] for r in records}
