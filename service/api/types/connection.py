"""What the Relay connections (events, meetings, an activity's history) share: the page arguments
(`first`/`after` forward, `last`/`before` backward) checked once into a `Page`, the page cut from
the rows read for it, and `PageInfo`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Generic, TypeVar

import strawberry

from service.api.limits import PAGES
from service.api.points import BadInput, Cursor

MAX_PAGE = 500

K = TypeVar("K")
T = TypeVar("T")

First = Annotated[
    int | None,
    strawberry.argument(
        description=f"How many from the start (after `after`), at most {MAX_PAGE}. When `last` is not given "
        f"either: {PAGES['events']} ({PAGES['meetings']} of meetings)."
    ),
]
After = Annotated[
    Cursor | None,
    strawberry.argument(description="Only those after this cursor (an `endCursor` or an edge's `cursor`)."),
]
Last = Annotated[
    int | None,
    strawberry.argument(description=f"How many from the end (before `before`), at most {MAX_PAGE}; not with `first`."),
]
Before = Annotated[
    Cursor | None,
    strawberry.argument(description="Only those before this cursor (a `startCursor` or an edge's `cursor`)."),
]


@strawberry.type(description="Where a page stands in its list (Relay's PageInfo).")
class PageInfo:
    has_previous_page: bool = strawberry.field(
        description="More come before this page (when paging back with `last`; false when paging forward with `first`)."
    )
    has_next_page: bool = strawberry.field(
        description="More follow this page (when paging forward with `first`; false when paging back with `last`)."
    )
    start_cursor: Cursor | None = strawberry.field(
        description="The first edge's cursor (null on an empty page): give it as `before` for the page before."
    )
    end_cursor: Cursor | None = strawberry.field(
        description="The last edge's cursor (null on an empty page): give it as `after` for the next page."
    )


def page_size(first: int, argument: str = "first") -> int:
    if first < 0:
        raise BadInput(argument, "must not be negative")
    if first > MAX_PAGE:
        cursor = "before` with the startCursor" if argument == "last" else "after` with the endCursor"
        raise BadInput(argument, f"at most {MAX_PAGE} per page; use `{cursor} for more")
    return first


@dataclass(frozen=True)
class Page(Generic[K]):
    """One page asked for: how many, from which end, between which keys (of the list's kind)."""

    size: int
    backward: bool = False
    after: K | None = None
    before: K | None = None

    @property
    def limit(self) -> int:
        """How many rows to read: one more than the page, to tell whether more lie beyond it."""
        return self.size + 1

    def cut(self, rows: list[T]) -> tuple[list[T], bool]:
        """The page's rows in the list's order (read from its end when backward), and whether more
        lie beyond the page's far end."""
        kept = rows[: self.size]
        if self.backward:
            kept.reverse()
        return kept, len(rows) > self.size

    def info(self, cursors: list[Cursor], more: bool) -> PageInfo:
        return PageInfo(
            has_previous_page=more and self.backward,
            has_next_page=more and not self.backward,
            start_cursor=cursors[0] if cursors else None,
            end_cursor=cursors[-1] if cursors else None,
        )


def page(
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
    default: int,
    key: Callable[[str, str], K],
) -> Page[K]:
    """The page the arguments ask for; `key(cursor, argument)` decodes a cursor of the list (BadInput
    naming the argument when it is not one)."""
    if first is not None and last is not None:
        raise BadInput("last", "give `first` or `last`, not both")
    backward = last is not None
    size = page_size(last, "last") if last is not None else page_size(default if first is None else first)
    return Page(
        size,
        backward,
        None if after is None else key(after, "after"),
        None if before is None else key(before, "before"),
    )
