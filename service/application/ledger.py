"""The application layer: every command runs here, against the event store on PostgreSQL.

`execute` loads the command's target, checks the caller's expected version, lets the domain
decide, and saves the new fact — together with the idempotency key, if one came, in the same
transaction. A key seen before returns the first result; a lost race without an expected version
is retried on fresh state; with one, it is a version conflict naming both versions.

While the database is away, commands fail promptly with `StoreUnavailable` (after the first
failure, each command first checks with a quick direct connection instead of waiting on the
pool), and the first command after it is back gets a fresh connection at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import functools
import random
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

import psycopg
from eventsourcing.application import AggregateNotFoundError, Application, project_aggregate
from eventsourcing.persistence import (
    IntegrityError,
    InterfaceError,
    JSONTranscoder,
    OperationalError,
    Recording,
    StoredEvent,
)

from domain.commands import Command
from domain.committee import Committee, CommitteeState, check_reporting_open, committee_id_for
from domain.errors import (
    DomainError,
    DuplicateCode,
    IdempotencyKeyReused,
    NotFound,
    PeriodLocked,
    ValidationError,
    VersionConflict,
)
from domain.fact_log import HistoryNotHere
from domain.facts import Fact, Ledger, Meta
from domain.meeting import Meeting, MeetingState
from domain.transcodings import domain_transcodings
from service.application.catalogue import Entry, entry_for
from service.application.idempotency import IdempotencyKey, fingerprint, key_stream_id
from service.config import ServerAddress
from service.store.database import schema_lock
from service.store.group_commit import GroupCommit
from service.store.recorder import OrderedRecorder

if TYPE_CHECKING:  # (asyncpg's: a command-line import records in threads and never loads it)
    from service.store.appender import Append, Appender

L = TypeVar("L", bound=Ledger[Any])

EVENTS_TABLE = "planledger_events"
MAX_KEY = 200
#: facts of a cached aggregate kept in memory before its history is dropped (domain/fact_log.py):
#: read back from the store only for what folds the whole history (a backdated fact, a correction)
HISTORY_KEPT = 256
#: seconds a store call waits for a pool connection; eventsourcing tries each call 10 times, so a
#: call in flight when the database goes away gives up after about 10 * (POOL_WAIT + 0.2) seconds
POOL_WAIT = 0.3
#: seconds the pool keeps retrying a lost connection in the background before it gives up and
#: connects afresh on the next demand (its default is minutes of doubling delays, so the write side
#: stayed down for as long again after the database came back)
RECONNECT_WITHIN = 1.0
#: while the database is known to be away, how often a command may check whether it is back
PROBE_EVERY = 0.25


def _meeting_itself(stream: Ledger[Any], fact: Fact) -> str | None:
    """A fact on a meeting's own stream that names no meeting is reported at that meeting (its
    attendance, agenda, resolutions, comments …), except its scheduling and what happens after it
    (an action item done)."""
    if isinstance(stream, Meeting) and not isinstance(fact, (Meeting.Scheduled, Meeting.ActionItemCompleted)):
        return str(stream.id)
    return None


def _streams(changed: Ledger[Any] | tuple[Ledger[Any], ...]) -> tuple[Ledger[Any], ...]:
    return changed if isinstance(changed, tuple) else (changed,)


class StoreUnavailable(Exception):
    """The event store's database cannot be reached now. A write whose answer was lost may have
    been recorded: retry with the same idempotency key to learn which (it records once)."""


class _Reachability:
    """After a store call failed for want of the database, commands fail at once until a direct
    connection (at most one try per `PROBE_EVERY` seconds) succeeds again."""

    def __init__(self, address: ServerAddress) -> None:
        self.address = address
        self.down = False
        self._checked = 0.0
        self._lock = threading.Lock()

    def lost(self) -> None:
        with self._lock:
            self.down = True
            self._checked = time.monotonic()

    def check(self) -> None:
        if not self.down:
            return
        with self._lock:
            if self.down and time.monotonic() - self._checked >= PROBE_EVERY:
                self._checked = time.monotonic()
                try:
                    with psycopg.connect(self.address.dsn(), connect_timeout=2) as conn:
                        conn.execute("SELECT 1")
                except psycopg.Error:
                    pass
                else:
                    self.down = False
            if self.down:
                raise StoreUnavailable(f"the database at {self.address.describe()} is unreachable; try again")


@dataclass(frozen=True)
class Receipt:
    """What a command did: the stream, its new version and the event's place in the log."""

    stream_id: UUID
    version: int
    cursor: int
    replayed: bool = False


