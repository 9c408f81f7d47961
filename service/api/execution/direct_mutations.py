"""Direct mutations: a command mutation answered without strawberry's and graphql-core's execution.

Profiled at 16 writers (py-spy, 2026-12-03), the server spent a quarter of its time in GraphQL
machinery around a mutation's one resolver call: preparing the operation, the schema extensions,
coercing the variables (6 %), converting the input, awaiting the resolver through four wrappers
and completing a union of plain fields. A mutation document is small and sent again and again
with new variables, so once it has executed normally (parsed, validated: known good), it is
compiled here into a plan:

- one root field, a command of the catalogue, whose `input` is the document's one variable;
- a result selection of plain fields (`__typename`, the payload's `position`, `version`, …, the
  errors' `code`, `message`, …) through inline fragments, no directives, no fragment spreads;
- for each type the result can be, the fields in the order normal execution completes them.

A request with that document then has its variable coerced as graphql-core's `coerce_input_value`
coerces a value it takes (`coerced`: any value it would refuse is executed normally, which says
why), converted by strawberry's own `convert_arguments`, and the resolver's own function
(`service.api.mutations.run`) is called; the result is completed by the schema's serializers into
an `ExecutionResult` the HTTP layer writes as always. Anything the plan cannot do exactly as normal
execution does, before the command runs (an unknown field in the input, a value a scalar refuses,
NUL in a text, a document of another shape), is executed normally instead, so every error message
is normal execution's own. tests/integration/test_direct_mutations.py compares both ways.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    get_operation_ast,
    is_leaf_type,
    located_error,
    type_from_ast,
)
from graphql.language.parser import MAX_NESTING_DEPTH
from graphql.pyutils import Undefined
from strawberry.types.arguments import convert_argument, convert_arguments

from service.api.context import Context
from service.api.execution.direct import ENABLED
from service.api.text import has_nul

log = logging.getLogger("planledger.graphql")

STRAWBERRY = "strawberry-definition"
#: documents kept compiled (a client sends a handful; a bound keeps strangers from growing it)
PLANS = 256

#: (resolve: the command's run, given the context and the converted input)
Run = Callable[[Context, Any], Any]


class _Refused(Exception):
    """The plan cannot take this value exactly as normal execution would: execute normally."""


# -- the input: graphql-core's coercion, for the values it takes -------------------------------


@dataclass(frozen=True)
class _InputTable:
    """An input object type's fields, looked up once: (name, out name, type, default, required)."""

    fields: tuple[tuple[str, str, Any, Any, bool], ...]
    names: frozenset[str]


_TABLES: dict[GraphQLInputObjectType, _InputTable] = {}


def _table(kind: GraphQLInputObjectType) -> _InputTable:
    found = _TABLES.get(kind)
    if found is None:
        if getattr(kind, "is_one_of", False):
            raise _Refused("a oneOf input")
        fields = tuple(
            (
                name,
                field.out_name or name,
                field.type,
                field.default_value,
                isinstance(field.type, GraphQLNonNull) and field.default_value is Undefined,
            )
            for name, field in kind.fields.items()
        )
        found = _TABLES[kind] = _InputTable(fields, frozenset(kind.fields))
    return found


