"""What every route shares, written once as ASGI middleware (as Starlette writes its own).

`RequestContext`, outermost: one request id per HTTP request and WebSocket, kept in the scope, in
the `X-Request-Id` header and in every log line the request writes (with its operation and actor,
set as they become known); the access log line and the request's duration; and the one place an
error nobody handled becomes an answer: 503 while the database is away, otherwise a 500 naming only
the request id (the traceback goes to the log, never to the client).

`Authentication`: one bearer check for every route that reads the ledger over HTTP — `/graphql`
(GraphiQL's page aside: it holds no data), `/reports/`, `/imports/`, and `/metrics` unless scraped from an
address `PLANLEDGER_METRICS_FROM` names. A request without a valid token gets the one 401; with
one, its principal is in the scope for the route. There is no anonymous default: a route that
needs a principal and finds none refuses. A WebSocket sends its token in `connection_init`
(graphql-transport-ws), so `/graphql` over WebSocket is checked by its protocol handler, with the
same authenticator.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Receive, Scope, Send

from projections.errors import DATABASE_AWAY
from service import logs
from service.application.access import Principal
from service.application.tokens import AuthenticationUnavailable
from service.logs import new_request_id
from service.web.responses import REQUEST_ID, internal_error, unauthorized, unavailable

log = logging.getLogger("planledger.http")
access = logging.getLogger("planledger.access")

#: where the request's principal, and its GraphQL operation (type, name), are kept in the ASGI scope
PRINCIPAL = "planledger.principal"
OPERATION = "planledger.operation"
#: set in the ASGI scope once the request's document validated (its operation name is a metric label)
VALIDATED = "planledger.validated"
#: the status logged (and counted) for a request whose client went away mid-body (nginx's 499)
CLIENT_CLOSED_REQUEST = 499
#: routes polled by load balancers and scrapers: no access log line for them
#: what a request meets when the database is away: it answers 503, not 500
AWAY: tuple[type[BaseException], ...] = (AuthenticationUnavailable, *DATABASE_AWAY)
QUIET = frozenset({"/healthz", "/readyz", "/metrics"})

Authenticate = Callable[[str | None], Awaitable[Principal | None]]


def begin(scope: Scope) -> str:
    """A new request id, kept in the scope and in the log's context (no operation or actor yet)."""
    request_id = new_request_id()
    scope[REQUEST_ID] = request_id
    logs.request_id.set(request_id)
    logs.operation.set(None)
    logs.actor.set(None)
    return request_id


class RequestLog:
    """What is written of every HTTP request once it is answered (its access log line and its
    metrics), and the answer to an error nobody handled: RequestContext's, and the mutation lane's
    (service/web/mutation_lane.py), which answers before RequestContext is reached."""

    def __init__(self, metrics: Callable[[], Any] = lambda: None) -> None:
        self.metrics = metrics

    async def failed(self, error: Exception, scope: Scope, receive: Receive, send: Send, answered: bool) -> int:
        """The status logged for a request that raised `error` (answered: its head was sent)."""
        request_id = scope[REQUEST_ID]
        if isinstance(error, ClientDisconnect):
            # the client went away before its request was whole: nothing to answer, nothing went wrong here
            log.info("request %s: the client disconnected before sending the whole request", request_id)
            return CLIENT_CLOSED_REQUEST
        if isinstance(error, AWAY):
            log.warning("request %s: the database is away: %s: %s", request_id, type(error).__name__, error)
            self.count("http_503")
            if not answered:
                await unavailable(request_id)(scope, receive, send)
                return 503
            return 0
        log.exception("request %s failed", request_id, exc_info=error)
        self.count("internal")
        if not answered:
            await internal_error(request_id)(scope, receive, send)
            return 500
        return 0

    def count(self, kind: str) -> None:
        metrics = self.metrics()
        if metrics is not None:
            metrics.errors.labels(kind=kind).inc()

    def record(self, scope: Scope, status: int, elapsed: float) -> None:
        path = scope.get("path", "")
        if path in QUIET:
            return
        operation = scope.get(OPERATION)
        if path == "/graphql":
            kind, name = operation or ("none", "none")
            metrics = self.metrics()
            if metrics is not None:
                metrics.observe_request(kind, name, scope.get(VALIDATED, False), status, elapsed)
            what = f"{kind} {name}"
        else:
            what = path
        if access.isEnabledFor(logging.INFO):
            access.info(
                "%s %s %s in %.1f ms",
                scope.get("method", ""),
                what,
                status,
                elapsed * 1000,
                extra={"status": status, "duration_ms": round(elapsed * 1000, 2)},
            )


class RequestContext:
    def __init__(self, app: ASGIApp, metrics: Callable[[], Any] = lambda: None) -> None:
        self.app = app
        self.log = RequestLog(metrics)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        request_id = begin(scope)
        if scope["type"] == "websocket":
            await self.app(scope, receive, send)
            return
        status = 0
        header = (b"x-request-id", request_id.encode("ascii"))

        async def send_with_id(message: MutableMapping[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", ()))
                if not any(name.lower() == b"x-request-id" for name, _ in headers):
                    headers.append(header)
                message["headers"] = headers
            await send(message)

        started = time.perf_counter()
        try:
            await self.app(scope, receive, send_with_id)
        except Exception as error:
            status = await self.log.failed(error, scope, receive, send_with_id, answered=bool(status)) or status
        self.log.record(scope, status, time.perf_counter() - started)


class Authentication:
    def __init__(
        self,
        app: ASGIApp,
        authenticate: Authenticate,
        needs_principal: Callable[[Scope], bool],
        metrics: Callable[[], Any] = lambda: None,
    ) -> None:
        self.app = app
        self.authenticate = authenticate
        self.needs_principal = needs_principal
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.needs_principal(scope):
            await self.app(scope, receive, send)
            return
        given = None
        for name, value in scope.get("headers", ()):
            if name == b"authorization":
                given = value.decode("latin-1")
                break
        principal = await self.authenticate(given)  # AuthenticationUnavailable: RequestContext answers 503
        if principal is None:
            metrics = self.metrics()
            if metrics is not None:
                metrics.errors.labels(kind="http_401").inc()
            await unauthorized(scope[REQUEST_ID])(scope, receive, send)
            return
        scope[PRINCIPAL] = principal
        logs.actor.set(principal.name)
        await self.app(scope, receive, send)


def principal_of(scope: Scope) -> Principal:
    """The principal Authentication admitted. A route that needs one and finds none is a wiring
    mistake: refuse, never fall back to someone."""
    principal = scope.get(PRINCIPAL)
    if not isinstance(principal, Principal):
        raise PermissionError(f"no principal for {scope.get('path')!r}: the route is not behind Authentication")
    return principal
