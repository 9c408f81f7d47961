"""Direct execution: a query of plain plan data answered from the rows, without a resolver per field.

Normal execution calls a resolver for every field of every object, each wrapped by strawberry and
completed by graphql-core: a whole plan (≈ 270 activities, 850 milestones, 250 risks) is ≈ 6,000
of them, and that, not the reads, was most of a whole-plan query's time. A query whose every
selected field is plain data of plans, strategies, activities, milestones and risks (the README's
whole-plan query, the dashboard's plan) is answered here instead:

- the operation's selection is collected once per field (not per object) by graphql-core's own
  `collect_fields`/`collect_subfields`, so aliases, fragments, `@skip`/`@include` and variables
  mean exactly what they mean to normal execution, and arguments are coerced by its
  `get_argument_values`;
- the rows are read by the resolvers' own read functions, in the request's snapshot;
- each field is read from its row as `from_row` reads it (`plan_types.*_FIELDS`) and completed as
  graphql-core completes it (the schema's own serializers; the common cases short-cut).

It answers only what it can answer exactly as normal execution would. A field or argument it does
not know, a value normal execution would turn into an error (a null in a non-null field, an
unknown enum value, a bad ID or point), any failure at all: the operation is executed normally
instead (`Fallback`), so every error, its message and its path are normal execution's own.
tests/integration/test_direct_execution.py runs documents both ways and compares the answers.
"""

from __future__ import annotations

import logging
import os
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import lru_cache
from math import isfinite
from operator import attrgetter
from types import CodeType, FunctionType
from typing import Any
from uuid import UUID

import asyncpg
from graphql import (
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLField,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLString,
    OperationType,
    is_leaf_type,
)
from graphql.execution.collect_fields import FieldDetailsList, collect_fields, collect_subfields
from graphql.execution.values import get_argument_values
from graphql.pyutils import Undefined

from projections import queries as q
from service.api import plan_types as pt
from service.api.context import Context
from service.api.points import AsOf, parse_id, resolve, shown
from service.api.subscriptions import SharedExecutor

log = logging.getLogger("planledger.graphql")

#: PLANLEDGER_DIRECT_EXECUTION=0 turns direct execution off (every query executed normally)
ENABLED = os.environ.get("PLANLEDGER_DIRECT_EXECUTION", "1") != "0"
#: how this process executed the queries it could: "direct"; "normal" (a field or argument direct
#: execution does not answer); "fallback" (it gave up while answering, e.g. on a bad row)
COUNTS: Counter[str] = Counter()
MIN_INT, MAX_INT = -(2**31), 2**31 - 1
STRAWBERRY = "strawberry-definition"

Row = dict[str, Any]
#: (source, env) -> the completed value of one field; env is what the source's subtree reads from
Complete = Callable[[Any, Any], Any]


class Fallback(Exception):
    """Direct execution cannot answer this exactly as normal execution would: execute it normally."""


# -- leaves: graphql-core's complete_leaf_value, with the plain cases short-cut --------------------


def _exact(kind: Any) -> Callable[[Any], Any]:
    coerce = kind.coerce_output_value

    def exact(value: Any) -> Any:
        out = coerce(value)  # raises where normal execution would report an error
        if out is None or out is Undefined:
            raise Fallback(f"{kind} gives no value for {value!r}")
        return out

    return exact


def _fail() -> Any:
    raise Fallback("a value normal execution would not complete")


def _leaf(kind: Any, non_null: bool) -> Complete:
    exact = _exact(kind)

    def missing(value: Any) -> Any:
        if value is None:
            if non_null:
                raise Fallback(f"null for a non-null {kind}")
            return None
        return exact(value)

    if kind is GraphQLString or kind is GraphQLID:

        def text(value: Any, _env: Any) -> Any:
            return value if type(value) is str else missing(value)

        return text
    if kind is GraphQLInt:

        def integer(value: Any, _env: Any) -> Any:
            return value if type(value) is int and MIN_INT <= value <= MAX_INT else missing(value)

        return integer
    if kind is GraphQLFloat:

        def number(value: Any, _env: Any) -> Any:
            return value if type(value) is float and isfinite(value) else missing(value)

        return number
    if kind is GraphQLBoolean:

        def boolean(value: Any, _env: Any) -> Any:
            return value if type(value) is bool else missing(value)

        return boolean
    wrapped = getattr(kind, "wrapped_cls", None)
    if isinstance(kind, GraphQLEnumType) and wrapped is not None:
        names = {member: exact(member) for member in wrapped}  # what the enum type serializes each to

        def enum(value: Any, _env: Any) -> Any:
            return names[value] if type(value) is wrapped else missing(value)

        return enum
    return lambda value, _env: missing(value)