def coerced(value: Any, kind: Any, depth: int = 0) -> Any:
    """`value` (from JSON) coerced to the input type `kind` as graphql-core's `coerce_input_value`
    does when it takes the value; raises _Refused where it would report an error (normal execution
    then reports it). Without the paths and the error handling built for every field, it took a
    mutation's input in a fifth of the time, and it follows the type's nesting only as deep as
    graphql-core's own check allows (`MAX_NESTING_DEPTH`)."""
    if depth > MAX_NESTING_DEPTH:
        raise _Refused("nested too deeply")
    if isinstance(kind, GraphQLNonNull):
        if value is None:
            raise _Refused("null for a non-null type")
        kind = kind.of_type
    elif value is None:
        return None
    if isinstance(kind, GraphQLList):
        item = kind.of_type
        if type(value) is list:
            return [coerced(v, item, depth + 1) for v in value]
        return [coerced(value, item, depth + 1)]
    if isinstance(kind, GraphQLInputObjectType):
        if type(value) is not dict:
            raise _Refused("not an object")
        table = _table(kind)
        if not table.names.issuperset(value):
            raise _Refused("a field the input does not have")
        out: dict[str, Any] = {}
        for name, out_name, field_type, default, required in table.fields:
            given = value.get(name, Undefined)
            if given is Undefined:
                if default is not Undefined:
                    out[out_name] = default
                elif required:
                    raise _Refused(f"{name} missing")
                continue
            out[out_name] = coerced(given, field_type, depth + 1)
        return kind.out_type(out)
    try:
        parsed = kind.parse_value(value)
    except Exception:
        raise _Refused("a value the scalar refuses") from None
    if parsed is Undefined:
        raise _Refused("a value the scalar refuses")
    return parsed


# -- the result: plain fields of each type the union can be -------------------------------------


@dataclass(frozen=True)
class _Field:
    key: str  #: the response key (an alias, or the field's name)
    name: str
    attribute: str  #: the Python attribute it reads ("" for __typename)
    serialize: Callable[[Any], Any] | None
    non_null: bool


def _applies(condition: str | None, runtime: GraphQLObjectType, schema: GraphQLSchema) -> bool:
    if condition is None or condition == runtime.name:
        return True
    kind = schema.get_type(condition)
    if isinstance(kind, GraphQLInterfaceType):
        return kind in runtime.interfaces
    if isinstance(kind, GraphQLUnionType):
        return runtime in kind.types
    return False


def _fields_of(
    selections: SelectionSetNode, runtime: GraphQLObjectType, schema: GraphQLSchema, out: OrderedDict[str, _Field]
) -> None:
    for node in selections.selections:
        if node.directives:
            raise _Refused("a directive")
        if isinstance(node, InlineFragmentNode):
            condition = node.type_condition.name.value if node.type_condition else None
            if _applies(condition, runtime, schema):
                _fields_of(node.selection_set, runtime, schema, out)
            continue
        if not isinstance(node, FieldNode):
            raise _Refused("a fragment spread")
        if node.arguments or node.selection_set:
            raise _Refused("a field with arguments or a selection")
        key = node.alias.value if node.alias else node.name.value
        name = node.name.value
        if key in out:
            continue  # (merged: validation made them the same field)
        if name == "__typename":
            out[key] = _Field(key, name, "", None, True)
            continue
        field = runtime.fields.get(name)
        if field is None:
            raise _Refused(f"no field {name} on {runtime.name}")
        definition = field.extensions.get(STRAWBERRY)
        if definition is None or definition.base_resolver is not None:
            raise _Refused(f"{runtime.name}.{name} has a resolver")
        kind = field.type
        non_null = isinstance(kind, GraphQLNonNull)
        leaf = kind.of_type if non_null else kind
        if not is_leaf_type(leaf):
            raise _Refused(f"{runtime.name}.{name} is not a leaf")
        out[key] = _Field(key, name, definition.python_name, leaf.serialize, non_null)


def _passes_as_is(field_type: Any, registry: Any) -> bool:
    """Whether `convert_argument` gives a field's coerced value back unchanged: a scalar other
    than a GlobalID, or such a scalar's Optional (None stays None). For those it is skipped: per
    call it imported the relay types and walked its isinstance checks, 5.6 % of the server's time
    under 16 writers (py-spy, 2026-12-04). Anything else (lists, enums, inputs, Maybe) still goes
    through it."""
    try:
        from strawberry.relay.types import GlobalID
        from strawberry.types.arguments import _is_leaf_type  # strawberry's own test of "a leaf"
        from strawberry.types.base import StrawberryMaybe, StrawberryOptional
    except ImportError:  # another strawberry: always convert
        return False
    if isinstance(field_type, StrawberryMaybe):
        return False
    if isinstance(field_type, StrawberryOptional):
        field_type = field_type.of_type
    return field_type is not GlobalID and bool(_is_leaf_type(field_type, registry))


