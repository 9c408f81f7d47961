"""The read side's speed: rebuild, and the whole plan as of a date (measures `rebuild`, `as_of`).

- rebuild (`projections.rebuild.rebuild`, i.e. `planledger rebuild`) in events/s, against a raw
  read of the whole log with asyncpg (every row of `planledger_events`, all columns, in chunks as
  the rebuild reads them); then `verify` (0 differences or the row fails);
- a whole plan as of a random past date: `projections.queries.plan_as_of` (the read side the API
  answers from) and the GraphQL whole-plan query with `asOf: {date}` over HTTP, against replaying
  the plan's events with eventsourcing to the same date (the plan and all its activities loaded from
  the event store by the application's repository, without a cache, and `state_as_of(on)` folded).
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import asyncpg

from bench.context import Context
from bench.core import Result, Stats, load_average
from projections.queries import plan_as_of
from projections.rebuild import rebuild, verify
from service.application.ledger import PlanLedger
from service.config import ServerAddress

END = date(9999, 12, 31)
REBUILD_TARGET = 25_000
AS_OF_P95_MS = 15.0
AS_OF_TIMES = 100.0


# -- the database --------------------------------------------------------------------------------


async def log_size(address: ServerAddress) -> int:
    conn = await asyncpg.connect(**address.asyncpg_args())
    try:
        if not await conn.fetchval("SELECT to_regclass('planledger_events') IS NOT NULL"):
            return 0
        return int(await conn.fetchval("SELECT count(*) FROM planledger_events"))
    finally:
        await conn.close()


# -- 1. rebuild ------------------------------------------------------------------------------------


async def raw_read(address: ServerAddress) -> tuple[int, float]:
    """Every row of the log read with asyncpg, as the rebuild reads it (all columns)."""
    conn = await asyncpg.connect(**address.asyncpg_args())
    try:
        started = time.perf_counter()
        count = 0
        async with conn.transaction(isolation="repeatable_read", readonly=True):
            cursor = await conn.cursor(
                "SELECT notification_id, originator_id, originator_version, topic, state FROM planledger_events"
            )
            while chunk := await cursor.fetch(5000):
                count += len(chunk)
        return count, time.perf_counter() - started
    finally:
        await conn.close()


def rebuild_measure(ctx: Context) -> list[Result]:
    """Rebuild every read model `rebuild_runs` times, each after a raw read of the log; then verify."""
    address = ctx.projected()  # a first build (untimed) so each timed run replaces existing tables
    rates: list[float] = []
    raw_rates: list[float] = []
    seconds: list[float] = []
    events = 0
    for run in range(ctx.sizes.rebuild_runs):
        count, elapsed = asyncio.run(raw_read(address))
        raw_rates.append(count / elapsed)
        started = time.perf_counter()
        events = asyncio.run(rebuild(address.asyncpg_args()))
        took = time.perf_counter() - started
        seconds.append(took)
        rates.append(events / took)
        ctx.say(
            f"  rebuild run {run + 1}: {events:,} events in {took:.1f} s = {events / took:,.0f} events/s "
            f"(raw read {count / elapsed:,.0f} rows/s; load {load_average()})"
        )
    differences = asyncio.run(verify(address.asyncpg_args())) if ctx.sizes.verify else None
    rate, raw = statistics.median(rates), statistics.median(raw_rates)
    return [
        Result(
            measure="rebuild",
            name=f"rebuild of all read models ({events:,} events, median of {len(rates)})",
            target=f">= {REBUILD_TARGET:,} events/s",
            passed=rate >= REBUILD_TARGET and not differences,
            baseline="raw asyncpg read of the log",
            rate=rate,
            rate_unit="events/s",
            baseline_rate=raw,
            ratio=rate / raw,
            notes={
                "events": events,
                "seconds": seconds,
                "rates": rates,
                "raw_read_rates": raw_rates,
                "verify_differences": None if differences is None else differences[:20],
            },
        )
    ]


# -- 3. the plan as of a date ------------------------------------------------------------------------


async def plans_and_activities(address: ServerAddress) -> tuple[list[tuple[UUID, date, date]], dict[UUID, list[UUID]]]:
    conn = await asyncpg.connect(**address.asyncpg_args())
    try:
        plans = await conn.fetch(
            "SELECT stream_id, valid_from FROM rm_plan WHERE valid_to = $1 AND recorded_to > now() "
            "AND reported_to = $1 ORDER BY stream_id",
            END,
        )
        spans = {
            r["plan_id"]: r["last"]
            for r in await conn.fetch(
                "SELECT plan_id, max(effective_on) AS last FROM rm_event WHERE plan_id IS NOT NULL GROUP BY plan_id"
            )
        }
        activities: dict[UUID, list[UUID]] = {}
        for r in await conn.fetch("SELECT DISTINCT plan_id, stream_id FROM rm_activity ORDER BY plan_id, stream_id"):
            activities.setdefault(r["plan_id"], []).append(r["stream_id"])
        found = [(r["stream_id"], r["valid_from"], spans.get(r["stream_id"], r["valid_from"])) for r in plans]
        return found, activities
    finally:
        await conn.close()


def replay_plan(app: PlanLedger, plan_id: UUID, activity_ids: list[UUID], on: date) -> dict[str, Any]:
    """What answering without read models takes: load the plan and its activities from the event
    store and fold each as of `on` (what `domain.facts.state_as_of` does)."""
    plan = app.repository.get(plan_id)
    state = plan.state_as_of(on)
    activities = []
    for activity_id in activity_ids:
        activity = app.repository.get(activity_id).state_as_of(on)
        if activity.exists:
            activities.append(activity)
    return {"plan": state, "activities": activities}


def random_asks(plans: list[tuple[UUID, date, date]], count: int, seed: int) -> list[tuple[UUID, date]]:
    """`count` random (plan, past date within the plan's recorded history) pairs."""
    rng = random.Random(seed)
    asks = []
    for _ in range(count):
        plan_id, start, last = rng.choice(plans)
        asks.append((plan_id, start + timedelta(days=rng.randint(0, max(0, (last - start).days)))))
    return asks


async def _time_plan_as_of(
    address: ServerAddress, asks: list[tuple[UUID, date]], *, told: bool = False
) -> tuple[list[float], list[int]]:
    """Milliseconds per `plan_as_of` call; `told`: on the reporting axis too (what the committee had
    been told by that date, as it stood then: `asOf {meeting}`'s read), else the world on the date."""
    conn = await asyncpg.connect(**address.asyncpg_args())
    timings: list[float] = []
    sizes: list[int] = []
    try:
        for plan_id, on in asks[: min(20, len(asks))]:  # warm up
            await plan_as_of(conn, plan_id, on, None, on if told else None)
        for plan_id, on in asks:
            started = time.perf_counter()
            result = await plan_as_of(conn, plan_id, on, None, on if told else None)
            timings.append((time.perf_counter() - started) * 1000)
            sizes.append(len(result["activities"]) if result else 0)
    finally:
        await conn.close()
    return timings, sizes


def _replays(
    address: ServerAddress, asks: list[tuple[UUID, date]], activities: dict[UUID, list[UUID]]
) -> tuple[list[float], list[int]]:
    app = PlanLedger.connect(address, AGGREGATE_CACHE_MAXSIZE="")
    replays: list[float] = []
    events_replayed: list[int] = []
    try:
        for plan_id, on in asks:
            ids = activities.get(plan_id, [])
            started = time.perf_counter()
            replay_plan(app, plan_id, ids, on)
            replays.append((time.perf_counter() - started) * 1000)
            events_replayed.append(sum(app.repository.get(stream).version for stream in [plan_id, *ids]))
    finally:
        app.close()
    return replays, events_replayed


def as_of_measure(ctx: Context) -> list[Result]:
    """A whole plan as of a random past date: the read side's function and the GraphQL query, each
    against an eventsourcing replay of the same plans to the same dates."""
    from bench.api import graphql_as_of

    address = ctx.projected()
    sizes = ctx.sizes
    plans, activities = asyncio.run(plans_and_activities(address))
    asks = random_asks(plans, max(sizes.queries, sizes.api_queries, sizes.replays), sizes.seed)
    timings, answer_sizes = asyncio.run(_time_plan_as_of(address, asks[: sizes.queries]))
    told_timings, _ = asyncio.run(_time_plan_as_of(address, asks[: sizes.queries], told=True))
    replays, events_replayed = _replays(address, asks[: sizes.replays], activities)
    server = ctx.planledger(1)
    over_http = graphql_as_of(server, ctx.token("reader"), asks[: sizes.api_queries])
    ctx.say(
        f"  plan as of: {len(timings)} calls, {len(over_http)} GraphQL queries, {len(replays)} replays "
        f"(mean {statistics.mean(answer_sizes):.0f} activities per answer, "
        f"{statistics.mean(events_replayed):.0f} events per replay)"
    )
    replay = Stats.of(replays)
    rows = []
    for name, values in (
        ("whole plan as of a random past date: plan_as_of (read side, 1 connection)", timings),
        ("  the same as the committee had been told by that date (reporting axis too)", told_timings),
        ("whole plan as of a random past date: GraphQL over HTTP (1 client)", over_http),
    ):
        mine = Stats.of(values)
        times = replay.median / mine.median
        rows.append(
            Result(
                measure="as_of",
                name=name,
                target=f"p95 <= {AS_OF_P95_MS:.0f} ms and >= {AS_OF_TIMES:.0f}x faster",
                passed=mine.p95 <= AS_OF_P95_MS and times >= AS_OF_TIMES,
                baseline="eventsourcing replay to the date",
                latency=mine,
                baseline_latency=replay,
                ratio=times,
                notes={
                    "ratio_p95": replay.p95 / mine.p95,
                    "mean_activities_per_answer": statistics.mean(answer_sizes),
                    "mean_events_per_replay": statistics.mean(events_replayed),
                    "plans": len(plans),
                },
            )
        )
    return rows
