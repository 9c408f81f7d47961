"""What a GraphQL document may cost before anything walks it, and the one place documents are parsed.

A document is refused, with an error naming the limit, when

- its text is over MAX_BYTES (checked before parsing: the parser reads it a character at a time,
  about a second per megabyte, with the event loop blocked);
- it has more than limits.MAX_TOKENS tokens (the parser stops there);
- a fragment spreads itself, or, once its fragments are expanded, the document selects more than
  MAX_SELECTIONS fields, nests deeper than limits.MAX_DEPTH, has more than limits.MAX_ALIASES
  aliases, or one selection set asks for more than MAX_SAME_NAME fields under one response name
  (graphql-core's OverlappingFieldsCanBeMerged compares those pairwise: 600 `plans { code }` in one
  selection set took it 1.8 s).

The expanded sizes are computed once per fragment, so forty fragments that each spread the next one
twice (2^40 selections in 1.8 KB) cost forty steps, not 2^40; only a document within every bound
reaches the validation rules (graphql-core's and limits.CostLimit).

`prepare` is used by GraphQL over HTTP (service/http.py), by the WebSocket handler before it
starts an operation (service/app.py), and by the schema's `BoundedDocuments` extension, in place of
strawberry's parser and validation caches and its depth and alias limiters, for every execution.
Parsed documents are cached by their text, bounded by the text's total size; a document that was
refused, or is large, is never cached.
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from weakref import WeakValueDictionary

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    GraphQLSyntaxError,
    InlineFragmentNode,
    NameNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_operation_ast,
    parse,
)
from graphql import OperationType as GraphQLOperationType
from starlette.websockets import WebSocket
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document
from strawberry.types.graphql import OperationType

from service.api import limits

#: the largest query text accepted, in UTF-8 bytes
MAX_BYTES = 100_000
#: fields (and fragment spreads) a document may select once its fragments are expanded
MAX_SELECTIONS = 10_000
#: fields one selection set may ask for under the same response name (fragments included)
MAX_SAME_NAME = 20
#: documents up to this many characters are cached once parsed, up to CACHE_CHARS of text in all
CACHE_DOCUMENT = 8_000
CACHE_CHARS = 128_000
CACHE_ENTRIES = 512

TOO_LARGE = "DOCUMENT_TOO_LARGE"


def _refused(message: str, code: str, nodes: Any = None, **details: Any) -> GraphQLError:
    return GraphQLError(message, nodes, extensions={"code": code, **details})


def too_large(error: GraphQLError) -> bool:
    """Whether `error` refused a document for its size in bytes (HTTP answers 413)."""
    return (error.extensions or {}).get("code") == TOO_LARGE


def _size_refusal(query: str) -> GraphQLError | None:
    # at most 4 bytes a character: only a text near the limit is encoded to be measured
    if len(query) * 4 <= MAX_BYTES:
        return None
    size = len(query) if len(query) > MAX_BYTES else len(query.encode("utf-8", "surrogatepass"))
    if size <= MAX_BYTES:
        return None
    return _refused(
        f"the query document is {size:,} bytes, over the limit of {MAX_BYTES:,}: send a smaller document",
        TOO_LARGE,
        limit=MAX_BYTES,
        size=size,
    )


# -- the shape of a document, each fragment measured once ------------------------------------------


@dataclass
class _Measure:
    selections: int = 0
    depth: int = 0
    aliases: int = 0
    #: response names selected at this level (through inline fragments and spreads), how often
    names: Counter[str] = field(default_factory=Counter)


class _Shape:
    """Measures a document's operations with their fragments expanded; raises GraphQLError at the
    first bound it finds exceeded."""

    def __init__(self, document: DocumentNode) -> None:
        self.operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        self.fragments: dict[str, FragmentDefinitionNode] = {}
        for definition in document.definitions:
            if isinstance(definition, FragmentDefinitionNode):
                self.fragments.setdefault(definition.name.value, definition)
        self.measured: dict[str, _Measure] = {}
        self.selections = 0

    def check(self) -> None:
        for name in self._order():
            self.measured[name] = self._set(self.fragments[name].selection_set)
        aliases = 0
        for operation in self.operations:
            measure = self._set(operation.selection_set)
            self.selections += measure.selections
            if self.selections > MAX_SELECTIONS:
                raise self._too_many()
            if measure.depth > limits.MAX_DEPTH:
                name = operation.name.value if operation.name else "anonymous"
                raise _refused(
                    f"'{name}' exceeds maximum operation depth of {limits.MAX_DEPTH}",
                    "DEPTH_LIMIT",
                    [operation],
                    limit=limits.MAX_DEPTH,
                )
            aliases += measure.aliases
        if aliases > limits.MAX_ALIASES:
            raise _refused(
                f"{aliases} aliases found. Allowed: {limits.MAX_ALIASES}", "ALIAS_LIMIT", limit=limits.MAX_ALIASES
            )

    def _order(self) -> list[str]:
        """The fragments the operations use, each after those it spreads (without recursion: a
        chain of hundreds of fragments is no deeper for Python); a cycle is refused."""
        order: list[str] = []
        state: dict[str, int] = {}  # 1: being visited, 2: done
        roots = [n for operation in self.operations for n in _spreads(operation.selection_set)]
        for root in roots:
            if root in state or root not in self.fragments:
                continue
            path = [root]
            stack = [iter(_spreads(self.fragments[root].selection_set))]
            state[root] = 1
            while stack:
                name = next(stack[-1], None)
                if name is None:
                    stack.pop()
                    done = path.pop()
                    state[done] = 2
                    order.append(done)
                    continue
                if name not in self.fragments or state.get(name) == 2:
                    continue
                if state.get(name) == 1:
                    cycle = path[path.index(name) + 1 :]
                    via = f" via {', '.join(repr(n) for n in cycle)}." if cycle else "."
                    raise _refused(
                        f"Cannot spread fragment '{name}' within itself{via}",
                        "FRAGMENT_CYCLE",
                        [self.fragments[name]],
                    )
                state[name] = 1
                path.append(name)
                stack.append(iter(_spreads(self.fragments[name].selection_set)))
        return order

    def _set(self, node: SelectionSetNode | None) -> _Measure:
        measure = _Measure()
        if node is None:
            return measure
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                measure.selections += 1
                measure.names[(selection.alias or selection.name).value] += 1
                if selection.alias is not None:
                    measure.aliases += 1
                if selection.selection_set is not None:
                    inner = self._set(selection.selection_set)
                    measure.selections += inner.selections
                    measure.aliases += inner.aliases
                    if not selection.name.value.startswith("__"):  # introspection: as strawberry's limiter
                        measure.depth = max(measure.depth, 1 + inner.depth)
                continue
            if isinstance(selection, InlineFragmentNode):
                inner = self._set(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                found = self.measured.get(selection.name.value)
                if found is None:  # an unknown fragment: validation names it
                    continue
                inner = found
            else:  # pragma: no cover - the parser makes no other selections
                continue
            measure.selections += 1 + inner.selections
            measure.aliases += inner.aliases
            measure.depth = max(measure.depth, inner.depth)
            measure.names.update(inner.names)
            if measure.selections > MAX_SELECTIONS:
                raise self._too_many()
        if measure.selections > MAX_SELECTIONS:
            raise self._too_many()
        if measure.names:
            name, count = measure.names.most_common(1)[0]
            if count > MAX_SAME_NAME:
                raise _refused(
                    f"one selection set asks for {name!r} {count:,} times (fragments included), over the limit "
                    f"of {MAX_SAME_NAME}: ask for each field once",
                    "SAME_NAME_LIMIT",
                    [node],
                    limit=MAX_SAME_NAME,
                )
        return measure

    def _too_many(self) -> GraphQLError:
        return _refused(
            f"the document selects over {MAX_SELECTIONS:,} fields once its fragments are expanded: "
            "ask for fewer fields, or spread fragments fewer times",
            "SELECTION_LIMIT",
            limit=MAX_SELECTIONS,
        )


def _spreads(node: SelectionSetNode | None) -> Iterator[str]:
    """The names of the fragments spread anywhere in a selection set (not in the fragments themselves)."""
    pending = [node]
    while pending:
        current = pending.pop()
        if current is None:
            continue
        for selection in current.selections:
            if isinstance(selection, FragmentSpreadNode):
                yield selection.name.value
            else:
                pending.append(getattr(selection, "selection_set", None))


def check_shape(document: DocumentNode) -> None:
    """Raises GraphQLError when the document, its fragments expanded, is over a bound."""
    try:
        _Shape(document).check()
    except RecursionError:
        raise _refused("the document is nested too deeply", "DEPTH_LIMIT") from None


# -- parsing, with the cache --------------------------------------------------------------------------


class _Entry:
    __slots__ = ("document", "validated")

    def __init__(self, document: DocumentNode) -> None:
        self.document = document
        #: validation errors by the rules they were found with
        self.validated: dict[tuple[Any, ...], list[GraphQLError]] = {}


class _Cache:
    def __init__(self) -> None:
        self.items: OrderedDict[str, _Entry] = OrderedDict()
        self.chars = 0

    def get(self, query: str) -> _Entry | None:
        entry = self.items.get(query)
        if entry is not None:
            self.items.move_to_end(query)
        return entry

    def put(self, query: str, entry: _Entry) -> None:
        self.items[query] = entry
        self.chars += len(query)
        while self.chars > CACHE_CHARS or len(self.items) > CACHE_ENTRIES:
            old, _ = self.items.popitem(last=False)
            self.chars -= len(old)

    def clear(self) -> None:
        self.items.clear()
        self.chars = 0


_cache = _Cache()
#: documents too large to cache, while a request that parsed them still holds them: parsed once per request
_live: WeakValueDictionary[str, DocumentNode] = WeakValueDictionary()


def prepare(query: str) -> DocumentNode:
    """The parsed document, within every bound; raises GraphQLError (a GraphQLSyntaxError when it
    does not parse) otherwise."""
    entry = _cache.get(query)
    if entry is not None:
        return entry.document
    found = _live.get(query)
    if found is not None:
        return found
    refusal = _size_refusal(query)
    if refusal is not None:
        raise refusal
    # `{ }` is a syntax error, as the GraphQL spec has it (graphql-core 3.3 accepts it by default)
    document = parse(query, max_tokens=limits.MAX_TOKENS, allow_empty_selection_sets=False)
    check_shape(document)
    if len(query) <= CACHE_DOCUMENT:
        _cache.put(query, _Entry(document))
    else:
        _live[query] = document
    return document


def validate(schema: GraphQLSchema, query: str | None, document: DocumentNode, rules: tuple[Any, ...]) -> Any:
    """The validation errors of a prepared document (remembered with it when it is cached)."""
    entry = _cache.get(query) if query is not None else None
    if entry is None or entry.document is not document:
        return validate_document(schema, document, rules)
    errors = entry.validated.get(rules)
    if errors is None:
        errors = entry.validated[rules] = validate_document(schema, document, rules)
    return errors


def _stand_in(operation_name: str | None) -> DocumentNode:
    """A document that parses, for a refused one: strawberry asks its operation type before it
    validates, and the refusal is reported as the validation's errors."""
    typename = FieldNode(name=NameNode(value="__typename"), arguments=(), directives=())
    operation = OperationDefinitionNode(
        operation=GraphQLOperationType.QUERY,
        name=NameNode(value=operation_name) if operation_name else None,
        variable_definitions=(),
        directives=(),
        selection_set=SelectionSetNode(selections=(typename,)),
    )
    return DocumentNode(definitions=(operation,))