# -- what a plan's fields read ---------------------------------------------------------------------


@dataclass
class PlanRows:
    """The rows one plan's subtree reads, at one point, as the resolvers' loaders give them."""

    point: q.Point
    strategies: list[Row] = field(default_factory=list)
    activities: list[Row] = field(default_factory=list)
    milestones: dict[UUID, list[Row]] = field(default_factory=dict)
    risks: dict[UUID, list[Row]] = field(default_factory=dict)
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
    return {
        plan_id: PlanRows(
            point,
            strategies=found.get("strategies", none).get(plan_id, []),
            activities=found.get("activities", none).get(plan_id, []),
            milestones=found.get("milestones", none).get(plan_id, {}),
            risks=found.get("risks", none).get(plan_id, {}),
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
    return (lambda _plan, env: pt.Summary.of(pt._only(env.activities, year, None))), False, {"activities"}


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
    found = await q.plan_as_of(conn, plan_id, point.on, point.known_at)
    if found is None:
        return None
    plan = pt.Plan.from_row(found, point)
    rows = PlanRows(point, strategies=found["strategies"], activities=found["activities"])
    if "milestones" in reads.needs:
        milestones = await q.plan_milestones(conn, [plan.uuid], point, reads.of("Milestone"))
        rows.milestones = milestones.get(plan.uuid, {})
    if "risks" in reads.needs:
        rows.risks = (await q.plan_risks(conn, [plan.uuid], point, reads.of("Risk"))).get(plan.uuid, {})
    return plan, {plan.uuid: rows}


async def _root_plan(context: Context, args: dict[str, Any], reads: Reads) -> tuple[Any, Any]:
    plan_id = parse_id("id", args["id"])
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
    min_level, status = args.get("minLevel"), args.get("status")
    rows = await context.read(
        lambda conn: q.risks(
            conn,
            plan,
            point.on,
            point.known_at,
            min_level.value if min_level else None,
            [s.value for s in status] if status is not None else None,
        )
    )
    return rows, PlanRows(point)


async def _root_milestones(context: Context, args: dict[str, Any], reads: Reads) -> tuple[Any, Any]:
    plan = _plan_argument(args)
    point = await resolve(context, _as_of(args.get("asOf")))
    overdue_only = args.get("overdueOnly", False)
    rows = await context.read(
        lambda conn: q.milestones(conn, plan, None, point.on, point.known_at, only_overdue=overdue_only)
    )
    return rows, PlanRows(point)


#: root field -> (how it reads, whether its values are rows)
ROOTS: dict[str, tuple[Root, bool]] = {
    "plan": (_root_plan, False),
    "plans": (_root_plans, False),
    "risks": (_root_risks, True),
    "milestones": (_root_milestones, True),
}


# -- the operation, compiled once per request ------------------------------------------------------


def _typename(name: str) -> Complete:
    return lambda _source, _env: name


def _fast_test(kind: Any, value: str) -> str | None:
    """A Python expression true where completing `value` as `kind` gives it back unchanged."""
    if kind is GraphQLString or kind is GraphQLID:
        return f"type({value}) is str"
    if kind is GraphQLInt:
        return f"type({value}) is int and {MIN_INT} <= {value} <= {MAX_INT}"
    if kind is GraphQLFloat:
        return f"type({value}) is float and isfinite({value})"
    if kind is GraphQLBoolean:
        return f"type({value}) is bool"
    return None


@lru_cache(maxsize=1024)
def _code(source: str) -> CodeType:
    """The compiled body of a generated function (the same shape of selection: the same source)."""
    module = compile(source, "<direct execution>", "exec")
    return next(c for c in module.co_consts if isinstance(c, CodeType))


class _Function:
    """The source of one generated function, and the objects it refers to by name (never the
    document's own text: aliases and values are constants in its namespace)."""

    def __init__(self) -> None:
        self.names: dict[str, Any] = {"isfinite": isfinite}

    def ref(self, prefix: str, value: Any) -> str:
        name = f"{prefix}{len(self.names)}"
        self.names[name] = value
        return name

    def make(self, signature: str, body: list[str]) -> Any:
        source = "\n    ".join([f"def generated({signature}):", *body])
        return FunctionType(_code(source), self.names, "generated")


class _Compiler:
    """Walks the operation's selection as normal execution collects it, into generated functions;
    Fallback where direct execution does not know a field."""

    def __init__(self, executor: Any) -> None:
        self.schema = executor.schema
        self.fragments = executor.fragments
        self.variables = executor.variable_values
        self.operation = executor.operation
        self.hide_suggestions = executor.hide_suggestions
        self.reads = Reads()

    def arguments(self, definition: GraphQLField, details: FieldDetailsList) -> dict[str, Any]:
        first = details[0]
        if first.fragment_variable_values is not None:
            raise Fallback("fragment variables")
        if not (definition.args or first.node.arguments):
            return {}
        return get_argument_values(
            definition, first.node, self.variables, first.fragment_variable_values, self.hide_suggestions
        )

    def root(self) -> list[tuple[str, Root | None, dict[str, Any], Complete, Reads]]:
        query = self.schema.query_type
        grouped, defers, _ = collect_fields(
            self.schema, self.fragments, self.variables, query, self.operation, self.hide_suggestions
        )
        if defers:
            raise Fallback("@defer")
        roots: list[tuple[str, Root | None, dict[str, Any], Complete, Reads]] = []
        for key, details in grouped.items():
            name = details[0].node.name.value
            if name == "__typename":
                roots.append((key, None, {}, _typename(query.name), Reads()))
                continue
            found = ROOTS.get(name)
            definition = query.fields.get(name)
            if found is None or definition is None:
                raise Fallback(f"Query.{name}")
            read, rows = found
            self.reads = Reads()
            complete = self.complete(definition.type, details, rows)
            roots.append((key, read, self.arguments(definition, details), complete, self.reads))
        return roots

    def complete(self, kind: GraphQLOutputType, details: FieldDetailsList, rows: bool) -> Complete:
        """value, env -> the value completed as `kind` (graphql-core's complete_value); `rows`:
        objects come as read-model rows."""
        non_null = isinstance(kind, GraphQLNonNull)
        inner = kind.of_type if isinstance(kind, GraphQLNonNull) else kind
        if is_leaf_type(inner):
            return _leaf(inner, non_null)
        if isinstance(inner, GraphQLList):
            item_kind = inner.of_type
            items_non_null = isinstance(item_kind, GraphQLNonNull)
            item_base = item_kind.of_type if isinstance(item_kind, GraphQLNonNull) else item_kind
            if isinstance(item_base, GraphQLObjectType):
                build = self.selection(item_base, details, rows)

                def objects(value: Any, env: Any) -> Any:
                    if value is None:
                        if non_null:
                            raise Fallback("null for a non-null list")
                        return None
                    if not items_non_null:
                        return [None if x is None else build(x, env) for x in value]
                    if None in value:
                        raise Fallback("null in a list of non-null objects")
                    return [build(x, env) for x in value]

                return objects
            item = self.complete(item_kind, details, rows)

            def values(value: Any, env: Any) -> Any:
                if value is None:
                    if non_null:
                        raise Fallback("null for a non-null list")
                    return None
                return [item(x, env) for x in value]

            return values
        if isinstance(inner, GraphQLObjectType):
            build = self.selection(inner, details, rows)

            def one(value: Any, env: Any) -> Any:
                if value is None:
                    if non_null:
                        raise Fallback("null for a non-null object")
                    return None
                return build(value, env)

            return one
        raise Fallback(f"{kind} is abstract")

    def selection(self, kind: GraphQLObjectType, details: FieldDetailsList, rows: bool) -> Complete:
        """source, env -> the object's selected fields, in the order normal execution gives them:
        one generated function per selection (no call per field for the plain ones)."""
        grouped, defers, _ = collect_subfields(
            self.schema, self.fragments, self.variables, self.operation, kind, details, self.hide_suggestions
        )
        if defers:
            raise Fallback("@defer")
        row_fields = ROW_FIELDS.get(kind.name) if rows else None
        if rows and row_fields is None:
            raise Fallback(f"{kind.name} from rows")
        function = _Function()
        body: list[str] = []
        if kind.name == "Plan" and not rows:  # a plan's subtree reads that plan's rows
            body.append("env = env[src.uuid]")
        results: list[str] = []
        unread = dict(row_fields or {})
        used: list[pt.RowField] = []  # what the rows are read for (their columns are read)
        for key, group in grouped.items():
            name = group[0].node.name.value
            value = f"v{len(results)}"
            results.append(f"{function.ref('key', key)}: {value}")
            if name == "__typename":
                body.append(f"{value} = {function.ref('typename', kind.name)}")
                continue
            definition = kind.fields.get(name)
            if definition is None:
                raise Fallback(f"{kind.name}.{name}")
            special = SPECIALS.get((kind.name, name, rows))
            strawberry_field = definition.extensions.get(STRAWBERRY)
            if special is not None:
                get, values_are_rows, needs = special(self.arguments(definition, group))
                self.reads.needs |= needs
                complete = self.complete(definition.type, group, values_are_rows)
                body.append(
                    f"{value} = {function.ref('complete', complete)}({function.ref('get', get)}(src, env), env)"
                )
            elif strawberry_field is not None and strawberry_field.is_basic_field and not definition.args:
                python_name = strawberry_field.python_name
                if row_fields is None:
                    read = f"{function.ref('read', attrgetter(python_name))}(src)"
                elif python_name not in row_fields:
                    raise Fallback(f"{kind.name}.{name} from rows")
                else:
                    found = unread.pop(python_name, None) or row_fields[python_name]
                    used.append(found)
                    column = found.column
                    read = (
                        f"src[{function.ref('column', column)}]"
                        if column
                        else f"{function.ref('read', found.read)}(src)"
                    )
                body.extend(self.value(function, value, read, definition.type, group))
            else:
                raise Fallback(f"{kind.name}.{name} has a resolver")
        # what from_row would read though not selected, where reading a row can fail
        for field_reader in unread.values():
            if not field_reader.fallible:
                continue
            used.append(field_reader)
            check = f"{function.ref('check', field_reader.check or field_reader.read)}(src)"
            if field_reader.safe is not None:
                column, values = field_reader.safe
                check = f"if src[{function.ref('column', column)}] not in {function.ref('safe', values)}: {check}"
            body.insert(0, check)
        if rows:
            self.reads.use(kind.name, used)
        body.append("return {" + ", ".join(results) + "}")
        built: Complete = function.make("src, env", body)
        return built

    def value(self, function: _Function, value: str, read: str, kind: Any, details: FieldDetailsList) -> list[str]:
        """Lines setting `value` to the field read by `read`, completed as `kind`."""
        non_null = isinstance(kind, GraphQLNonNull)
        leaf = kind.of_type if non_null else kind
        if not is_leaf_type(leaf):
            return [f"{value} = {function.ref('complete', self.complete(kind, details, False))}({read}, env)"]
        slow = function.ref("leaf", _leaf(leaf, non_null))
        test = _fast_test(leaf, value)
        wrapped = getattr(leaf, "wrapped_cls", None)
        if test is not None:
            return [f"{value} = {read}", f"if not ({test}): {value} = {slow}({value}, None)"]
        if isinstance(leaf, GraphQLEnumType) and wrapped is not None:
            names = function.ref("names", {member: _exact(leaf)(member) for member in wrapped})
            enum = function.ref("enum", wrapped)
            return [
                f"{value} = {read}",
                f"{value} = {names}[{value}] if type({value}) is {enum} else {slow}({value}, None)",
            ]
        coerce = function.ref("coerce", leaf.coerce_output_value)
        undefined, fail = function.ref("undefined", Undefined), function.ref("fail", _fail)
        return [
            f"{value} = {read}",
            f"if {value} is None: {value} = {slow}(None, None)",
            "else:",
            f"    {value} = {coerce}({value})",
            f"    if {value} is None or {value} is {undefined}: {fail}()",
        ]


@dataclass
class Operation:
    """A compiled query: its root fields, each with how it reads and how its value is completed."""

    roots: list[tuple[str, Root | None, dict[str, Any], Complete, Reads]]

    async def run(self, context: Context) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for key, read, args, complete, reads in self.roots:
            if read is None:
                data[key] = complete(None, None)
                continue
            value, env = await read(context, args, reads)
            data[key] = complete(value, env)
        return data


def compile_operation(executor: Any) -> Operation:
    return Operation(_Compiler(executor).root())


class DirectExecutor(SharedExecutor):
    """The schema's executor: a query direct execution can answer exactly is answered directly;
    everything else (and anything direct execution gives up on) is executed normally."""

    def execute_operation(self, serially: bool | None = None) -> Any:
        context = self.context_value
        if (
            ENABLED
            and self.operation.operation is OperationType.QUERY
            and isinstance(context, Context)
            and context.direct
            and self.abort_signal is None
            and not getattr(self.middleware_manager, "middlewares", None)
        ):
            try:
                operation = compile_operation(self)
            except Exception as reason:  # whatever it is, normal execution answers
                COUNTS["normal"] += 1
                log.debug("executed normally: %s", reason)
            else:
                return self._directly(operation, serially)
        return super().execute_operation(serially)

    async def _directly(self, operation: Operation, serially: bool | None) -> Any:
        try:
            data = await operation.run(self.context_value)
        except Exception as reason:  # whatever it is, normal execution answers
            COUNTS["fallback"] += 1
            log.debug("executed normally after all: %s", reason)
            result = super().execute_operation(serially)
            return await result if self.is_awaitable(result) else result
        COUNTS["direct"] += 1
        return self.build_response(data)
