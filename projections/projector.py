"""The projector: follows the event log in order and keeps the read models up to date.

Each batch of read-model changes and the new position commit in one transaction, so every
event is applied exactly once, across crashes and restarts too (the position is also checked
when it is moved: a projector that lost its lock cannot move it). It wakes on the store's
`NOTIFY planledger_events`, polls as a fallback, and catches up in batches when behind. After
each commit it sends `NOTIFY planledger_projected` with the new position as payload.

Only one projector works per database: it holds a session advisory lock. Another instance
waits on standby, trying the lock every `standby_interval` seconds; when the active one dies,
PostgreSQL drops its session and with it the lock, and the standby takes over.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any
from uuid import UUID

import asyncpg

from domain.facts import Fact
from projections.decode import Decoded, Decoder
from projections.queries import ConnectionFacts
from projections.reported import MeetingDates
from projections.schema import (
    EVENTS_CHANNEL,
    EVENTS_TABLE,
    POSITION_TABLE,
    PREFIX,
    PROJECTED_CHANNEL,
    PROJECTOR_LOCK,
    READ_MODELS,
    SCHEMA_TABLE,
    create_tables,
    events_table_exists,
)
from projections.store import (
    EventRecord,
    close_rows,
    copy_events,
    copy_rows,
    event_record,
    group_rows,
    new_timeline,
)
from projections.timeline import Closing, RowVersion, StreamTimeline

log = logging.getLogger(__name__)

ConnectArgs = Mapping[str, Any] | str
SELECT_EVENTS = (
    f"SELECT notification_id, originator_id, originator_version, topic, state FROM {EVENTS_TABLE} "
    "WHERE notification_id > $1 ORDER BY notification_id LIMIT $2"
)
SELECT_PRIOR = (
    f"SELECT notification_id, originator_id, originator_version, topic, state FROM {EVENTS_TABLE} "
    "WHERE originator_id = ANY($1::uuid[]) AND notification_id <= $2 "
    "ORDER BY originator_id, originator_version"
)


#: While commits keep coming, a batch starts at most every LINGER seconds: the first commit after a
#: quiet spell is projected at once, the ones that follow it closely wait for the rest of the
#: interval and share a batch. A batch costs about the same for one event as for a dozen (a
#: transaction, its statements and their round trips): one writer, one batch per commit, the
#: projector process spent ~550 µs of CPU per event, competing on a 2-core machine with the web
#: process and PostgreSQL for the writer's own latency (py-spy and /proc, 2026-12-04). A read
#: waiting for its own write (READ_YOUR_WRITES, Planledger-Min-Position) waits this long at most more.
LINGER = 0.003
#: facts a cached timeline keeps before it lets them go (StreamTimeline.drop_history)
TIMELINE_FACTS_KEPT = 512
#: seconds between two questions of `Projector.hand_over` while active, and the wait after handing over
HAND_OVER_CHECK = 1.0
HAND_OVER_WAIT = 5.0


class ProjectorBusy(RuntimeError):
    """Another projector holds the lock."""


class ReadModelsNewer(RuntimeError):
    """The read models were migrated to a version newer than this code writes: an instance not yet
    upgraded must not project into them (its rows would be in the old shape)."""


async def connect(args: ConnectArgs) -> asyncpg.Connection:
    """A connection from asyncpg keyword arguments (e.g. `ServerAddress.asyncpg_args()`) or a DSN."""
    if isinstance(args, str):
        return await asyncpg.connect(args)
    return await asyncpg.connect(**args)


async def log_position(conn: asyncpg.Connection) -> int:
    """The position of the newest event in the log (0 when it is empty)."""
    return int(await conn.fetchval(f"SELECT coalesce(max(notification_id), 0) FROM {EVENTS_TABLE}"))


#: connections whose database has the position table (never dropped): asked once per connection
_has_position_table = ConnectionFacts()


async def read_position(conn: asyncpg.Connection, prefix: str = PREFIX) -> int:
    """The position (notification id) up to which the read models are projected."""
    if not _has_position_table.get(conn):
        if not await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", POSITION_TABLE):
            return 0
        _has_position_table.put(conn, True)
    value = await conn.fetchval(f"SELECT position FROM {POSITION_TABLE} WHERE name = $1", prefix)
    return int(value or 0)


async def wait_for_position(conn: asyncpg.Connection, position: int, timeout: float = 5.0) -> int:
    """Wait until the read models reach `position` (read-your-writes); returns the position reached.

    Listens on `planledger_projected` on `conn` for the duration; raises TimeoutError.
    """
    reached = asyncio.Event()

    def heard(_c: object, _pid: int, _channel: str, payload: str) -> None:
        if int(payload) >= position:
            reached.set()

    await conn.add_listener(PROJECTED_CHANNEL, heard)
    try:
        current = await read_position(conn)
        if current >= position:
            return current
        await asyncio.wait_for(reached.wait(), timeout)
        return await read_position(conn)
    finally:
        await conn.remove_listener(PROJECTED_CHANNEL, heard)


#: the end of a batch's transaction in one round trip (see `Projector._batch`)
FINISH_BATCH = f"""
WITH version AS (SELECT version FROM {SCHEMA_TABLE} WHERE component = $4 FOR SHARE),
moved AS (
    UPDATE {POSITION_TABLE} SET position = $1::bigint, updated_at = now() WHERE name = $2 AND position = $3 RETURNING 1
)
SELECT (SELECT version FROM version) AS version,
       (SELECT count(*) FROM moved) = 1 AND pg_notify($5, $1::bigint::text) IS NOT NULL AS moved
