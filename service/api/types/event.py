"""Events of the log as the API shows them, in Relay connections."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

import strawberry
from strawberry.scalars import JSON

from projections import queries as q
from service.api.context import Context
from service.api.points import BadInput, Cursor, event_cursor, event_position

MAX_PAGE = 500


@strawberry.type(description="One immutable fact of the ledger.")
class Event:
    cursor: Cursor
    position: int = strawberry.field(description="Place in the log (increasing, with gaps).")
    type: str = strawberry.field(description="Kind of stream and fact, e.g. Activity.StatusChanged, Meeting.Held.")
    stream_id: strawberry.ID
    stream_kind: str = strawberry.field(description="plan, activity or meeting.")
    version: int
    plan_id: strawberry.ID | None
    effective_on: date
    recorded_at: datetime
    actor: str
    meeting: str | None = strawberry.field(description="ID of the meeting that decided it, if any.")
    reason: str | None
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


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: Cursor | None


@strawberry.type
class EventEdge:
    cursor: Cursor
    node: Event


@strawberry.type(description="A page of events in log order.")
class EventConnection:
    edges: list[EventEdge]
    page_info: PageInfo

    @classmethod
    def of(cls, rows: list[dict[str, Any]], first: int) -> EventConnection:
        page = rows[:first]
        edges = [EventEdge(cursor=event_cursor(r["position"]), node=Event.from_row(r)) for r in page]
        return cls(
            edges=edges,
            page_info=PageInfo(has_next_page=len(rows) > first, end_cursor=edges[-1].cursor if edges else None),
        )


@strawberry.input(description="Which events: every given condition must hold.")
class EventFilter:
    stream_id: strawberry.ID | None = None
    type: str | None = strawberry.field(
        default=None, description="Activity.StatusChanged, or StatusChanged for that fact in any kind of stream."
    )
    plan_id: strawberry.ID | None = None
    meeting: str | None = strawberry.field(default=None, description="A meeting ID or code such as 1/2564.")
    actor: str | None = None
    effective_from: date | None = strawberry.field(default=None, description="Effective on or after (inclusive).")
    effective_to: date | None = strawberry.field(default=None, description="Effective on or before (inclusive).")


def page_size(first: int, argument: str = "first") -> int:
    if first < 0:
        raise BadInput(argument, "must not be negative")
    if first > MAX_PAGE:
        raise BadInput(argument, f"at most {MAX_PAGE} per page; use `after` with the endCursor for more")
    return first


async def events_page(context: Context, first: int, after: str | None, filter: EventFilter | None) -> EventConnection:
    from service.api.points import in_range, meeting_id, parse_id

    size = page_size(first)
    position = event_position(after)
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
    rows = await context.read(lambda conn: q.events(conn, first=size + 1, after=position, filter=where))
    return EventConnection.of(rows, size)


async def stream_history(context: Context, stream_id: UUID, first: int, after: str | None) -> EventConnection:
    size = page_size(first)
    position = event_position(after)
    loader = context.loaders.get(
        "history", (size, position), lambda conn, ids: q.stream_histories(conn, ids, size + 1, position), list
    )
    rows = await loader.load(stream_id)
    return EventConnection.of(rows, size)
