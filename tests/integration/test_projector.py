"""The projector as a process: exactly once across a crash mid-batch, and failover to a standby."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import asyncpg
import pytest

from domain.activity import Activity
from domain.facts import Meta
from projections import queries as q
from projections.projector import Projector, ProjectorBusy, read_position, wait_for_position
from projections.rebuild import verify
from projections.schema import create_tables
from service.application.ledger import PlanLedger
from service.config import ServerAddress
from tests.conftest import url_of
from tests.integration.test_projection_support import new_plan
from tests.paths import ROOT


@pytest.fixture
def app(database: ServerAddress) -> Iterator[PlanLedger]:
    ledger = PlanLedger.connect(database)
    yield ledger
    ledger.close()


def backlog(app: PlanLedger, activities: int, reports: int, code: str = "HR-LOAD") -> int:
    """Write activities × (1 + reports) facts in few transactions; returns the log's end."""
    plan_id = new_plan(app, code, strategies=1)
    start = date(2020, 10, 1)
    batch: list[Activity] = []
    for n in range(activities):
        activity = Activity.register(
            plan_id=plan_id,
            strategy_number=1,
            fiscal_year=2564,
            kind="ONE_YEAR",
            title=f"Activity {n}",
            responsible_units=["HR"],
            meta=Meta(start, "loader"),
        )
        for r in range(reports):
            activity.report_progress(Decimal(r + 1), Meta(start + timedelta(days=r + 1), "loader"))
        batch.append(activity)
        if len(batch) == 50:
            app.save(*batch)
            batch = []
    if batch:
        app.save(*batch)
    return int(app.recorder.max_notification_id() or 0)


def start_projector(database: ServerAddress, *extra: str, status: Path | None = None) -> subprocess.Popen[bytes]:
    args = [sys.executable, "-m", "projections.run", "--url", url_of(database), "--standby", "0.2", *extra]
    if status is not None:
        args += ["--status-file", str(status)]
    return subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.kill()
    process.wait(10)


async def wait_until(check: object, timeout: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if await check():  # type: ignore[operator]
            return time.monotonic() - started
        await asyncio.sleep(0.02)
    raise TimeoutError("condition not reached")


async def catch_up_when_free(database: ServerAddress, timeout: float = 10.0) -> int:
    started = time.monotonic()
    while True:
        try:
            return await Projector(database.asyncpg_args()).catch_up()
        except ProjectorBusy:
            if time.monotonic() - started > timeout:
                raise
            await asyncio.sleep(0.1)


async def test_killed_mid_batch_then_restarted_applies_every_event_once(
    app: PlanLedger, database: ServerAddress
) -> None:
    end = backlog(app, activities=120, reports=9)
    conn = await asyncpg.connect(**database.asyncpg_args())
    await create_tables(conn)
    process = start_projector(database, "--batch-size", "100", "--pause-before-commit", "0.3")
    try:

        async def mid_batch() -> bool:
            position = await conn.fetchval("SELECT position FROM projection_position WHERE name = 'rm_'")
            busy = await conn.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND state = 'idle in transaction'"
            )
            return bool(position and position >= 300 and busy)

        await wait_until(mid_batch, 60)
        process.send_signal(signal.SIGKILL)
        process.wait(10)
        killed_at = await read_position(conn)
        assert 300 <= killed_at < end
        # what the killed batch wrote was rolled back with its position
        assert await conn.fetchval("SELECT max(position) FROM rm_event") == killed_at
        reached = await catch_up_when_free(database)
        assert reached == end
        domain_events = await conn.fetchval("SELECT count(*) FROM planledger_events WHERE topic LIKE 'domain.%'")
        assert await conn.fetchval("SELECT count(*) FROM rm_event") == domain_events
        assert await conn.fetchval("SELECT count(DISTINCT position) FROM rm_event") == domain_events
        # each activity's progress was reported 9 times: exactly one open row per activity and
        # one closed row per report superseded, no more
        assert (
            await conn.fetchval(
                "SELECT count(*) FROM rm_activity WHERE recorded_to > now() AND valid_to > now() "
                "AND reported_to > '9999-12-30'"
            )
            == 120
        )
        assert await verify(database.asyncpg_args()) == []
    finally:
        stop(process)
        await conn.close()


async def test_a_standby_takes_over_when_the_active_projector_is_killed(
    app: PlanLedger, database: ServerAddress, tmp_path: Path
) -> None:
    conn = await asyncpg.connect(**database.asyncpg_args())
    first_status, second_status = tmp_path / "first", tmp_path / "second"
    first = start_projector(database, status=first_status)
    time.sleep(0.5)
    second = start_projector(database, status=second_status)
    processes = {first_status: first, second_status: second}
    try:
        end = backlog(app, activities=10, reports=3, code="HR-A")
        await wait_for_position(conn, end, timeout=20)

        async def one_active() -> bool:
            return sum(s.exists() for s in processes) == 1

        await wait_until(one_active, 10)
        await asyncio.sleep(0.5)
        assert sum(s.exists() for s in processes) == 1, "only one projector is active"
        active_status = next(s for s in processes if s.exists())
        standby_status = next(s for s in processes if not s.exists())
        os.kill(processes[active_status].pid, signal.SIGKILL)
        processes[active_status].wait(10)
        killed = time.monotonic()
        end = backlog(app, activities=5, reports=2, code="HR-B")
        await wait_for_position(conn, end, timeout=10)

        async def standby_active() -> bool:
            return standby_status.exists()

        await wait_until(standby_active, 5)
        took = time.monotonic() - killed
        assert took < 5, f"takeover took {took:.1f}s"
        assert await verify(database.asyncpg_args()) == []
        plan = await conn.fetchval("SELECT stream_id FROM rm_plan WHERE code = 'HR-B'")
        assert plan is not None and (await q.plan_as_of(conn, plan)) is not None
    finally:
        for process in processes.values():
            stop(process)
        await conn.close()


