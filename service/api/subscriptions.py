"""Live subscriptions: plan events and risk events, replayed from a cursor then live.

Events come from the process's Broker, which follows the projector's notifications: an event is
delivered once the read models include it, in log order, with no gap and no duplicate between the
replay and the live part.

Fan-out: subscriptions that ask the same thing (the same document, operation, variables and access
scope: role and unit) get the same answer for an event. So each event is executed as GraphQL once
per such feed, not once per subscriber, and serialized once: every socket gets the same bytes with
only its operation id spliced in. How:

the resolvers yield a `Delivery` instead of the root value itself, and
service/api/execution/shared.py executes it once per feed and sends the same frame to each socket.

Each subscription still follows the broker with its own cursor and its own filter, so replay,
the handover to live, ordering and "a slow subscriber delays nobody" are as before.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated, Any, cast
from uuid import UUID

import strawberry
from strawberry.types import Info

from domain import vocabulary as v
from projections import queries as q
from projections.live import RISK_TYPES, EventRow
from service.api import enums as e
from service.api.context import Context
from service.api.execution.shared import Delivery, Feed
from service.api.points import BadInput, Cursor, event_cursor, event_position, parse_id
from service.api.types.event import Event
from service.api.types.plan import Risk


@strawberry.type(description="A risk noted, re-scored or closed, with the risk as it stood right after.")
class RiskEvent:
    cursor: Cursor = strawberry.field(description="The event's cursor: resubscribe `after` it to miss nothing.")
    type: str = strawberry.field(description="The fact, e.g. Activity.RiskNoted.")
    event: Event = strawberry.field(description="The event itself.")
    risk: Risk | None = strawberry.field(description="The risk right after the event (as of its effective date).")
    level: e.RiskLevel | None = strawberry.field(description="The risk's level right after the event.")


def _broker(info: Info[Context, None]) -> Any:
    broker = info.context.broker
    if broker is None:
        raise BadInput("subscription", "live events are not available on this server")
    return broker


def _risk_of(row: Any) -> Risk | None:
    risk = getattr(row, "risk", None)
    if not risk:
        return None
    data = {**risk, "activity_id": risk.get("activity_id") or row.stream_id}
    return Risk.from_row(data, q.Point(row.effective_on, row.recorded_at))


def _risk_event(row: EventRow) -> RiskEvent:
    risk = _risk_of(row)
    return RiskEvent(
        cursor=event_cursor(row.position),
        type=row.type,
        event=Event.from_row(row),
        risk=risk,
        level=None if risk is None else risk.level,
    )


@strawberry.type(
    description="Live events over WebSocket (graphql-transport-ws at /graphql, the token in connection_init): "
    "replayed from a cursor if given, then live, in log order, with no gap and no duplicate."
)
class Subscription:
    @strawberry.subscription(description="Every event of a plan (its own, its activities' and its meetings').")
    async def plan_events(
        self,
        info: Info[Context, None],
        plan_id: Annotated[
            strawberry.ID, strawberry.argument(description="The ID of the plan whose events to follow.")
        ],
        after: Annotated[
            Cursor | None,
            strawberry.argument(
                description="Replay the events after this cursor first, then go on live (default: live only)."
            ),
        ] = None,
    ) -> AsyncGenerator[Event, None]:
        wanted = parse_id("planId", plan_id)
        start = event_position(after) if after is not None else None
        broker = _broker(info)
        feed = Feed.of(broker, info)
        async for row in broker.subscribe(start, lambda r: r.plan_id == wanted or r.stream_id == wanted):
            yield cast(Event, Delivery(feed, row, Event.from_row))

    @strawberry.subscription(
        description="Risks noted, re-scored or closed, at or above a level (with one, a risk not yet assessed "
        "is left out until it is)."
    )
    async def risk_events(
        self,
        info: Info[Context, None],
        plan_id: Annotated[
            strawberry.ID | None, strawberry.argument(description="Only the risks of this plan's activities (its ID).")
        ] = None,
        min_level: Annotated[
            e.RiskLevel | None,
            strawberry.argument(description="Only events of risks at this level or above (right after the event)."),
        ] = None,
        after: Annotated[
            Cursor | None,
            strawberry.argument(
                description="Replay the events after this cursor first, then go on live (default: live only)."
            ),
        ] = None,
    ) -> AsyncGenerator[RiskEvent, None]:
        wanted: UUID | None = None if plan_id is None else parse_id("planId", plan_id)
        rank = v.RiskLevel(min_level.value).rank if min_level is not None else None
        start = event_position(after) if after is not None else None
        broker = _broker(info)
        feed = Feed.of(broker, info)

        def accept(row: Any) -> bool:
            if row.type not in RISK_TYPES or (wanted is not None and row.plan_id != wanted):
                return False
            if rank is None:
                return True
            found = (getattr(row, "risk", None) or {}).get("level_rank")
            return found is not None and int(found) >= rank  # a risk not yet assessed has no level

        async for row in broker.subscribe(start, accept):
            yield cast(RiskEvent, Delivery(feed, row, _risk_event))
