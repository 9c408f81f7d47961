"""Commands decided and saved on the event loop (`PlanLedger.execute_on_loop`, the appender of
`service.store.appender`), on a real PostgreSQL: the same receipts and refusals as the thread
path, group commit across requests, and the thread path taking over whenever the store must be
asked (a stream not cached, a collision with another process, a key used before)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import psycopg
import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent

from domain import commands as c
from domain.activity import Activity
from domain.errors import IdempotencyKeyReused, ValidationError
from service.application import meta as m
from service.application.access import Principal
from service.application.ledger import NotOnLoop, PlanLedger, StoreUnavailable
from service.application.roles import Role
from service.application.run import run_command
from service.config import ServerAddress
from service.store.appender import Appender
from tests.integration.store_helpers import (
    NoMeetings,
    activities_in_one_plan,
    from_another_process,
    ledger_on_loop,
    meta,
)

ADMIN = Principal(name="secretariat", role=Role.ADMIN)


@pytest.fixture
async def app(database: ServerAddress) -> AsyncIterator[PlanLedger]:
    async with ledger_on_loop(database) as ledger:
        yield ledger


def _versions(database: ServerAddress, stream: UUID) -> list[int]:
    with psycopg.connect(database.dsn(), autocommit=True) as conn:
        rows = conn.execute(
            "SELECT originator_version FROM planledger_events WHERE originator_id = %s ORDER BY notification_id",
            (stream,),
        ).fetchall()
    return [r[0] for r in rows]


async def _report(app: PlanLedger, activity: UUID, progress: int, **request: Any) -> Any:
    command = c.ReportProgress(activity, Decimal(progress))
    return await run_command(
        ADMIN,
        command,
        m.MetaRequest(effective_on=meta().effective_on, **request),
        ledger=app,
        meetings=NoMeetings(),
    )


async def _raw_appends(app: PlanLedger) -> tuple[UUID, int, Appender, Callable[[UUID, int], StoredEvent]]:
    """An activity, its version, the appender, and `event(stream, version)`: a copy of the
    activity's last stored event at that place (for appends sent straight to the appender)."""
    (activity,) = await asyncio.to_thread(activities_in_one_plan, app, 1)
    taken = app.load(Activity, activity).version
    appender = app.appender
    assert appender is not None
    (kept,) = [e for e in app.recorder.select_events(activity, gt=taken - 1)]  # the last event, as stored

    def event(stream: UUID, version: int) -> StoredEvent:
        return StoredEvent(stream, version, kept.topic, kept.state)

    return activity, taken, appender, event


async def test_a_cached_command_is_decided_and_saved_on_the_loop(app: PlanLedger, database: ServerAddress) -> None:
    (activity,) = await asyncio.to_thread(activities_in_one_plan, app, 1)
    before = app.load(Activity, activity).version
    receipt = await app.execute_on_loop(c.ReportProgress(activity, Decimal(10)), meta())
    assert (receipt.stream_id, receipt.version, receipt.replayed) == (activity, before + 1, False)
    assert app.appender is not None and app.appender.appends == 1
    # the cache holds what was saved: the next command starts from it
    assert app.load(Activity, activity).state.progress == Decimal(10)
    assert _versions(database, activity)[-1] == before + 1


async def test_a_stream_not_cached_goes_to_the_thread_path_and_nothing_is_saved_on_the_loop(
    app: PlanLedger, database: ServerAddress
) -> None:
    (activity,) = await asyncio.to_thread(activities_in_one_plan, app, 1)
    app.forget(activity)
    with pytest.raises(NotOnLoop):
        await app.execute_on_loop(c.ReportProgress(activity, Decimal(10)), meta())
    assert app.appender is not None and app.appender.appends == 0
    ran = await _report(app, activity, 10)  # run_command: the thread path loads it and records
    assert ran.receipt.version == _versions(database, activity)[-1]


