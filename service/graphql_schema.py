"""The GraphQL schema. Small until the API issue lands; the checked-in schema.graphql is its export."""

from __future__ import annotations

import strawberry
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.types import Info

from projections.projector import log_position


@strawberry.type
class Query:
    @strawberry.field(description="The planledger version serving this API.")
    def version(self) -> str:
        from importlib.metadata import version

        return version("planledger")

    @strawberry.field(description="Position of the newest event in the log (0 when empty).")
    async def log_position(self, info: Info) -> int:
        async with info.context["pool"].acquire() as conn:
            return await log_position(conn)


schema = strawberry.Schema(
    query=Query,
    extensions=[lambda: ParserCache(maxsize=256), lambda: ValidationCache(maxsize=256)],
)


def export_schema() -> str:
    return schema.as_str() + "\n"
