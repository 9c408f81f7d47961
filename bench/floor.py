"""The Python floor of a write over HTTP: what the peer's create mutation does, in the least Python.

An ASGI app under uvicorn (the server and event loop planledger runs on, 1 process): read the body,
parse it with orjson, one asyncpg `INSERT ... RETURNING id` into the peer's plain table on a pool,
answer the peer's JSON. No GraphQL, no token, no domain decision, no event log, no projection.
`bench.writes` measures it beside PostGraphile 5 and planledger in the same run, with the same
bodies and clients: a planledger write can be no cheaper than this, so a ratio against the peer
above this row's is out of reach of this stack (2026-12-05, 20k events, 5 s each: this floor
3,031-3,254/s at 1 client and 7,577-7,919/s at 16 against the peer's 2,303-2,828 and 5,755-5,936,
i.e. 1.1-1.35x the peer).

    FLOOR_DATABASE_URL=postgresql://... python -m uvicorn bench.floor:app --port 8777
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import asyncpg
import orjson

Message = MutableMapping[str, Any]

#: one connection per client of the largest shape (the peer's pool is larger still)
POOL_SIZE = 16
INSERT = "INSERT INTO progress_report (activity_id, progress) VALUES ($1::text::uuid, $2::text::numeric) RETURNING id"

_pool: asyncpg.Pool | None = None


Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


async def app(scope: MutableMapping[str, Any], receive: Receive, send: Send) -> None:
    global _pool
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                url = os.environ["FLOOR_DATABASE_URL"]
                _pool = await asyncpg.create_pool(url, min_size=POOL_SIZE, max_size=POOL_SIZE)
                await send({"type": "lifespan.startup.complete"})
            else:
                if _pool is not None:
                    await _pool.close()
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] != "http":
        return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    status, answer = 200, b""
    try:
        variables = orjson.loads(body)["variables"]
        assert _pool is not None
        async with _pool.acquire() as conn:
            row_id = await conn.fetchval(INSERT, str(variables["a"]), str(variables["p"]))
        answer = orjson.dumps({"data": {"createProgressReport": {"progressReport": {"id": str(row_id)}}}})
    except (ValueError, KeyError, TypeError, asyncpg.PostgresError) as error:  # a bench's own body: say why
        status, answer = 400, orjson.dumps({"errors": [{"message": str(error)}]})
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(answer)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": answer})