async def test_concurrent_requests_share_transactions_and_each_gets_its_own_receipt(
    app: PlanLedger, database: ServerAddress
) -> None:
    activities = await asyncio.to_thread(activities_in_one_plan, app, 8)
    for activity in activities:
        app.load(Activity, activity)  # cached, as after the first request on each
    ran = await asyncio.gather(*(_report(app, a, 20 + n) for n, a in enumerate(activities) for _ in range(3)))
    appender = app.appender
    assert appender is not None and appender.appends == 24
    assert appender.transactions < appender.appends  # several commands per transaction
    for activity in activities:
        receipts = sorted(r.receipt.version for r in ran if r.receipt.stream_id == activity)
        assert receipts == _versions(database, activity)[-3:]  # one stream's commands in turn, none lost
    assert len({r.receipt.cursor for r in ran}) == 24


async def test_a_write_by_another_process_is_decided_again_on_the_store_s_state(
    app: PlanLedger, database: ServerAddress
) -> None:
    (activity,) = await asyncio.to_thread(activities_in_one_plan, app, 1)
    app.load(Activity, activity)
    theirs = await asyncio.to_thread(
        from_another_process, database, lambda other: other.execute(c.ReportProgress(activity, Decimal(30)), meta())
    )
    # our cache is one version behind: the save collides, the thread path decides again
    ran = await _report(app, activity, 40)
    assert ran.receipt.version == theirs.version + 1
    assert _versions(database, activity)[-2:] == [theirs.version, theirs.version + 1]
    assert app.load(Activity, activity).state.progress == Decimal(40)


async def test_idempotency_keys_record_once_and_refuse_another_command(
    app: PlanLedger, database: ServerAddress
) -> None:
    (activity,) = await asyncio.to_thread(activities_in_one_plan, app, 1)
    app.load(Activity, activity)
    first = await _report(app, activity, 50, idempotency_key="k-1")
    again = await _report(app, activity, 50, idempotency_key="k-1")
    assert (again.receipt.version, again.receipt.cursor, again.receipt.replayed) == (
        first.receipt.version,
        first.receipt.cursor,
        True,
    )
    with pytest.raises(IdempotencyKeyReused):
        await _report(app, activity, 60, idempotency_key="k-1")
    assert _versions(database, activity).count(first.receipt.version) == 1
    assert _versions(database, activity)[-1] == first.receipt.version


async def test_a_refusal_is_the_thread_path_s_and_records_nothing(app: PlanLedger, database: ServerAddress) -> None:
    (activity,) = await asyncio.to_thread(activities_in_one_plan, app, 1)
    app.load(Activity, activity)
    before = _versions(database, activity)
    with pytest.raises(ValidationError):
        await _report(app, activity, 101)
    assert _versions(database, activity) == before


async def test_an_unreachable_store_is_store_unavailable_and_the_next_command_records(
    app: PlanLedger, database: ServerAddress
) -> None:
    (activity,) = await asyncio.to_thread(activities_in_one_plan, app, 1)
    app.load(Activity, activity)
    await app.execute_on_loop(c.ReportProgress(activity, Decimal(1)), meta())  # the appender's connection is open
    appender = app.appender
    assert appender is not None and appender._writer is not None
    with psycopg.connect(database.dsn(), autocommit=True) as conn:  # the connection is lost
        conn.execute("SELECT pg_terminate_backend(%s)", (appender._writer.get_server_pid(),))
    with pytest.raises(StoreUnavailable):
        await app.execute_on_loop(c.ReportProgress(activity, Decimal(2)), meta())
    # the database itself is there: the next command finds it (through the thread path's probe first)
    ran = await _report(app, activity, 3)
    assert ran.receipt.version == _versions(database, activity)[-1]
    ran = await _report(app, activity, 4)
    assert app.appender is not None and app.appender.appends >= 2


