"""What every resolver gets: who asks, the ledger, and one reader of the read models per request.

A request's reads run on one connection inside one REPEATABLE READ, READ ONLY transaction, so a
whole response is computed at one projection position (which the HTTP layer uses for its ETag).
DataLoaders batch the reads of a request: one statement per kind of row, however many activities.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import asyncpg
from strawberry.dataloader import DataLoader

from projections.errors import DATABASE_AWAY
from projections.projector import read_position
from projections.schema import lock_tables
from service.application.access import Principal
from service.application.ledger import PlanLedger
from service.logs import new_request_id

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)


#: seconds a read waits for a pool connection (each statement waits at most the pool's
#: command_timeout, service.web.app.READ_TIMEOUT); a database that stopped answering held reads forever
ACQUIRE_TIMEOUT = 3.0
#: seconds the end of a request's read transaction may take; then the connection is dropped instead
CLOSE_TIMEOUT = 1.0
#: one round trip: BEGIN, then the read-model tables locked (no snapshot is taken until the first read)
SNAPSHOT = f"BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; {lock_tables('ACCESS SHARE')}"


class Reader:
    """Runs read statements for one request or one WebSocket connection.

    `snapshot=True` (HTTP requests): one connection and one read-only snapshot for the whole
    request, statements one at a time; once one found the database not answering, the others fail
    at once (each would wait as long). `snapshot=False` (subscriptions, which live long): a pool
    connection per statement.
    """

    def __init__(self, pool: asyncpg.Pool, snapshot: bool = True) -> None:
        self.pool = pool
        self.snapshot = snapshot
        self.statements = 0
        self._lock = asyncio.Lock()
        self._conn: Any = None
        #: why the database did not answer this request's reads
        self._away: BaseException | None = None

    async def run(self, read: Callable[[asyncpg.Connection], Awaitable[T]]) -> T:
        self.statements += 1
        if not self.snapshot:
            async with self.pool.acquire(timeout=ACQUIRE_TIMEOUT) as conn:
                return await read(conn)
        async with self._lock:
            if self._away is not None:
                raise ConnectionError("the database did not answer this request's earlier read")
            try:
                if self._conn is None:
                    self._conn = await self.pool.acquire(timeout=ACQUIRE_TIMEOUT)
                    # BEGIN and ROLLBACK by hand: when a sibling field fails, graphql-core cancels the
                    # others, and an asyncpg Transaction cancelled while starting cannot be rolled back
                    # (the pool then resets the connection with an error in the log)
                    # the read models locked before the snapshot is taken: a rebuild's switch waits for
                    # this request, or this request for it; never a snapshot from before a switch
                    await self._conn.execute(SNAPSHOT)
                return await read(self._conn)
            except DATABASE_AWAY as error:
                self._away = error
                raise

    async def position(self) -> int:
        """The projection position the reads of this request see."""
        return await self.run(read_position)

    async def close(self) -> None:
        async with self._lock:
            if self._conn is None:
                return
            conn, self._conn = self._conn, None
            try:
                if self._away is not None:
                    conn.terminate()  # it did not answer: a ROLLBACK would wait as long
                elif not conn.is_closed():
                    await conn.execute("ROLLBACK", timeout=CLOSE_TIMEOUT)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError):
                conn.terminate()
            finally:
                await self.pool.release(conn)


class Loaders:
    """DataLoaders of one request, one per (kind of read, point in time)."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader
        self._loaders: dict[tuple[str, Hashable], DataLoader[Any, Any]] = {}

    def get(
        self,
        name: str,
        scope: Hashable,
        fetch: Callable[[asyncpg.Connection, list[Any]], Awaitable[dict[Any, Any]]],
        missing: Callable[[], Any] = lambda: None,
    ) -> DataLoader[Any, Any]:
        """The loader `name` for `scope` (e.g. a Point); `fetch(conn, keys)` returns {key: value}."""
        key = (name, scope)
        loader = self._loaders.get(key)
        if loader is None:

            async def load(keys: Sequence[Any]) -> list[Any]:
                found = await self.reader.run(lambda conn: fetch(conn, list(keys)))
                return [found.get(k, missing()) for k in keys]

            loader = DataLoader(load_fn=load)
            self._loaders[key] = loader
        return loader


@dataclass
class Context:
    pool: asyncpg.Pool
    ledger: PlanLedger
    reader: Reader
    #: who asks: required, never defaulted (a WebSocket before its token is access.NOBODY)
    principal: Principal
    #: wait until the read models include a position (read-your-writes); True when they do
    wait_projected: Callable[[int, float], Awaitable[bool]] | None = None
    broker: Any = None
    request: Any = None
    response: Any = None
    loaders: Loaders = field(init=False)
    request_id: str = field(default_factory=new_request_id)
    #: the process's Metrics (None in tests that do not count)
    metrics: Any = None
    #: the position a mutation of this request recorded, for the HTTP layer to report
    written: int = 0
    #: whether a query may be answered by direct execution (service/api/execution/direct.py); False: always
    #: executed normally (what the tests compare it with)
    direct: bool = True
    #: whether the caller writes the data with orjson (service.web.responses.dump_json), so that parts
    #: of it may be JSON already written (orjson.Fragment: service/api/execution/lists.py)
    fragments: bool = False
    #: whether the request's variables are known to hold no NUL and no lone surrogate (parsed by
    #: orjson, which refuses a lone surrogate, from a body without `\u0000`): the walks that look
    #: for them in every input are skipped (5-7 % of a mutation's CPU under 16 writers)
    clean_texts: bool = False

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.reader)

    def act_as(self, principal: Principal) -> None:
        """From now on the context's commands run as `principal`, checked against its role."""
        self.principal = principal

    async def read(self, fn: Callable[[asyncpg.Connection], Awaitable[T]]) -> T:
        return await self.reader.run(fn)
