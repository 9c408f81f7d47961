"""The plan: plan_as_of reads a plan with its strategies and activities in one statement, built
from the schema's families, and rolls the activities up (Rollup) by strategy and for the whole
plan, putting them in order in Python where the database orders text as Python does
(CODE_POINT_ORDER, remembered per connection); and the batched reads of plans and strategies
(all_plans, plans_by_id, strategies_of). Apart from activities.py because the whole plan is the
read side's hottest question (bench/projections.py times it) with machinery of its own.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from itertools import groupby, islice
from operator import itemgetter
from typing import Any
from uuid import UUID

import asyncpg

from domain.vocabulary import ActivityStatus
from projections.queries.rows import (
    AS_OF,
    ConnectionFacts,
    Point,
    _family_rows,
    _group,
    _json_columns,
    _row,
    _table,
    _times,
    _value_columns,
)


@dataclass
class Rollup:
    """Counts by status, share completed (0..1) and mean progress (percent) of some activities.

    Progress is unknown (None) for an activity until one is reported: the mean is over those with
    one (`progress_known` of `total`), None when none has; an unknown is never counted as 0."""

    total: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    completed: int = 0
    share_completed: Decimal | None = None
    mean_progress: Decimal | None = None
    progress_known: int = 0

    @classmethod
    def of(cls, activities: Iterable[Mapping[str, Any]]) -> Rollup:
        items = list(activities)
        if not items:
            return cls()
        statuses = Counter(str(a["status"]) for a in items)
        known = [Decimal(a["progress"]) for a in items if a["progress"] is not None]
        return cls.counted(statuses, sum(known, Decimal(0)), len(known))

    @classmethod
    def counted(cls, statuses: Mapping[str, int], progress: Decimal, known: int) -> Rollup:
        """From the number of activities at each status, the sum of the progress reported and the
        number of activities it was reported for."""
        total = sum(statuses.values())
        if not total:
            return cls()
        completed = statuses.get(ActivityStatus.COMPLETED.value, 0)
        return cls(
            total=total,
            by_status=dict(sorted(statuses.items())),
            completed=completed,
            share_completed=(Decimal(completed) / total).quantize(Decimal("0.0001")),
            mean_progress=(progress / known).quantize(Decimal("0.01")) if known else None,
            progress_known=known,
        )


def _as_of(alias: str) -> str:
    return (
        f"{alias}.valid_from <= $2 AND $2 < {alias}.valid_to "
        f"AND {alias}.recorded_from <= $3 AND $3 < {alias}.recorded_to "
        f"AND {alias}.reported_from <= $4 AND $4 < {alias}.reported_to"
    )


@dataclass(frozen=True)
class _PlanStatement:
    sorted: str  # activities in the answer's order (by strategy, title in the database's collation, id)
    unsorted: str  # the same rows in no order, for a database whose text order is Python's
    activity: dict[str, Any]  # an activity's keys in `_row`'s order (to copy and fill in)
    activity_read: tuple[str, ...]  # the keys of the columns read (all but plan_id, which is the plan's)
    plan_names: tuple[str, ...]
    plan_json: frozenset[str]
    strategy_names: tuple[str, ...]


#: whether the database's default collation orders text by code point, as Python compares str:
#: the builtin provider (PostgreSQL 17+), or libc's C / POSIX / C.UTF-8 on a UTF-8 database
CODE_POINT_ORDER = (
    "(SELECT datlocprovider = 'b' OR (datlocprovider = 'c' AND pg_encoding_to_char(encoding) = 'UTF8' "
    "AND lower(datcollate) IN ('c', 'posix', 'c.utf-8', 'c.utf8')) "
    "FROM pg_database WHERE datname = current_database())"
)


@cache
def _plan_statement() -> _PlanStatement:
    """The whole plan in one statement. Each row: an activity's columns (but its plan_id: that is
    the plan's id), `k` (1 for an activity, 0 for the plan), then, in the plan's row only, the
    plan (a record), its strategies (an array of records) and whether the database orders text by
    code point. The columns are those `_row` keeps, taken from the schema's families."""
    plan = _value_columns("plan", "id")
    strategy = _value_columns("strategy", None)
    activity = _value_columns("activity", "id")
    if _json_columns("strategy") or _json_columns("activity"):
        raise NotImplementedError("plan_as_of decodes JSON columns of the plan only")
    read = tuple(c for c in activity if c[0] != "plan_id")
    strategies = (
        f"ARRAY(SELECT ROW({', '.join(f's.{c}' for c, _, _ in strategy)}) FROM {_table('strategy')} s "
        f"WHERE s.stream_id = $1 AND {_as_of('s')} ORDER BY s.number)"
    )
    activity_nulls = ", ".join(f"NULL::{kind} AS a_{c}" for c, _, kind in read)
    sql = (
        f"SELECT {activity_nulls}, 0 AS k, ROW({', '.join(f'p.{c}' for c, _, _ in plan)}), {strategies}, "
        f"{CODE_POINT_ORDER} FROM {_table('plan')} p WHERE p.stream_id = $1 AND {_as_of('p')} "
        f"UNION ALL SELECT {', '.join(f'a.{c}' for c, _, _ in read)}, 1, NULL::record, NULL::record[], "
        f"NULL::boolean FROM {_table('activity')} a WHERE a.plan_id = $1 AND {_as_of('a')}"
    )
    return _PlanStatement(
        sorted=f"{sql} ORDER BY k, a_strategy_number, a_title, a_stream_id",
        unsorted=sql,
        activity=dict.fromkeys(n for _, n, _ in activity),
        activity_read=tuple(n for _, n, _ in read),
        plan_names=tuple(n for _, n, _ in plan),
        plan_json=_json_columns("plan"),
        strategy_names=tuple(n for _, n, _ in strategy),
    )