#: what may run over WebSocket: mutations only over POST, as the README says
OVER_WEBSOCKET = frozenset({OperationType.QUERY, OperationType.SUBSCRIPTION})


def refused_over_websocket(payload: Any) -> GraphQLError | None:
    """Why the operation a graphql-transport-ws `subscribe` message carries may not start: a
    document over a bound, or a mutation. None for one that may (and for one that does not parse,
    which strawberry answers as before: the socket is closed with 4400 and the syntax error)."""
    query = payload.get("query") if isinstance(payload, dict) else None
    if not isinstance(query, str):
        return None
    try:
        document = prepare(query)
    except GraphQLSyntaxError:
        return None
    except GraphQLError as error:
        return error
    name = payload.get("operationName")
    operation = get_operation_ast(document, name if isinstance(name, str) else None)
    if operation is not None and operation.operation is GraphQLOperationType.MUTATION:
        return _refused(
            "mutations are not accepted over WebSocket: send them with POST to /graphql",
            "MUTATION_OVER_WEBSOCKET",
        )
    return None


class BoundedDocuments(SchemaExtension):
    """Parses with `prepare` (bounded, cached) and reports a refusal as the validation's errors,
    before any validation rule walks the document; validates the others, with the result cached.
    Over WebSocket, only queries and subscriptions run (the handler in service/app.py refuses a
    mutation with a clearer message first)."""

    def __init__(self) -> None:
        super().__init__()
        self.refusal: GraphQLError | None = None
        self.prepared: DocumentNode | None = None

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        if isinstance(getattr(context.context, "request", None), WebSocket):
            context.allowed_operations = OVER_WEBSOCKET
        yield

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is None and context.query:
            try:
                context.graphql_document = self.prepared = prepare(context.query)
            except GraphQLError as error:
                self.refusal = error
                context.graphql_document = _stand_in(context.operation_name)
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        assert document is not None
        refusal = self.refusal
        if refusal is None and document is not self.prepared:  # given parsed: measure it here
            try:
                check_shape(document)
            except GraphQLError as error:
                refusal = error
        if refusal is not None:
            context.pre_execution_errors = [refusal]
        else:
            context.pre_execution_errors = validate(
                context.schema._schema, context.query, document, context.validation_rules
            )
        yield


__all__ = ["BoundedDocuments", "check_shape", "prepare", "refused_over_websocket", "too_large", "validate"]
