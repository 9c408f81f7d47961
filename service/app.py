"""The ASGI application: GraphQL at /graphql, /healthz and /readyz, on one shared database."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from projections.projector import Projector, log_position, read_position
from service.config import Settings
from service.database import Database, open_database
from service.graphql_schema import schema
from service.ledger import PlanLedger

log = logging.getLogger("planledger")


class PlanledgerGraphQL(GraphQL[dict[str, Any], None]):
    async def get_context(self, request: Request | WebSocket, response: Any = None) -> dict[str, Any]:
        state = request.app.state
        return {"request": request, "response": response, "pool": state.pool, "ledger": state.ledger}


async def healthz(_: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    pool: asyncpg.Pool = request.app.state.pool
    try:
        async with pool.acquire() as conn:
            position = await log_position(conn)
            projected = await read_position(conn)
    except (OSError, asyncpg.PostgresError) as error:
        return JSONResponse({"status": "unavailable", "database": f"unreachable: {type(error).__name__}"}, 503)
    projector = request.app.state.projector
    return JSONResponse(
        {
            "status": "ready",
            "database": "reachable",
            "logPosition": int(position),
            "projectedPosition": int(projected or 0),
            "lagEvents": max(0, int(position) - int(projected or 0)),
            "projectorActiveHere": bool(projector.active),
        }
    )


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        database: Database = open_database(settings)
        try:
            app.state.ledger = PlanLedger.connect(database.address)
            app.state.pool = await asyncpg.create_pool(min_size=1, max_size=10, **database.address.asyncpg_args())
            # Every server process runs a projector; an advisory lock keeps one active and the
            # others on standby, ready to take over.
            app.state.projector = Projector(database.address.asyncpg_args())
            stop = asyncio.Event()
            projecting = asyncio.create_task(app.state.projector.run(stop))
            try:
                yield
            finally:
                stop.set()
                await asyncio.wait_for(projecting, timeout=10)
                await app.state.pool.close()
                app.state.ledger.close()
        finally:
            database.close()

    graphql = PlanledgerGraphQL(schema, subscription_protocols=[GRAPHQL_TRANSPORT_WS_PROTOCOL])
    return Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
        ],
        lifespan=lifespan,
    )