async def test_commands_on_one_stream_are_decided_while_the_one_before_is_committing(
    app: PlanLedger, database: ServerAddress
) -> None:
    (activity,) = await asyncio.to_thread(activities_in_one_plan, app, 1)
    before = app.load(Activity, activity).version
    ran = await asyncio.gather(*(_report(app, activity, 10 + n) for n in range(8)))
    appender = app.appender
    assert appender is not None and appender.appends == 8
    assert appender.pipelined >= 1  # decided on the state of an append not committed yet
    versions = _versions(database, activity)
    assert versions == list(range(1, before + 9))  # one after another, no gap, none lost
    assert sorted(r.receipt.version for r in ran) == versions[-8:]
    assert len({r.receipt.cursor for r in ran}) == 8
    last = max(ran, key=lambda r: r.receipt.version)
    assert app.load(Activity, activity).state.progress == last.command.progress  # the cache follows the commits
    assert app._uncommitted == {}


async def test_an_append_on_top_of_one_that_collided_is_not_saved_and_is_decided_again(
    app: PlanLedger, database: ServerAddress
) -> None:
    (activity,) = await asyncio.to_thread(activities_in_one_plan, app, 1)
    app.load(Activity, activity)
    await asyncio.to_thread(  # another process writes the stream: our cache is one version behind
        from_another_process, database, lambda other: other.execute(c.ReportProgress(activity, Decimal(30)), meta())
    )
    # the first collides; the ones decided on its state must not be saved (a gap in the versions)
    ran = await asyncio.gather(*(_report(app, activity, 40 + n) for n in range(4)))
    appender = app.appender
    assert appender is not None and appender.pipelined >= 1 and appender.dropped >= 1
    versions = _versions(database, activity)
    assert versions == list(range(1, len(versions) + 1))
    assert sorted(r.receipt.version for r in ran) == versions[-4:]
    assert app._uncommitted == {}
    stored = from_another_process(database, lambda fresh: fresh.load(Activity, activity))
    last = max(ran, key=lambda r: r.receipt.version)
    assert stored.version == versions[-1] and stored.state.progress == last.command.progress


async def test_the_appender_sends_no_append_decided_on_one_that_was_not_saved(
    app: PlanLedger, database: ServerAddress
) -> None:
    activity, taken, appender, event = await _raw_appends(app)
    fresh_stream = uuid4()

    first = appender.enqueue([event(activity, taken)])  # collides: that version is taken
    on_top = appender.enqueue([event(activity, taken + 1)], after=first)  # chained to it, in its batch
    apart = appender.enqueue([event(fresh_stream, 1)])
    with pytest.raises(IntegrityError):
        await appender.wait(first)
    with pytest.raises(IntegrityError, match="not saved"):
        await appender.wait(on_top)
    assert len(await appender.wait(apart)) == 1
    assert (appender.split, appender.dropped) == (1, 1)  # one batch, refused, saved again one by one
    assert _versions(database, activity)[-1] == taken  # nothing past the collision
    assert _versions(database, fresh_stream) == [1]


async def test_appends_chained_on_one_stream_share_a_transaction_in_their_order(
    app: PlanLedger, database: ServerAddress
) -> None:
    activity, taken, appender, event = await _raw_appends(app)
    fresh_stream = uuid4()

    before = appender.transactions
    first = appender.enqueue([event(activity, taken + 1)])
    second = appender.enqueue([event(activity, taken + 2)], after=first)
    third = appender.enqueue([event(activity, taken + 3)], after=second)
    apart = appender.enqueue([event(fresh_stream, 1)])
    # shares a stream with `apart` without being decided on it: it waits for the next commit
    unchained = appender.enqueue([event(fresh_stream, 2)])
    ids = [await appender.wait(e) for e in (first, second, third, apart, unchained)]
    assert appender.transactions == before + 2
    assert ids[0] < ids[1] < ids[2] and ids[3] < ids[4]  # in the log in the order they were decided
    assert ids[3] > ids[2] and (first.after, second.after, third.after) == (None, None, None)  # (no chain kept alive)
    assert _versions(database, activity)[-3:] == [taken + 1, taken + 2, taken + 3]
    assert _versions(database, fresh_stream) == [1, 2]
