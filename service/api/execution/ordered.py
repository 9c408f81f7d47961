"""The same document on the same data gets the same errors, every time.

graphql-core resolves sibling fields (and list items) concurrently with `gather_with_cancel`:
the first to fail, in time, cancels the others and is the one reported. Two root fields that both
fail (say `risks` and `milestones` asked for the same unknown meeting) then answer with either
error, depending on which query PostgreSQL finished first: CI saw both for one document. Here
siblings run concurrently as before but all settle, and the first failure *in document order* is
the one that propagates; the errors list is then sorted by where in the document each arose. A
failing sibling no longer cancels the others: they are reads bounded by the cost rule
(service.api.documents), so at most one request's worth of work finishes for nothing.
"""

from __future__ import annotations

from asyncio import ensure_future, gather
from collections.abc import Awaitable
from typing import Any

from graphql import GraphQLError
from graphql.execution import executor as graphql_executor


async def gather_in_order(*awaitables: Awaitable[Any]) -> list[Any]:
    """Every awaitable settled; the first to fail in the given order is raised (not the first in
    time), so which error a response carries does not depend on timing."""
    results = await gather(*(ensure_future(each) for each in awaitables), return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return results


def _where(error: GraphQLError) -> tuple[Any, ...]:
    locations = tuple((at.line, at.column) for at in error.locations or ())
    path = tuple((0, part, "") if isinstance(part, int) else (1, 0, part) for part in error.path or ())
    return locations, path, error.message


class OrderedErrors(graphql_executor.Executor):
    """An execution context whose errors list is in document order, not in order of completion."""

    def build_response(self, data: dict[str, Any] | None) -> Any:
        errors = self.collected_errors.errors
        if len(errors) > 1:
            errors.sort(key=_where)
        return super().build_response(data)


# every concurrent gather of the executor: sibling fields, list items, streamed items
graphql_executor.gather_with_cancel = gather_in_order
