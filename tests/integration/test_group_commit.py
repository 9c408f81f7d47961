"""Group commit on a real PostgreSQL: concurrent commands share transactions, and each still gets
its own outcome (`service.group_commit`)."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal
from uuid import UUID

import psycopg
import pytest
from eventsourcing.persistence import OperationalError

from domain import commands as c
from domain.activity import Activity
from service.config import ServerAddress
from service.group_commit import GroupCommit
from service.ledger import PlanLedger, Receipt
from tests.integration.store_helpers import meta, plan_with_activity


@pytest.fixture
def app(database: ServerAddress) -> PlanLedger:
    ledger = PlanLedger.connect(database)
    yield ledger
    ledger.close()


def _activities(app: PlanLedger, count: int) -> list[UUID]:
    plan_id, first = plan_with_activity(app)
    more = [
        app.execute(
            c.RegisterActivity(
                plan_id=plan_id,
                strategy_number=1,
                fiscal_year=2563,
                kind="ONE_YEAR",
                title=f"Course {n}",
                responsible_units=("HR office",),
            ),
            meta(date(2019, 10, 1)),
        ).stream_id
        for n in range(count - 1)
    ]
    return [first, *more]


def _logged(database: ServerAddress, receipts: list[Receipt]) -> dict[int, tuple[UUID, int]]:
    with psycopg.connect(database.dsn(), autocommit=True) as conn:
        rows = conn.execute(
            "SELECT notification_id, originator_id, originator_version FROM planledger_events "
            "WHERE notification_id = ANY(%s)",
            ([r.cursor for r in receipts],),
        ).fetchall()
    return {position: (stream, version) for position, stream, version in rows}


class _Held:
    """A record function that holds its first call until released, so that commands queue."""

    def __init__(self, app: PlanLedger) -> None:
        self.app = app
        self.entered = threading.Event()
        self.release = threading.Event()
        self.calls = 0

    def __call__(self, event):  # type: ignore[no-untyped-def]
        self.calls += 1
        if self.calls == 1:
            self.entered.set()
            assert self.release.wait(10)
        return self.app._record(event)


def test_commands_arriving_together_share_a_transaction_and_get_their_own_receipts(
    app: PlanLedger, database: ServerAddress
) -> None:
    activities = _activities(app, 12)
    held = _Held(app)
    app.group_commit = GroupCommit(held)
    receipts: dict[UUID, Receipt] = {}

    def report(activity: UUID, progress: int) -> None:
        receipts[activity] = app.execute(c.ReportProgress(activity_id=activity, progress=Decimal(progress)), meta())

    leader = threading.Thread(target=report, args=(activities[0], 1))
    leader.start()
    assert held.entered.wait(10)
    others = [threading.Thread(target=report, args=(a, n)) for n, a in enumerate(activities[1:], start=2)]
    for t in others:
        t.start()
    while len(app.group_commit._queue) < len(others):  # all queued behind the held commit
        threading.Event().wait(0.01)
    held.release.set()
    leader.join(30)
    for t in others:
        t.join(30)
    assert len(receipts) == 12
    # the first alone, the eleven queued behind it in one transaction
    assert (app.group_commit.transactions, app.group_commit.commands) == (2, 12)
    logged = _logged(database, list(receipts.values()))
    for activity, receipt in receipts.items():
        assert logged[receipt.cursor] == (activity, receipt.version), "a receipt names another command's event"
    reread = PlanLedger.connect(database)
    for n, activity in enumerate(activities, start=1):
        assert reread.repository.get(activity).state.progress == Decimal(n)
    reread.close()


def test_two_commands_on_one_stream_are_never_in_one_batch(app: PlanLedger) -> None:
    activity, other = _activities(app, 2)
    held = _Held(app)
    app.group_commit = GroupCommit(held)
    versions: list[int] = []

    def report(target: UUID, progress: int) -> None:
        receipt = app.execute(c.ReportProgress(activity_id=target, progress=Decimal(progress)), meta())
        if target == activity:
            versions.append(receipt.version)

    first = threading.Thread(target=report, args=(other, 1))
    first.start()
    assert held.entered.wait(10)
    same = [threading.Thread(target=report, args=(activity, n)) for n in range(2, 6)]
    for t in same:
        t.start()
    while len(app.group_commit._queue) < len(same):
        threading.Event().wait(0.01)
    held.release.set()
    first.join(30)
    for t in same:
        t.join(30)
    # never refused as a whole: the four were saved one after another, each on the one before
    assert app.group_commit.split == 0
    assert sorted(versions) == [2, 3, 4, 5]  # registered at version 1
    assert app.group_commit.transactions == 5


def test_a_batch_with_a_stale_command_is_split_and_only_that_one_is_retried(
    app: PlanLedger, database: ServerAddress
) -> None:
    activities = _activities(app, 6)
    stale = activities[1]
    app.execute(c.ReportProgress(activity_id=stale, progress=Decimal(1)), meta())  # cached here
    elsewhere = PlanLedger.connect(database)  # another process moves it on
    elsewhere.execute(c.ReportProgress(activity_id=stale, progress=Decimal(2)), meta())
    elsewhere.close()
    held = _Held(app)
    app.group_commit = GroupCommit(held)
    receipts: dict[UUID, Receipt] = {}

    def report(activity: UUID, progress: int) -> None:
        receipts[activity] = app.execute(c.ReportProgress(activity_id=activity, progress=Decimal(progress)), meta())

    leader = threading.Thread(target=report, args=(activities[0], 10))
    leader.start()
    assert held.entered.wait(10)
    others = [threading.Thread(target=report, args=(a, 10 + n)) for n, a in enumerate(activities[1:], start=1)]
    for t in others:
        t.start()
    while len(app.group_commit._queue) < len(others):
        threading.Event().wait(0.01)
    held.release.set()
    leader.join(30)
    for t in others:
        t.join(30)
    assert len(receipts) == 6
    assert app.group_commit.split == 1
    reread = PlanLedger.connect(database)
    for n, activity in enumerate(activities):
        assert reread.repository.get(activity).state.progress == Decimal(10 + n)
    # the stale one was decided again on fresh state: after both earlier reports
    # registered, reported here, reported elsewhere, and this report: version 4
    assert receipts[stale].version == reread.repository.get(stale).version == 4
    reread.close()


def test_when_the_store_is_away_the_commands_queued_behind_hear_it_at_once(app: PlanLedger) -> None:
    """The failing batch's error reaches every queued command without another round of retries."""
    activities = _activities(app, 5)
    release = threading.Event()
    entered = threading.Event()
    calls: list[int] = []

    def away(event):  # type: ignore[no-untyped-def]
        calls.append(len(event.events))
        entered.set()
        assert release.wait(10)
        raise OperationalError("connection refused")

    app.group_commit = GroupCommit(away)
    errors: list[BaseException] = []

    def report(activity: UUID) -> None:
        changed = app.load(Activity, activity)
        changed.report_progress(Decimal(50), meta())
        try:
            app.group_commit.save(changed)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=report, args=(a,)) for a in activities]
    threads[0].start()
    assert entered.wait(10)
    for t in threads[1:]:
        t.start()
    while len(app.group_commit._queue) < len(threads) - 1:
        threading.Event().wait(0.01)
    release.set()
    for t in threads:
        t.join(10)
    assert len(errors) == 5 and all(isinstance(e, OperationalError) for e in errors)
    assert calls == [1]  # the store was asked once, not once per batch
