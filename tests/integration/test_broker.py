"""The Broker against a real PostgreSQL, a real running Projector and writes through PlanLedger:
live delivery, replay then live with no gap and no duplicate, falling behind a tiny buffer, a slow
subscriber beside a fast one, two brokers (as if two processes), read-your-writes, risk states,
polling without LISTEN, and reconnecting after the LISTEN connection is killed."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

import asyncpg
import pytest

from domain import commands as c
from projections import queries as q
from projections.live import APPLICATION_NAME, RISK_TYPES, Broker, EventRow
from projections.projector import Projector
from service.application.ledger import PlanLedger, Receipt
from service.config import ServerAddress
from tests.integration.test_projection_support import meta, new_activity, new_plan

TIMEOUT = 60.0


async def wait_until(check: Callable[[], bool], timeout: float = TIMEOUT, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not reached in {timeout}s")
        await asyncio.sleep(0.01)


@dataclass
class Collector:
    """Runs one subscription in a task and keeps what it receives."""

    rows: list[EventRow] = field(default_factory=list)
    task: asyncio.Task[None] | None = None
    delay: float = 0.0
    gate: asyncio.Event | None = None  # when set up, waits on it after the first row

    def start(self, iterator: Any) -> Collector:
        async def run() -> None:
            async with contextlib.aclosing(iterator) as rows:
                async for row in rows:
                    self.rows.append(row)
                    if self.gate is not None:
                        await self.gate.wait()
                    if self.delay:
                        await asyncio.sleep(self.delay)

        self.task = asyncio.create_task(run())
        return self

    @property
    def positions(self) -> list[int]:
        return [r.position for r in self.rows]

    async def until(self, position: int, timeout: float = TIMEOUT) -> None:
        await wait_until(lambda: bool(self.rows) and self.rows[-1].position >= position, timeout, f"at {position}")

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task


@dataclass
class Env:
    address: ServerAddress
    ledger: PlanLedger
    pool: asyncpg.Pool
    conn: asyncpg.Connection
    stop: asyncio.Event
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    brokers: list[Broker] = field(default_factory=list)

    async def broker(self, **options: Any) -> Broker:
        broker = Broker(self.address.asyncpg_args(), self.pool, **options)
        self.brokers.append(broker)
        self.tasks.append(asyncio.create_task(broker.run(self.stop)))
        await wait_until(lambda: broker.ready, what="broker ready")
        return broker

    async def execute(self, command: c.Command, on: date = date(2021, 1, 4)) -> Receipt:
        return await asyncio.to_thread(self.ledger.execute, command, meta(on))

    async def retitles(self, activity: UUID, count: int, start: int = 0) -> list[int]:
        """`count` writes (one event each), one after another in a thread; their positions."""

        def write() -> list[int]:
            return [
                self.ledger.execute(
                    c.RetitleActivity(activity_id=activity, title=f"T{n}"), meta(date(2021, 1, 4))
                ).cursor
                for n in range(start, start + count)
            ]

        return await asyncio.to_thread(write)

    async def setup_plan(self, code: str = "HR") -> tuple[UUID, UUID]:
        def work() -> tuple[UUID, UUID]:
            plan = new_plan(self.ledger, code, strategies=1)
            return plan, new_activity(self.ledger, plan, date(2020, 10, 1))

        made = await asyncio.to_thread(work)
        end = int(self.ledger.recorder.max_notification_id() or 0)
        for broker in self.brokers:  # so that a subscription from "now" starts after these
            assert await broker.wait_for(end, TIMEOUT)
        return made

    async def expected(self, plan: UUID, after: int) -> list[int]:
        rows = await self.conn.fetch(
            "SELECT position FROM rm_event WHERE plan_id = $1 AND position > $2 ORDER BY position", plan, after
        )
        return [r["position"] for r in rows]


@pytest.fixture
async def env(database: ServerAddress) -> AsyncIterator[Env]:
    ledger = await asyncio.to_thread(PlanLedger.connect, database)
    args = database.asyncpg_args()
    pool = await asyncpg.create_pool(min_size=1, max_size=5, **args)
    conn = await asyncpg.connect(**args)
    stop = asyncio.Event()
    projector = Projector(args)
    environment = Env(database, ledger, pool, conn, stop, [asyncio.create_task(projector.run(stop))])
    try:
        yield environment
    finally:
        stop.set()
        await asyncio.wait_for(asyncio.gather(*environment.tasks, return_exceptions=True), 15)
        await conn.close()
        await pool.close()
        ledger.close()


def of_plan(plan: UUID) -> Callable[[EventRow], bool]:
    return lambda row: row.plan_id == plan


async def test_live_events_arrive_once_projected(env: Env) -> None:
    broker = await env.broker()
    plan, activity = await env.setup_plan()
    watcher = Collector().start(broker.subscribe(None, of_plan(plan)))
    try:
        await asyncio.sleep(0.1)
        positions = await env.retitles(activity, 3)
        await watcher.until(positions[-1])
        assert watcher.positions == positions
        assert [r.type for r in watcher.rows] == ["Activity.Retitled"] * 3
        assert [r.payload for r in watcher.rows] == [{"title": "T0"}, {"title": "T1"}, {"title": "T2"}]
        first = watcher.rows[0]
        assert (first.stream_id, first.stream_kind, first.plan_id, first.actor) == (
            activity,
            "activity",
            plan,
            "secretariat",
        )
        assert first.effective_on == date(2021, 1, 4) and first.risk is None
        # delivered once projected: the read models already say so
        seen = await q.activity_as_of(env.conn, activity)
        assert seen is not None and seen["title"] == "T2"
    finally:
        await watcher.stop()


async def test_without_after_it_starts_at_the_projected_position(env: Env) -> None:
    broker = await env.broker()
    plan, activity = await env.setup_plan()
    before = await env.retitles(activity, 3)
    assert await broker.wait_for(before[-1], 10)
    watcher = Collector().start(broker.subscribe(None, of_plan(plan)))
    try:
        after = await env.retitles(activity, 2, start=3)
        await watcher.until(after[-1])
        assert watcher.positions == after
    finally:
        await watcher.stop()


async def test_replay_then_live_has_no_gap_and_no_duplicate_while_writes_go_on(env: Env) -> None:
    broker = await env.broker()
    plan, activity = await env.setup_plan()
    first = await env.retitles(activity, 40)
    after = first[9]
    writer = asyncio.create_task(env.retitles(activity, 200, start=40))
    # subscribe in the middle of the writes: part replayed, part live, the switch under load
    await wait_until(lambda: broker.position > first[-1] + 30, what="writes under way")
    from_cursor = Collector().start(broker.subscribe(after, of_plan(plan)))
    from_start = Collector().start(broker.subscribe(0, of_plan(plan)))
    try:
        later = await writer
        assert not writer.cancelled()
        await from_cursor.until(later[-1])
        await from_start.until(later[-1])
        await asyncio.sleep(0.3)
        expected = await env.expected(plan, after)
        assert expected[-1] == later[-1] and len(expected) == 230
        assert from_cursor.positions == expected
        assert from_start.positions == await env.expected(plan, 0)
    finally:
        await from_cursor.stop()
        await from_start.stop()


async def test_with_nobody_to_read_them_no_rows_are_fetched_and_a_later_subscriber_misses_nothing(env: Env) -> None:
    quiet = await env.broker()
    counting = await env.broker()
    counted: list[int] = []
    counting.on_events = lambda rows: counted.extend(r.position for r in rows)
    plan, activity = await env.setup_plan()
    early = await env.retitles(activity, 30)
    assert await quiet.wait_for(early[-1], TIMEOUT) and await counting.wait_for(early[-1], TIMEOUT)
    await wait_until(lambda: quiet.buffered[2] >= early[-1] and counting.buffered[2] >= early[-1], what="tips")
    count, floor, tip = quiet.buffered
    assert count == 0 and floor == tip >= early[-1]  # skipped ahead: nothing fetched, nothing kept
    assert counting.buffered[0] > 0 and set(early) <= set(counted)  # the rows were wanted there
    replayed = Collector().start(quiet.subscribe(early[4], of_plan(plan)))  # before the floor: from the database
    live = Collector().start(quiet.subscribe(None, of_plan(plan)))
    try:
        later = await env.retitles(activity, 5, start=30)
        await replayed.until(later[-1])
        await live.until(later[-1])
        assert replayed.positions == await env.expected(plan, early[4])
        assert live.positions == later
    finally:
        await replayed.stop()
        await live.stop()


async def test_a_subscriber_behind_a_tiny_buffer_still_gets_everything_in_order(env: Env) -> None:
    broker = await env.broker(buffer_size=4, page_size=7)
    plan, activity = await env.setup_plan()
    early = await env.retitles(activity, 20)
    slow = Collector(delay=0.01).start(broker.subscribe(early[4], of_plan(plan)))
    everything = Collector().start(broker.subscribe(0, lambda _row: True))
    try:
        later = await env.retitles(activity, 120, start=20)
        await slow.until(later[-1])
        await everything.until(later[-1])
        count, floor, tip = broker.buffered
        assert count == 4 and floor > early[4] and tip >= later[-1]
        assert slow.positions == await env.expected(plan, early[4])
        all_positions = [r["position"] for r in await env.conn.fetch("SELECT position FROM rm_event ORDER BY 1")]
        assert everything.positions == all_positions
    finally:
        await slow.stop()
        await everything.stop()


async def test_a_stuck_subscriber_does_not_delay_a_fast_one(env: Env) -> None:
    broker = await env.broker(buffer_size=8)
    plan, activity = await env.setup_plan()
    gate = asyncio.Event()
    stuck = Collector(gate=gate).start(broker.subscribe(None, of_plan(plan)))
    fast = Collector().start(broker.subscribe(None, of_plan(plan)))
    try:
        await asyncio.sleep(0.1)
        positions = await env.retitles(activity, 30)
        await fast.until(positions[-1])
        assert fast.positions == positions
        assert stuck.positions == positions[:1], "the stuck one took one event and waits"
        assert broker.subscribers == 2
        gate.set()  # it moves again: what the buffer dropped meanwhile comes from the database
        await stuck.until(positions[-1])
        assert stuck.positions == positions
    finally:
        await stuck.stop()
        await fast.stop()
    await wait_until(lambda: broker.subscribers == 0, what="subscriptions closed")


async def test_two_brokers_as_if_two_processes_both_receive_everything(env: Env) -> None:
    one = await env.broker()
    two = await env.broker(buffer_size=16)
    plan, activity = await env.setup_plan()
    watchers = [Collector().start(b.subscribe(None, of_plan(plan))) for b in (one, two, one, two)]
    try:
        await asyncio.sleep(0.1)
        writes = [env.retitles(activity, 25, start=n * 25) for n in range(2)]
        positions = sorted(p for batch in await asyncio.gather(*writes) for p in batch)
        for watcher in watchers:
            await watcher.until(positions[-1])
        for watcher in watchers:
            assert watcher.positions == positions
    finally:
        for watcher in watchers:
            await watcher.stop()


async def test_wait_for_is_read_your_writes(env: Env) -> None:
    broker = await env.broker()
    _, activity = await env.setup_plan()
    receipt = await env.execute(c.RetitleActivity(activity_id=activity, title="Seen at once"))
    assert await broker.wait_for(receipt.cursor, 10)
    assert broker.position >= receipt.cursor
    seen = await q.activity_as_of(env.conn, activity)
    assert seen is not None and seen["title"] == "Seen at once"
    assert await broker.wait_for(receipt.cursor, 0)  # already there: no wait at all
    assert not await broker.wait_for(receipt.cursor + 1000, 0.3)


async def test_risk_events_carry_the_risk_as_it_stood_right_after(env: Env) -> None:
    broker = await env.broker(buffer_size=2)
    plan, activity = await env.setup_plan()
    risks_only: Callable[[EventRow], bool] = lambda row: row.type in RISK_TYPES and row.plan_id == plan  # noqa: E731
    live = Collector().start(broker.subscribe(None, risks_only))
    try:
        await asyncio.sleep(0.1)
        noted = await env.execute(
            c.NoteRisk(activity_id=activity, title="Budget cut", likelihood=2, impact=2, owner="HR", risk_id="R1"),
            date(2021, 1, 10),
        )
        await env.retitles(activity, 3)  # not risk events: skipped by the filter
        raised = await env.execute(
            c.ReassessRisk(activity_id=activity, risk_id="R1", likelihood=4, impact=5, mitigation="Plan B"),
            date(2021, 3, 1),
        )
        closed = await env.execute(c.CloseRisk(activity_id=activity, risk_id="R1"), date(2021, 6, 30))
        await live.until(closed.cursor)
        # replayed from the database (the buffer holds two events): the same rows
        replayed = Collector().start(broker.subscribe(0, risks_only))
        try:
            await replayed.until(closed.cursor)
        finally:
            await replayed.stop()
        for rows in (live.rows, replayed.rows):
            assert [r.position for r in rows] == [noted.cursor, raised.cursor, closed.cursor]
            assert [r.type for r in rows] == ["Activity.RiskNoted", "Activity.RiskReassessed", "Activity.RiskClosed"]
            first, second, third = (r.risk for r in rows)
            assert first is not None and second is not None and third is not None
            assert first["risk_id"] == "R1" and first["title"] == "Budget cut" and first["activity_id"] == activity
            assert (first["score"], first["level"], first["level_rank"], first["status"]) == (4, "LOW", 0, "OPEN")
            assert (second["score"], second["level"], second["level_rank"]) == (20, "VERY_HIGH", 3)
            assert (second["status"], second["mitigation"], second["owner"]) == ("OPEN", "Plan B", "HR")
            assert (third["status"], third["closed_on"], third["level"]) == ("CLOSED", date(2021, 6, 30), "VERY_HIGH")
        assert live.rows == replayed.rows
    finally:
        await live.stop()


async def test_polling_alone_delivers_when_no_notification_is_heard(env: Env) -> None:
    broker = await env.broker(listen=False, poll_interval=0.2)
    plan, activity = await env.setup_plan()
    watcher = Collector().start(broker.subscribe(None, of_plan(plan)))
    try:
        positions = await env.retitles(activity, 5)
        await watcher.until(positions[-1])
        assert watcher.positions == positions
    finally:
        await watcher.stop()


async def _terminate_brokers(conn: asyncpg.Connection) -> int:
    return int(
        await conn.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name = $1",
            APPLICATION_NAME,
        )
    )


async def test_the_broker_reconnects_and_delivers_what_was_written_meanwhile(env: Env) -> None:
    # a first retry after a whole second: the writes below land while nobody listens here
    broker = await env.broker(retry_delay=1.0, max_retry_delay=2.0)
    plan, activity = await env.setup_plan()
    watcher = Collector().start(broker.subscribe(None, of_plan(plan)))
    waiting = Collector().start(broker.subscribe(None, of_plan(plan)))
    try:
        await asyncio.sleep(0.1)
        before = await env.retitles(activity, 5)
        await watcher.until(before[-1])
        assert await _terminate_brokers(env.conn) == 1
        meanwhile = await env.retitles(activity, 10, start=5)
        assert await broker.wait_for(meanwhile[-1], TIMEOUT)
        await watcher.until(meanwhile[-1])
        await waiting.until(meanwhile[-1])
        assert broker.connects >= 2
        after = await env.retitles(activity, 3, start=15)
        await watcher.until(after[-1])
        assert watcher.positions == before + meanwhile + after
        assert waiting.positions == before + meanwhile + after
    finally:
        await watcher.stop()
        await waiting.stop()


async def test_subscriptions_end_when_the_broker_stops(env: Env) -> None:
    broker = await env.broker()
    watcher = Collector().start(broker.subscribe(None, lambda _row: True))
    await wait_until(lambda: broker.subscribers == 1)
    env.stop.set()
    assert watcher.task is not None
    await asyncio.wait_for(watcher.task, 10)
    assert broker.subscribers == 0
    assert not await broker.wait_for(broker.position + 1, 5)
