"""Idempotency keys looked up in advance (`PlanLedger.look_up_keys`, the minutes importer's one
query instead of one per command): the answers are the ones a key-by-key lookup gives, also when
another writer uses a key after it was noted unused."""

from __future__ import annotations

import time
from collections.abc import Iterator
from decimal import Decimal

import pytest

from domain import commands as c
from domain.errors import IdempotencyKeyReused
from service.application.idempotency import IdempotencyKey, fingerprint, key_stream_id
from service.application.ledger import PlanLedger, StoreUnavailable
from service.config import ServerAddress
from service.store.database import create_scratch_database, drop_scratch_database
from tests.integration.store_helpers import event_count, meta, plan_with_activity


@pytest.fixture
def ledgers(database: ServerAddress) -> Iterator[tuple[PlanLedger, PlanLedger]]:
    """Two writers on one store, as two processes are: each with its own cache."""
    first, second = PlanLedger.connect(database), PlanLedger.connect(database)
    yield first, second
    first.close()
    second.close()


def test_keys_looked_up_together_answer_as_one_by_one(ledgers: tuple[PlanLedger, PlanLedger]) -> None:
    first, second = ledgers
    _, activity_id = plan_with_activity(first)
    started = c.ChangeActivityStatus(activity_id=activity_id, status="IN_PROGRESS")
    earlier = first.execute(started, meta(), idempotency_key="status-1")

    noted = second.look_up_keys(["status-1", "progress-1"], "secretariat")
    # the used key's stream is not noted (it was read into the cache); its unscoped stream (of
    # keys saved before keys were scoped by actor) and both streams of the new key are
    assert noted == {
        key_stream_id("status-1"),
        key_stream_id("progress-1", "secretariat"),
        key_stream_id("progress-1"),
    }
    position = event_count(second)
    again = second.execute(started, meta(), idempotency_key="status-1")
    assert (again.stream_id, again.version, again.cursor, again.replayed) == (
        earlier.stream_id,
        earlier.version,
        earlier.cursor,
        True,
    )
    with pytest.raises(IdempotencyKeyReused):
        second.execute(c.RecordOutcome(activity_id=activity_id, outcome="other"), meta(), idempotency_key="status-1")
    progress = second.execute(c.ReportProgress(activity_id, Decimal(40)), meta(), idempotency_key="progress-1")
    assert not progress.replayed and progress.version == earlier.version + 1
    assert event_count(second) == position + 2  # the progress and its key, nothing else
    second.forget_unused_keys(noted)
    repeat = second.execute(c.ReportProgress(activity_id, Decimal(40)), meta(), idempotency_key="progress-1")
    assert (repeat.version, repeat.replayed) == (progress.version, True)
    assert event_count(second) == position + 2


def test_a_key_noted_unused_then_used_by_another_writer_still_records_once(
    ledgers: tuple[PlanLedger, PlanLedger],
) -> None:
    first, second = ledgers
    _, activity_id = plan_with_activity(first)
    noted = second.look_up_keys(["status-1", "progress-1"], "secretariat")
    assert len(noted) == 4
    # meanwhile another process runs both commands with those keys
    started = c.ChangeActivityStatus(activity_id=activity_id, status="IN_PROGRESS")
    theirs = first.execute(started, meta(), idempotency_key="status-1")
    first.execute(c.ReportProgress(activity_id, Decimal(40)), meta(), idempotency_key="progress-1")
    position = event_count(first)

    # a command the fresh state refuses (already IN_PROGRESS) is answered with the earlier result
    mine = second.execute(started, meta(), idempotency_key="status-1")
    assert (mine.version, mine.cursor, mine.replayed) == (theirs.version, theirs.cursor, True)
    # a command the state allows collides on the key's stream, and a different one is refused
    with pytest.raises(IdempotencyKeyReused):
        second.execute(c.ReportProgress(activity_id, Decimal(50)), meta(), idempotency_key="progress-1")
    assert event_count(first) == position
    second.forget_unused_keys(noted)


def test_a_key_saved_before_keys_were_scoped_answers_its_actor_after_a_look_up(
    ledgers: tuple[PlanLedger, PlanLedger],
) -> None:
    first, second = ledgers
    _, activity_id = plan_with_activity(first)
    done = c.RecordOutcome(activity_id=activity_id, outcome="130 trained")
    receipt = first.execute(done, meta())
    # as a key was saved before keys were scoped by actor: on the key's own stream
    old = IdempotencyKey._create(
        IdempotencyKey.Used,
        id=key_stream_id("old-key"),
        key="old-key",
        fingerprint=fingerprint(done, meta().checked()),
        stream_id=receipt.stream_id,
        version=receipt.version,
    )
    first.save(old)
    position = event_count(first)

    noted = second.look_up_keys(["old-key"], "secretariat")
    assert noted == {key_stream_id("old-key", "secretariat")}
    again = second.execute(done, meta(), idempotency_key="old-key")
    assert (again.stream_id, again.version, again.replayed) == (receipt.stream_id, receipt.version, True)
    with pytest.raises(IdempotencyKeyReused):
        second.execute(c.RecordOutcome(activity_id=activity_id, outcome="131"), meta(), idempotency_key="old-key")
    assert event_count(first) == position
    second.forget_unused_keys(noted)


def test_a_look_up_on_a_store_gone_away_is_refused_as_a_command_is(server: ServerAddress) -> None:
    # the importer looks its keys up before its first command: with the database gone, it must
    # hear what a command hears (StoreUnavailable, then promptly), not the driver's error
    address = create_scratch_database(server, "t")
    ledger = PlanLedger.connect(address)
    try:
        drop_scratch_database(server, address)
        with pytest.raises(StoreUnavailable, match="unreachable"):
            ledger.look_up_keys(["status-1"], "secretariat")
        started = time.monotonic()
        with pytest.raises(StoreUnavailable):
            ledger.look_up_keys(["status-1"], "secretariat")
        assert time.monotonic() - started < 1.0  # known away: no second round of retries
    finally:
        ledger.close()
        drop_scratch_database(server, address)