class _Plan:
    """One mutation document, compiled."""

    def __init__(
        self, schema: Any, document: DocumentNode, operation_name: str | None, runs: Mapping[str, Run]
    ) -> None:
        core: GraphQLSchema = schema._schema
        operation = get_operation_ast(document, operation_name)
        if operation is None or operation.operation is not OperationType.MUTATION:
            raise _Refused("not one mutation")
        if operation.directives or len(operation.selection_set.selections) != 1:
            raise _Refused("not one root field")
        root = operation.selection_set.selections[0]
        if not isinstance(root, FieldNode) or root.directives or root.selection_set is None:
            raise _Refused("the root is not a plain field")
        name = root.name.value
        run = runs.get(name)
        mutation = core.mutation_type
        if run is None or mutation is None or name not in mutation.fields:
            raise _Refused(f"{name} is not a command")
        field = mutation.fields[name]
        given = root.arguments or ()
        if [a.name.value for a in given] != ["input"] or not isinstance(given[0].value, VariableNode):
            raise _Refused("the input is not the document's variable")
        variable = given[0].value.name.value
        definitions = operation.variable_definitions or ()
        if [d.variable.name.value for d in definitions] != [variable] or definitions[0].default_value is not None:
            raise _Refused("more variables than the input, or a default")
        argument = field.args["input"]
        declared = type_from_ast(core, definitions[0].type)
        if declared is None or str(declared) != str(argument.type):
            raise _Refused("the variable's type is not the argument's")
        result = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
        if not isinstance(result, GraphQLUnionType):
            raise _Refused("the result is not a union")
        self.key = root.alias.value if root.alias else name
        #: the operation's name, as the access log and the metrics name it
        self.operation = operation.name.value if operation.name else (operation_name or "anonymous")
        self.variable = variable
        self.run = run
        self.nodes = [root]
        self.root_non_null = isinstance(field.type, GraphQLNonNull)
        self.input_type = argument.type
        self.strawberry_field = field.extensions[STRAWBERRY]
        self.scalar_registry = schema.schema_converter.scalar_registry
        self.config = schema.config
        self.convert = self._converter()
        self.by_type: dict[str, list[_Field]] = {}
        for runtime in result.types:
            out: OrderedDict[str, _Field] = OrderedDict()
            _fields_of(root.selection_set, runtime, core, out)
            self.by_type[runtime.name] = list(out.values())

    def _converter(self) -> Callable[[Any], Any]:
        """The input's conversion to its strawberry class: `convert_arguments`'s own, with each
        field's name and type looked up once per document, not once per request (they were half
        its cost); the field values still go through strawberry's `convert_argument`."""
        registry, config = self.scalar_registry, self.config
        (argument,) = self.strawberry_field.arguments
        kind = argument.type
        definition = getattr(kind, "__strawberry_definition__", None)
        if definition is None or not definition.is_input or definition.from_input is not None:

            def whole(coerced: Any) -> Any:
                return convert_arguments({"input": coerced}, [argument], registry, config)["input"]

            return whole
        implicit = {
            f.python_name: None
            for f in definition.fields
            if f.default_value is MISSING and f.default_factory is MISSING
        }
        fields = [
            (config.name_converter.from_field(f), f.python_name, f.resolve_type(type_definition=definition))
            for f in definition.fields
        ]
        plain = [_passes_as_is(field_type, registry) for _, _, field_type in fields]

        def fields_of(coerced: Any) -> Any:
            if coerced is None:
                return None
            kwargs = dict(implicit)
            for (graphql_name, python_name, field_type), as_is in zip(fields, plain, strict=True):
                if graphql_name in coerced:
                    value = coerced[graphql_name]
                    kwargs[python_name] = (
                        value
                        if as_is
                        else convert_argument(value, field_type, registry, config, None, path=("input", graphql_name))
                    )
            return kind(**kwargs)

        return fields_of

    async def execute(self, context: Context, variables: Mapping[str, Any] | None) -> ExecutionResult | None:
        """The answer, or None (nothing run) when normal execution must answer."""
        raw = (variables or {}).get(self.variable, Undefined)
        if raw is Undefined or len(variables or {}) != 1 or (not context.clean_texts and has_nul(raw)):
            return None
        try:
            given = self.convert(coerced(raw, self.input_type))
        except Exception:  # (_Refused, or a conversion that failed: normal execution says why)
            return None
        # the command runs from here: whatever happens is answered, as normal execution would
        try:
            value = await self.run(context, given)
        except Exception as error:
            return self._error(error, [self.key])
        return self._complete(value)

    def _complete(self, value: Any) -> ExecutionResult:
        definition = getattr(type(value), "__strawberry_definition__", None)
        fields = self.by_type.get(getattr(definition, "name", ""))
        if fields is None:
            message = f"Abstract type resolved to a type not in the union: {type(value).__name__}."
            return self._error(GraphQLError(message), [self.key])
        out: dict[str, Any] = {}
        errors: list[GraphQLError] = []
        for field in fields:
            if field.serialize is None:
                out[field.key] = definition.name  # type: ignore[union-attr]
                continue
            item = getattr(value, field.attribute)
            if item is None:
                if field.non_null:
                    message = f"Cannot return null for non-nullable field {definition.name}.{field.name}."  # type: ignore[union-attr]
                    return self._error(GraphQLError(message), [self.key, field.key])
                out[field.key] = None
                continue
            try:
                serialized = field.serialize(item)
            except Exception as error:
                if field.non_null:
                    return self._error(error, [self.key, field.key])
                errors.append(located_error(error, self.nodes, [self.key, field.key]))
                out[field.key] = None
                continue
            if serialized is Undefined or serialized is None:
                message = f"Expected a value of type {field.name} but received: {item!r}"
                if field.non_null:
                    return self._error(GraphQLError(message), [self.key, field.key])
                errors.append(located_error(GraphQLError(message), self.nodes, [self.key, field.key]))
                out[field.key] = None
                continue
            out[field.key] = serialized
        return ExecutionResult({self.key: out}, errors or None)

    def _error(self, error: Exception, path: list[str | int]) -> ExecutionResult:
        located = located_error(error, self.nodes, path)
        data = None if self.root_non_null else {self.key: None}
        return ExecutionResult(data, [located])


