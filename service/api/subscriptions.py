"""Live subscriptions: plan events and risk events, replayed from a cursor then live.

Events come from the process's Broker, which follows the projector's notifications: an event is
delivered once the read models include it, in log order, with no gap and no duplicate between the
replay and the live part.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any
from uuid import UUID

import strawberry
from strawberry.types import Info

from domain import vocabulary as v
from projections import queries as q
from service.api import enums as e
from service.api.context import Context
from service.api.event_types import Event
from service.api.plan_types import Risk
from service.api.points import BadInput, Cursor, event_cursor, event_position, parse_id
from service.broker import RISK_TYPES


@strawberry.type(description="A risk noted, re-scored or closed, with the risk as it stood right after.")
class RiskEvent:
    cursor: Cursor
    type: str
    event: Event
    risk: Risk | None = strawberry.field(description="The risk right after the event (as of its effective date).")
    level: e.RiskLevel | None


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


@strawberry.type
class Subscription:
    @strawberry.subscription(description="Every event of a plan (its own, its activities' and its meetings').")
    async def plan_events(
        self,
        info: Info[Context, None],
        plan_id: strawberry.ID,
        after: Cursor | None = None,
    ) -> AsyncGenerator[Event, None]:
        wanted = parse_id("planId", plan_id)
        start = event_position(after) if after is not None else None
        async for row in _broker(info).subscribe(start, lambda r: r.plan_id == wanted or r.stream_id == wanted):
            yield Event.from_row(row)

    @strawberry.subscription(description="Risks noted, re-scored or closed, at or above a level.")
    async def risk_events(
        self,
        info: Info[Context, None],
        plan_id: strawberry.ID | None = None,
        min_level: e.RiskLevel | None = None,
        after: Cursor | None = None,
    ) -> AsyncGenerator[RiskEvent, None]:
        wanted: UUID | None = None if plan_id is None else parse_id("planId", plan_id)
        rank = v.RiskLevel(min_level.value).rank if min_level is not None else 0
        start = event_position(after) if after is not None else None

        def accept(row: Any) -> bool:
            if row.type not in RISK_TYPES or (wanted is not None and row.plan_id != wanted):
                return False
            risk = getattr(row, "risk", None) or {}
            return rank == 0 or int(risk.get("level_rank", -1)) >= rank

        async for row in _broker(info).subscribe(start, accept):
            risk = _risk_of(row)
            yield RiskEvent(
                cursor=event_cursor(row.position),
                type=row.type,
                event=Event.from_row(row),
                risk=risk,
                level=None if risk is None else risk.level,
            )
