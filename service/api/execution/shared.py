"""Subscription fan-out: an event executed as GraphQL once per feed, not once per subscriber.

Subscriptions that ask the same thing (the same document, operation, variables and access scope:
role and unit) form a feed. The resolvers (service/api/subscriptions.py) yield a `Delivery` (the
event's position and identity, the feed's key and how to make the root value) instead of the root
value itself; `SharedExecutor`, part of the schema's execution context, looks the event up in the
broker's `SharedResults`: the first subscription to reach it executes it, the others get that
result (or wait for it while it runs); a result with errors is not shared, each executes its own.
`SharedFramesHandler` (graphql-transport-ws) sends a shared result as one prepared text frame, the
same bytes to every socket with only its operation id spliced in.
"""

from __future__ import annotations

import asyncio
import json
import time
import weakref
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

from graphql import ExecutionResult as GraphQLResult
from graphql import print_ast
from starlette.websockets import WebSocketDisconnect
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import BaseGraphQLTransportWSHandler
from strawberry.types import Info

from projections.live import EventRow
from service.api.context import Context

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
