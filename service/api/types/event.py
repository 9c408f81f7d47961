"""Events of the log as the API shows them, in Relay connections."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Any
from uuid import UUID

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from projections.queries import pages
from service.api.context import Context
from service.api.points import Cursor, event_cursor, event_position
from service.api.types.connection import Page, PageInfo, page


@strawberry.type(description="One immutable fact of the ledger.")
class Event:
    cursor: Cursor = strawberry.field(
        description="Where the event stands in the log: `after` it, a page or a subscription reads on from it."
    )
    position: int = strawberry.field(description="Place in the log (increasing, with gaps).")
    type: str = strawberry.field(description="Kind of stream and fact, e.g. Activity.StatusChanged, Meeting.Held.")
    stream_id: strawberry.ID = strawberry.field(
        description="The ID of the stream it belongs to (a plan, activity, meeting or key result)."
    )
    stream_kind: str = strawberry.field(description="plan, activity or meeting.")
    version: int = strawberry.field(description="The stream's version with this event (1 for the stream's first).")
    plan_id: strawberry.ID | None = strawberry.field(description="The ID of the plan it concerns, if any.")
    effective_on: date = strawberry.field(description="When the fact holds (valid time).")
    recorded_at: datetime = strawberry.field(description="When the ledger recorded it (transaction time).")
    actor: str = strawberry.field(description="Who recorded it: the name of the token used.")
    meeting: str | None = strawberry.field(description="ID of the meeting that decided it, if any.")
    reason: str | None = strawberry.field(description="Why, if given.")
    corrects: int | None = strawberry.field(description="For a correction: the version of the fact it corrects.")
    void: bool | None = strawberry.field(description="For a correction: the corrected fact is void.")
    payload: JSON = strawberry.field(description="The fact's own fields.")

    @classmethod
    def from_row(cls, row: Any) -> Event:
        def get(name: str) -> Any:
            return row[name] if isinstance(row, dict) else getattr(row, name)

        plan_id = get("plan_id")
        return cls(
            cursor=event_cursor(get("position")),
            position=get("position"),
            type=get("type"),
            stream_id=strawberry.ID(str(get("stream_id"))),
            stream_kind=get("stream_kind"),
            version=get("version"),
            plan_id=None if plan_id is None else strawberry.ID(str(plan_id)),
            effective_on=get("effective_on"),
            recorded_at=get("recorded_at"),
            actor=get("actor"),
            meeting=get("meeting_id"),
            reason=get("reason"),
            corrects=get("corrects"),
            void=get("void"),
            payload=get("payload"),
        )


@strawberry.type(description="One event of a page, with its cursor.")
class EventEdge:
    cursor: Cursor = strawberry.field(description="Where the event stands in the list: for `after` and `before`.")
    node: Event = strawberry.field(description="The event.")


@strawberry.type(description="A page of events in log order.")
class EventConnection:
    edges: list[EventEdge] = strawberry.field(description="The page's events, oldest first.")
    page_info: PageInfo = strawberry.field(description="Where the page stands, and the cursors to page on with.")
    #: how many the whole list holds (read only when asked for)
    count: strawberry.Private[Callable[[Context], Awaitable[int]]]

    @strawberry.field(description="How many events the whole list holds (its filter applies; the cursors do not).")
    async def total_count(self, info: Info[Context, None]) -> int:
        return await self.count(info.context)

    @classmethod
    def of(
        cls, rows: list[dict[str, Any]], page: Page[int], count: Callable[[Context], Awaitable[int]]
    ) -> EventConnection:
        kept, more = page.cut(rows)
        edges = [EventEdge(cursor=event_cursor(r["position"]), node=Event.from_row(r)) for r in kept]
        return cls(edges=edges, page_info=page.info([e.cursor for e in edges], more), count=count)


@strawberry.input(description="Which events: every given condition must hold.")
class EventFilter:
    stream_id: strawberry.ID | None = strawberry.field(default=None, description="Events of this stream only.")
    type: str | None = strawberry.field(
        default=None, description="Activity.StatusChanged, or StatusChanged for that fact in any kind of stream."
    )
    plan_id: strawberry.ID | None = strawberry.field(default=None, description="Events concerning this plan only.")
    meeting: str | None = strawberry.field(default=None, description="A meeting ID or code such as 1/2564.")
    actor: str | None = strawberry.field(
        default=None, description="Events recorded by this actor (a token's name) only."
    )
    effective_from: date | None = strawberry.field(default=None, description="Effective on or after (inclusive).")
    effective_to: date | None = strawberry.field(default=None, description="Effective on or before (inclusive).")


def event_page(first: int | None, after: str | None, last: int | None, before: str | None, default: int) -> Page[int]:
    return page(first, after, last, before, default, event_position)


async def events_page(context: Context, wanted: Page[int], filter: EventFilter | None) -> EventConnection:
    from service.api.points import in_range, meeting_id, parse_id

    where: dict[str, Any] = {}
    if filter is not None:
        if filter.stream_id is not None:
            where["stream_id"] = parse_id("filter.streamId", filter.stream_id)
        if filter.plan_id is not None:
            where["plan_id"] = parse_id("filter.planId", filter.plan_id)
        if filter.meeting is not None:
            where["meeting_id"] = str(await meeting_id(context, filter.meeting, "filter.meeting"))
        in_range(filter.effective_from, "filter.effectiveFrom")
        in_range(filter.effective_to, "filter.effectiveTo")
        for name in ("type", "actor", "effective_from", "effective_to"):
            if getattr(filter, name) is not None:
                where[name] = getattr(filter, name)
    rows = await context.read(
        lambda conn: pages.event_page(conn, where, wanted.after, wanted.before, wanted.limit, wanted.backward)
    )

    async def count(context: Context) -> int:
        return await context.read(lambda conn: pages.event_count(conn, where))

    return EventConnection.of(rows, wanted, count)


async def stream_history(context: Context, stream_id: UUID, wanted: Page[int]) -> EventConnection:
    loader = context.loaders.get(
        "history",
        wanted,
        lambda conn, ids: pages.history_pages(conn, ids, wanted.after, wanted.before, wanted.limit, wanted.backward),
        list,
    )
    rows = await loader.load(stream_id)

    async def count(context: Context) -> int:
        counts = context.loaders.get("history_count", None, pages.history_counts, int)
        found: int = await counts.load(stream_id)
        return found

    return EventConnection.of(rows, wanted, count)
