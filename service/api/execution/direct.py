"""Direct execution: a query of plain plan data answered from the rows, without a resolver per field.

Normal execution calls a resolver for every field of every object, each wrapped by strawberry and
completed by graphql-core: a whole plan (≈ 270 activities, 850 milestones, 250 risks) is ≈ 6,000
of them, and that, not the reads, was most of a whole-plan query's time. A query whose every
selected field is plain data of plans, strategies, activities, milestones and risks (the README's
whole-plan query, the dashboard's plan, at any point) is answered here instead:

- the operation's selection is collected once per field (not per object) by graphql-core's own
  `collect_fields`/`collect_subfields`, so aliases, fragments, `@skip`/`@include` and variables
  mean exactly what they mean to normal execution, and arguments are coerced by its
  `get_argument_values`;
- the rows are read by the resolvers' own read functions in the request's snapshot
  (service/api/execution/reads.py): a whole plan in 3 statements, of milestones and risks only the
  columns the query uses;
- each selection becomes one generated function that reads each field as `from_row` reads it
  (`plan_types.*_FIELDS`) and completes it as graphql-core does (the schema's own serializers,
  the plain str/int/float/bool cases short-cut), in the order normal execution gives.
- over HTTP (`Context.fragments`: the payload is written by orjson), an activity's milestones and
  risks are written as JSON by PostgreSQL where the query asks only fields it can write exactly
  (service/api/execution/lists.py) and spliced into the response unread; a row it cannot write
  exactly (`Doubt`) sends the operation down the Python path above instead.

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
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from math import isfinite
from operator import attrgetter
from types import CodeType, FunctionType
from typing import Any

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
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from service.api.context import Context
from service.api.execution.lists import EMPTY, KINDS, Doubt, compile_list
from service.api.execution.reads import ROOTS, ROW_FIELDS, SPECIALS, Reads, Root
from service.api.types import plan as pt

log = logging.getLogger("planledger.graphql")

#: PLANLEDGER_DIRECT_EXECUTION=0 turns direct execution off (every query executed normally)
ENABLED = os.environ.get("PLANLEDGER_DIRECT_EXECUTION", "1") != "0"
#: how this process executed the queries it could: "direct"; "normal" (a field or argument direct
#: execution does not answer); "fallback" (it gave up while answering, e.g. on a bad row)
COUNTS: Counter[str] = Counter()
#: how this process answered the queries whose activities' lists PostgreSQL was to write: "sql" (it
#: did), "doubt" (a row it could not write exactly: the Python path answered)
LISTS: Counter[str] = Counter()
MIN_INT, MAX_INT = -(2**31), 2**31 - 1
STRAWBERRY = "strawberry-definition"

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

    def __init__(self, executor: Any, lists: bool = False) -> None:
        #: whether activities' lists may be written by PostgreSQL (service/api/execution/lists.py)
        self.lists = lists
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
            listed = self.listed(kind, name, definition, group) if special is not None and self.lists else None
            if listed is not None:
                body.append(f"{value} = {function.ref('get', listed)}(src, env)")
            elif special is not None:
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

    def listed(
        self, kind: GraphQLObjectType, name: str, definition: GraphQLField, details: FieldDetailsList
    ) -> Complete | None:
        """row, env -> the field's list as PostgreSQL wrote it (an orjson.Fragment), where it can
        write this selection exactly (service/api/execution/lists.py); None: completed in Python."""
        list_kind = KINDS.get((kind.name, name))
        if list_kind is None or definition.args or details[0].node.arguments:
            return None
        outer = definition.type
        inner = outer.of_type if isinstance(outer, GraphQLNonNull) else None
        item = inner.of_type if isinstance(inner, GraphQLList) else None
        item = item.of_type if isinstance(item, GraphQLNonNull) else None
        if not isinstance(item, GraphQLObjectType) or item.name != list_kind.type_name:
            return None
        grouped, defers, _ = collect_subfields(
            self.schema, self.fragments, self.variables, self.operation, item, details, self.hide_suggestions
        )
        if defers:
            raise Fallback("@defer")
        compiled = compile_list(list_kind, item, grouped, ROW_FIELDS[item.name], _leaf)
        if compiled is None:
            return None
        index = self.reads.add_list(compiled)

        def get(row: Any, env: Any) -> Any:
            return env.lists[index].get(row["id"], EMPTY)

        return get

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


def compile_operation(executor: Any, lists: bool = False) -> Operation:
    return Operation(_Compiler(executor, lists).root())


class DirectExecutor(StrawberryGraphQLCoreExecutionContext):
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
                operation = compile_operation(self, lists=context.fragments)
            except Exception as reason:  # whatever it is, normal execution answers
                COUNTS["normal"] += 1
                log.debug("executed normally: %s", reason)
            else:
                return self._directly(operation, serially)
        return super().execute_operation(serially)

    async def _directly(self, operation: Operation, serially: bool | None) -> Any:
        try:
            try:
                data = await operation.run(self.context_value)
                if any(reads.lists for *_, reads in operation.roots):
                    LISTS["sql"] += 1
            except Doubt as doubt:  # a row PostgreSQL could not write exactly: the Python path
                LISTS["doubt"] += 1
                log.debug("lists completed in Python: %s", doubt)
                data = await compile_operation(self, lists=False).run(self.context_value)
        except Exception as reason:  # whatever it is, normal execution answers
            COUNTS["fallback"] += 1
            log.debug("executed normally after all: %s", reason)
            result = super().execute_operation(serially)
            return await result if self.is_awaitable(result) else result
        COUNTS["direct"] += 1
        return self.build_response(data)
