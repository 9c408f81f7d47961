"""The assembled GraphQL schema; `schema.graphql` at the top of the repository is its export."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import strawberry
from graphql import BREAK, ASTValidationRule, GraphQLError, StringValueNode, Visitor, visit
from strawberry.extensions import AddValidationRules, SchemaExtension
from strawberry.schema.config import StrawberryConfig
from strawberry.types.graphql import OperationType

from service.api import limits, token_admin
from service.api.documents import BoundedDocuments
from service.api.execution.direct import DirectExecutor
from service.api.execution.ordered import OrderedErrors
from service.api.execution.shared import SharedExecutor
from service.api.mutations import EXTRA_TYPES
from service.api.mutations import Mutation as Commands
from service.api.points import CURSOR_SCALAR, Cursor
from service.api.queries import Query
from service.api.subscriptions import Subscription
from service.api.text import MESSAGE, NUL, find_lone_surrogate, has_nul
from service.logs import new_request_id

log = logging.getLogger("planledger.graphql")


def is_internal(error: GraphQLError) -> bool:
    """An error nobody asked for (a bug or an outage), not one the client can fix."""
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError)


def masked(error: GraphQLError, request_id: str) -> GraphQLError:
    """The error as a client may see it: internal ones logged, and replaced by the request id."""
    if not is_internal(error):
        return error
    log.error("request %s: %s", request_id, error.message, exc_info=error.original_error)
    return GraphQLError(
        f"internal error; quote request id {request_id}",
        nodes=error.nodes,
        path=error.path,
        extensions={"code": "INTERNAL", "requestId": request_id},
    )


class MaskInternalErrors(SchemaExtension):
    """No internal error text, SQL or traceback reaches a client (HTTP or WebSocket)."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None or not result.errors:
            return
        context: Any = self.execution_context.context
        request_id = getattr(context, "request_id", None) or new_request_id()
        result.errors = [masked(e, request_id) for e in result.errors]


class _StringLiterals(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.nul = False

    def enter_string_value(self, node: StringValueNode, *_: Any) -> Any:
        if NUL in node.value:
            self.nul = True
            return BREAK
        return None


class NoNulInText(SchemaExtension):
    """PostgreSQL text cannot hold NUL (U+0000): an operation with one in a string (a literal or a
    variable) is refused before it runs, so no read fails in the database and no fact is recorded
    that could not be projected."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        found = has_nul(context.variables)
        if not found and context.graphql_document is not None and "\\u" in (context.query or ""):
            literals = _StringLiterals()
            visit(context.graphql_document, literals)
            found = literals.nul
        if found:
            raise GraphQLError(
                "text may not contain the NUL character (\\u0000)", extensions={"code": "BAD_USER_INPUT"}
            )
        # A lone surrogate (which JSON can carry, and the database cannot store) in a variable; a
        # mutation's input is looked at as a whole by `mutations.run`, which names the field in
        # its typed ValidationError. (The parser refuses one in a literal.)
        if context.operation_type is not OperationType.MUTATION:
            for name, value in (context.variables or {}).items():
                lone = find_lone_surrogate(value, f"${name}", in_json=True)
                if lone is not None:
                    raise GraphQLError(
                        f"{lone[0]}: {MESSAGE.format(code=lone[1])}",
                        extensions={"code": "BAD_USER_INPUT", "argument": lone[0]},
                    )
        yield


#: the cost rule (depth, aliases, tokens and the expanded size are bounded before validation, by
#: service.api.documents); one list, so the validation results cached with a document (keyed by
#: the rules) hit
LIMIT_RULES: list[type[ASTValidationRule]] = [limits.CostLimit]


class Executor(OrderedErrors, DirectExecutor, SharedExecutor):
    """The schema's execution context: a plain-data query answered from the rows (DirectExecutor),
    a subscription event executed once per feed (SharedExecutor), everything else as strawberry does,
    with the same errors in the same order every time (OrderedErrors)."""


class PlanledgerSchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        """Internal errors are logged (with their request id) where they are masked; the others
        are the client's to fix and need no server log."""


#: every command of the catalogue, and the admin's token mutations (service/api/token_admin.py)
Mutation = strawberry.type(
    type("Mutation", (Commands,), dict(token_admin.FIELDS)),
    description="Every command of the ledger, and tokens for an admin. Errors a person can fix are typed data.",
)


schema = PlanledgerSchema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    types=list(EXTRA_TYPES),
    config=StrawberryConfig(scalar_map={Cursor: CURSOR_SCALAR}),
    # a subscription event executed once per feed; plain plan data answered from the rows
    execution_context_class=Executor,
    extensions=[
        # parsing bounded and cached, documents over a bound refused before any rule walks them
        BoundedDocuments,
        lambda: AddValidationRules(LIMIT_RULES),
        NoNulInText,
        MaskInternalErrors,
    ],
)


def export_schema() -> str:
    return schema.as_str() + "\n"
