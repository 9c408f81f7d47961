"""The mutation lane: `POST /graphql` with a compiled mutation document, answered in one function.

A writer sends one small document again and again with new variables. Once it has executed
normally, `MutationPlans` (service/api/execution/direct_mutations.py) answers it without GraphQL
execution; this lane also answers it without the layers around that: Starlette's router, its two
exception middlewares and request/response objects, RelativeRedirects, RequestContext's and
Authentication's wrapping of `send`. Profiled under 16 writers (py-spy, 2026-12-04), the web
process spent ~441 µs of CPU per mutation over HTTP while the command alone, in process, took
~171 µs: the rest was the request's way in and out, spread thin over ~40 functions.

It answers only the plain case, and hands everything else, untouched, to the full stack:

- `POST /graphql`, `Content-Type: application/json`, a body of at most `MAX_BODY` bytes that is
  a JSON object naming a compiled document (`query` and `operationName`) with `variables`;
- an `Accept` the endpoint can answer, no `Planledger-Min-Position` or `If-None-Match`;
- a bearer token the Authenticator admits (a refused or missing one gets the full stack's 401).

A request handed on gets its body back as it was read (`_Replay`). A plan that declines the
variables (it runs nothing then) is handed on too, so every error message is normal execution's.
What the lane answers carries what the middleware gives every request: a request id (scope, log
context, `X-Request-Id`), the principal and the operation in the scope, the access log line and the
request metrics (`RequestLog`), and for an error nobody handled the 503 or the 500 that names only
the request id. tests/integration/test_mutation_lane.py compares its answers with the full stack's.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import orjson
from starlette.requests import Request
from starlette.types import Message, Receive, Scope, Send

from service import logs
from service.application.access import Principal
from service.web.graphql_http import (
    GRAPHQL_RESPONSE,
    MIN_POSITION_HEADER,
    POSITION_HEADER,
    GraphQLHTTP,
    RequestError,
    media_type,
)
from service.web.middleware import OPERATION, PRINCIPAL, VALIDATED, RequestLog, begin

if TYPE_CHECKING:
    from service.api.context import Context

#: bodies the lane reads whole before deciding (a compiled mutation's request is a few hundred bytes)
MAX_BODY = 16_384
_NOT_FOR_LANE = frozenset({MIN_POSITION_HEADER.encode(), b"if-none-match"})
_CONTENT = {kind: f"{kind}; charset=utf-8".encode() for kind in (GRAPHQL_RESPONSE, "application/json")}

Authenticate = Callable[[str | None], Awaitable[Principal | None]]
MakeContext = Callable[[Request, bool], Awaitable["Context"]]


class _Replay:
    """`receive` for the full stack after the lane read (part of) the body: the messages read so
    far, then the connection's own."""

    __slots__ = ("_messages", "_receive")

    def __init__(self, messages: list[Message], receive: Receive) -> None:
        self._messages = messages
        self._receive = receive

    async def __call__(self) -> Message:
        if self._messages:
            return self._messages.pop(0)
        return await self._receive()


class MutationLane:
    def __init__(
        self, http: GraphQLHTTP, authenticate: Authenticate, make_context: MakeContext, log: RequestLog
    ) -> None:
        self.http = http
        self.authenticate = authenticate
        self.make_context = make_context
        self.log = log

    @staticmethod
    def takes(scope: Scope) -> bool:
        return scope["type"] == "http" and scope["method"] == "POST" and scope["path"] == "/graphql"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> Receive | None:
        """None once answered; else the `receive` the full stack must use (the body given back)."""
        started = time.perf_counter()
        plans = self.http.mutation_plans
        if plans is None or not plans.enabled:
            return receive
        accept = authorization = None
        json_body = False
        for name, value in scope["headers"]:
            if name == b"content-type":
                json_body = value.split(b";")[0].strip().lower() == b"application/json"
            elif name == b"accept":
                accept = value.decode("latin-1")
            elif name == b"authorization":
                authorization = value.decode("latin-1")
            elif name in _NOT_FOR_LANE:
                return receive
        if not json_body or authorization is None:
            return receive
        try:
            kind = media_type(accept)
        except RequestError:
            return receive
        messages: list[Message] = []
        body = b""
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                return _Replay(messages, receive)
            body += message.get("body", b"")
            if len(body) > MAX_BODY:
                return _Replay(messages, receive)
            if not message.get("more_body", False):
                break
        replay = _Replay(messages, receive)
        if b"mutation" not in body:  # (no compiled document can be in it: a query's body, say)
            return replay
        try:
            raw = orjson.loads(body)
        except orjson.JSONDecodeError:
            return replay
        if type(raw) is not dict:
            return replay
        query, variables, operation_name = raw.get("query"), raw.get("variables"), raw.get("operationName")
        extensions = raw.get("extensions")
        if (
            type(query) is not str
            or type(variables) is not dict
            or not (operation_name is None or type(operation_name) is str)
            or not (extensions is None or type(extensions) is dict)
        ):
            return replay
        plan = plans.plan(query, operation_name or None)
        if plan is None:
            return replay
        try:
            principal = await self.authenticate(authorization)
        except Exception:  # (the database away: the full stack answers 503, once)
            self._count("handed_on")
            return replay
        if principal is None:
            self._count("handed_on")
            return replay
        request_id = begin(scope)
        scope[PRINCIPAL] = principal
        logs.actor.set(principal.name)
        scope[OPERATION] = ("mutation", plan.operation)
        logs.operation.set(plan.operation)
        answered = False
        status = 0
        try:
            context = await self.make_context(Request(scope, replay), False)
            context.fragments = True
            context.clean_texts = b"\\u0000" not in body  # (and orjson refused any lone surrogate)
            try:
                result = await plan.execute(context, variables)
            finally:
                await context.reader.close()
            if result is None:  # declined before anything ran: normal execution answers (and says why)
                self._count("handed_on")
                return replay
            scope[VALIDATED] = True
            status, payload, _ = self.http.written_result(result, request_id, kind == GRAPHQL_RESPONSE)
            headers = [
                (b"content-type", _CONTENT[kind]),
                (b"content-length", str(len(payload)).encode()),
                (b"x-request-id", request_id.encode()),
            ]
            if context.written:
                headers.append((POSITION_HEADER.lower().encode(), str(context.written).encode()))
            answered = True
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": payload})
        except Exception as error:
            status = await self.log.failed(error, scope, replay, send, answered) or status
        self._count("answered")
        self.log.record(scope, status, time.perf_counter() - started)
        return None

    def _count(self, outcome: str) -> None:
        metrics = self.log.metrics()
        if metrics is not None:
            metrics.count_lane(outcome)
