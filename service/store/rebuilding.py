"""A rebuild of the read models, with its progress kept in the database for /metrics to report.

`rebuild`, `import-log` and `migrate` rebuild in a process of their own, not in the server; the
row of `planledger_rebuild` they keep (started, events done of total, about once a second,
finished or failed) is what any server process reads when scraped. A rebuild that stopped
without saying so (its process killed) is no longer "running" once its row goes stale.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from projections.projector import ConnectArgs, connect
from projections.rebuild import Progress, rebuild

TABLE = "planledger_rebuild"
DDL = (
    f"CREATE TABLE IF NOT EXISTS {TABLE} (name text PRIMARY KEY, state text NOT NULL, done bigint NOT NULL, "
    "total bigint NOT NULL, started_at timestamptz NOT NULL, updated_at timestamptz NOT NULL, "
    "finished_at timestamptz, host text NOT NULL, pid integer NOT NULL)"
)
#: the read models' rebuild (one row: there is one set of read models per database)
NAME = "read_models"
#: seconds between progress writes; a running rebuild's row older than STALE is taken as dead
EVERY = 1.0
STALE = 30.0
UNREPORTED = (OSError, asyncpg.PostgresError, asyncpg.InterfaceError)
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RebuildProgress:
    state: str  # running, done, failed
    done: int
    total: int
    started_at: datetime
    finished_at: datetime | None
    #: seconds since the row was last written
    age: float

    @property
    def running(self) -> bool:
        return self.state == "running" and self.age < STALE


async def latest(conn: asyncpg.Connection) -> RebuildProgress | None:
    """The current or last rebuild, or None if there has been none."""
    if not await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", TABLE):
        return None
    row = await conn.fetchrow(
        f"SELECT state, done, total, started_at, finished_at, extract(epoch FROM now() - updated_at) AS age "
        f"FROM {TABLE} WHERE name = $1",
        NAME,
    )
    if row is None:
        return None
    return RebuildProgress(
        row["state"], row["done"], row["total"], row["started_at"], row["finished_at"], float(row["age"])
    )


async def rebuild_reporting(
    connect_args: ConnectArgs,
    progress: Callable[[Progress], None] | None = None,
    *,
    workers: int | None = None,
    on_switch: Callable[[asyncpg.Connection], Awaitable[None]] | None = None,
) -> int:
    """`projections.rebuild.rebuild`, with its progress written to `planledger_rebuild` as it goes."""
    conn = await connect(connect_args)
    try:
        await conn.execute(DDL)
        await conn.execute(
            f"INSERT INTO {TABLE} (name, state, done, total, started_at, updated_at, host, pid) "
            "VALUES ($1, 'running', 0, 0, now(), now(), $2, $3) ON CONFLICT (name) DO UPDATE SET "
            "state = 'running', done = 0, total = 0, started_at = now(), updated_at = now(), finished_at = NULL, "
            "host = $2, pid = $3",
            NAME,
            socket.gethostname(),
            os.getpid(),
        )
        heard: list[Progress] = []

        def said(p: Progress) -> None:
            heard[:] = [p]
            if progress is not None:
                progress(p)

        async def write(state: str) -> None:
            done, total = (heard[0].done, heard[0].total) if heard else (0, 0)
            await conn.execute(
                f"UPDATE {TABLE} SET state = $2, done = $3, total = $4, updated_at = now(), "
                "finished_at = CASE WHEN $2 = 'running' THEN NULL ELSE now() END WHERE name = $1",
                NAME,
                state,
                done,
                total,
            )

        stop = asyncio.Event()

        async def keep_writing() -> None:
            while not stop.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), EVERY)
                if not stop.is_set():
                    try:
                        await write("running")
                    except UNREPORTED as error:  # reporting never stops the rebuild itself
                        log.warning("rebuild: progress not recorded: %s", error)

        writer = asyncio.create_task(keep_writing())
        try:
            done = await rebuild(connect_args, said, workers=workers, on_switch=on_switch)
        except BaseException:
            stop.set()
            with contextlib.suppress(Exception):
                await writer
                await write("failed")
            raise
        stop.set()
        await writer
        total = heard[0].total if heard else 0
        heard[:] = [Progress(done, max(done, total), 0.0, 0.0)]
        try:
            await write("done")
        except UNREPORTED as error:
            log.warning("rebuild: finished, but that was not recorded: %s", error)
        return done
    finally:
        await conn.close()