_code_point_order = ConnectionFacts()
_STRATEGY_NUMBER = itemgetter("strategy_number")
_IN_ORDER = itemgetter("strategy_number", "title", "id")  # as `activities_of` orders them
_STATUS = itemgetter("status")
_PROGRESS = itemgetter("progress")


def _nulls_last(activity: Mapping[str, Any]) -> tuple[Any, ...]:
    number, title = activity["strategy_number"], activity["title"]
    return (number is None, number or 0, title is None, title or "", activity["id"])


def _rollup(activities: list[dict[str, Any]]) -> Rollup:
    """`Rollup.of` of activities read by `plan_as_of` (progress is numeric: a Decimal already),
    counted in C loops."""
    if not activities:
        return Rollup()
    known = [p for p in map(_PROGRESS, activities) if p is not None]
    return Rollup.counted(Counter(map(str, map(_STATUS, activities))), sum(known, Decimal(0)), len(known))


async def plan_as_of(
    conn: asyncpg.Connection,
    plan_id: UUID,
    on: date | None = None,
    known_at: datetime | None = None,
    reported: date | None = None,
) -> dict[str, Any] | None:
    """The plan with its strategies, each with its activities and roll-up, and the plan's roll-up.

    None when the plan did not exist at that point. One statement (`_plan_statement`); where the
    database orders text as Python does, the activities are put in order here rather than there.
    """
    d, t, rep = _times(on, known_at, reported)
    statement = _plan_statement()
    python_sorts = _code_point_order.get(conn)
    records = await conn.fetch(statement.unsorted if python_sorts else statement.sorted, plan_id, d, t, rep)
    rows: Iterable[asyncpg.Record]
    if records and records[0]["k"] == 0:
        plan_row, rows = records[0], islice(records, 1, None)
    else:  # the plan's row comes first in practice; without ORDER BY nothing promises it
        plan_row = next((r for r in records if r["k"] == 0), None)
        if plan_row is None:
            return None
        rows = (r for r in records if r is not plan_row)
    plan = plan_row.values()
    for _ in range(len(statement.activity_read) + 1):  # the activity's columns and `k`
        next(plan)
    result: dict[str, Any] = {}
    for name, value in zip(statement.plan_names, next(plan), strict=True):
        result[name] = json.loads(value) if name in statement.plan_json and isinstance(value, str) else value
    plan_uuid = result["id"]  # every activity's plan_id: they were read by it
    template, read = statement.activity, statement.activity_read
    acts = []
    for r in rows:
        activity = template.copy()  # the keys in `_row`'s order
        activity.update(zip(read, r.values()))  # noqa: B905 - the activity's columns come first
        activity["plan_id"] = plan_uuid
        acts.append(activity)
    strategy_rows, code_point_order = next(plan), next(plan)
    if python_sorts is None:
        _code_point_order.put(conn, bool(code_point_order))
    elif python_sorts:
        try:
            acts.sort(key=_IN_ORDER)
        except TypeError:  # a NULL strategy number or title: last, as PostgreSQL puts them
            acts.sort(key=_nulls_last)
    by_strategy = {number: list(group) for number, group in groupby(acts, _STRATEGY_NUMBER)}
    result["strategies"] = []
    for s in strategy_rows:
        strategy = dict(zip(statement.strategy_names, s, strict=True))
        mine = by_strategy.get(strategy["number"], [])
        strategy["activities"] = mine
        strategy["rollup"] = _rollup(mine)
        result["strategies"].append(strategy)
    result["activities"] = acts
    result["rollup"] = _rollup(acts)
    return result


# -- batched reads (one statement for many keys: what the API's DataLoaders call) --------------


async def all_plans(conn: asyncpg.Connection, point: Point = Point()) -> list[dict[str, Any]]:
    """Every plan that existed at `point`, by code."""
    d, t, rep = _times(point.on, point.known_at, point.reported)
    records = await conn.fetch(
        f"SELECT * FROM {_table('plan')} WHERE $1::int IS NULL AND {AS_OF} ORDER BY code", None, d, t, rep
    )
    return [_row(r, "plan", "id") for r in records]


async def plans_by_id(conn: asyncpg.Connection, ids: Iterable[UUID], point: Point) -> dict[UUID, dict[str, Any]]:
    rows = await _family_rows(conn, "plan", "stream_id", ids, point, "code", "id")
    return {r["id"]: r for r in rows}


async def strategies_of(
    conn: asyncpg.Connection, plan_ids: Iterable[UUID], point: Point
) -> dict[UUID, list[dict[str, Any]]]:
    rows = await _family_rows(conn, "strategy", "stream_id", plan_ids, point, "stream_id, number", "plan_id")
    return _group(rows, "plan_id")
