"""What direct execution (service/api/execution/direct.py) reads and answers: a plan's rows, read by the
resolvers' own read functions; the fields with resolvers it answers the resolvers' way (from the
same rows, with the same arguments); the root fields it answers (the Query resolvers' own steps).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import asyncpg

from projections import queries as q
from service.api.context import Context
from service.api.execution.lists import Listed, read_lists
from service.api.points import AsOf, parse_id, resolve, shown
from service.api.types import plan as pt

Row = dict[str, Any]


# -- what a plan's fields read ---------------------------------------------------------------------


@dataclass
class PlanRows:
    """The rows one plan's subtree reads, at one point, as the resolvers' loaders give them."""

    point: q.Point
    strategies: list[Row] = field(default_factory=list)
    activities: list[Row] = field(default_factory=list)
    milestones: dict[UUID, list[Row]] = field(default_factory=dict)
    risks: dict[UUID, list[Row]] = field(default_factory=dict)
    #: each list PostgreSQL wrote (`Reads.lists`, service/api/execution/lists.py): {activity: its JSON}
    lists: list[dict[UUID, Any]] = field(default_factory=list)
    #: the roll-up of all `activities` where plan_as_of counted it already (`Rollup.of` of the same
    #: rows, the same numbers: not counted again for the plan's summary)
    rollup: q.Rollup | None = None
    _by_strategy: dict[Any, list[Row]] | None = None

    def of_strategy(self, number: Any) -> list[Row]:
        """The activities whose strategy_number is `number`, in order (what `Strategy.activities` keeps)."""
        if self._by_strategy is None:
            groups: dict[Any, list[Row]] = {}
            for row in self.activities:
                groups.setdefault(row["strategy_number"], []).append(row)
            self._by_strategy = groups
        return self._by_strategy.get(number, [])


@dataclass
class Reads:
    """What a root field's answer reads: which kinds of a plan's rows, and which keys of the
    milestones' and risks' rows (by type; absent or None: every key)."""

    needs: set[str] = field(default_factory=set)
    keys: dict[str, set[str] | None] = field(default_factory=dict)
    #: activities' lists PostgreSQL writes as JSON (service/api/execution/lists.py), by index
    lists: list[Listed] = field(default_factory=list)

    def add_list(self, listed: Listed) -> int:
        """The index of `listed` among the lists read (the same list asked twice is read once)."""
        if listed not in self.lists:
            self.lists.append(listed)
        return self.lists.index(listed)

    def use(self, kind: str, fields: list[pt.RowField]) -> None:
        known = self.keys.setdefault(kind, set())
        for row_field in fields:
            if known is None or row_field.columns is None:
                self.keys[kind] = None
                return
            known.update(row_field.columns)

    def of(self, kind: str) -> set[str] | None:
        return self.keys.get(kind)


async def read_plans(context: Context, ids: list[UUID], point: q.Point, reads: Reads) -> dict[UUID, PlanRows]:
    """Each plan's rows of the kinds `reads` names, read by the loaders' own functions."""
    needs = reads.needs

    async def read(conn: asyncpg.Connection) -> dict[str, dict[UUID, Any]]:
        found: dict[str, dict[UUID, Any]] = {}
        if "strategies" in needs:
            found["strategies"] = await q.strategies_of(conn, ids, point)
        if "activities" in needs:
            found["activities"] = await q.activities_of(conn, ids, point)
        if "milestones" in needs:
            found["milestones"] = await q.plan_milestones(conn, ids, point, reads.of("Milestone"))
        if "risks" in needs:
            found["risks"] = await q.plan_risks(conn, ids, point, reads.of("Risk"))
        return found

    found = await context.read(read) if needs and ids else {}
    none: dict[UUID, Any] = {}
    lists = await context.read(lambda conn: read_lists(conn, reads.lists, ids, point)) if reads.lists and ids else []
    return {
        plan_id: PlanRows(
            point,
            strategies=found.get("strategies", none).get(plan_id, []),
            activities=found.get("activities", none).get(plan_id, []),
            milestones=found.get("milestones", none).get(plan_id, {}),
            risks=found.get("risks", none).get(plan_id, {}),
            lists=[each.get(plan_id, none) for each in lists],
        )
        for plan_id in ids
    }


# -- fields with resolvers that direct execution answers the resolver's way ------------------------
# (type, field, whether the source is a row) -> given the field's coerced arguments: what it reads
# from (source, env), whether that value is rows, and which of a plan's rows it needs.

Get = Callable[[Any, Any], Any]
Special = Callable[[dict[str, Any]], tuple[Get, bool, set[str]]]


def _plan_as_of(args: dict[str, Any]) -> tuple[Get, bool, set[str]]:
    return (lambda plan, _env: shown(plan.point)), False, set()


def _plan_strategies(args: dict[str, Any]) -> tuple[Get, bool, set[str]]:
    return (lambda _plan, env: env.strategies), True, {"strategies"}


def _plan_activities(args: dict[str, Any]) -> tuple[Get, bool, set[str]]:
    year, status = args.get("fiscalYear"), args.get("status")
    return (lambda _plan, env: pt._only(env.activities, year, status)), True, {"activities"}


def _plan_summary(args: dict[str, Any]) -> tuple[Get, bool, set[str]]:
    year = args.get("fiscalYear")

    def summary(_plan: Any, env: PlanRows) -> pt.Summary:
        if year is None and env.rollup is not None:
            return pt.Summary.of_rollup(env.rollup)
        return pt.Summary.of(pt._only(env.activities, year, None))

    return summary, False, {"activities"}


def _strategy_activities(args: dict[str, Any]) -> tuple[Get, bool, set[str]]:
    year, status = args.get("fiscalYear"), args.get("status")
    return (lambda row, env: pt._only(env.of_strategy(row["number"]), year, status)), True, {"activities"}


def _strategy_summary(args: dict[str, Any]) -> tuple[Get, bool, set[str]]:
    year = args.get("fiscalYear")
    return (lambda row, env: pt.Summary.of(pt._only(env.of_strategy(row["number"]), year, None))), False, {"activities"}


def _activity_milestones(args: dict[str, Any]) -> tuple[Get, bool, set[str]]:
    return (lambda row, env: env.milestones.get(row["id"], [])), True, {"milestones"}


def _activity_risks(args: dict[str, Any]) -> tuple[Get, bool, set[str]]:
    return (lambda row, env: env.risks.get(row["id"], [])), True, {"risks"}


def _activity_as_of(args: dict[str, Any]) -> tuple[Get, bool, set[str]]:
    return (lambda _row, env: shown(env.point)), False, set()


SPECIALS: dict[tuple[str, str, bool], Special] = {
    ("Plan", "asOf", False): _plan_as_of,
    ("Plan", "strategies", False): _plan_strategies,
    ("Plan", "activities", False): _plan_activities,
    ("Plan", "summary", False): _plan_summary,
    ("Strategy", "activities", True): _strategy_activities,
    ("Strategy", "summary", True): _strategy_summary,
    ("Activity", "milestones", True): _activity_milestones,
    ("Activity", "risks", True): _activity_risks,
    ("Activity", "asOf", True): _activity_as_of,
}
#: the types direct execution reads from rows (what their `from_row` reads, field by field)
ROW_FIELDS: dict[str, dict[str, pt.RowField]] = {
    "Strategy": pt.STRATEGY_FIELDS,
    "Activity": pt.ACTIVITY_FIELDS,
    "Milestone": pt.MILESTONE_FIELDS,
    "Risk": pt.RISK_FIELDS,
}


# -- root fields: the Query resolvers' own steps ---------------------------------------------------

Root = Callable[[Context, dict[str, Any], Reads], Awaitable[tuple[Any, Any]]]


def _as_of(value: dict[str, Any] | None) -> AsOf | None:
    if value is None:
        return None
    return AsOf(date=value.get("date"), meeting=value.get("meeting"), known_at=value.get("knownAt"))


async def _plans_with_rows(context: Context, plans: list[pt.Plan], point: q.Point, reads: Reads) -> Any:
    return await read_plans(context, list(dict.fromkeys(p.uuid for p in plans)), point, reads)


async def _whole_plan(conn: asyncpg.Connection, plan_id: UUID, point: q.Point, reads: Reads) -> Any:
    """The plan, its strategies and activities in one statement (`plan_as_of`, which orders them as
    the loaders do), and its milestones and risks if `reads` says so; None if there was no plan."""
    found = await q.plan_as_of(conn, plan_id, point.on, point.known_at, point.reported)
    if found is None:
        return None
    plan = pt.Plan.from_row(found, point)
    rows = PlanRows(point, strategies=found["strategies"], activities=found["activities"], rollup=found["rollup"])
    if "milestones" in reads.needs:
        milestones = await q.plan_milestones(conn, [plan.uuid], point, reads.of("Milestone"))
        rows.milestones = milestones.get(plan.uuid, {})
    if "risks" in reads.needs:
        rows.risks = (await q.plan_risks(conn, [plan.uuid], point, reads.of("Risk"))).get(plan.uuid, {})
    if reads.lists:
        rows.lists = [each.get(plan.uuid, {}) for each in await read_lists(conn, reads.lists, [plan.uuid], point)]
    return plan, {plan.uuid: rows}


async def _root_plan(context: Context, args: dict[str, Any], reads: Reads) -> tuple[Any, Any]:
    plan_id = await pt.plan_key(context, args["id"], "id")
    point = await resolve(context, _as_of(args.get("asOf")))
    if reads.needs & {"strategies", "activities"}:
        found = await context.read(lambda conn: _whole_plan(conn, plan_id, point, reads))
        return (None, None) if found is None else found
    row = (await context.read(lambda conn: q.plans_by_id(conn, [plan_id], point))).get(plan_id)
    if row is None:
        return None, None
    plan = pt.Plan.from_row(row, point)
    return plan, await _plans_with_rows(context, [plan], point, reads)


async def _root_plans(context: Context, args: dict[str, Any], reads: Reads) -> tuple[Any, Any]:
    point = await resolve(context, _as_of(args.get("asOf")))
    rows = await context.read(lambda conn: q.all_plans(conn, point))
    plans = [pt.Plan.from_row(r, point) for r in rows]
    return plans, await _plans_with_rows(context, plans, point, reads)


def _plan_argument(args: dict[str, Any]) -> UUID | None:
    value = args.get("planId")
    return None if value is None else parse_id("planId", value)


async def _root_risks(context: Context, args: dict[str, Any], reads: Reads) -> tuple[Any, Any]:
    plan = _plan_argument(args)
    point = await resolve(context, _as_of(args.get("asOf")))
    rows = await pt.risk_rows(context, plan, point, args.get("minLevel"), args.get("status"))
    return rows, PlanRows(point)


async def _root_milestones(context: Context, args: dict[str, Any], reads: Reads) -> tuple[Any, Any]:
    plan = _plan_argument(args)
    point = await resolve(context, _as_of(args.get("asOf")))
    overdue_only = args.get("overdueOnly", False)
    rows = await context.read(
        lambda conn: q.milestones(
            conn, plan, None, point.on, point.known_at, only_overdue=overdue_only, reported=point.reported
        )
    )
    return rows, PlanRows(point)


#: root field -> (how it reads, whether its values are rows)
ROOTS: dict[str, tuple[Root, bool]] = {
    "plan": (_root_plan, False),
    "plans": (_root_plans, False),
    "risks": (_root_risks, True),
    "milestones": (_root_milestones, True),
}