"""


class Projector:
    """Keeps the `rm_*` read models of one database in step with its event log.

    `Projector(address.asyncpg_args())` or `Projector("postgresql://...")`; then
    `await projector.run(stop_event)` to follow the log until `stop_event` is set, or
    `await projector.catch_up()` once (raises `ProjectorBusy` when another one is active).
    `on_commit(position)` is called after each committed batch, `on_projected(types)` with the type
    names of its events (a projector process counts them for the metrics).
    """

    def __init__(
        self,
        connect_args: ConnectArgs,
        *,
        batch_size: int = 2000,
        poll_interval: float = 1.0,
        standby_interval: float = 0.5,
        cache_size: int = 5000,
        on_commit: Callable[[int], None] | None = None,
        on_projected: Callable[[list[str]], None] | None = None,
        pause_before_commit: float = 0.0,
        read_model_version: int | None = None,
        hand_over: Callable[[], bool] | None = None,
        linger: float = LINGER,
    ) -> None:
        self.connect_args = connect_args
        #: seconds between the starts of two batches at least, while commits keep coming (see LINGER)
        self.linger = linger
        self._last_batch = -1.0
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.standby_interval = standby_interval
        self.cache_size = cache_size
        self.on_commit = on_commit
        self.on_projected = on_projected
        #: seconds to wait inside each batch's transaction (tests use it to crash mid-batch)
        self.pause_before_commit = pause_before_commit
        #: the read models' version this code writes; if the database's is newer, stop projecting
        self.read_model_version = read_model_version
        #: asked at most every HAND_OVER_CHECK seconds while active: whether a projector that should
        #: project instead stands by (a web worker's, when `serve`'s projector process is back after
        #: a crash); if so this one lets the lock go and waits HAND_OVER_WAIT before trying again
        self.hand_over = hand_over
        self._asked = 0.0
        self.decoder = Decoder()
        #: every meeting's date by log position (the reporting axis), loaded with the first batch
        self.meetings: MeetingDates | None = None
        self.cache: OrderedDict[UUID, StreamTimeline] = OrderedDict()
        self.active = False
        self.position = 0

    # -- public ---------------------------------------------------------------------------

    async def catch_up(self) -> int:
        """Project everything in the log now; returns the position reached."""
        conn = await connect(self.connect_args)
        try:
            await create_tables(conn)
            if not await conn.fetchval("SELECT pg_try_advisory_lock($1)", PROJECTOR_LOCK):
                raise ProjectorBusy("another projector is active on this database")
            try:
                reached = await self._catch_up(conn)
                return self.position if reached is None else reached
            finally:
                await conn.execute("SELECT pg_advisory_unlock($1)", PROJECTOR_LOCK)
        finally:
            await conn.close()

    async def run(self, stop: asyncio.Event) -> None:
        """Follow the log until `stop` is set: standby until the lock is ours, then project."""
        while not stop.is_set():
            try:
                if await self._session(stop):
                    await _sleep_unless(stop, HAND_OVER_WAIT)
            except ReadModelsNewer as error:
                log.error("projector: %s; this instance no longer projects (upgrade and restart it)", error)
                self.active = False
                return
            except Exception as error:
                if isinstance(error, (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, ProjectorBusy)):
                    log.warning("projector: %s; reconnecting", error)
                else:
                    # e.g. asyncpg's InternalClientError when the connection died mid-statement: never
                    # let the task end (nothing would project again until a restart); start afresh.
                    log.exception("projector: unexpected failure; reconnecting")
                self.cache.clear()
                self.active = False
                await _sleep_unless(stop, self.standby_interval)

    # -- internals ------------------------------------------------------------------------

    async def _session(self, stop: asyncio.Event) -> bool:
        """One connection's turn: stand by, then project until `stop`; True when it ended by
        handing over (see `hand_over`)."""
        conn = await connect(self.connect_args)
        try:
            await create_tables(conn)
            while not await conn.fetchval("SELECT pg_try_advisory_lock($1)", PROJECTOR_LOCK):
                if await _sleep_unless(stop, self.standby_interval):
                    return False
            await self._check_version(conn)
            # The read models are a function of the log, and each batch commits its rows with the
            # position it reached: a batch that a crash of PostgreSQL loses is lost whole and is
            # projected again from the log. So a batch need not wait for its WAL to reach the disk.
            # At one writer every commit heard is a batch of one, and waiting doubled the fsyncs
            # the writer's commits queue behind (one writer, projector in its own process: 676 ->
            # 862 commits/s). Read-your-writes still waits for the batch's commit (its notice).
            await conn.execute("SET synchronous_commit = off")
            self.active = True
            self.cache.clear()
            log.info("projector: active")
            wake = asyncio.Event()

            def heard(*_: object) -> None:
                wake.set()

            await conn.add_listener(EVENTS_CHANNEL, heard)
            position: int | None = None  # read from the database once; then this session's own
            while not stop.is_set():
                wait = self._last_batch + self.linger - time.monotonic()
                if wait > 0 and await _sleep_unless(stop, wait):
                    break
                wake.clear()
                self._last_batch = time.monotonic()
                position = await self._catch_up(conn, position)
                if self._hands_over():
                    log.info("projector: handing over to the projector standing by for it")
                    return True
                waiters = [asyncio.ensure_future(wake.wait()), asyncio.ensure_future(stop.wait())]
                await asyncio.wait(waiters, timeout=self.poll_interval, return_when=asyncio.FIRST_COMPLETED)
                for waiter in waiters:
                    waiter.cancel()
            return False
        finally:
            self.active = False
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.close(), 2)
            if not conn.is_closed():
                conn.terminate()  # a connection in a confused state may still hold the lock: drop it

    def _hands_over(self) -> bool:
        if self.hand_over is None:
            return False
        now = time.monotonic()
        if now - self._asked < HAND_OVER_CHECK:
            return False
        self._asked = now
        try:
            return bool(self.hand_over())
        except Exception:  # a question that fails is a no
            return False

    async def _catch_up(self, conn: asyncpg.Connection, known: int | None = None) -> int | None:
        """Project what the log holds past the position; returns the position reached (None while
        the log has no table yet). `known`: the position this session reached last time -- while
        the projector lock is held nobody else moves it, and each batch's update of it checks that
        (ProjectorBusy otherwise), so the two statements that read it and the log table's existence
        are asked once per session, not once per commit heard (at one writer, every commit)."""
        if known is None:
            position = await read_position(conn)
            if not await events_table_exists(conn):
                self.position = position
                return None
        else:
            position = known
        while True:
            reached, count = await self._batch(conn, position)
            position = reached
            self.position = position
            if count < self.batch_size:
                return position

    async def _batch(self, conn: asyncpg.Connection, position: int) -> tuple[int, int]:
        rows = await conn.fetch(SELECT_EVENTS, position, self.batch_size)
        if not rows:
            return position, 0
        last = int(rows[-1]["notification_id"])
        decoded = [d for r in rows if (d := self.decoder.decode(r[0], r[1], r[2], r[3], r[4])) is not None]
        try:
            meetings = self.meetings
            if meetings is None:
                meetings = MeetingDates()
                await meetings.load(conn, self.decoder)
                self.meetings = meetings
            for item in decoded:
                meetings.observe(item)
            timelines = await self._timelines(conn, decoded, position)
            events: list[EventRecord] = []
            for item in decoded:
                timeline = timelines.get(item.stream_id)
                reported = meetings.reported_on(item)
                if timeline is not None:
                    timeline.add(item.fact, reported)
                events.append(event_record(item, timeline, reported))
            inserts: list[RowVersion] = []
            closings: list[Closing] = []
            for stream_id in {d.stream_id for d in decoded}:
                timeline = timelines.get(stream_id)
                if timeline is not None:
                    flushed = timeline.flush()
                    inserts += flushed.rows
                    closings += flushed.closings
            async with conn.transaction():
                await close_rows(conn, closings)
                await copy_rows(conn, group_rows(inserts))
                await copy_events(conn, events)
                # one statement: the read models' version (FOR SHARE: a migrate's switch waits for
                # this commit, or this batch sees the switch and rolls back), the position moved
                # from where this batch began, and the notice to read-your-writes waiters (sent only
                # at commit, so never for a batch rolled back)
                version, moved = await conn.fetchrow(
                    FINISH_BATCH, last, PREFIX, position, READ_MODELS, PROJECTED_CHANNEL
                )
                if self.read_model_version is not None and version is not None and version > self.read_model_version:
                    raise ReadModelsNewer(
                        f"the read models are at version {version}, this code writes {self.read_model_version}"
                    )
                if not moved:
                    raise ProjectorBusy(f"the position moved under this projector (expected {position})")
                if self.pause_before_commit:
                    await asyncio.sleep(self.pause_before_commit)
        except BaseException:
            self.cache.clear()
            raise
        for stream_id, timeline in timelines.items():
            if len(timeline.facts) > TIMELINE_FACTS_KEPT:
                timeline.drop_history()
            self.cache[stream_id] = timeline
            self.cache.move_to_end(stream_id)
        while len(self.cache) > self.cache_size:
            self.cache.popitem(last=False)
        if self.on_commit is not None:
            self.on_commit(last)
        if self.on_projected is not None:
            self.on_projected([item.type_name for item in decoded])
        return last, len(rows)

    async def _check_version(self, conn: asyncpg.Connection) -> None:
        """Raise ReadModelsNewer if a migrate has moved the read models past this code. (FOR SHARE:
        a migrate's switch, which sets the version in its transaction, and this batch take turns.)"""
        if self.read_model_version is None:
            return
        found = await conn.fetchval(f"SELECT version FROM {SCHEMA_TABLE} WHERE component = $1 FOR SHARE", READ_MODELS)
        if found is not None and found > self.read_model_version:
            raise ReadModelsNewer(f"the read models are at version {found}, this code writes {self.read_model_version}")

    async def _timelines(
        self, conn: asyncpg.Connection, decoded: list[Decoded], position: int
    ) -> dict[UUID, StreamTimeline]:
        """The timeline of every stream in the batch: cached, or primed with its earlier facts."""
        timelines: dict[UUID, StreamTimeline] = {}
        missing: dict[UUID, list[Decoded]] = {}
        by_stream: dict[UUID, list[Decoded]] = {}
        for item in decoded:
            by_stream.setdefault(item.stream_id, []).append(item)
        for stream_id, items in by_stream.items():
            cached = self.cache.get(stream_id)
            if cached is not None and cached.history_dropped and cached.needs_history(self._taking(items)):
                del self.cache[stream_id]  # (it let its facts go: primed again from the log)
                cached = None
            if cached is not None:
                timelines[stream_id] = cached
            else:
                missing[stream_id] = items
        if not missing:
            return timelines
        prior: dict[UUID, list[Decoded]] = {}
        for r in await conn.fetch(SELECT_PRIOR, list(missing), position):
            d = self.decoder.decode(r[0], r[1], r[2], r[3], r[4])
            if d is not None:
                prior.setdefault(d.stream_id, []).append(d)
        for stream_id, items in missing.items():
            earlier = prior.get(stream_id, [])
            timeline = new_timeline(stream_id, [*earlier, *items])
            if timeline is None:
                continue
            if earlier:
                meetings = self.meetings or MeetingDates()
                timeline.prime([d.fact for d in earlier], [meetings.reported_on(d) for d in earlier])
            timelines[stream_id] = timeline
        return timelines

    def _taking(self, items: list[Decoded]) -> list[tuple[Fact, date]]:
        meetings = self.meetings or MeetingDates()
        return [(d.fact, meetings.reported_on(d)) for d in items]


async def _sleep_unless(stop: asyncio.Event, seconds: float) -> bool:
    """Sleep up to `seconds`; True when `stop` was set meanwhile."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
    return stop.is_set()