class Queued:
    """A command decided on the event loop, its events queued for the appender's commit."""

    __slots__ = ("_append", "_changed", "_ledger", "_stored")

    def __init__(self, ledger: PlanLedger, append: Append, changed: Ledger[Any], stored: list[StoredEvent]) -> None:
        self._ledger = ledger
        self._append = append
        self._changed = changed
        self._stored = stored

    async def receipt(self) -> Receipt:
        """Once committed. `NotOnLoop` when the save collided (another process wrote the stream)
        or came after an earlier append that was not saved: nothing of it was recorded, decide
        again on the store's state. `StoreUnavailable` when the store is away."""
        from service.store.appender import Appender, StoreLost

        try:
            ids = await Appender.wait(self._append)
        except IntegrityError:
            raise NotOnLoop("the save collided: decide again on the store's state") from None
        except StoreLost as lost:
            if lost.unreachable:
                reachability = self._ledger._reachability
                if reachability is not None:
                    reachability.lost()
                raise StoreUnavailable(f"the event store is unreachable: {lost}") from None
            raise StoreUnavailable(
                f"the connection to the event store was lost ({lost}); the write may be recorded: "
                "send it again with the same idempotency key"
            ) from None
        changed = self._changed
        cursor = max(n for event, n in zip(self._stored, ids, strict=True) if event.originator_id == changed.id)
        return Receipt(changed.id, changed.version, cursor)


class _Freshness(threading.local):
    fresh = False
    #: deciding on the event loop: a stream not in the cache raises `_NotCached`, never a store call
    cache_only = False
    #: the stream whose turn the command on the loop holds: the one stream it may decide on as
    #: left by an append not committed yet (`PlanLedger._uncommitted`)
    target: UUID | None = None


class NotOnLoop(Exception):
    """`execute_on_loop` cannot finish without asking the store; nothing was recorded: run
    `execute` in a thread."""


class _NotCached(Exception):
    """A stream the decision needs is not in the cache (on the event loop, no store call)."""


