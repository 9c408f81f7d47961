"""The ASGI application: GraphQL at /graphql (HTTP and WebSocket; GraphiQL for a browser, its files
at /graphiql/), /healthz and /readyz, the dashboard at /, the reports at /reports/ and the import
of minutes from the browser at /imports/minutes/.

Every server process opens the shared database, runs a projector (an advisory lock keeps one
active per database, the others on standby: under `serve`, its projector process is the active one,
service/cli/projector.py) and a Broker that follows the projector's
notifications for subscriptions, read-your-writes and the response cache's position.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator, Callable
from typing import Any

import asyncpg
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from projections.errors import DATABASE_ERRORS
from projections.live import Broker
from projections.projector import Projector, log_position, read_position
from projections.schema import create_tables
from service import collector, dashboard, logs
from service.api import documents
from service.api.context import Context, Reader
from service.api.execution.direct_mutations import MutationPlans
from service.api.execution.shared import SharedFramesHandler
from service.api.mutations import RUNS
from service.api.schema import schema
from service.application.access import NOBODY, Principal
from service.application.ledger import PlanLedger
from service.application.migrate import READ_MODEL_VERSION
from service.application.projector_status import daemon_state
from service.application.tokens import RECHECK_EVERY, AuthenticationUnavailable, Authenticator
from service.application.tokens import ensure_table as ensure_tokens
from service.config import Settings
from service.logs import VERBOSE
from service.logs import configure as configure_logs
from service.store.database import Database, open_database
from service.web import graphiql
from service.web.graphql_http import GraphQLHTTP, wants_ide
from service.web.metrics import Metrics
from service.web.middleware import Authentication, RequestContext, RequestLog, principal_of
from service.web.minutes_import import import_routes
from service.web.mutation_lane import MutationLane
from service.web.redirects import RelativeRedirects
from service.web.reports import report_routes
from service.web.responses import refused_by_router, request_id_of

log = logging.getLogger("planledger")


def _context(app: Starlette, request: Request | WebSocket, snapshot: bool, principal: Principal) -> Context:
    state = app.state
    return Context(
        pool=state.pool,
        ledger=state.ledger,
        reader=Reader(state.pool, snapshot=snapshot),
        principal=principal,
        wait_projected=state.broker.wait_for,
        broker=state.broker,
        request=request,
        request_id=request_id_of(request.scope),
        metrics=state.metrics,
    )


class ConnectionInit(SharedFramesHandler):
    """graphql-transport-ws with the token in `connection_init`: `{"authorization": "Bearer …"}`.
    Without a valid one the socket is closed with 4401, and so it is once that token is revoked
    (checked every RECHECK_EVERY seconds). Mutations are refused (only over POST), and so is a
    document over a bound (service.api.documents), before anything runs."""

    _watch: asyncio.Task[None] | None = None

    async def handle_connection_init(self, message: Any) -> None:
        payload = message.get("payload") or {}
        given = payload.get("authorization") if isinstance(payload, dict) else None
        auth: Authenticator = self.context.request.app.state.auth
        try:
            principal = await auth.principal(given if isinstance(given, str) else None)
        except AuthenticationUnavailable:
            if self.connection_init_timeout_task:
                self.connection_init_timeout_task.cancel()
            await self.websocket.close(code=1013, reason="the database is not answering; reconnect shortly")
            return
        if principal is None:
            if self.connection_init_timeout_task:
                self.connection_init_timeout_task.cancel()
            await self.websocket.close(code=4401, reason="Unauthorized: send a valid token in connection_init")
            return
        logs.actor.set(principal.name)
        self.context.act_as(principal)
        await super().handle_connection_init(message)
        if self.connection_acknowledged and isinstance(given, str) and given.strip() and self._watch is None:
            self._watch = asyncio.create_task(self._close_when_revoked(auth, given))

    async def _close_when_revoked(self, auth: Authenticator, authorization: str) -> None:
        while True:
            await asyncio.sleep(RECHECK_EVERY)
            try:
                if await auth.still_valid(authorization):
                    continue
            except AuthenticationUnavailable:
                continue  # the database is away: that is no answer, the socket stays
            with contextlib.suppress(RuntimeError, OSError):  # (it closed meanwhile)
                await self.websocket.close(code=4401, reason="Unauthorized: the token was revoked")
            return

    async def handle_subscribe(self, message: Any) -> None:
        operation_id = message.get("id")
        if self.connection_acknowledged and isinstance(operation_id, str) and operation_id not in self.operations:
            refusal = documents.refused_over_websocket(message.get("payload"))
            if refusal is not None:
                await self.send_message({"id": operation_id, "type": "error", "payload": [refusal.formatted]})
                return
        await super().handle_subscribe(message)

    async def shutdown(self) -> None:
        if self._watch is not None:
            self._watch.cancel()
        await super().shutdown()


class Subscriptions(GraphQL[Context, None]):
    """Strawberry's WebSocket side (graphql-transport-ws); HTTP is served by GraphQLHTTP."""

    graphql_transport_ws_handler_class = ConnectionInit

    async def get_context(self, request: Request | WebSocket, response: Any = None) -> Context:
        return _context(request.app, request, snapshot=False, principal=NOBODY)  # until connection_init


