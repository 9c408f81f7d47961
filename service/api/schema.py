"""The assembled GraphQL schema; `schema.graphql` at the top of the repository is its export."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig

from service.api import limits
from service.api.mutations import EXTRA_TYPES, Mutation
from service.api.points import CURSOR_SCALAR, Cursor
from service.api.queries import Query
from service.api.subscriptions import Subscription

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
        request_id = getattr(context, "request_id", None) or uuid.uuid4().hex[:12]
        result.errors = [masked(e, request_id) for e in result.errors]


class PlanledgerSchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        """Internal errors are logged (with their request id) where they are masked; the others
        are the client's to fix and need no server log."""


schema = PlanledgerSchema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    types=list(EXTRA_TYPES),
    config=StrawberryConfig(scalar_map={Cursor: CURSOR_SCALAR}),
    extensions=[
        lambda: MaxTokensLimiter(max_token_count=limits.MAX_TOKENS),
        lambda: ParserCache(maxsize=512),
        lambda: QueryDepthLimiter(max_depth=limits.MAX_DEPTH),
        lambda: MaxAliasesLimiter(max_alias_count=limits.MAX_ALIASES),
        lambda: AddValidationRules([limits.CostLimit]),
        lambda: ValidationCache(maxsize=512),
        MaskInternalErrors,
    ],
)


def export_schema() -> str:
    return schema.as_str() + "\n"