async def test_commit_to_visible_is_quick_with_a_running_projector(app: PlanLedger, database: ServerAddress) -> None:
    conn = await asyncpg.connect(**database.asyncpg_args())
    halt = asyncio.Event()
    projector = Projector(database.asyncpg_args(), poll_interval=5.0)
    task = asyncio.create_task(projector.run(halt))
    try:
        plan_id = new_plan(app, "HR-LIVE", strategies=1)
        await wait_for_position(conn, int(app.recorder.max_notification_id() or 0), timeout=10)
        delays = []
        from domain import commands as c
        from tests.integration.test_projection_support import meta

        for n in range(20):
            receipt = await asyncio.to_thread(
                app.execute, c.AddStrategy(plan_id=plan_id, number=n + 2, title=f"S{n}"), meta(date(2018, 1, 1))
            )
            started = time.monotonic()
            await wait_for_position(conn, receipt.cursor, timeout=5)
            delays.append(time.monotonic() - started)
        plan = await q.plan_as_of(conn, plan_id)
        assert plan is not None and len(plan["strategies"]) == 21
        assert sorted(delays)[-1] < 1.0
    finally:
        halt.set()
        await asyncio.wait_for(task, 10)
        await conn.close()


async def test_a_process_starting_while_the_projector_writes_neither_waits_nor_deadlocks(
    database: ServerAddress,
) -> None:
    """create_tables on a database whose tables are all there creates nothing and takes no lock:
    a web worker starting while the projector process held its batch's row locks deadlocked with it
    (CREATE INDEX IF NOT EXISTS locks its table SHARE even when the index exists)."""
    first = await asyncpg.connect(**database.asyncpg_args())
    projecting = await asyncpg.connect(**database.asyncpg_args())
    starting = await asyncpg.connect(**database.asyncpg_args())
    try:
        await create_tables(first)
        async with projecting.transaction():  # as a batch: row locks on the read models, held
            await projecting.execute("LOCK TABLE rm_event, rm_activity IN ROW EXCLUSIVE MODE")
            await asyncio.wait_for(create_tables(starting), 5)  # before: waited for the batch's end
    finally:
        for conn in (first, projecting, starting):
            await conn.close()


async def test_a_cached_timeline_without_its_history_is_primed_again_for_what_refolds_it(
    app: PlanLedger, database: ServerAddress, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The projector lets a busy stream's facts go once its cached timeline holds more than
    TIMELINE_FACTS_KEPT (here 3): reports in order are projected without them; a backdated report
    and a correction, which re-fold the whole history, prime the timeline again from the log. The
    read models are then what a rebuild makes of the log (`verify`)."""
    import projections.projector as projector_module
    from domain import commands as c
    from tests.integration.test_projection_support import meta

    monkeypatch.setattr(projector_module, "TIMELINE_FACTS_KEPT", 3)
    backlog(app, activities=2, reports=6, code="HR-HIST")
    projector = Projector(database.asyncpg_args())
    await projector.catch_up()
    (activity, *_) = [stream for stream, timeline in projector.cache.items() if timeline.kind.name == "activity"]
    assert projector.cache[activity].history_dropped and projector.cache[activity].facts == []

    later = date(2020, 10, 1) + timedelta(days=30)
    for n in range(5):  # in order: taken by the cached timeline, no history needed
        await asyncio.to_thread(
            app.execute, c.ReportProgress(activity, Decimal(40 + n)), meta(later + timedelta(days=n))
        )
    await projector.catch_up()
    cached = projector.cache[activity]
    assert cached.history_dropped and len(cached.facts) <= 5
    assert await verify(database.asyncpg_args()) == []

    await asyncio.to_thread(app.execute, c.ReportProgress(activity, Decimal(9)), meta(later - timedelta(days=20)))
    await projector.catch_up()
    assert projector.cache[activity] is not cached  # primed again from the log
    assert await verify(database.asyncpg_args()) == []

    projector.cache[activity].drop_history()
    await asyncio.to_thread(
        app.execute, c.CorrectEvent(activity, 3, {"progress": Decimal(2)}), meta(later, reason="misread")
    )
    await projector.catch_up()
    assert await verify(database.asyncpg_args()) == []
    conn = await asyncpg.connect(**database.asyncpg_args())
    try:
        assert await conn.fetchval("SELECT count(*) FROM rm_activity WHERE stream_id = $1", activity) > 0
    finally:
        await conn.close()
