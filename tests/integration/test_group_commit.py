"""Group commit on a real PostgreSQL: concurrent commands share transactions, and each still gets
its own outcome (`service.store.group_commit`)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from uuid import UUID

import psycopg
import pytest
from eventsourcing.persistence import OperationalError

from domain import commands as c
from domain.activity import Activity
from service.application.ledger import PlanLedger, Receipt
from service.config import ServerAddress
from service.store.group_commit import GroupCommit
from tests.integration.store_helpers import activities_in_one_plan, meta


@pytest.fixture
def app(database: ServerAddress) -> PlanLedger:
    ledger = PlanLedger.connect(database)
    yield ledger
    ledger.close()


def _logged(database: ServerAddress, receipts: list[Receipt]) -> dict[int, tuple[UUID, int]]:
    with psycopg.connect(database.dsn(), autocommit=True) as conn:
        rows = conn.execute(
            "SELECT notification_id, originator_id, originator_version FROM planledger_events "
            "WHERE notification_id = ANY(%s)",
            ([r.cursor for r in receipts],),
        ).fetchall()
    return {position: (stream, version) for position, stream, version in rows}


class _Held:
    """A record function that holds its first call until released, so that commands queue; each
    call then goes on to `then` (the ledger's own `_record` unless given)."""

    def __init__(self, app: PlanLedger, then: Callable[[Any], Any] | None = None) -> None:
        self.then = then or app._record
        self.entered = threading.Event()
        self.release = threading.Event()
        self.calls = 0

    def __call__(self, event):  # type: ignore[no-untyped-def]
        self.calls += 1
        if self.calls == 1:
            self.entered.set()
            assert self.release.wait(10)
        return self.then(event)


def _queue_behind(app: PlanLedger, held: _Held, first: Callable[[], None], queued: list[Callable[[], None]]) -> None:
    """Run `first`, whose save `held` holds; then `queued`, all waiting behind it; then release."""
    app.group_commit = GroupCommit(held)
    leader = threading.Thread(target=first)
    leader.start()
    assert held.entered.wait(10)
    others = [threading.Thread(target=q) for q in queued]
    for t in others:
        t.start()
    while len(app.group_commit._queue) < len(others):  # all queued behind the held commit
        threading.Event().wait(0.01)
    held.release.set()
    for t in [leader, *others]:
        t.join(30)


def test_commands_arriving_together_share_a_transaction_and_get_their_own_receipts(
    app: PlanLedger, database: ServerAddress
) -> None:
    activities = activities_in_one_plan(app, 12)
    receipts: dict[UUID, Receipt] = {}

    def report(activity: UUID, progress: int) -> Callable[[], None]:
        def run() -> None:
            receipts[activity] = app.execute(c.ReportProgress(activity_id=activity, progress=Decimal(progress)), meta())

        return run

    queued = [report(a, n) for n, a in enumerate(activities[1:], start=2)]
    _queue_behind(app, _Held(app), report(activities[0], 1), queued)
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
    activity, other = activities_in_one_plan(app, 2)
    versions: list[int] = []

    def report(target: UUID, progress: int) -> Callable[[], None]:
        def run() -> None:
            receipt = app.execute(c.ReportProgress(activity_id=target, progress=Decimal(progress)), meta())
            if target == activity:
                versions.append(receipt.version)

        return run

    _queue_behind(app, _Held(app), report(other, 1), [report(activity, n) for n in range(2, 6)])
    # never refused as a whole: the four were saved one after another, each on the one before
    assert app.group_commit.split == 0
    assert sorted(versions) == [2, 3, 4, 5]  # registered at version 1
    assert app.group_commit.transactions == 5


def test_a_batch_with_a_stale_command_is_split_and_only_that_one_is_retried(
    app: PlanLedger, database: ServerAddress
) -> None:
    activities = activities_in_one_plan(app, 6)
    stale = activities[1]
    app.execute(c.ReportProgress(activity_id=stale, progress=Decimal(1)), meta())  # cached here
    elsewhere = PlanLedger.connect(database)  # another process moves it on
    elsewhere.execute(c.ReportProgress(activity_id=stale, progress=Decimal(2)), meta())
    elsewhere.close()
    receipts: dict[UUID, Receipt] = {}

    def report(activity: UUID, progress: int) -> Callable[[], None]:
        def run() -> None:
            receipts[activity] = app.execute(c.ReportProgress(activity_id=activity, progress=Decimal(progress)), meta())

        return run

    queued = [report(a, 10 + n) for n, a in enumerate(activities[1:], start=1)]
    _queue_behind(app, _Held(app), report(activities[0], 10), queued)
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
    activities = activities_in_one_plan(app, 5)
    calls: list[int] = []

    def away(event):  # type: ignore[no-untyped-def]
        calls.append(len(event.events))
        raise OperationalError("connection refused")

    errors: list[BaseException] = []

    def report(activity: UUID) -> Callable[[], None]:
        def run() -> None:
            changed = app.load(Activity, activity)
            changed.report_progress(Decimal(50), meta())
            try:
                app.group_commit.save(changed)
            except BaseException as error:
                errors.append(error)

        return run

    _queue_behind(app, _Held(app, then=away), report(activities[0]), [report(a) for a in activities[1:]])
    assert len(errors) == 5 and all(isinstance(e, OperationalError) for e in errors)
    assert calls == [1]  # the store was asked once, not once per batch