async def healthz(_: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


#: seconds a read statement may take (the read pool's command_timeout) and a new connection to
#: connect: a database that stopped answering (frozen, not gone) held reads and /readyz forever
READ_TIMEOUT = 5.0
CONNECT_TIMEOUT = 3.0
#: /readyz answers within this many seconds, 503 when the database has not answered by then
READY_WITHIN = 2.0


async def _positions(pool: asyncpg.Pool) -> tuple[int, int]:
    async with pool.acquire(timeout=READY_WITHIN) as conn:
        return await log_position(conn), await read_position(conn)


async def readyz(request: Request) -> JSONResponse:
    state = request.app.state
    # one check of the database at a time, shared by the requests that come meanwhile; a request
    # waits READY_WITHIN seconds for it at most (the check itself ends within the pool's timeouts)
    check = state.readiness
    if check is None or check.done():
        check = state.readiness = asyncio.ensure_future(_positions(state.pool))
        check.add_done_callback(lambda done: done.cancelled() or done.exception())  # (retrieved)
    try:
        position, projected = await asyncio.wait_for(asyncio.shield(check), READY_WITHIN)
    except TimeoutError:
        return JSONResponse({"status": "unavailable", "database": f"unreachable: no answer in {READY_WITHIN:g} s"}, 503)
    except DATABASE_ERRORS as error:
        return JSONResponse({"status": "unavailable", "database": f"unreachable: {type(error).__name__}"}, 503)
    projector = request.app.state.projector
    process = daemon_state()
    return JSONResponse(
        {
            "status": "ready",
            "database": "reachable",
            "logPosition": int(position),
            "projectedPosition": int(projected or 0),
            "lagEvents": max(0, int(position) - int(projected or 0)),
            # in this server: its projector process, or this worker's own projector task
            "projectorActiveHere": bool(projector.active) or process == "active",
            "projector": "worker" if projector.active else (process or "standby"),
            "worker": os.getpid(),  # which worker answered (a keep-alive connection stays with one)
            "brokerPosition": int(request.app.state.broker.position),
        }
    )


async def metrics(request: Request) -> Response:
    """Prometheus text (behind the bearer check unless the scraper's address is one the
    PLANLEDGER_METRICS_FROM setting names: see needs_principal; the connection's own peer, as
    `serve` has uvicorn read no X-Forwarded-For, which it would otherwise believe from 127.0.0.1)."""
    state = request.app.state
    body = await state.metrics.render(state.pool, state.broker, state.projector)
    return Response(body, media_type=state.metrics.content_type)


def needs_principal(settings: Settings) -> Callable[[Scope], bool]:
    """Which HTTP requests must show a token: everything that reads the ledger."""

    def needs(scope: Scope) -> bool:
        path = scope["path"]
        if path == "/graphql":
            return not wants_ide(scope)
        if path == "/metrics":
            client = scope.get("client")
            return not (client and client[0] in settings.metrics_from)
        return path.startswith(("/reports/", "/imports/"))

    return needs


class App(Starlette):
    """The Starlette application, with the mutation lane in front of its middleware: a compiled
    mutation's request is answered there, anything else goes through the whole stack."""

    lane: MutationLane | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        lane = self.lane
        if lane is not None and lane.takes(scope):
            scope["app"] = self
            given = await lane(scope, receive, send)
            if given is None:
                return
            receive = given
        await super().__call__(scope, receive, send)


def create_app(settings: Settings | None = None) -> App:
    settings = settings or Settings.from_env()
    configure_logs(verbose=os.environ.get(VERBOSE) == "1")

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        database: Database = open_database(settings)
        try:
            args = database.address.asyncpg_args()
            app.state.ledger = PlanLedger.connect(database.address)
            app.state.ledger.appender = app.state.ledger.appender_on(database.address)
            app.state.pool = await asyncpg.create_pool(
                min_size=1, max_size=10, command_timeout=READ_TIMEOUT, timeout=CONNECT_TIMEOUT, **args
            )
            # a projector that just committed is active: its gauge says so at once, not at the next
            # refresh (a scrape by the other worker within that second read 0 active projectors)
            app.state.projector = Projector(
                args,
                read_model_version=READ_MODEL_VERSION,
                on_commit=lambda _position: app.state.metrics.projector_active.set(1),
                # serve's projector process, back after a crash, takes over from this worker's
                hand_over=lambda: daemon_state() == "standby",
            )
            app.state.broker = Broker(args, app.state.pool)
            app.state.broker.on_events = app.state.metrics.saw_events
            app.state.broker.counts_events = lambda: bool(app.state.projector.active)  # (as saw_events)
            app.state.metrics.projector = app.state.projector
            app.state.auth = Authenticator(app.state.pool, anonymous_reads=settings.anonymous_reads)
            async with app.state.pool.acquire() as conn:
                await ensure_tokens(conn)
                await create_tables(conn)  # every read locks them (service.api.context.SNAPSHOT)
            stop = asyncio.Event()
            tasks = [
                asyncio.create_task(app.state.projector.run(stop)),
                asyncio.create_task(app.state.broker.run(stop)),
                asyncio.create_task(
                    app.state.metrics.keep_fresh(app.state.pool, app.state.broker, app.state.projector, stop)
                ),
            ]
            # In the lifespan, so every worker of `serve --workers N` does it (service/collector.py).
            with collector.serving():
                try:
                    yield
                finally:
                    stop.set()
                    await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), timeout=10)
                    await app.state.pool.close()
                    appender, app.state.ledger.appender = app.state.ledger.appender, None
                    await appender.close()
                    app.state.ledger.close()
        finally:
            app.state.metrics.close()
            database.close()

    async def authenticate(given: str | None) -> Principal | None:
        principal: Principal | None = await app.state.auth.principal(given)
        return principal

    def current_metrics() -> Metrics:
        found: Metrics = app.state.metrics
        return found

    app = App(
        lifespan=lifespan,
        exception_handlers={HTTPException: refused_by_router},
        middleware=[
            Middleware(RelativeRedirects),  # a redirect never names the Host the client sent
            Middleware(RequestContext, metrics=current_metrics),
            Middleware(
                Authentication,
                authenticate=authenticate,
                needs_principal=needs_principal(settings),
                metrics=current_metrics,
            ),
        ],
    )
    app.state.settings = settings
    app.state.metrics = Metrics()
    app.state.readiness = None

    async def make_context(request: Request, snapshot: bool) -> Context:
        return _context(app, request, snapshot, principal_of(request.scope))

    async def wait_for(position: int, timeout: float) -> bool:
        ok: bool = await app.state.broker.wait_for(position, timeout)
        return ok

    http = GraphQLHTTP(
        schema,
        make_context,
        lambda: app.state.broker.position,
        wait_for,
        app.state.metrics,
        mutation_plans=MutationPlans(schema, RUNS),
    )
    websocket = Subscriptions(schema, subscription_protocols=[GRAPHQL_TRANSPORT_WS_PROTOCOL])
    app.router.routes.extend(
        [
            Route("/graphql", http.respond, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", websocket),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", metrics),
            *report_routes(make_context),
            *import_routes(),
            *graphiql.routes(),
            *dashboard.routes(),
        ]
    )
    app.state.http = http
    app.lane = MutationLane(http, authenticate, make_context, RequestLog(current_metrics))
    return app
