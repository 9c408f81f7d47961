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
from projections.queries.late import Closed, Closings, closings
from service.api.context import Context
from service.api.points import Cursor, event_cursor, event_position
from service.api.types.connection import Page, PageInfo, page


@strawberry.type(description="A meeting of the committee, named by its ID, code and date.")
class ClosedMeeting:
    id: strawberry.ID = strawberry.field(description="The meeting's ID.")
    code: str = strawberry.field(description="The meeting's code, e.g. 9/2563.")
    date: date = strawberry.field(description="The day it was held.")


@strawberry.type(
    description="A late report: a fact effective inside a period that approved minutes have closed, told to the "
    "committee after that period's meeting (accepted, and flagged as such)."
)
class LateReport:
    closed_by: ClosedMeeting = strawberry.field(
        description="The closed meeting that could have heard it and did not: the earliest held on or after the "
        "fact's effective date."
    )
    approved_at: ClosedMeeting = strawberry.field(
        description="The meeting at which the minutes that closed it (its own or a later meeting's) were approved."
    )
    reported_on: date = strawberry.field(
        description="When the committee was told: the date of the meeting that heard it, else the day it was recorded."
    )
    reason: str | None = strawberry.field(description="Why it came late, if the reporter said (optional, kept).")

    @classmethod
    def of(cls, closed: Closed | None, reported_on: date | None, reason: str | None) -> LateReport | None:
        if closed is None or reported_on is None:
            return None
        return cls(
            closed_by=ClosedMeeting(id=strawberry.ID(str(closed.meeting_id)), code=closed.code, date=closed.held_on),
            approved_at=ClosedMeeting(
                id=strawberry.ID(str(closed.approved_id)), code=closed.approved_code, date=closed.approved_on
            ),
            reported_on=reported_on,
            reason=reason,
        )


async def known_closings(context: Context, position: int) -> Closings:
    """The closings as known now: read once for the events a request (or a subscription's tick) shows
    together, keyed by the asking event's position."""

    async def fetch(conn: Any, keys: list[Any]) -> dict[Any, Closings]:
        found = await closings(conn)
        return {key: found for key in keys}

    loaded: Closings = await context.loaders.get("closings", None, fetch, Closings).load(position)
    return loaded


#: a late flag not yet worked out (Event.late asks the request's closings)
UNKNOWN: Any = object()


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
    reported_on: date | None = strawberry.field(
        description="When the committee was told it: the date of the meeting that heard it, else (a live update) "
        "the day it was recorded; the plan's own facts and a stream's creation, the day they take effect."
    )
    #: the closed meeting it is a late report on (None: not late; UNKNOWN: ask the request's closings)
    known_late: strawberry.Private[Any] = UNKNOWN

    async def _late(self, info: Info[Context, None]) -> Closed | None:
        if self.known_late is UNKNOWN:
            row = {
                "corrects": self.corrects,
                "stream_kind": self.stream_kind,
                "effective_on": self.effective_on,
                "reported_on": self.reported_on,
                "meeting_id": self.meeting,
                "plan_id": None if self.plan_id is None else UUID(str(self.plan_id)),
            }
            self.known_late = (await known_closings(info.context, self.position)).late_on(row)
        late: Closed | None = self.known_late
        return late

    @strawberry.field(
        description="True when it is a late report: effective inside a period closed by approved minutes and told "
        "to the committee after that period's meeting (see `late`)."
    )
    async def late_report(self, info: Info[Context, None]) -> bool:
        return await self._late(info) is not None

    @strawberry.field(description="For a late report: the closed meeting it is late on, and why. Null: not late.")
    async def late(self, info: Info[Context, None]) -> LateReport | None:
        return LateReport.of(await self._late(info), self.reported_on, self.reason)

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
            reported_on=get("reported_on"),
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
