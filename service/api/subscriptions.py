"""Live subscriptions: plan events and risk events, replayed from a cursor then live.

Events come from the process's Broker, which follows the projector's notifications: an event is
delivered once the read models include it, in log order, with no gap and no duplicate between the
replay and the live part.

Fan-out: subscriptions that ask the same thing (the same document, operation, variables and access
scope: role and unit) get the same answer for an event. So each event is executed as GraphQL once
per such feed, not once per subscriber, and serialized once: every socket gets the same bytes with
only its operation id spliced in. How:

- the resolvers yield a `Delivery` (the event's position and identity, the feed's key and how to
  make the root value) instead of the root value itself;
- `SharedExecutor` (the schema's execution context class) looks the event up in the broker's
  `SharedResults`: the first subscription to reach it executes it, the others get that result
  (or wait for it while it runs); a result with errors is not shared, each executes its own;
- `SharedFramesHandler` (graphql-transport-ws) sends a shared result as one prepared text frame.

Each subscription still follows the broker with its own cursor and its own filter, so replay,
the handover to live, ordering and "a slow subscriber delays nobody" are as before.
"""

from __future__ import annotations

import asyncio
import json
import time
import weakref
from collections import OrderedDict
from collections.abc import AsyncGenerator, Awaitable, Callable, Hashable
from typing import Any, cast
from uuid import UUID

import strawberry
from graphql import ExecutionResult as GraphQLResult
from graphql import print_ast
from starlette.websockets import WebSocketDisconnect
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import BaseGraphQLTransportWSHandler
from strawberry.types import Info

from domain import vocabulary as v
from projections import queries as q
from projections.live import RISK_TYPES, EventRow
from service.api import enums as e
from service.api.context import Context
from service.api.points import BadInput, Cursor, event_cursor, event_position, parse_id
from service.api.types.event import Event
from service.api.types.plan import Risk


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


def _risk_event(row: EventRow) -> RiskEvent:
    risk = _risk_of(row)
    return RiskEvent(
        cursor=event_cursor(row.position),
        type=row.type,
        event=Event.from_row(row),
        risk=risk,
        level=None if risk is None else risk.level,
    )


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
        broker = _broker(info)
        feed = Feed.of(broker, info)
        async for row in broker.subscribe(start, lambda r: r.plan_id == wanted or r.stream_id == wanted):
            yield cast(Event, Delivery(feed, row, Event.from_row))

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
        broker = _broker(info)
        feed = Feed.of(broker, info)

        def accept(row: Any) -> bool:
            if row.type not in RISK_TYPES or (wanted is not None and row.plan_id != wanted):
                return False
            risk = getattr(row, "risk", None) or {}
            return rank == 0 or int(risk.get("level_rank", -1)) >= rank

        async for row in broker.subscribe(start, accept):
            yield cast(RiskEvent, Delivery(feed, row, _risk_event))


# -- one execution per event and feed -------------------------------------------------------------

#: how long, and for how many (event, feed) pairs, an executed result is kept for late readers
SHARED_SECONDS = 10.0
SHARED_ENTRIES = 4096


class SharedData(dict[str, Any]):
    """The `data` of an event's result shared by the subscriptions of one feed; its JSON once."""

    __slots__ = ("_payload",)
    _payload: str

    def frame(self, operation_id: str) -> str:
        """The graphql-transport-ws `next` message for `operation_id`."""
        try:
            payload = self._payload
        except AttributeError:
            payload = self._payload = json.dumps({"data": self})
        return f'{{"id":{json.dumps(operation_id)},"type":"next","payload":{payload}}}'


class _Entry:
    __slots__ = ("pending", "result", "since")

    def __init__(self, since: float) -> None:
        self.since = since
        self.result: GraphQLResult | None = None
        self.pending: asyncio.Future[GraphQLResult | None] | None = None


class SharedResults:
    """Executed results of recent events, by (event, feed), for one broker (one database)."""

    def __init__(self, entries: int = SHARED_ENTRIES, seconds: float = SHARED_SECONDS) -> None:
        self.entries = entries
        self.seconds = seconds
        self._items: OrderedDict[Hashable, _Entry] = OrderedDict()
        #: executions run, and results shared instead of executed (for tests and metrics)
        self.executed = 0
        self.shared = 0

    @staticmethod
    def existing(broker: Any) -> SharedResults | None:
        return _SHARED.get(broker)

    @classmethod
    def of(cls, broker: Any) -> SharedResults:
        """The results shared among the subscriptions that follow `broker`."""
        found = _SHARED.get(broker)
        if found is None:
            found = _SHARED[broker] = cls()
        return found

    def executor(self, base: SharedExecutor, delivery: Delivery) -> Any:
        """What executes `delivery` for one subscription: the shared result, a wait for it, or
        the execution that others will share."""
        key = delivery.key
        now = time.monotonic()
        entry = self._items.get(key)
        if entry is not None and now - entry.since > self.seconds:
            del self._items[key]
            entry = None
        if entry is not None:
            if entry.result is not None:
                self.shared += 1
                return _Ready(entry.result)
            if entry.pending is not None:
                return _Waiting(self, base, delivery, entry.pending)
        entry = _Entry(now)
        self._items[key] = entry
        while len(self._items) > self.entries:
            self._items.popitem(last=False)
        return _Executing(self, base, delivery, entry)

    def run(self, base: SharedExecutor, delivery: Delivery) -> Any:
        """Execute the event for one subscription alone."""
        self.executed += 1
        return base.build_own_executor(delivery.value()).execute_operation(False)

    def settle(self, delivery: Delivery, entry: _Entry, result: Any) -> Any:
        """Record the owner's result: shared unless it failed."""
        shareable = isinstance(result, GraphQLResult) and not result.errors and isinstance(result.data, dict)
        if shareable:
            result = GraphQLResult(SharedData(result.data), None, result.extensions)
            entry.result = result
        elif self._items.get(delivery.key) is entry:
            del self._items[delivery.key]
        if entry.pending is not None and not entry.pending.done():
            entry.pending.set_result(result if shareable else None)
        entry.pending = None
        return result


