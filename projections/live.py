"""Live event fan-out for one server process: GraphQL subscriptions and read-your-writes.

The projector (one active per database, possibly in another process) commits events into the
`rm_event` index and then sends `NOTIFY planledger_projected, '<position>'`. Every `rm_event` row
at or below the committed position is final. One `Broker` per server process follows that:

- `await broker.run(stop)` keeps one connection of its own that LISTENs on the channel, and polls
  the projected position every `poll_interval` seconds in case a notification is lost (or only
  polls, with `listen=False`, e.g. behind a transaction-pooling proxy). When the projected position
  moves, it fetches the new rows ONCE for the whole process (one statement for the events, one for
  the risk states of the batch's risk events) into a bounded in-memory ring buffer and wakes the
  subscribers. When the connection dies it reconnects with backoff (`retry_delay` doubling up to
  `max_retry_delay`), re-reads the projected position and fetches what it missed. When `stop` is
  set, every subscription ends.
- `broker.position` is the projected position known here; `await broker.wait_for(p, timeout)` is
  True as soon as it is at least `p` (read-your-writes: the read models then include `p`).
- `broker.subscribe(after, accept)` returns an async generator (`aclose()` it when done) of
  `EventRow`s, in log order, each exactly once, those for which `accept(row)` is true. With
  `after` (a position), it first replays what came after it, then goes live with no gap and no
  duplicate at the switch; with `after=None` it starts at the projected position known when
  `subscribe` is called. A subscriber holds only a cursor (its last position) into the shared
  buffer: there is no queue per subscriber, so memory stays bounded and a slow consumer delays
  nobody. One that falls behind the buffer (or starts before it) reads its own catch-up pages from
  `rm_event` with a pool connection, then rejoins the buffer; it retries with backoff while the
  database is away, and misses nothing.

The buffer holds every event with position in (`floor`, `tip`]: `tip` is the position up to which
rows were fetched, `floor` the position of the newest event dropped from it (or where it began).

Wiring (in the app's lifespan): `broker = Broker(address.asyncpg_args(), pool)`, run
`broker.run(stop)` as a task beside the projector's, and hand `broker.wait_for` / `broker` to the
GraphQL context.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncGenerator, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

import asyncpg

from projections.errors import DATABASE_ERRORS
from projections.schema import EVENT_NAMES, POSITION_TABLE, PREFIX, PROJECTED_CHANNEL, RISK

log = logging.getLogger(__name__)

RISK_TYPES = frozenset({"Activity.RiskNoted", "Activity.RiskReassessed", "Activity.RiskClosed"})
APPLICATION_NAME = "planledger-broker"
#: errors that mean "the database is away (for now)"; asyncpg raises InternalClientError ("cannot
#: switch to state …") on a connection the server closed mid-statement as it shut down

SELECT_EVENTS = (
    f"SELECT {', '.join(EVENT_NAMES)} FROM {PREFIX}event WHERE position > $1 AND position <= $2 "
    "ORDER BY position LIMIT $3"
)
# The risk right after each event: the row of that activity and risk valid at the event's effective
# date, as known at its recorded time (the AS_OF of projections/queries/rows.py), one statement per batch.
SELECT_RISKS = (
    "SELECT k.position AS event_position, r.* FROM unnest($1::bigint[], $2::uuid[], $3::text[], $4::date[], "
    "$5::timestamptz[]) AS k(position, stream_id, risk_id, on_date, known_at) "
    f"CROSS JOIN LATERAL (SELECT * FROM {RISK.table(PREFIX)} x WHERE x.stream_id = k.stream_id "
    "AND x.risk_id = k.risk_id AND x.valid_from <= k.on_date AND k.on_date < x.valid_to "
    "AND x.recorded_from <= k.known_at AND k.known_at < x.recorded_to AND x.reported_to > '9999-12-30'::date "
    "LIMIT 1) r"
)
SELECT_POSITION = f"SELECT position FROM {POSITION_TABLE} WHERE name = $1"
RISK_HIDDEN = frozenset(
    {
        "event_position",
        "stream_id",
        "valid_from",
        "valid_to",
        "reported_from",
        "reported_to",
        "recorded_from",
        "recorded_to",
    }
)


@dataclass(frozen=True, slots=True)
class EventRow:
    """One projected event: the `rm_event` columns (payload decoded from JSON), and for risk events
    (`RISK_TYPES`) the risk as it stood right after the event: its `rm_risk` row valid at
    `effective_on`, as known at `recorded_at` (risk_id, title, likelihood, impact, score, level,
    level_rank, owner, mitigation, review_on, noted_on, status, closed_on, plan_id, activity_id);
    None for other events, or if no such row exists."""

    position: int
    stream_id: UUID
    version: int
    stream_kind: str
    type: str
    plan_id: UUID | None
    meeting_id: str | None
    actor: str
    effective_on: date
    recorded_at: datetime
    #: the date the committee was told (projections/reported.py)
    reported_on: date | None
    reason: str | None
    corrects: int | None
    void: bool | None
    payload: dict[str, Any] | None
    risk: dict[str, Any] | None = None


def _decoded(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    if isinstance(value, str):
        loaded: dict[str, Any] = json.loads(value)
        return loaded
    return dict(value)


async def fetch_events(
    conn: asyncpg.Connection, after: int, upto: int, limit: int, timeout: float | None = None
) -> list[EventRow]:
    """The events with `after < position <= upto`, in log order, at most `limit`, risk events with
    their risk (two statements whatever the number of rows)."""
    records = await conn.fetch(SELECT_EVENTS, after, upto, limit, timeout=timeout)
    rows = [
        EventRow(**{name: r[name] for name in EVENT_NAMES if name != "payload"}, payload=_decoded(r["payload"]))
        for r in records
    ]
    wanted = [
        (r.position, r.stream_id, str(r.payload["risk_id"]), r.effective_on, r.recorded_at)
        for r in rows
        if r.type in RISK_TYPES and r.payload and r.payload.get("risk_id")
    ]
    if not wanted:
        return rows
    found = await conn.fetch(SELECT_RISKS, *(list(column) for column in zip(*wanted, strict=True)), timeout=timeout)
    risks: dict[int, dict[str, Any]] = {}
    for f in found:
        risk = {k: v for k, v in f.items() if k not in RISK_HIDDEN}
        risk["activity_id"] = f["stream_id"]
        risks[int(f["event_position"])] = risk
    return [EventRow(**_fields(r), risk=risks.get(r.position)) if r.position in risks else r for r in rows]


def _fields(row: EventRow) -> dict[str, Any]:
    return {name: getattr(row, name) for name in EVENT_NAMES}


async def projected_position(conn: asyncpg.Connection, timeout: float | None = None) -> int:
    """The committed projection position (0 before the projector has created its tables)."""
    try:
        value = await conn.fetchval(SELECT_POSITION, PREFIX, timeout=timeout)
    except asyncpg.UndefinedTableError:
        return 0
    return int(value or 0)


class Broker:
    """Fans projected events out to the subscriptions of one process; see the module docstring."""

    def __init__(
        self,
        connect_args: Mapping[str, Any],
        pool: asyncpg.Pool,
        buffer_size: int = 10_000,
        *,
        poll_interval: float = 1.0,
        page_size: int = 1000,
        retry_delay: float = 0.1,
        max_retry_delay: float = 5.0,
        statement_timeout: float = 10.0,
        listen: bool = True,
    ) -> None:
        if buffer_size < 1:
            raise ValueError("buffer_size must be at least 1")
        self.connect_args = dict(connect_args)
        self.pool = pool
        self.buffer_size = buffer_size
        self.poll_interval = poll_interval
        self.page_size = page_size
        #: called with each batch of newly projected events (metrics count them by type)
        self.on_events: Callable[[Sequence[EventRow]], None] | None = None
        #: whether `on_events` wants the rows now (the metrics count only where the active
        #: projector runs); with no subscription open either, the rows are not fetched at all
        self.counts_events: Callable[[], bool] = lambda: self.on_events is not None
        self.retry_delay = retry_delay
        self.max_retry_delay = max_retry_delay
        self.statement_timeout = statement_timeout
        self.listen = listen
        #: sessions opened so far (1 + reconnects)
        self.connects = 0
        self._position = 0  # the projected position known here
        self._ready = False  # the first session has read the projected position
        self._closed = False
        # the ring: sequence numbers [_first, _next) are kept at _ring[seq % buffer_size]
        self._ring: list[EventRow | None] = [None] * buffer_size
        self._first = 0
        self._next = 0
        self._floor = 0
        self._tip = 0
        self._followers: set[_Follower] = set()
        self._kick = asyncio.Event()  # the position moved or the connection died: the run loop looks
        self._moved = asyncio.Event()  # replaced each time the position moves (wait_for)
        self._grown = asyncio.Event()  # replaced each time rows are added or the broker closes (subscribers)

    # -- public ---------------------------------------------------------------------------------

    @property
    def position(self) -> int:
        """The projected position known here (0 until the first connection)."""
        return self._position

    @property
    def ready(self) -> bool:
        return self._ready

    @property
    def subscribers(self) -> int:
        """Subscriptions currently iterating."""
        return len(self._followers)

    def queue_depths(self) -> list[int]:
        """For each open subscription, how far it is behind: the positions between the last event
        it has read (delivered or filtered out) and the newest one fetched here. Positions have
        gaps only where a write was rolled back, so this is (at most) the events still to read."""
        tip = self._tip
        return [max(0, tip - f.cursor) for f in self._followers]

    @property
    def buffered(self) -> tuple[int, int, int]:
        """(number of events in the buffer, floor, tip)."""
        return self._next - self._first, self._floor, self._tip

    async def wait_for(self, position: int, timeout: float) -> bool:
        """True once the projected position is at least `position`; False after `timeout` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self._position < position:
            remaining = deadline - loop.time()
            if remaining <= 0 or self._closed:
                return False
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._moved.wait(), remaining)
        return True

    def subscribe(self, after: int | None, accept: Callable[[EventRow], bool]) -> AsyncGenerator[EventRow, None]:
        """Events after position `after` (None: after the projected position known now) for which
        `accept(row)` holds, in log order, each once, first replayed then live."""
        start = after if after is not None else (self._position if self._ready else None)
        return self._follow(start, accept)

    async def run(self, stop: asyncio.Event) -> None:
        """Follow the projected position until `stop` is set: LISTEN, poll, reconnect with backoff."""
        delay = self.retry_delay
        try:
            while not stop.is_set():
                connects = self.connects
                try:
                    await self._session(stop)
                except Exception as error:
                    if self.connects > connects:
                        delay = self.retry_delay  # it was connected: back off afresh
                    if isinstance(error, DATABASE_ERRORS):
                        log.warning("broker: %s: %s; reconnecting in %.1fs", type(error).__name__, error, delay)
                    else:
                        log.exception("broker: unexpected failure; restarting in %.1fs", delay)
                    if await _sleep_unless(stop, delay):
                        break
                    delay = min(delay * 2, self.max_retry_delay)
        finally:
            self._closed = True
            self._wake_subscribers()
            self._moved.set()

    # -- the run loop -----------------------------------------------------------------------------

    async def _session(self, stop: asyncio.Event) -> None:
        args = dict(self.connect_args)
        settings = dict(args.pop("server_settings", None) or {})
        settings.setdefault("application_name", APPLICATION_NAME)
        conn = await asyncio.wait_for(asyncpg.connect(**args, server_settings=settings), self.statement_timeout)
        self.connects += 1
        try:
            conn.add_termination_listener(lambda _c: self._kick.set())
            if self.listen:
                await conn.add_listener(PROJECTED_CHANNEL, self._heard)
            # LISTEN first, then read: nothing committed in between can go unheard.
            position = await projected_position(conn, self.statement_timeout)
            self._start(position)
            log.info("broker: connected at position %d", position)
            while not stop.is_set():
                self._kick.clear()
                await self._fetch(conn)
                if conn.is_closed():
                    raise ConnectionResetError("the broker's connection was closed")
                waiters = [asyncio.ensure_future(self._kick.wait()), asyncio.ensure_future(stop.wait())]
                try:
                    done, _pending = await asyncio.wait(
                        waiters, timeout=self.poll_interval, return_when=asyncio.FIRST_COMPLETED
                    )
                finally:
                    for waiter in waiters:
                        waiter.cancel()
                if not done and not stop.is_set():
                    # nothing heard for a while: poll (a notification may be lost; the connection may be dead)
                    self._advance(await projected_position(conn, self.statement_timeout))
        finally:
            with contextlib.suppress(*DATABASE_ERRORS):
                await asyncio.wait_for(conn.close(), 2)
            if not conn.is_closed():
                conn.terminate()

    def _heard(self, _conn: object, _pid: int, _channel: str, payload: str) -> None:
        try:
            position = int(payload)
        except ValueError:
            log.warning("broker: ignoring notification %r", payload)
            return
        self._advance(position)

    def _advance(self, position: int) -> None:
        if position > self._position:
            self._position = position
            moved, self._moved = self._moved, asyncio.Event()
            moved.set()
            self._kick.set()

    def _start(self, position: int) -> None:
        """A session began at projected `position`."""
        if not self._ready:
            self._floor = self._tip = position
            self._ready = True
            self._advance(position)
            self._wake_subscribers()
            return
        if position < self._tip:
            # The read models went back (a restored database): start the buffer afresh there.
            log.warning("broker: the projected position went back from %d to %d", self._tip, position)
            self._ring = [None] * self.buffer_size
            self._first = self._next
            self._floor = self._tip = self._position = position
            self._wake_subscribers()
        self._advance(position)
        self._kick.set()

    async def _fetch(self, conn: asyncpg.Connection) -> None:
        """Fetch every row up to the projected position known here into the buffer, page by page.

        Nobody to read them (no subscription open, nothing counted here): the buffer starts afresh
        at the position instead, as after a restore. A write then costs this process no round trip
        (and PostgreSQL no query): a server with no subscriber fetched every event it had just
        written, 5% of its CPU under one writer (py-spy, 2026-12-04). A subscription that comes later
        starts at the position, or reads what it asks for before it from the database."""
        if not self._followers and self._tip < self._position and not self.counts_events():
            self._ring = [None] * self.buffer_size if self._next > self._first else self._ring
            self._first = self._next
            self._floor = self._tip = self._position
            return
        while self._tip < self._position:
            upto = self._position
            rows = await fetch_events(conn, self._tip, upto, self.page_size, self.statement_timeout)
            reached = upto if len(rows) < self.page_size else rows[-1].position
            self._append(rows, reached)

    def _append(self, rows: Sequence[EventRow], tip: int) -> None:
        size = self.buffer_size
        for row in rows:
            if self._next - self._first == size:
                dropped = self._ring[self._first % size]
                assert dropped is not None
                self._floor = dropped.position
                self._first += 1
            self._ring[self._next % size] = row
            self._next += 1
        self._tip = max(self._tip, tip)
        if self.on_events is not None and rows:
            self.on_events(rows)
        self._wake_subscribers()

    def _wake_subscribers(self) -> None:
        grown, self._grown = self._grown, asyncio.Event()
        grown.set()

    # -- subscribers -----------------------------------------------------------------------------

    def _seq_after(self, position: int) -> int:
        """The sequence number of the first buffered event after `position` (`_next` if none)."""
        low, high = self._first, self._next
        while low < high:
            middle = (low + high) // 2
            row = self._ring[middle % self.buffer_size]
            assert row is not None
            if row.position <= position:
                low = middle + 1
            else:
                high = middle
        return low

    async def _start_position(self) -> int | None:
        """The projected position now, for a subscriber that came before the broker's first session."""
        try:
            async with self.pool.acquire(timeout=self.statement_timeout) as conn:
                return await projected_position(conn, self.statement_timeout)
        except DATABASE_ERRORS:
            return None

    async def _follow(self, start: int | None, accept: Callable[[EventRow], bool]) -> AsyncGenerator[EventRow, None]:
        follower = _Follower(self._tip)
        self._followers.add(follower)
        try:
            if start is None:
                start = await self._start_position()
            while not self._ready and not self._closed:
                await self._grown.wait()
            cursor = self._position if start is None else start
            follower.cursor = cursor
            seq: int | None = None
            delay = self.retry_delay
            streak = 0
            while not self._closed:
                grown = self._grown
                if seq is not None and seq < self._first:
                    seq = None  # fell behind the buffer
                if seq is None and cursor < self._floor:
                    # Behind the buffer: a catch-up page of our own from the database.
                    upto = self._tip
                    try:
                        async with self.pool.acquire(timeout=self.statement_timeout) as conn:
                            rows = await fetch_events(conn, cursor, upto, self.page_size, self.statement_timeout)
                    except DATABASE_ERRORS as error:
                        log.info("broker: subscriber catch-up failed (%s); retrying in %.1fs", error, delay)
                        await asyncio.sleep(delay)
                        delay = min(delay * 2, self.max_retry_delay)
                        continue
                    delay = self.retry_delay
                    for row in rows:
                        cursor = follower.cursor = row.position
                        if accept(row):
                            yield row
                    if len(rows) < self.page_size:
                        cursor = follower.cursor = max(cursor, upto)
                    continue
                if seq is None:
                    seq = self._seq_after(cursor)
                # From the buffer: stop when we are evicted, and let others run now and then.
                while seq < self._next and seq >= self._first:
                    kept = self._ring[seq % self.buffer_size]
                    assert kept is not None
                    seq += 1
                    if kept.position <= cursor:
                        continue
                    cursor = follower.cursor = kept.position
                    if accept(kept):
                        yield kept
                        streak += 1
                    if streak >= 200:
                        streak = 0
                        await asyncio.sleep(0)
                if seq < self._first:
                    continue
                cursor = follower.cursor = max(cursor, self._tip)
                if grown is self._grown:
                    await grown.wait()
        finally:
            self._followers.discard(follower)


class _Follower:
    """An open subscription's place in the log (the last position it has read)."""

    __slots__ = ("cursor",)

    def __init__(self, cursor: int) -> None:
        self.cursor = cursor


async def _sleep_unless(stop: asyncio.Event, seconds: float) -> bool:
    """Sleep up to `seconds`; True when `stop` was set meanwhile."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
    return stop.is_set()
