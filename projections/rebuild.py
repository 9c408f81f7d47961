"""Rebuilding every read model from the log, and verifying the live ones against the log.

`rebuild` builds fresh tables beside the live ones (prefix `rb_`) stream by stream, writing with
COPY, indexes them, and swaps them in within one short transaction; readers keep the old tables
until then, and a running projector simply continues from the rebuilt position. A large log is
folded in several parts at once, one range of stream ids each: one here, the others by worker
processes (`python -m projections.rebuild`); the indexes are built, and statistics gathered, on
two connections at once.

`verify` rebuilds, in one REPEATABLE READ snapshot, into temporary tables up to the live position
and compares them with the live tables row for row; it returns readable differences.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import itertools
import json
import logging
import os
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg

from projections.copy_codecs import use_copy_codecs
from projections.decode import Decoded, Decoder
from projections.projector import ConnectArgs, connect, log_position, read_position
from projections.reported import MeetingDates
from projections.schema import (
    BY_NAME,
    EVENT_NAMES,
    EVENTS_TABLE,
    FAMILIES,
    POSITION_TABLE,
    PREFIX,
    all_indexes,
    all_tables,
    create_tables,
    ddl,
    event_primary_key,
    events_table_exists,
    lock_tables,
)
from projections.store import EventRecord, copy_events, copy_rows, event_record, group_rows, new_timeline
from projections.timeline import RowVersion

log = logging.getLogger(__name__)

SCRATCH = "rb_"
SELECT_BY_STREAM = (
    f"SELECT notification_id, originator_id, originator_version, topic, state FROM {EVENTS_TABLE} "
    "WHERE notification_id <= $1 AND ($2::uuid IS NULL OR originator_id >= $2) "
    "AND ($3::uuid IS NULL OR originator_id < $3) ORDER BY originator_id, originator_version"
)
FLUSH_AT = 20_000
READ_CHUNK = 5_000
#: families read a plan at a time (plan_as_of, the API's whole plan): their rows are held back and
#: written sorted by plan, this many at a time, so a plan's rows share pages instead of being
#: spread over the whole table (a whole plan as of a date then reads ~130 pages at 1M events, not ~250)
BY_PLAN = ("activity", "milestone", "risk")
HOLD_AT = 100_000
MAX_DIFFERENCES = 20
#: from this many events on, a rebuild folds in several processes (below, starting them costs more)
PARALLEL_FROM = 50_000
MAX_WORKERS = 4
#: connections that build the indexes and gather statistics at the end, at once
FINISHERS = 2
MAINTENANCE_WORK_MEM = "256MB"
#: the switch waits this long for readers in flight, then lets them on and tries again
SWITCH_WAIT_MS = 500
SWITCH_ATTEMPTS = 240


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
        self.meetings = MeetingDates()
        self.rows: list[RowVersion] = []
        self.events: list[EventRecord] = []
        self.held: dict[str, list[tuple[Any, ...]]] = {name: [] for name in BY_PLAN}
        self.holding = 0
        self.done = 0
        self.started = time.monotonic()
        self.reported = 0.0

    async def run(self, upto: int, low: UUID | None = None, high: UUID | None = None) -> int:
        stream: list[Decoded] = []
        current: Any = None
        decode = self.decoder.decode
        await self.meetings.load(self.conn, self.decoder)
        cursor = await self.conn.cursor(SELECT_BY_STREAM, upto, low, high)
        while chunk := await cursor.fetch(READ_CHUNK):
            for r in chunk:
                if r[1] != current:
                    await self._stream(stream)
                    stream, current = [], r[1]
                d = decode(r[0], r[1], r[2], r[3], r[4])
                if d is not None:
                    stream.append(d)
            self.done += len(chunk)
        await self._stream(stream)
        await self._flush(last=True)
        self._report(final=True)
        return self.done

    async def _stream(self, items: list[Decoded]) -> None:
        if not items:
            return
        timeline = new_timeline(items[0].stream_id, items)
        for item in items:
            reported = self.meetings.reported_on(item)
            if timeline is not None:
                timeline.add(item.fact, reported)
            self.events.append(event_record(item, timeline, reported))
        if timeline is not None:
            self.rows += timeline.flush().rows
        if len(self.rows) + len(self.events) >= FLUSH_AT:
            await self._flush()
            self._report()

    async def _flush(self, last: bool = False) -> None:
        grouped, events = group_rows(self.rows), self.events
        self.rows, self.events = [], []
        for name in BY_PLAN:
            records = grouped.pop(name, None)
            if records:
                self.held[name] += records
                self.holding += len(records)
        if last or self.holding >= HOLD_AT:
            for name, records in self.held.items():
                records.sort(key=_plan_order(name))
                grouped[name] = records
            self.held = {name: [] for name in BY_PLAN}
            self.holding = 0
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


@functools.cache
def _plan_order(family: str) -> Callable[[tuple[Any, ...]], Any]:
    """The sort key of a row record of `family`: its plan (no plan first); activities then by
    strategy and title, the order a plan lists them in (so a whole plan read from a freshly built
    table mostly comes in that order already)."""
    spec = BY_NAME[family]
    offset = 1 + (1 if spec.key else 0)
    plan = offset + spec.value_names.index("plan_id")
    if family != "activity":
        return lambda record: -1 if record[plan] is None else record[plan].int
    number = offset + spec.value_names.index("strategy_number")
    title = offset + spec.value_names.index("title")

    def activity_order(record: tuple[Any, ...]) -> tuple[int, int, str]:
        plan_id, strategy, name = record[plan], record[number], record[title]
        return (-1 if plan_id is None else plan_id.int, -1 if strategy is None else strategy, name or "")

    return activity_order


async def _drop(conn: asyncpg.Connection, prefix: str) -> None:
    for table in all_tables(prefix):
        await conn.execute(f"DROP TABLE IF EXISTS {table}")


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """The cyclic collector off while a rebuild folds (it allocates a lot and frees it in order,
    by reference counting; the collector's passes over everything alive were ~6% of its time)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _worker_count(total: int, workers: int | None) -> int:
    if workers is not None:
        return max(1, workers)
    if total < PARALLEL_FROM:
        return 1
    return max(1, min(MAX_WORKERS, os.cpu_count() or 1))


async def rebuild(
    connect_args: ConnectArgs,
    progress: ProgressCallback | None = None,
    *,
    workers: int | None = None,
    on_switch: Callable[[asyncpg.Connection], Awaitable[None]] | None = None,
) -> int:
    """Rebuild every read model from the log; returns the number of log entries read.

    `progress(Progress(done, total, rate, eta))` is called about once a second and at the end.
    A large log is folded in `workers` parts at once (default: one per CPU, up to 4, from
    `PARALLEL_FROM` events on), this process and worker processes each taking the streams of one
    range of ids; what they build is exactly what one process builds, since every stream is
    folded on its own.
    """
    conn = await connect(connect_args)
    try:
        await create_tables(conn)
        if not await events_table_exists(conn):
            return 0
        await _drop(conn, SCRATCH)
        for statement in ddl(SCRATCH, indexes=False):
            await conn.execute(statement)
        try:
            async with conn.transaction(isolation="repeatable_read", readonly=True):
                upto = await log_position(conn)
                total = int(
                    await conn.fetchval(f"SELECT count(*) FROM {EVENTS_TABLE} WHERE notification_id <= $1", upto)
                )
            count = _worker_count(total, workers)
            started = time.monotonic()
            done = -1
            if count > 1:
                done = await _build_in_processes(connect_args, upto, total, count, progress, started)
            if done < 0:
                count = 1
                done = await _build_here(connect_args, upto, total, progress)
            built = time.monotonic()
            await _index_and_analyze(connect_args, SCRATCH)
            log.info(
                "rebuild: %d events folded in %.2f s by %d process(es); indexed and analysed in %.2f s",
                done,
                built - started,
                count,
                time.monotonic() - built,
            )
        except BaseException:
            with contextlib.suppress(Exception):
                await _drop(conn, SCRATCH)
            raise
        for attempt in itertools.count(1):
            try:
                async with conn.transaction():
                    # Readers lock these tables before their snapshot (schema.lock_tables): wait for
                    # those in flight, briefly; giving up and retrying keeps readers from queueing
                    # long behind the switch and breaks any deadlock with the projector's writes.
                    await conn.execute(f"SET LOCAL lock_timeout = '{SWITCH_WAIT_MS}ms'")
                    await conn.execute(lock_tables("ACCESS EXCLUSIVE"))
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
                    if on_switch is not None:  # e.g. migrate's new version, in the same transaction
                        await on_switch(conn)
                break
            except (asyncpg.LockNotAvailableError, asyncpg.DeadlockDetectedError):
                if attempt >= SWITCH_ATTEMPTS:
                    raise
                await asyncio.sleep(0.05)
        return done
    finally:
        await conn.close()


async def _build_here(
    connect_args: ConnectArgs,
    upto: int,
    total: int,
    progress: ProgressCallback | None,
    low: UUID | None = None,
    high: UUID | None = None,
) -> int:
    """Fold the streams with ids in [low, high) (all by default) into the scratch tables, reading
    on one connection and writing with COPY on another; committed when all is written."""
    reader = await connect(connect_args)
    writer = await connect(connect_args)
    try:
        await writer.execute("SET synchronous_commit = off")
        await use_copy_codecs(writer)
        with _fewer_collections():
            async with reader.transaction(isolation="repeatable_read", readonly=True), writer.transaction():
                return await _Builder(reader, SCRATCH, total, progress, writer).run(upto, low, high)
    finally:
        await writer.close()
        await reader.close()


def _ranges(count: int) -> list[tuple[UUID | None, UUID | None]]:
    """`count` ranges of stream ids, of equal width (ids are uniformly spread: uuid4/uuid5)."""
    bounds: list[UUID | None] = [None, *(UUID(int=(k << 128) // count) for k in range(1, count)), None]
    return list(itertools.pairwise(bounds))


async def _build_in_processes(
    connect_args: ConnectArgs,
    upto: int,
    total: int,
    count: int,
    progress: ProgressCallback | None,
    started: float,
) -> int:
    """Fold the log in `count` parts at once, one range of stream ids each: the first here, the
    others in worker processes (each of which spends ~0.25 s of CPU importing before it starts).
    Returns -1, to fold it all here instead, when the connection arguments cannot be handed to
    another process."""
    try:
        arguments = json.dumps(connect_args)
    except TypeError:
        return -1
    package_root = str(Path(__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))}
    done = [0] * count
    last_report = [0.0]

    def report(final: bool = False) -> None:
        now = time.monotonic()
        if progress is None or (not final and now - last_report[0] < 1.0):
            return
        last_report[0] = now
        reached = sum(done)
        rate = reached / max(now - started, 1e-6)
        left = max(total - reached, 0)
        progress(Progress(reached, total, rate, left / rate if rate > 0 else None))

    async def one(index: int, low: UUID | None, high: UUID | None) -> int:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "projections.rebuild",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            env=env,
        )
        assert process.stdin is not None and process.stdout is not None
        job = {"connect": json.loads(arguments), "upto": upto, "total": total, "low": low, "high": high}
        process.stdin.write((json.dumps(job, default=str) + "\n").encode())
        await process.stdin.drain()
        process.stdin.close()
        result = -1
        try:
            async for line in process.stdout:
                word, _, number = line.decode().strip().partition(" ")
                if word == "progress":
                    done[index] = int(number)
                    report()
                elif word == "done":
                    result = done[index] = int(number)
        except BaseException:
            # (only here: signalling a process that has exited reaps it, and its status is lost)
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
            raise
        code = await process.wait()
        if code != 0 or result < 0:
            raise RuntimeError(f"rebuild worker {index + 1} of {count} failed (exit status {code})")
        return result

    async def here(low: UUID | None, high: UUID | None) -> int:
        def said(p: Progress) -> None:
            done[0] = p.done
            report()

        done[0] = await _build_here(connect_args, upto, total, said, low, high)
        return done[0]

    try:
        async with asyncio.TaskGroup() as group:  # one failing stops the others
            tasks = [
                group.create_task(here(low, high) if i == 0 else one(i, low, high))
                for i, (low, high) in enumerate(_ranges(count))
            ]
    except BaseExceptionGroup as failed:
        raise failed.exceptions[0] from None
    report(final=True)
    return sum(task.result() for task in tasks)


def _worker_main() -> int:
    """A worker of `rebuild`: reads its job (JSON) from stdin, says `progress N` now and then and
    `done N` at the end on stdout."""
    job = json.loads(sys.stdin.readline())

    def said(p: Progress) -> None:
        print(f"progress {p.done}", flush=True)

    low = UUID(job["low"]) if job["low"] else None
    high = UUID(job["high"]) if job["high"] else None
    done = asyncio.run(_build_here(job["connect"], job["upto"], job["total"], said, low, high))
    print(f"done {done}", flush=True)
    return 0


async def _index_and_analyze(connect_args: ConnectArgs, prefix: str) -> None:
    """Index the built tables (the event table's primary key too) and gather their statistics, on
    two connections at once (the index builds sort; two of them keep both cores of a small server
    busy)."""
    unique_key, primary_key = event_primary_key(prefix)
    statements = [unique_key, *(statement for _, statement in all_indexes(prefix))]
    statements += [f"ANALYZE {table}" for table in all_tables(prefix)]
    conns = [await connect(connect_args) for _ in range(FINISHERS)]
    try:
        sizes: dict[str, int] = {}
        for table in all_tables(prefix):
            sizes[table] = int(await conns[0].fetchval("SELECT pg_relation_size($1::regclass)", table))
        queues: list[list[str]] = [[] for _ in conns]
        loads = [0] * len(conns)
        for statement in sorted(statements, key=lambda s: -sizes.get(_table_of(s, prefix), 0)):
            k = loads.index(min(loads))
            queues[k].append(statement)
            loads[k] += sizes.get(_table_of(statement, prefix), 0) + 1

        async def run(conn: asyncpg.Connection, queue: list[str]) -> None:
            await conn.execute(f"SET maintenance_work_mem = '{MAINTENANCE_WORK_MEM}'")
            for statement in queue:
                await conn.execute(statement)

        await asyncio.gather(*(run(c, q) for c, q in zip(conns, queues, strict=True)))
        await conns[0].execute(primary_key)  # the unique index built above; the column is NOT NULL already
    finally:
        for conn in conns:
            await conn.close()


def _table_of(statement: str, prefix: str) -> str:
    """The table an index or ANALYZE statement works on."""
    words = statement.split()
    if words[0] == "ANALYZE":
        return words[1]
    return words[words.index("ON") + 1]


async def verify(connect_args: ConnectArgs) -> list[str]:
    """Rebuild from the log into scratch tables and compare with the live read models.

    Returns readable differences (empty when the live tables are exactly what the log gives).
    """
    conn = await connect(connect_args)
    try:
        await create_tables(conn)
        async with conn.transaction(isolation="repeatable_read"):
            await conn.execute(lock_tables("ACCESS SHARE"))  # before the snapshot: no switch under it
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


if __name__ == "__main__":
    raise SystemExit(_worker_main())