_SHARED: weakref.WeakKeyDictionary[Any, SharedResults] = weakref.WeakKeyDictionary()


class _Ready:
    __slots__ = ("result",)

    def __init__(self, result: GraphQLResult) -> None:
        self.result = result

    def execute_operation(self, serially: bool | None = None) -> GraphQLResult:
        return self.result


class _Executing:
    """The first subscription to reach an event executes it for every alike one."""

    __slots__ = ("base", "delivery", "entry", "shared")

    def __init__(self, shared: SharedResults, base: SharedExecutor, delivery: Delivery, entry: _Entry) -> None:
        self.shared, self.base, self.delivery, self.entry = shared, base, delivery, entry

    def execute_operation(self, serially: bool | None = None) -> Any:
        try:
            result = self.shared.run(self.base, self.delivery)
        except BaseException:
            self.shared.settle(self.delivery, self.entry, None)
            raise
        if self.base.is_awaitable(result):
            self.entry.pending = asyncio.get_running_loop().create_future()
            return self._finish(result)
        return self.shared.settle(self.delivery, self.entry, result)

    async def _finish(self, running: Awaitable[Any]) -> Any:
        result = None
        try:
            result = await running
            return result
        finally:  # also when cancelled: the others then execute on their own
            self.shared.settle(self.delivery, self.entry, result)


class _Waiting:
    """Another subscription is executing the event: take its result, or execute alone if it fails."""

    __slots__ = ("base", "delivery", "pending", "shared")

    def __init__(
        self, shared: SharedResults, base: SharedExecutor, delivery: Delivery, pending: asyncio.Future[Any]
    ) -> None:
        self.shared, self.base, self.delivery, self.pending = shared, base, delivery, pending

    async def execute_operation(self, serially: bool | None = None) -> Any:
        result = await asyncio.shield(self.pending)
        if result is not None:
            self.shared.shared += 1
            return result
        own = self.shared.run(self.base, self.delivery)
        return await own if self.base.is_awaitable(own) else own


class Feed:
    """What makes subscriptions alike: the document, operation, variables and access scope."""

    __slots__ = ("key", "results")

    def __init__(self, key: Hashable, results: SharedResults) -> None:
        self.key = key
        self.results = results

    @classmethod
    def of(cls, broker: Any, info: Info[Context, None]) -> Feed:
        operation = info.operation
        document = info.query
        if document is None:  # parsed without locations: the operation and its fragments, printed
            fragments = info._raw_info.fragments.values()
            document = "\n".join(print_ast(node) for node in (operation, *fragments))
        name = operation.name.value if operation.name is not None else None
        variables = json.dumps(info.variable_values, sort_keys=True, default=str)
        principal = info.context.principal
        return cls((document, name, variables, principal.role, principal.unit), SharedResults.of(broker))


class Delivery:
    """One event for one subscription; the executor turns it into the root value (`value()`).
    Anything else reading it sees the root value's attributes."""

    __slots__ = ("_value", "feed", "make", "row")

    def __init__(self, feed: Feed, row: EventRow, make: Callable[[EventRow], Any]) -> None:
        self.feed, self.row, self.make = feed, row, make
        self._value: Any = None

    @property
    def key(self) -> Hashable:
        row = self.row
        return (row.position, row.stream_id, row.version, self.feed.key)

    def value(self) -> Any:
        if self._value is None:
            self._value = self.make(self.row)
        return self._value

    def __getattr__(self, name: str) -> Any:
        return getattr(self.value(), name)


class SharedExecutor(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context, executing a subscription event once per feed."""

    def build_per_event_executor(self, payload: Any) -> Any:
        if type(payload) is Delivery:
            return payload.feed.results.executor(self, payload)
        return super().build_per_event_executor(payload)

    def build_own_executor(self, root: Any) -> Any:
        return super().build_per_event_executor(root)


class SharedFramesHandler(BaseGraphQLTransportWSHandler[Context, None]):
    """graphql-transport-ws that sends a shared result as one prepared frame per socket."""

    async def send_message(self, message: Any) -> None:
        if message.get("type") == "next":
            payload = message.get("payload")
            data = payload.get("data") if isinstance(payload, dict) else None
            socket = getattr(self.websocket, "ws", None)
            if type(data) is SharedData and len(payload) == 1 and socket is not None:
                try:
                    await socket.send_text(data.frame(message["id"]))
                except WebSocketDisconnect as error:
                    raise WebSocketDisconnected from error
                return
        await super().send_message(message)
