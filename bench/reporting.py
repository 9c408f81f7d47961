"""Reporting speed on the benchmark data (issue 10): `progressReport` and health roll-ups.

    python -m bench --only reporting [--events N]

Targets: progressReport p95 <= 50 ms; a whole plan's health roll-ups as of a past date p95 <=
15 ms. Both are computed from the read models (projections.report / projections.keyresults),
never by replaying events. The generated log has no key results, so this first defines one per
activity of the largest plans and measures it at most of the plan's meetings in its fiscal year
(through the ledger, as a secretariat would), then projects. The plain whole-plan read as of the
same dates (`plan_as_of`) is timed beside the roll-ups in the same run (for information).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING
from uuid import UUID

import asyncpg

from bench.core import Result, Stats
from domain import commands as c
from domain.calendar import fiscal_year_bounds
from domain.errors import DomainError
from domain.facts import Meta
from projections import queries as q
from projections.keyresults import plan_health
from projections.projector import Projector, ProjectorBusy, log_position, read_position
from projections.report import progress_report
from service.application.ledger import PlanLedger
from service.config import ServerAddress

if TYPE_CHECKING:
    from bench.context import Context

HEALTH_TARGET_MS = 15.0
REPORT_TARGET_MS = 50.0


async def largest_plans(conn: asyncpg.Connection, count: int) -> list[UUID]:
    records = await conn.fetch(
        "SELECT plan_id, count(DISTINCT stream_id) AS n FROM rm_activity GROUP BY plan_id "
        "ORDER BY n DESC, plan_id LIMIT $1",
        count,
    )
    return [r["plan_id"] for r in records]


async def _plan_facts(
    conn: asyncpg.Connection, plan_id: UUID
) -> tuple[list[tuple[UUID, int, date]], list[tuple[UUID, date]]]:
    activities = await conn.fetch(
        "SELECT stream_id, min(fiscal_year) AS fy, min(valid_from) AS since FROM rm_activity WHERE plan_id = $1 "
        "GROUP BY stream_id ORDER BY stream_id",
        plan_id,
    )
    meetings = await conn.fetch(
        "SELECT DISTINCT stream_id, meeting_on FROM rm_meeting WHERE plan_id = $1 AND recorded_to > now() "
        "ORDER BY meeting_on",
        plan_id,
    )
    return (
        [(r["stream_id"], r["fy"], r["since"]) for r in activities],
        [(r["stream_id"], r["meeting_on"]) for r in meetings],
    )


def seed_key_results(
    address: ServerAddress, plans: list[tuple[UUID, list[tuple[UUID, int, date]], list[tuple[UUID, date]]]], seed: int
) -> int:
    """One key result per activity, measured at each meeting of its fiscal year: the commands a
    secretariat would run. Returns how many commands were recorded."""
    rng = random.Random(seed)
    ledger = PlanLedger.connect(address)
    recorded = 0
    try:
        for _, activities, meetings in plans:
            for activity_id, fiscal_year, since in activities:
                start, end = fiscal_year_bounds(fiscal_year)
                defined_on = max(start, since)
                meta = Meta(defined_on, "bench")
                try:
                    receipt = ledger.execute(
                        c.DefineKeyResult(
                            title="ผลผลิต",
                            baseline=Decimal(0),
                            target_value=Decimal(100),
                            activity_id=activity_id,
                        ),
                        meta,
                    )
                except DomainError:
                    continue
                recorded += 1
                value = 0
                for meeting_id, held in meetings:
                    if not defined_on <= held <= end or rng.random() < 0.2:  # some periods go unreported
                        continue
                    value += rng.randint(0, 15)
                    try:
                        ledger.execute(
                            c.RecordMeasurement(receipt.stream_id, Decimal(value)),
                            Meta(held, "bench", meeting_id=str(meeting_id)),
                        )
                        recorded += 1
                    except DomainError:
                        break
    finally:
        ledger.close()
    return recorded


async def projected(args: dict[str, object], timeout: float = 120.0) -> None:
    """Until the read models hold the whole log: project here, or wait for the projector that is
    active on this database (a server the run started earlier)."""
    try:
        await Projector(args).catch_up()
        return
    except ProjectorBusy:
        pass
    conn = await asyncpg.connect(**args)
    try:
        deadline = time.monotonic() + timeout
        while await read_position(conn) < await log_position(conn):
            if time.monotonic() > deadline:
                raise TimeoutError("the active projector did not catch up with the key results in time")
            await asyncio.sleep(0.05)
    finally:
        await conn.close()


async def measure(
    address: ServerAddress, samples: int, seed: int, plans_count: int, say: Callable[[str], None]
) -> list[Result]:
    args = address.asyncpg_args()
    conn = await asyncpg.connect(**args)
    try:
        plan_ids = await largest_plans(conn, plans_count)
        plans = [(p, *(await _plan_facts(conn, p))) for p in plan_ids]
    finally:
        await conn.close()
    started = time.perf_counter()
    recorded = await asyncio.to_thread(seed_key_results, address, plans, seed)
    say(f"recorded {recorded} key-result commands in {time.perf_counter() - started:.1f} s; projecting")
    await projected(args)

    rng = random.Random(seed)
    conn = await asyncpg.connect(**args)
    try:
        health_ms: list[float] = []
        plain_ms: list[float] = []
        report_ms: list[float] = []
        sizes: list[int] = []
        for _ in range(samples):
            plan_id, _, meetings = rng.choice(plans)
            held = meetings
            if not held:
                continue
            first, last = held[0][1], held[-1][1]
            on = date.fromordinal(rng.randint(first.toordinal(), last.toordinal()))
            point = q.Point(on)
            t0 = time.perf_counter()
            found = await plan_health(conn, plan_id, point)
            t1 = time.perf_counter()
            await q.plan_as_of(conn, plan_id, on)
            t2 = time.perf_counter()
            health_ms.append((t1 - t0) * 1000)
            plain_ms.append((t2 - t1) * 1000)
            sizes.append(len(found.key_results))
            meeting_id, _ = rng.choice(held)
            t3 = time.perf_counter()
            await progress_report(conn, plan_id, meeting_id)
            report_ms.append((time.perf_counter() - t3) * 1000)
    finally:
        await conn.close()
    notes = {
        "plans": len(plans),
        "activities_per_plan": [len(a) for _, a, _ in plans],
        "meetings_per_plan": [len(m) for _, _, m in plans],
        "key_results_per_sample_median": sorted(sizes)[len(sizes) // 2] if sizes else 0,
        "key_result_commands": recorded,
    }
    health, plain, report = Stats.of(health_ms), Stats.of(plain_ms), Stats.of(report_ms)
    return [
        Result(
            measure="reporting",
            name="health roll-ups of a whole plan as of a past date (read side)",
            target=f"p95 <= {HEALTH_TARGET_MS:g} ms",
            passed=health.p95 <= HEALTH_TARGET_MS,
            baseline="plan_as_of, the same plans and dates (info)",
            latency=health,
            baseline_latency=plain,
            ratio=plain.median / health.median if health.median else None,
            notes=notes,
        ),
        Result(
            measure="reporting",
            name="progressReport for a meeting (read side)",
            target=f"p95 <= {REPORT_TARGET_MS:g} ms",
            passed=report.p95 <= REPORT_TARGET_MS,
            latency=report,
            notes=notes,
        ),
    ]


def reporting_measure(ctx: Context) -> list[Result]:
    sizes = ctx.sizes
    return asyncio.run(measure(ctx.projected(), sizes.report_samples, sizes.seed, sizes.report_plans, ctx.say))