class MutationPlans:
    """The compiled mutation documents of a process: `learn` one after it executed normally
    without errors, `plan` it for the next request with the same text."""

    def __init__(self, schema: Any, runs: Mapping[str, Run], enabled: bool = ENABLED) -> None:
        self.schema = schema
        self.runs = runs
        self.enabled = enabled
        self._plans: OrderedDict[tuple[str, str | None], _Plan | None] = OrderedDict()
        #: documents this process would not compile (executed normally every time)
        self.counts: dict[str, int] = {"not compiled": 0}

    def plan(self, query: str, operation_name: str | None) -> _Plan | None:
        if not self.enabled:
            return None
        found = self._plans.get((query, operation_name))
        if found is not None:
            self._plans.move_to_end((query, operation_name))
        return found

    def learn(self, query: str, operation_name: str | None, document: DocumentNode) -> None:
        """`document` (the text `query`) executed normally without errors: compile it, once."""
        key = (query, operation_name)
        if not self.enabled or key in self._plans:
            return
        try:
            compiled: _Plan | None = _Plan(self.schema, document, operation_name, self.runs)
        except _Refused:
            compiled = None
            self.counts["not compiled"] += 1
        except Exception:  # a shape this module did not foresee: never compiled, always normal
            log.exception("direct mutations: could not compile a document; it is executed normally")
            compiled = None
        self._plans[key] = compiled
        while len(self._plans) > PLANS:
            self._plans.popitem(last=False)
