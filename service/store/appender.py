"""Appending events on the event loop: group commit over asyncpg, without a thread hop.

The store's recorder (`service.store.recorder`) is psycopg's, synchronous: a command reaching it
from a request went through `asyncio.to_thread`, a condition variable of the thread-side group
commit and psycopg's cursor machinery. Profiled under one writer (py-spy, 2026-12-03), the thread
hop and psycopg were a third of the server's time for a mutation that PostgreSQL answers in
0.26 ms. This appender calls the same database function (`es_insert_events_uuid`: the table lock
that keeps commits in log order, the notice, the insert) with asyncpg from the event loop.

Group commit as in `service.store.group_commit`, on the loop: the first append commits at once;
appends arriving while a commit is in flight queue up, and the next commit takes all of them, in one
statement, one transaction, one flush. Two appends of one stream share a batch only as a chain:
the later decided on top of the earlier (`Append.after`), in that order. (Without chains, 16
writers on 4 activities committed at most 4 appends a transaction, four times the commits of 16
writers on 16 activities: 2,136 against 3,233 commits/s at 1M events, 2026-12-05.) A batch
refused as a whole (a stream written meanwhile by another process, an idempotency key raced) is
saved again one by one, so only the appends that really collided hear `IntegrityError`, and an
append chained to one of them fails unsent. A commit runs in a task of its own: a caller that stops
waiting (its request's write timeout) leaves it to finish for the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from uuid import UUID

import asyncpg
from eventsourcing.persistence import IntegrityError, StoredEvent

log = logging.getLogger(__name__)

#: appends per transaction at most (as the thread side's group commit)
MAX_BATCH = 256
#: seconds a statement may take before the append fails (a frozen database: the request's own
#: write timeout answers first; this frees the connection for when it thaws)
STATEMENT_TIMEOUT = 30.0
#: connections for the idempotency-key lookups (the commits have one of their own)
POOL_SIZE = 4
#: seconds to wait for a connection
CONNECT_TIMEOUT = 5.0

#: what a lost or unreachable database raises through asyncpg
CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.CannotConnectNowError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    TimeoutError,
)


class StoreLost(Exception):
    """The database could not be reached (`unreachable`: nothing was sent), or the connection was
    lost during an append: the events may or may not have been recorded then (the caller's
    idempotency key tells, on a retry)."""

    def __init__(self, message: str, *, unreachable: bool = False) -> None:
        super().__init__(message)
        self.unreachable = unreachable


class _ConnectFailed(ConnectionError):
    """No connection could be made (so no statement was sent)."""


class Append:
    """One queued append. `after`: the append of the same stream it was decided on top of (not
    saved yet when it was queued); if that one is not saved, neither is this (its versions would
    leave a gap). `settled(ids or None)` runs the moment the outcome is known, before any later
    append of the stream is sent (the ledger's cache follows the commits in their order)."""

    __slots__ = ("after", "chained", "done", "events", "ids", "settled")

    def __init__(
        self,
        events: Sequence[StoredEvent],
        loop: asyncio.AbstractEventLoop,
        after: Append | None = None,
        settled: Callable[[list[int] | None], None] | None = None,
    ) -> None:
        self.events = events
        self.ids: set[Any] = {e.originator_id for e in events}
        self.done: asyncio.Future[list[int]] = loop.create_future()
        self.after = after
        #: sent in the same batch as `after` (`Appender._take`): saved only if that one is
        self.chained = False
        self.settled = settled

    def saved(self, ids: list[int]) -> None:
        self.done.set_result(ids)
        self._settle(ids)

    def failed(self, error: BaseException) -> None:
        self.done.set_exception(error)
        self._settle(None)

    def _settle(self, ids: list[int] | None) -> None:
        if self.settled is not None:
            try:
                self.settled(ids)
            except Exception:  # (the appends after it must not hear of it)
                log.exception("appender: a settled callback failed")

    def unsaved_before(self) -> bool:
        """Was the append this one was decided on top of not saved? (`after` is dropped here: a
        stream written without pause would otherwise keep a chain of every append alive.)"""
        after, self.after = self.after, None
        if after is None:
            return False
        done = after.done
        return not done.done() or done.cancelled() or done.exception() is not None


class Appender:
    """`await append(stored_events) -> notification ids`, batched with the appends of other
    requests of this event loop. Made and closed on the loop it serves."""

    def __init__(self, connect_args: Mapping[str, Any], function: str, table: str, max_batch: int = MAX_BATCH) -> None:
        self._args = dict(connect_args)
        self._statement = f"SELECT * FROM {function}($1)"
        self._select = (
            f"SELECT originator_id, originator_version, topic, state FROM {table} "
            "WHERE originator_id = ANY($1) ORDER BY originator_id, originator_version"
        )
        self._max_batch = max_batch
        self._pool: asyncpg.Pool | None = None
        self._writer: asyncpg.Connection | None = None
        self._queue: list[Append] = []
        self._committer: asyncio.Task[None] | None = None
        #: transactions and appends saved (batches of one included), batches split
        self.transactions = 0
        self.appends = 0
        self.split = 0
        #: appends queued on top of an earlier append of their stream not committed yet, and those
        #: of them failed unsent because that earlier one was not saved
        self.pipelined = 0
        self.dropped = 0

    async def append(self, events: Sequence[StoredEvent]) -> list[int]:
        return await self.wait(self.enqueue(events))

    def enqueue(
        self,
        events: Sequence[StoredEvent],
        *,
        after: Append | None = None,
        settled: Callable[[list[int] | None], None] | None = None,
    ) -> Append:
        """Queue an append (for the commit in flight's successor, or a commit now); see `Append`."""
        loop = asyncio.get_running_loop()
        entry = Append(events, loop, after, settled)
        if after is not None:
            self.pipelined += 1
        self._queue.append(entry)
        if self._committer is None or self._committer.done():
            self._committer = loop.create_task(self._commit_queued())
        return entry

    @staticmethod
    async def wait(entry: Append) -> list[int]:
        """The notification ids of a queued append once committed; its error otherwise."""
        # the commit goes on for the others if this caller stops waiting
        return await asyncio.shield(entry.done)

    async def close(self) -> None:
        if self._committer is not None:
            with contextlib.suppress(BaseException):
                await asyncio.wait_for(asyncio.shield(self._committer), 5)
        pool, self._pool = self._pool, None
        writer, self._writer = self._writer, None
        if writer is not None:
            with contextlib.suppress(BaseException):
                await asyncio.wait_for(writer.close(), 2)
            writer.terminate()
        if pool is not None:
            with contextlib.suppress(BaseException):
                await asyncio.wait_for(pool.close(), 2)
            pool.terminate()

    async def select_streams(self, stream_ids: Sequence[UUID]) -> list[StoredEvent]:
        """The events of these streams, each stream's in version order, in one round trip."""
        try:
            pool = await self._connected()
            async with pool.acquire(timeout=CONNECT_TIMEOUT) as conn:
                rows = await conn.fetch(self._select, list(stream_ids), timeout=STATEMENT_TIMEOUT)
        except CONNECTION_ERRORS as error:
            raise StoreLost(_first_line(error)) from None
        return [StoredEvent(r[0], r[1], r[2], bytes(r[3])) for r in rows]

    async def _connected(self) -> asyncpg.Pool:
        if self._pool is None:
            self._pool = await asyncpg.create_pool(
                min_size=0, max_size=POOL_SIZE, timeout=CONNECT_TIMEOUT, **self._args
            )
        return self._pool

    async def _commit_queued(self) -> None:
        while self._queue:
            batch = self._take()
            try:
                await self._commit(batch)
            except Exception as error:  # the statement failed otherwise (a lock timeout, …): this
                # batch hears it, the queue goes on (nothing else would commit it)
                log.warning("appender: a commit failed: %r", error)
                for entry in batch:
                    if not entry.done.done():
                        entry.failed(StoreLost(f"the append failed: {_first_line(error)}"))
            except BaseException as error:  # the loop is closing: nobody is left waiting
                for entry in [*batch, *self._queue]:
                    if not entry.done.done():
                        entry.failed(StoreLost(f"the append was interrupted: {error!r}"))
                self._queue = []
                raise

    def _take(self) -> list[Append]:
        """The next batch: the queued appends in their order, up to `max_batch`, where one that
        shares a stream with an earlier one of the batch is taken only chained to it (decided on top
        of the latest of the batch on each stream it shares); anything else waits for the next
        commit, and so does an append whose earlier one waits. Less the appends decided on top of
        one that was not saved: those fail at once, unsent (an append waits behind its stream's
        earlier one, so that one's outcome is known here)."""
        batch: list[Append] = []
        kept: list[Append] = []
        waiting: set[Append] = set()  # (kept, by identity)
        taken: set[Append] = set()
        latest: dict[Any, Append] = {}  # stream -> the batch's latest append on it
        for entry in self._queue:
            after = entry.after
            chained = after is not None and after in taken
            shared = [latest[stream] for stream in entry.ids if stream in latest]
            if (
                len(batch) >= self._max_batch
                or (after is not None and after in waiting)
                or (shared and not (chained and all(a is after for a in shared)))
            ):
                kept.append(entry)
                waiting.add(entry)
                continue
            entry.chained = chained
            if not chained and entry.unsaved_before():
                self._drop(entry)
                continue
            batch.append(entry)
            taken.add(entry)
            for stream in entry.ids:
                latest[stream] = entry
        self._queue = kept
        return batch

    def _drop(self, entry: Append) -> None:
        """Fail an append unsent: it was decided on an earlier one of its stream that was not saved."""
        self.dropped += 1
        entry.failed(IntegrityError("decided on an earlier append of the stream that was not saved"))

    async def _commit(self, batch: list[Append]) -> None:
        if not batch:
            return
        try:
            if len(batch) == 1:
                await self._alone(batch[0])
                return
            try:
                ids = await self._insert([e for entry in batch for e in entry.events])
            except asyncpg.UniqueViolationError:
                self.split += 1
                for entry in batch:
                    if entry.chained and entry.unsaved_before():  # (its earlier one collided)
                        self._drop(entry)
                    else:
                        await self._alone(entry)
                return
            self.transactions += 1
            self.appends += len(batch)
            start = 0
            for entry in batch:
                end = start + len(entry.events)
                entry.after = None
                entry.saved(ids[start:end])
                start = end
        except CONNECTION_ERRORS as error:
            # The store is away: this batch and everything queued behind it hear it now, rather
            # than each waiting through its own attempt.
            lost = StoreLost(_first_line(error), unreachable=isinstance(error, _ConnectFailed))
            for entry in [*batch, *self._queue]:
                if not entry.done.done():
                    entry.failed(lost)
            self._queue = []

    async def _alone(self, entry: Append) -> None:
        try:
            ids = await self._insert(list(entry.events))
        except asyncpg.UniqueViolationError as refused:  # this append's own collision
            entry.failed(IntegrityError(str(refused)))
            return
        self.transactions += 1
        self.appends += 1
        entry.saved(ids)

    async def _insert(self, events: list[StoredEvent]) -> list[int]:
        writer = self._writer
        if writer is None or writer.is_closed():
            # the committer's own connection, kept (not a pool's: its release resets a
            # connection, one more round trip per commit)
            try:
                writer = self._writer = await asyncpg.connect(**self._args, timeout=CONNECT_TIMEOUT)
            except CONNECTION_ERRORS as error:
                raise _ConnectFailed(_first_line(error)) from error
        try:
            rows = await writer.fetch(
                self._statement,
                [(e.originator_id, e.originator_version, e.topic, e.state) for e in events],
                timeout=STATEMENT_TIMEOUT,
            )
        except CONNECTION_ERRORS:
            self._writer = None
            writer.terminate()
            raise
        return [row[0] for row in rows]


def _first_line(error: BaseException) -> str:
    text = str(error)
    return text.splitlines()[0] if text else type(error).__name__
