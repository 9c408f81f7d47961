"""Group commit: the new events of commands that arrive together are saved in one transaction.

Each save of the event store takes the events table's lock (commits must become visible in log
order, see `service.store.recorder`) and waits for its commit to reach disk. Saved one by one,
concurrent commands queue on that lock and each pays a flush of its own. Here the first command
to arrive commits at once (a lone writer waits for nobody); commands arriving while a commit is in
flight queue up, and the next of them commits everything queued, in one transaction, one lock,
one flush. Each command still gets exactly its own outcome: its recordings, or its own error.

A batch never holds two commands on the same stream (the later one waits for the next batch, so
it is decided on the state the earlier one left). If a batch is refused as a whole (a stream was
written by another process meanwhile, an idempotency key raced), its commands are saved again
one by one, so only the ones that really collided see the conflict. If the store cannot be reached,
the batch and every command queued behind it fail at once with the store's error (otherwise each
batch in turn would sit through the store's own retries, seconds each, before hearing it).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Protocol, TypeVar
from uuid import UUID

from eventsourcing.application import ProcessingEvent
from eventsourcing.persistence import IntegrityError, Recording

Record = Callable[[ProcessingEvent[UUID]], list[Recording[UUID]]]

#: commands per transaction at most
MAX_BATCH = 256


class Queued(Protocol):
    """A queued save: the streams it writes."""

    ids: set[Any]


Q = TypeVar("Q", bound=Queued)


def take_batch(queue: list[Q], max_batch: int) -> tuple[list[Q], list[Q]]:
    """The queued saves that can share a transaction, oldest first, never two on one stream (the
    later waits for the next batch, to be decided on the state the earlier left); and the rest."""
    batch: list[Q] = []
    kept: list[Q] = []
    streams: set[Any] = set()
    for entry in queue:
        if len(batch) < max_batch and not (entry.ids & streams):
            batch.append(entry)
            streams |= entry.ids
        else:
            kept.append(entry)
    return batch, kept


class _Entry:
    """One command's new events, waiting to be saved."""

    __slots__ = ("error", "event", "ids", "recordings")

    def __init__(self, objs: tuple[Any, ...]) -> None:
        self.event: ProcessingEvent[UUID] = ProcessingEvent()
        self.event.collect_events(*objs)
        self.ids = set(self.event.aggregates) | {e.originator_id for e in self.event.events}
        self.recordings: list[Recording[UUID]] | None = None
        self.error: BaseException | None = None

    @property
    def done(self) -> bool:
        return self.recordings is not None or self.error is not None

    def outcome(self) -> list[Recording[UUID]]:
        if self.error is not None:
            raise self.error
        assert self.recordings is not None
        return self.recordings


class GroupCommit:
    """`save(*aggregates)` like `Application.save`, batched with the saves of other threads."""

    def __init__(self, record: Record, max_batch: int = MAX_BATCH) -> None:
        self._record = record
        self._max_batch = max_batch
        self._changed = threading.Condition()
        self._queue: list[_Entry] = []
        self._committing = False
        #: transactions and commands saved (batches of one included), for the curious
        self.transactions = 0
        self.commands = 0
        #: batches refused as a whole and saved again one by one
        self.split = 0

    def save(self, *objs: Any) -> list[Recording[UUID]]:
        entry = _Entry(objs)
        with self._changed:
            self._queue.append(entry)
        while True:
            with self._changed:
                while self._committing and not entry.done:
                    self._changed.wait()
                if entry.done:
                    return entry.outcome()
                self._committing = True
                batch = self._take()
            failed: Exception | None = None
            try:
                failed = self._commit(batch)
            finally:
                for left in batch:
                    if not left.done:  # only when the commit itself was interrupted
                        left.error = RuntimeError("the save was interrupted; retry with the same idempotency key")
                with self._changed:
                    if failed is not None:
                        # The store is away: the commands queued meanwhile hear it now rather than
                        # after another round of the store's retries each (seconds per batch).
                        for waiting in self._queue:
                            waiting.error = failed
                        self._queue = []
                    self._committing = False
                    self._changed.notify_all()

    def _take(self) -> list[_Entry]:
        batch, self._queue = take_batch(self._queue, self._max_batch)
        return batch

    def _commit(self, batch: list[_Entry]) -> Exception | None:
        """Save `batch`; the store's error when it could not be reached (not a refused save)."""
        if len(batch) == 1:
            return self._alone(batch[0])
        together: ProcessingEvent[UUID] = ProcessingEvent()
        for entry in batch:
            together.events.extend(entry.event.events)
            together.aggregates.update(entry.event.aggregates)
        try:
            recordings = self._record(together)
        except IntegrityError:
            self.split += 1
            for entry in batch:
                failed = self._alone(entry)
                if failed is not None:
                    for left in batch:
                        if not left.done:
                            left.error = failed
                    return failed
            return None
        except Exception as error:  # the store is away: every command of the batch hears it
            for entry in batch:
                entry.error = error
            return error
        self.transactions += 1
        self.commands += len(batch)
        start = 0
        for entry in batch:
            end = start + len(entry.event.events)
            entry.recordings = recordings[start:end]
            start = end
        return None

    def _alone(self, entry: _Entry) -> Exception | None:
        try:
            entry.recordings = self._record(entry.event)
        except IntegrityError as refused:  # this command's own collision: its caller decides again
            entry.error = refused
            return None
        except Exception as error:
            entry.error = error
            return error
        self.transactions += 1
        self.commands += 1
        return None