class PlanLedger(Application[UUID]):
    name = "planledger"
    # Measured (bench/store_throughput.py): copying cached aggregates, the extra round trip of
    # fast-forwarding the cache, and the several statements of an insert were where a command's
    # time went. The cache is trusted without fast-forward: a stale entry can only make a save
    # collide on the stream's next version, and then it is evicted and the command retried.
    env = {
        "AGGREGATE_CACHE_MAXSIZE": "10000",
        "AGGREGATE_CACHE_FASTFORWARD": "n",
        "POSTGRES_ENABLE_DB_FUNCTIONS": "y",
        # the database function, with the table lock that keeps commits in log order
        "APPLICATION_RECORDER_TOPIC": "service.store.recorder:OrderedRecorder",
    }

    def __init__(self, env: dict[str, str] | None = None) -> None:
        super().__init__(env)
        self._local = _Freshness()
        self._reachability: _Reachability | None = None
        self.group_commit = GroupCommit(self._record)
        #: the event loop's appender (`execute_on_loop`), attached by the server that runs one
        self.appender: Appender | None = None
        #: streams decided on the loop whose appends are queued or in flight: the newest state each
        #: was left in and its append (touched on the loop only; see `queue_on_loop`)
        self._uncommitted: dict[UUID, tuple[Ledger[Any], Append]] = {}
        #: key streams known to be unused (`look_up_keys`), each forgotten when a command asks
        self._unused_keys: set[UUID] = set()
        self._unused_keys_lock = threading.Lock()
        pool = getattr(getattr(self.recorder, "datastore", None), "pool", None)
        if pool is not None:  # psycopg_pool's: see POOL_WAIT and RECONNECT_WITHIN
            pool.timeout = POOL_WAIT
            pool.reconnect_timeout = RECONNECT_WITHIN

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        for transcoding in domain_transcodings():
            transcoder.register(transcoding)

    @classmethod
    def connect(cls, address: ServerAddress, **settings: str) -> PlanLedger:
        """Open the store on `address`, creating its tables once across all processes."""
        with schema_lock(address):
            ledger = cls(env={**address.eventsourcing_env(), **settings})
        ledger._reachability = _Reachability(address)
        return ledger

    def save(self, *objs: Any, **kwargs: Any) -> list[Recording[UUID]]:
        """Save with the commands of other threads in one transaction (`service.store.group_commit`).
        (No snapshots are configured and nothing listens to `_notify`, so `_record` is all that
        `Application.save` would do.)"""
        if kwargs or self.snapshots is not None:
            return super().save(*objs, **kwargs)
        return self.group_commit.save(*objs)

    def forget(self, stream_id: UUID) -> None:
        """Drop a stream from the cache (it may be stale: another process wrote to it)."""
        if self.repository.cache is not None:
            with contextlib.suppress(KeyError):
                self.repository.cache.get(stream_id, evict=True)

    def load(self, kind: type[L], stream_id: UUID, *, fresh: bool = False, read_only: bool = False) -> L:
        """The stream as an aggregate. `read_only`: the cached one itself, not a copy — only for
        reading (a command must never change what it got that way)."""
        local = self._local
        if fresh or local.fresh:
            self.forget(stream_id)
        if local.cache_only:
            pending = self._uncommitted.get(stream_id)
            if pending is not None and not fresh and stream_id == local.target:
                aggregate = pending[0] if read_only else copy.deepcopy(pending[0])
                if not isinstance(aggregate, kind):
                    raise NotFound(kind.KIND, str(stream_id))
                return aggregate
            if pending is not None:  # another command's, not saved yet: decided on the store's state
                raise _NotCached(str(stream_id))
            cached = self._cached_or_raise(stream_id)
            if not self.repository.fastforward:  # (what repository.get gives from its cache, one lookup)
                if not isinstance(cached, kind):
                    raise NotFound(kind.KIND, str(stream_id))
                return cached if read_only else copy.deepcopy(cached)
        try:
            found: object = self.repository.get(stream_id, deepcopy_from_cache=not read_only)
        except AggregateNotFoundError:
            raise NotFound(kind.KIND, str(stream_id)) from None
        if not isinstance(found, kind):
            raise NotFound(kind.KIND, str(stream_id))
        return found

    def _cached_or_raise(self, stream_id: UUID) -> Any:
        cache = self.repository.cache
        try:
            if cache is None:
                raise KeyError(stream_id)
            return cache.get(stream_id)
        except KeyError:
            raise _NotCached(str(stream_id)) from None

    def appender_on(self, address: ServerAddress) -> Appender:
        """An appender for the running event loop on the store at `address` (the caller attaches
        it as `self.appender` and closes it on that loop)."""
        from service.store.appender import Appender

        recorder = self.recorder
        datastore = recorder.datastore  # type: ignore[attr-defined]
        schema = f'"{datastore.schema}".' if datastore.schema else ""
        function = f'{schema}"{recorder.pg_function_name_insert_events}"'  # type: ignore[attr-defined]
        return Appender(address.asyncpg_args(), function, f"{schema}{EVENTS_TABLE}")

    def execute(
        self,
        command: Command,
        meta: Meta,
        *,
        expected_version: int | None = None,
        idempotency_key: str | None = None,
        attempts: int = 12,
    ) -> Receipt:
        """Run `command`; raises a DomainError when it breaks a rule, StoreUnavailable when the
        database cannot be reached (promptly, once that is known)."""
        reachability = self._reachability
        if reachability is not None:
            reachability.check()
        try:
            return self._execute(
                command, meta, expected_version=expected_version, idempotency_key=idempotency_key, attempts=attempts
            )
        except (OperationalError, InterfaceError) as error:  # eventsourcing's, after its own retries
            if reachability is None:
                raise
            reachability.lost()
            raise StoreUnavailable(f"the event store is unreachable: {error}".splitlines()[0]) from None
        except HistoryNotHere as error:  # a cached aggregate's history could not be read back
            cause = error.__cause__
            if reachability is not None and isinstance(cause, OperationalError | InterfaceError):
                reachability.lost()
            raise StoreUnavailable(f"{error}: {cause}".splitlines()[0] if cause else str(error)) from None

    def _execute(
        self,
        command: Command,
        meta: Meta,
        *,
        expected_version: int | None = None,
        idempotency_key: str | None = None,
        attempts: int = 12,
    ) -> Receipt:
        entry = entry_for(type(command))
        meta = meta.checked()
        key_print = self._key_print(command, meta, idempotency_key)
        if idempotency_key is not None:
            earlier = self._earlier_result(idempotency_key, key_print, meta.actor)
            if earlier is not None:
                return earlier
        for attempt in range(attempts):
            try:
                target, batch = self._decide(entry, command, meta, expected_version, idempotency_key, key_print)
            except VersionConflict:
                raise
            except DomainError:
                # refused on the store's state: another writer may have run this very command with
                # this key meanwhile (its first result is the answer), else the refusal stands
                if idempotency_key is not None:
                    earlier = self._earlier_result(idempotency_key, key_print, meta.actor)
                    if earlier is not None:
                        return earlier
                raise
            changed = batch[0]
            try:
                recordings = self.save(*batch)
            except IntegrityError:
                for stream in batch:
                    self.forget(stream.id)
                if idempotency_key is not None:
                    earlier = self._earlier_result(idempotency_key, key_print, meta.actor)
                    if earlier is not None:
                        return earlier
                if target is None:
                    raise DuplicateCode(changed.KIND, self._describe(changed)) from None
                if expected_version is not None:
                    actual = self.load(type(target), target.id, fresh=True).version
                    raise VersionConflict(f"{target.KIND} {target.id}", expected_version, actual) from None
                if attempt + 1 == attempts:
                    actual = self.load(type(target), target.id, fresh=True).version
                    raise VersionConflict(f"{target.KIND} {target.id}", target.version, actual) from None
                time.sleep(random.uniform(0, 0.002 * (attempt + 1)))  # let the winner's writers pass
                continue
            cursor = max(r.notification.id for r in recordings if r.domain_event.originator_id == changed.id)
            return Receipt(changed.id, changed.version, cursor)
        raise AssertionError("unreachable: every attempt returns or raises")

    async def execute_on_loop(
        self,
        command: Command,
        meta: Meta,
        *,
        expected_version: int | None = None,
        idempotency_key: str | None = None,
    ) -> Receipt:
        """`queue_on_loop`, then its commit waited for."""
        queued = await self.queue_on_loop(
            command, meta, expected_version=expected_version, idempotency_key=idempotency_key
        )
        return queued if isinstance(queued, Receipt) else await queued.receipt()

    async def queue_on_loop(
        self,
        command: Command,
        meta: Meta,
        *,
        expected_version: int | None = None,
        idempotency_key: str | None = None,
    ) -> Receipt | Queued:
        """`execute` on the event loop, without a thread hop, when everything the command needs is
        in the cache (after the first commands on a plan, a mutation's target, its plan and its
        meeting are): decided there and queued for the loop's group commit
        (`service.store.appender`); the returned `Queued` gives the receipt once committed (a
        Receipt at once for a key used before). Raises `NotOnLoop`, having recorded nothing, when
        the store must be asked (a stream not cached, a rule broken against cached state, a key
        not looked up): the caller then runs `execute` in a thread, which does all of that as always.

        The command's target may be decided as an earlier command left it before that one's commit
        (the state in `_uncommitted`): the next command on a busy activity joins the next
        transaction instead of waiting for the commit in flight. Its append names that earlier one
        (`after`); if that one is not saved, neither is this one, and `receipt` raises `NotOnLoop`.
        Any other stream with an append not committed yet is not decided on here.

        Measured with one writer over HTTP (`/tmp` harness, 20k events, 2026-12-03): the thread hop
        and psycopg's path were a third of the server's time per mutation."""
        appender = self.appender
        reachability = self._reachability
        if appender is None or (reachability is not None and reachability.down):
            raise NotOnLoop("no appender on this loop, or the store is known to be away")

        entry = entry_for(type(command))
        meta = meta.checked()
        key_print = self._key_print(command, meta, idempotency_key)
        if idempotency_key is not None:
            await self._look_up_keys_on_loop(appender, idempotency_key, meta.actor)
        local = self._local
        local.cache_only = True
        local.target = command.target
        try:
            if idempotency_key is not None:
                earlier = self._earlier_result(idempotency_key, key_print, meta.actor)
                if earlier is not None:
                    return earlier
            _target, batch = self._decide(entry, command, meta, expected_version, idempotency_key, key_print)
        except (_NotCached, DomainError, HistoryNotHere):
            # (a refusal too: the thread path decides it once more on the store's state, as always;
            # and a command that folds a history the cache dropped: read back there)
            raise NotOnLoop("the store must be asked") from None
        finally:
            local.cache_only = False
            local.target = None
        # (as ProcessingEvent.collect_events, without its two Protocol isinstance checks per
        # aggregate: 3.6 % of the server's time under 16 writers, py-spy 2026-12-04)
        to_stored = self.mapper.to_stored_event
        stored = [to_stored(event) for aggregate in batch for event in aggregate.collect_events()]
        uncommitted = self._uncommitted
        pending = uncommitted.get(command.target) if command.target is not None else None
        after = pending[1] if pending is not None else None
        queued = appender.enqueue(stored, after=after, settled=lambda ids: self._settled(batch, queued, ids))
        for aggregate in batch:
            uncommitted[aggregate.id] = (aggregate, queued)
        return Queued(self, queued, batch[0], stored)

    def _settled(self, batch: list[Ledger[Any]], queued: Append, ids: list[int] | None) -> None:
        """An append's outcome, the moment it is known (before a later append of its streams is
        sent): committed, its states are the cache's (as `Application._record` does); not, its
        streams leave the cache (another process may have written them, or the connection was
        lost mid-commit) and commands decide on the store's state again."""
        uncommitted = self._uncommitted
        cache = self.repository.cache
        for aggregate in batch:
            found = uncommitted.get(aggregate.id)
            if found is not None and found[1] is queued:
                del uncommitted[aggregate.id]
            if ids is None:
                self.forget(aggregate.id)
            elif cache is not None:
                if isinstance(aggregate, Ledger):
                    aggregate.facts.drop_history(functools.partial(self._history, aggregate.id), keep=HISTORY_KEPT)
                cache.put(aggregate.id, aggregate)

    def _history(self, stream_id: UUID, count: int) -> list[Fact]:
        """The first `count` facts of a stream, read back for a cached aggregate that dropped them
        (`_settled`); never on the event loop, which must not wait for the store."""
        if self._local.cache_only or _on_a_loop():
            raise HistoryNotHere(f"the history of {stream_id} is read back only off the event loop")
        try:
            stored = self.recorder.select_events(stream_id, lte=count)
            return [self.mapper.to_domain_event(event) for event in stored]  # type: ignore[misc]  # (its facts)
        except Exception as error:
            raise HistoryNotHere(f"the history of {stream_id} could not be read back") from error

    async def settle(self, stream_id: UUID | None) -> None:
        """Wait until no append of this stream decided on the loop is queued or in flight (before
        deciding on the store's state in a thread, which would only collide with it)."""
        pending = self._uncommitted.get(stream_id) if stream_id is not None else None
        if pending is not None:
            await asyncio.wait([pending[1].done])

    async def _look_up_keys_on_loop(self, appender: Appender, key: str, actor: str) -> None:
        """`look_up_keys` for one key, through the loop's appender: its records in the cache, or
        noted unused (so the decision on the loop needs no store call for it)."""
        from service.store.appender import StoreLost

        stream_ids = [key_stream_id(key, actor), key_stream_id(key)]
        cache = self.repository.cache
        if cache is not None:
            with contextlib.suppress(KeyError):
                if isinstance(cache.get(stream_ids[0]), IdempotencyKey):
                    return
        try:
            stored = await appender.select_streams(stream_ids)
        except StoreLost:
            raise NotOnLoop("the key lookup failed: the thread path reports the store's state") from None
        found = self._cache_key_records(stored)
        with self._unused_keys_lock:
            self._unused_keys |= {s for s in stream_ids if s not in found}

    @staticmethod
    def _key_print(command: Command, meta: Meta, idempotency_key: str | None) -> str:
        if idempotency_key is None:
            return ""
        if not idempotency_key.strip() or len(idempotency_key) > MAX_KEY:
            raise ValidationError("idempotencyKey", f"must be 1 to {MAX_KEY} characters")
        return fingerprint(command, meta)

    def _decide(
        self,
        entry: Entry,
        command: Command,
        meta: Meta,
        expected_version: int | None,
        idempotency_key: str | None,
        key_print: str,
    ) -> tuple[Ledger[Any] | None, list[Any]]:
        """The target (None for a command that creates its stream) and what to save: the changed
        streams, the command's own first, and the key's record. A rule broken against cached
        state, which another process may have moved on, is decided once more on state read from
        the store before it is refused."""
        try:
            return self._decide_once(entry, command, meta, expected_version, idempotency_key, key_print)
        except VersionConflict:
            raise
        except DomainError:
            local = self._local
            if local.fresh or local.cache_only:
                raise
            local.fresh = True
            try:
                return self._decide_once(entry, command, meta, expected_version, idempotency_key, key_print)
            finally:
                local.fresh = False

    def _decide_once(
        self,
        entry: Entry,
        command: Command,
        meta: Meta,
        expected_version: int | None,
        idempotency_key: str | None,
        key_print: str,
    ) -> tuple[Ledger[Any] | None, list[Any]]:
        kind = entry.target
        target = None
        if command.target is not None and kind is not None:
            target = self.load(kind, command.target)
            if expected_version is not None and target.version != expected_version:
                target = self.load(kind, command.target, fresh=True)  # the cache may be behind
            if expected_version is not None and target.version != expected_version:
                raise VersionConflict(f"{target.KIND} {target.id}", expected_version, target.version)
        changed, *others = _streams(entry.handler(self, command, meta, target))
        self._check_open([changed, *others], created=target is None, meta=meta)
        batch: list[Any] = [changed, *others]
        if idempotency_key is not None:
            batch.append(IdempotencyKey.use(idempotency_key, meta.actor, key_print, changed.id, changed.version))
        return target, batch

    def _check_open(self, streams: list[Ledger[Any]], created: bool, meta: Meta) -> None:
        """Refuse new facts reported at a meeting its committee has closed (its minutes, or a later
        meeting's, approved; see `domain.committee`), whichever stream they are on: plan,
        activities, key results, the meetings themselves. A creation of a stream that already
        exists is a duplicate first: that answer says more than the lock would."""
        for stream in streams:
            by_meeting: dict[str, list[Fact]] = {}
            for fact in stream._pending_events:
                if isinstance(fact, Fact):
                    reported_at = fact.meeting_id or _meeting_itself(stream, fact)
                    if reported_at:
                        by_meeting.setdefault(str(reported_at), []).append(fact)
            for meeting_id, facts in by_meeting.items():
                held = self._meeting_in(streams, meeting_id)
                if held is None:
                    continue
                committee = self._committee_in(streams, held.body)
                if committee is None:
                    continue
                try:
                    check_reporting_open(committee, held.code, held.on, facts, minutes_of=meta.minutes_of == meeting_id)
                except PeriodLocked:
                    if created and stream is streams[0] and self._exists(stream.id):
                        raise DuplicateCode(stream.KIND, self._describe(stream)) from None
                    raise

    def _meeting_in(self, streams: list[Ledger[Any]], meeting_id: str) -> MeetingState | None:
        try:
            wanted = UUID(meeting_id)
        except ValueError:
            return None
        for stream in streams:
            if stream.id == wanted and isinstance(stream, Meeting):
                return stream.state
        try:
            return self.load(Meeting, wanted, read_only=True).state
        except NotFound:
            return None

    def _committee_in(self, streams: list[Ledger[Any]], body: str) -> CommitteeState | None:
        wanted = committee_id_for(body)
        for stream in streams:
            if stream.id == wanted and isinstance(stream, Committee):
                return stream.state
        try:
            return self.load(Committee, wanted, read_only=True).state
        except NotFound:
            return None

    def _exists(self, stream_id: UUID) -> bool:
        if self._local.cache_only:
            raise _NotCached(str(stream_id))
        try:
            self.repository.get(stream_id)
        except AggregateNotFoundError:
            return False
        return True

    @staticmethod
    def _describe(created: Ledger[Any]) -> str:
        state = created.state
        return str(getattr(state, "code", "") or created.id)

    def _earlier_result(self, key: str, key_print: str, actor: str) -> Receipt | None:
        """What `actor`'s earlier use of `key` recorded (None: not used; IdempotencyKeyReused: used
        for a different command). A key saved before keys were scoped by actor answers the retry of
        the same command (its fingerprint names the actor too), and refuses a different one from
        the actor whose fact it recorded; another actor's such key is none of this actor's."""
        scoped, unscoped = key_stream_id(key, actor), key_stream_id(key)
        records = self._key_records(scoped, unscoped)
        used = records.get(scoped)
        if used is None:
            used = records.get(unscoped)
            if used is None:
                return None
            if used.fingerprint != key_print and self._actor_of(used.stream_id, used.result_version) != actor:
                return None
        if used.fingerprint != key_print:
            raise IdempotencyKeyReused(key)
        return Receipt(used.stream_id, used.result_version, self.cursor_of(used.stream_id, used.result_version), True)

    def _key_records(self, scoped: UUID, unscoped: UUID) -> dict[UUID, IdempotencyKey]:
        """The records of an actor's key and of the same key saved before keys were scoped, those
        that exist (the scoped one alone when it does). From the cache or what `look_up_keys`
        noted, else in one query for both: a key not used before costs one round trip, not two
        (370 of the 400 queries of the sample's import were these lookups, all finding nothing).
        A key's record is one event, never changed after it is saved, so the cache's copy is
        handed out as it is."""
        cache = self.repository.cache
        with self._unused_keys_lock:  # each note answers once
            noted = {scoped, unscoped} & self._unused_keys
            self._unused_keys -= noted
        found: dict[UUID, IdempotencyKey] = {}
        missing: list[UUID] = []
        for stream_id in (scoped, unscoped):
            try:
                cached = cache.get(stream_id) if cache is not None else None
            except KeyError:
                cached = None
            if isinstance(cached, IdempotencyKey):
                found[stream_id] = cached
            elif stream_id not in noted:
                missing.append(stream_id)
            if scoped in found:
                return found
        if not missing:
            return found
        if self._local.cache_only:
            raise _NotCached("an idempotency key's record")
        recorder = self.recorder
        if not isinstance(recorder, OrderedRecorder):  # another store: one lookup per stream, as it offers
            for stream_id in missing:
                with contextlib.suppress(AggregateNotFoundError):
                    got: object = self.repository.get(stream_id, deepcopy_from_cache=False)
                    if isinstance(got, IdempotencyKey):
                        found[stream_id] = got
            return found
        return {**found, **self._stored_key_records(recorder, missing)}

    def _stored_key_records(self, recorder: OrderedRecorder, stream_ids: list[UUID]) -> dict[UUID, IdempotencyKey]:
        """The key records among `stream_ids`, read in one query, and put in the cache."""
        return self._cache_key_records(recorder.select_streams(stream_ids))

    def _cache_key_records(self, events: Iterable[StoredEvent]) -> dict[UUID, IdempotencyKey]:
        """The key records these stored events make, put in the cache."""
        cache = self.repository.cache
        found: dict[UUID, IdempotencyKey] = {}
        stored: dict[Any, list[Any]] = {}
        for event in events:
            stored.setdefault(event.originator_id, []).append(self.mapper.to_domain_event(event))
        for stream_id, stream in stored.items():
            record: object = project_aggregate(None, stream)
            if isinstance(record, IdempotencyKey):
                found[stream_id] = record
                if cache is not None:
                    cache.put(stream_id, record)
        return found

    def look_up_keys(self, keys: Iterable[str], actor: str) -> set[UUID]:
        """Before running many commands with these idempotency keys (the minutes importer's 187
        for the sample): read the records of those used before into the cache and note the rest as
        unused, in one query, so that each command then asks nothing of the store about its key
        (one round trip each otherwise). A key noted unused that another writer uses meanwhile is
        still recorded once: the save collides on the key's stream, and `_execute` then asks the
        store again. Each note is used once, by the first command with its key; the caller hands
        the notes it got back to `forget_unused_keys` when its commands are done."""
        recorder = self.recorder
        if not isinstance(recorder, OrderedRecorder):
            return set()
        stream_ids = list(dict.fromkeys(s for key in keys for s in (key_stream_id(key, actor), key_stream_id(key))))
        if not stream_ids:
            return set()
        reachability = self._reachability
        if reachability is not None:  # as `execute`: prompt while the database is known to be away
            reachability.check()
        try:
            found = self._stored_key_records(recorder, stream_ids)
        except (OperationalError, InterfaceError) as error:  # eventsourcing's, after its own retries
            if reachability is None:
                raise
            reachability.lost()
            raise StoreUnavailable(f"the event store is unreachable: {error}".splitlines()[0]) from None
        noted = {s for s in stream_ids if s not in found}
        with self._unused_keys_lock:
            self._unused_keys |= noted
        return noted

    def forget_unused_keys(self, noted: set[UUID]) -> None:
        """Drop what `look_up_keys` noted and no command used (a step skipped, a run cut short):
        a note kept would outlive the truth it stated."""
        with self._unused_keys_lock:
            self._unused_keys -= noted

    def _actor_of(self, stream_id: UUID, version: int) -> str | None:
        """The actor the fact at (stream, version) names."""
        if self._local.cache_only:
            raise _NotCached(str(stream_id))
        for event in self.events.get(stream_id, gt=version - 1, lte=version):
            return getattr(event, "actor", None)
        return None

    def streams_naming(self, meeting_id: UUID) -> list[UUID]:
        """The streams with a fact that may name meeting `meeting_id` (its id anywhere in a stored
        fact: the caller loads each and reads its facts' `meeting_id`). The write side's own answer
        to "what was reported at this meeting": the read models may not have caught up. A scan of
        the log, for the rare caller (an approval's corrections reaching the approved meeting's
        reports)."""
        if self._local.cache_only:
            raise _NotCached(str(meeting_id))
        datastore = self.recorder.datastore  # type: ignore[attr-defined]
        with datastore.transaction(commit=False) as cursor:
            cursor.execute(
                f"SELECT DISTINCT originator_id FROM {EVENTS_TABLE} WHERE position(%s in state) > 0",
                (str(meeting_id).encode(),),
            )
            return sorted(UUID(str(row["originator_id"])) for row in cursor.fetchall())

    def cursor_of(self, stream_id: UUID, version: int) -> int:
        if self._local.cache_only:
            raise _NotCached(str(stream_id))
        datastore = self.recorder.datastore  # type: ignore[attr-defined]
        with datastore.transaction(commit=False) as cursor:
            cursor.execute(
                f"SELECT notification_id FROM {EVENTS_TABLE} WHERE originator_id = %s AND originator_version = %s",
                (stream_id, version),
            )
            row = cursor.fetchone()
        return int(row["notification_id"]) if row else 0


def _on_a_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True
