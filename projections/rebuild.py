"""Rebuilding every read model from the log, and verifying the live ones against the log.

`rebuild` builds fresh tables beside the live ones (prefix `rb_`) stream by stream, writing with
COPY, indexes them, and swaps them in within one short transaction; readers keep the old tables
until then, and a running projector simply continues from the rebuilt position.

`verify` rebuilds, in one REPEATABLE READ snapshot, into temporary tables up to the live position
and compares them with the live tables row for row; it returns readable differences.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import asyncpg

from projections.decode import Decoded, Decoder
from projections.projector import ConnectArgs, connect, log_position, read_position
from projections.schema import (
    EVENT_NAMES,
    EVENTS_TABLE,
    FAMILIES,
    POSITION_TABLE,
    PREFIX,
    all_indexes,
    all_tables,
    create_tables,
    ddl,
    events_table_exists,
)
from projections.store import EventRecord, copy_events, copy_rows, event_record, group_rows, new_timeline
from projections.timeline import RowVersion

SCRATCH = "rb_"
SELECT_BY_STREAM = (
    f"SELECT notification_id, originator_id, originator_version, topic, state FROM {EVENTS_TABLE} "
    "WHERE notification_id <= $1 ORDER BY originator_id, originator_version"
)
FLUSH_AT = 20_000
MAX_DIFFERENCES = 20


@dataclass(frozen=True)
class Progress:
    """How far a rebuild is: events read of `total`, events per second, seconds left."""

    done: int
    total: int
    rate: float
    eta: float | None


ProgressCallback = Callable[[Progress], None]


class _Builder:
    """Folds the log stream by stream into row versions and writes them with COPY."""

    def __init__(
        self,
        conn: asyncpg.Connection,
        prefix: str,
        total: int,
        progress: ProgressCallback | None,
        writer: asyncpg.Connection | None = None,
    ) -> None:
        self.conn = conn
        #: writes go here, overlapping with reading and folding, when it is another connection
        self.writer = writer or conn
        self.pending: asyncio.Task[None] | None = None
        self.prefix = prefix
        self.total = total
        self.progress = progress
        self.decoder = Decoder()
        self.rows: list[RowVersion] = []
        self.events: list[EventRecord] = []
        self.done = 0
        self.started = time.monotonic()
        self.reported = 0.0

    async def run(self, upto: int) -> int:
        stream: list[Decoded] = []
        current: Any = None
        async for r in self.conn.cursor(SELECT_BY_STREAM, upto, prefetch=5000):
            self.done += 1
            if r[1] != current:
                await self._stream(stream)
                stream, current = [], r[1]
            d = self.decoder.decode(r[0], r[1], r[2], r[3], r[4])
            if d is not None:
                stream.append(d)
        await self._stream(stream)
        await self._flush(last=True)
        self._report(final=True)
        return self.done

    async def _stream(self, items: list[Decoded]) -> None:
        if not items:
            return
        timeline = new_timeline(items[0].stream_id, items)
        for item in items:
            if timeline is not None:
                timeline.add(item.fact)
            self.events.append(event_record(item, timeline))
        if timeline is not None:
            self.rows += timeline.flush().rows
        if len(self.rows) + len(self.events) >= FLUSH_AT:
            await self._flush()
            self._report()

    async def _flush(self, last: bool = False) -> None:
        grouped, events = group_rows(self.rows), self.events
        self.rows, self.events = [], []
        if self.pending is not None:
            await self.pending
            self.pending = None
        if self.writer is self.conn or last:
            await self._write(grouped, events)
        else:
            self.pending = asyncio.create_task(self._write(grouped, events))

    async def _write(self, grouped: dict[str, list[tuple[Any, ...]]], events: list[EventRecord]) -> None:
        await copy_rows(self.writer, grouped, self.prefix)
        await copy_events(self.writer, events, self.prefix)

    def _report(self, final: bool = False) -> None:
        now = time.monotonic()
        if self.progress is None or (not final and now - self.reported < 1.0):
            return
        self.reported = now
        elapsed = max(now - self.started, 1e-6)
        rate = self.done / elapsed
        left = max(self.total - self.done, 0)
        self.progress(Progress(self.done, self.total, rate, left / rate if rate > 0 else None))


async def _drop(conn: asyncpg.Connection, prefix: str) -> None:
    for table in all_tables(prefix):
        await conn.execute(f"DROP TABLE IF EXISTS {table}")


async def rebuild(connect_args: ConnectArgs, progress: ProgressCallback | None = None) -> int:
    """Rebuild every read model from the log; returns the number of log entries read.

    `progress(Progress(done, total, rate, eta))` is called about once a second and at the end.
    """
    conn = await connect(connect_args)
    try:
        await create_tables(conn)
        if not await events_table_exists(conn):
            return 0
        await _drop(conn, SCRATCH)
        for statement in ddl(SCRATCH, indexes=False):
            await conn.execute(statement)
        writer = await connect(connect_args)
        try:
            async with conn.transaction(isolation="repeatable_read", readonly=True), writer.transaction():
                upto = await log_position(conn)
                total = int(
                    await conn.fetchval(f"SELECT count(*) FROM {EVENTS_TABLE} WHERE notification_id <= $1", upto)
                )
                done = await _Builder(conn, SCRATCH, total, progress, writer).run(upto)
                for _, statement in all_indexes(SCRATCH):
                    await writer.execute(statement)
            for table in all_tables(SCRATCH):
                await writer.execute(f"ANALYZE {table}")
        finally:
            await writer.close()
        async with conn.transaction():
            await conn.execute(f"SELECT position FROM {POSITION_TABLE} WHERE name = $1 FOR UPDATE", PREFIX)
            await _drop(conn, PREFIX)
            for family in FAMILIES:
                await conn.execute(f"ALTER TABLE {family.table(SCRATCH)} RENAME TO {family.table(PREFIX)}")
            await conn.execute(f"ALTER TABLE {SCRATCH}event RENAME TO {PREFIX}event")
            await conn.execute(f"ALTER INDEX {SCRATCH}event_pkey RENAME TO {PREFIX}event_pkey")
            for name, _ in all_indexes(SCRATCH):
                await conn.execute(f"ALTER INDEX {SCRATCH}{name} RENAME TO {PREFIX}{name}")
            await conn.execute(
                f"UPDATE {POSITION_TABLE} SET position = $1, updated_at = now() WHERE name = $2", upto, PREFIX
            )
        return done
    finally:
        await conn.close()


async def verify(connect_args: ConnectArgs) -> list[str]:
    """Rebuild from the log into scratch tables and compare with the live read models.

    Returns readable differences (empty when the live tables are exactly what the log gives).
    """
    conn = await connect(connect_args)
    try:
        await create_tables(conn)
        async with conn.transaction(isolation="repeatable_read"):
            upto = await read_position(conn)
            scratch = "vf_"
            await create_tables(conn, scratch, temporary=True)
            if await events_table_exists(conn):
                await _Builder(conn, scratch, 0, None).run(upto)
            differences: list[str] = []
            names = [(f.table(PREFIX), f.table(scratch), f.all_names) for f in FAMILIES]
            names.append((f"{PREFIX}event", f"{scratch}event", EVENT_NAMES))
            for live, fresh, columns in names:
                differences += await _compare(conn, live, fresh, columns)
            return differences
    finally:
        await conn.close()


async def _compare(conn: asyncpg.Connection, live: str, fresh: str, columns: tuple[str, ...]) -> list[str]:
    cols = ", ".join(columns)
    out: list[str] = []
    for table_a, table_b, says in (
        (live, fresh, "has a row the log does not give"),
        (fresh, live, "lacks a row the log gives"),
    ):
        records = await conn.fetch(
            f"SELECT {cols} FROM {table_a} EXCEPT ALL SELECT {cols} FROM {table_b} LIMIT {MAX_DIFFERENCES + 1}"
        )
        for record in records[:MAX_DIFFERENCES]:
            shown = ", ".join(f"{k}={v!r}" for k, v in record.items())
            out.append(f"{live} {says}: {shown}")
        if len(records) > MAX_DIFFERENCES:
            out.append(f"{live} {says}: ... and more")
    return out
