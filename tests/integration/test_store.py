"""The event store through the application layer, on a real PostgreSQL."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

import pytest

from domain import commands as c
from domain.errors import DuplicateCode, IdempotencyKeyReused, InvalidTransition, NotFound, VersionConflict
from service.application.ledger import PlanLedger
from service.config import ServerAddress
from tests.integration.store_helpers import MEETING_DAY, event_count, log_position, meta, plan_with_activity


@pytest.fixture
def app(database: ServerAddress) -> PlanLedger:
    ledger = PlanLedger.connect(database)
    yield ledger
    ledger.close()


def test_a_command_is_recorded_and_reads_back(app: PlanLedger) -> None:
    _, activity_id = plan_with_activity(app)
    receipt = app.execute(c.ChangeActivityStatus(activity_id=activity_id, status="IN_PROGRESS"), meta())
    assert receipt.version == 2
    assert receipt.cursor == log_position(app)
    app.repository.cache = None  # read from the store, not the cache
    fresh = PlanLedger.connect(ServerAddress(**_address_fields(app)))
    assert fresh.repository.get(activity_id).state.status.value == "IN_PROGRESS"
    fresh.close()


def _address_fields(app: PlanLedger) -> dict[str, object]:
    env = app.env
    return {
        "host": env["POSTGRES_HOST"],
        "port": int(env["POSTGRES_PORT"]),
        "user": env["POSTGRES_USER"],
        "password": env["POSTGRES_PASSWORD"],
        "dbname": env["POSTGRES_DBNAME"],
    }


def test_a_broken_rule_records_nothing(app: PlanLedger) -> None:
    _, activity_id = plan_with_activity(app)
    app.execute(c.ChangeActivityStatus(activity_id=activity_id, status="CANCELLED"), meta(reason="no budget"))
    before = event_count(app)
    with pytest.raises(InvalidTransition, match="cancelled"):
        app.execute(c.ReportProgress(activity_id=activity_id, progress=Decimal(10)), meta())
    assert event_count(app) == before


def test_unknown_stream_is_not_found(app: PlanLedger) -> None:
    from uuid import uuid4

    with pytest.raises(NotFound, match="activity"):
        app.execute(c.ChangeActivityStatus(activity_id=uuid4(), status="IN_PROGRESS"), meta())


def test_duplicate_codes_are_refused(app: PlanLedger) -> None:
    plan_with_activity(app, code="P1")
    with pytest.raises(DuplicateCode, match="P1"):
        plan_with_activity(app, code="P1")
    schedule = c.ScheduleMeeting(body="HR sub-committee", code="1/2564", on=MEETING_DAY)
    app.execute(schedule, meta())
    with pytest.raises(DuplicateCode, match="1/2564"):
        app.execute(schedule, meta())


def test_a_stale_expected_version_names_both_versions(app: PlanLedger) -> None:
    _, activity_id = plan_with_activity(app)
    app.execute(c.ReportProgress(activity_id=activity_id, progress=Decimal(10)), meta())
    with pytest.raises(VersionConflict) as caught:
        app.execute(c.ReportProgress(activity_id=activity_id, progress=Decimal(20)), meta(), expected_version=1)
    assert (caught.value.expected, caught.value.actual) == (1, 2)
    assert "version 2" in caught.value.message and "expected 1" in caught.value.message


def test_two_writers_racing_on_one_activity_exactly_one_wins(database: ServerAddress) -> None:
    setup = PlanLedger.connect(database)
    _, activity_id = plan_with_activity(setup)
    setup.close()
    writers = [PlanLedger.connect(database) for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes: list[object] = [None, None]

    def write(index: int) -> None:
        writers[index].repository.get(activity_id)  # both start from version 1
        barrier.wait()
        try:
            outcomes[index] = writers[index].execute(
                c.ReportProgress(activity_id=activity_id, progress=Decimal(10 + index)),
                meta(),
                expected_version=1,
            )
        except VersionConflict as conflict:
            outcomes[index] = conflict

    for _ in range(5):  # several rounds: each round, exactly one of the two wins
        threads = [threading.Thread(target=write, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        conflicts = [o for o in outcomes if isinstance(o, VersionConflict)]
        assert len(conflicts) == 1, outcomes
        assert conflicts[0].expected == 1 and conflicts[0].actual == 2
        # reset: make a fresh activity at version 1 for the next round
        _, activity_id = plan_with_activity(writers[0], code=f"P-{threading.get_ident()}-{len(outcomes)}-{_}")
    for w in writers:
        w.close()


def test_concurrent_writers_without_expected_version_all_land(database: ServerAddress) -> None:
    setup = PlanLedger.connect(database)
    _, activity_id = plan_with_activity(setup)
    setup.close()
    writers = [PlanLedger.connect(database) for _ in range(3)]

    def write(app: PlanLedger, offset: int) -> None:
        for i in range(10):
            app.execute(c.ReportProgress(activity_id=activity_id, progress=Decimal(offset + i)), meta())

    threads = [threading.Thread(target=write, args=(w, 10 * n)) for n, w in enumerate(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    check = PlanLedger.connect(database)
    assert check.repository.get(activity_id).version == 1 + 30
    for w in [*writers, check]:
        w.close()


def test_the_same_idempotency_key_records_once(app: PlanLedger) -> None:
    _, activity_id = plan_with_activity(app)
    command = c.ChangeActivityStatus(activity_id=activity_id, status="IN_PROGRESS")
    first = app.execute(command, meta(), idempotency_key="status-1")
    position = event_count(app)
    again = app.execute(command, meta(), idempotency_key="status-1")
    assert (again.stream_id, again.version, again.cursor) == (first.stream_id, first.version, first.cursor)
    assert again.replayed and not first.replayed
    assert event_count(app) == position


def test_an_idempotency_key_reused_for_another_command_is_refused(app: PlanLedger) -> None:
    _, activity_id = plan_with_activity(app)
    app.execute(c.ReportProgress(activity_id=activity_id, progress=Decimal(10)), meta(), idempotency_key="k")
    with pytest.raises(IdempotencyKeyReused, match="different command"):
        app.execute(c.ReportProgress(activity_id=activity_id, progress=Decimal(20)), meta(), idempotency_key="k")


def test_a_key_another_actor_used_first_claims_nothing(app: PlanLedger) -> None:
    # keys were shared by every token: a predictable key used first by another token refused this
    # one's command as "used for a different command" (or, for the same command, replayed theirs)
    _, activity_id = plan_with_activity(app)
    key = "minutes-1-2564-item-4"
    theirs = app.execute(c.ReportProgress(activity_id, Decimal(10)), meta(actor="unit:Legal"), idempotency_key=key)
    mine = app.execute(c.ReportProgress(activity_id, Decimal(20)), meta(), idempotency_key=key)
    assert (mine.version, mine.replayed) == (theirs.version + 1, False)
    same = app.execute(c.ReportProgress(activity_id, Decimal(10)), meta(actor="unit:HR"), idempotency_key=key)
    assert (same.version, same.replayed) == (mine.version + 1, False)
    # each key still records once for its own actor, and refuses that actor's different command
    again = app.execute(c.ReportProgress(activity_id, Decimal(20)), meta(), idempotency_key=key)
    assert (again.version, again.replayed) == (mine.version, True)
    with pytest.raises(IdempotencyKeyReused):
        app.execute(c.ReportProgress(activity_id, Decimal(30)), meta(), idempotency_key=key)


def test_idempotency_holds_after_a_restart(database: ServerAddress) -> None:
    app = PlanLedger.connect(database)
    _, activity_id = plan_with_activity(app)
    command = c.RecordOutcome(activity_id=activity_id, outcome="done")
    first = app.execute(command, meta(date(2021, 2, 3)), idempotency_key="outcome-1")
    app.close()
    restarted = PlanLedger.connect(database)
    again = restarted.execute(command, meta(date(2021, 2, 3)), idempotency_key="outcome-1")
    assert (again.version, again.cursor) == (first.version, first.cursor)
    assert restarted.repository.get(activity_id).version == first.version
    restarted.close()


def test_a_writer_with_a_stale_cache_decides_on_fresh_state(database: ServerAddress) -> None:
    first = PlanLedger.connect(database)
    plan_id, activity_id = plan_with_activity(first)
    first.repository.get(activity_id)  # cached at PLANNED
    second = PlanLedger.connect(database)
    second.execute(c.ChangeActivityStatus(activity_id=activity_id, status="IN_PROGRESS"), meta())
    second.execute(c.AddStrategy(plan_id=plan_id, number=2, title="Structure"), meta())
    # valid only on the fresh state: IN_PROGRESS -> COMPLETED, and strategy 2 exists
    receipt = first.execute(c.ChangeActivityStatus(activity_id=activity_id, status="COMPLETED"), meta())
    assert receipt.version == 3
    first.execute(
        c.RegisterActivity(plan_id=plan_id, strategy_number=2, fiscal_year=2564, kind="CONTINUING", title="Re-org"),
        meta(),
    )
    # and a command that is wrong on the fresh state too is still refused
    with pytest.raises(InvalidTransition, match="already COMPLETED"):
        first.execute(c.ChangeActivityStatus(activity_id=activity_id, status="COMPLETED"), meta())
    first.close()
    second.close()
