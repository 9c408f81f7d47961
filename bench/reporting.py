"""Reporting speed on the benchmark data: `progressReport` and health roll-ups as of a past date.

    python -m bench.reporting --database-url URL     (a database the generator filled, e.g. kept by
                                                      `python -m bench.projections --keep`)
    python -m bench.reporting --events 100000         (generate into a scratch database first)

Targets (issue 10): progressReport p95 <= 50 ms; a whole plan's health roll-ups as of a past date
p95 <= 15 ms. Both are computed from the read models (projections.report / projections.keyresults),
never by replaying events. The generated log has no key results, so this first defines one per
activity of the largest plans and measures it at each of the plan's meetings in its fiscal year
(through the ledger, as a secretariat would), then projects. The plain whole-plan read as of the
same dates (`plan_as_of`) is measured beside them as the baseline of the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import asyncpg

from bench.projections import DEFAULT_SERVER, Measure, load_average, log_size, percentile
from domain import commands as c
from domain.errors import DomainError
from domain.ledger import Meta
from domain.plan import fiscal_year_covers
from projections import queries as q
from projections.keyresults import plan_health
from projections.projector import Projector
from projections.rebuild import rebuild
from projections.report import progress_report
from service.config import ServerAddress
from service.database import create_scratch_database, drop_scratch_database
from service.ledger import PlanLedger

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
                start, end = fiscal_year_covers(fiscal_year)
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


def _stats(samples: list[float]) -> tuple[float, float, float]:
    return percentile(samples, 50), percentile(samples, 95), percentile(samples, 99)


async def measure(
    address: ServerAddress, samples: int, seed: int, plans_count: int, say: Callable[[str], None]
) -> list[Measure]:
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
    await Projector(args).catch_up()

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
    }
    h50, h95, h99 = _stats(health_ms)
    b50, b95, b99 = _stats(plain_ms)
    r50, r95, r99 = _stats(report_ms)
    return [
        Measure(
            "health roll-ups of a whole plan as of a past date (ms)",
            "ms",
            "plan_as_of, the same dates (info)",
            f"p95 <= {HEALTH_TARGET_MS:g} ms",
            h50,
            h95,
            h99,
            b50,
            b95,
            b99,
            ratio=b95 / h95 if h95 else None,
            passed=h95 <= HEALTH_TARGET_MS,
            samples=len(health_ms),
            baseline_samples=len(plain_ms),
            notes=notes,
        ),
        Measure(
            "progressReport for a meeting (ms)",
            "ms",
            "-",
            f"p95 <= {REPORT_TARGET_MS:g} ms",
            r50,
            r95,
            r99,
            passed=r95 <= REPORT_TARGET_MS,
            samples=len(report_ms),
            notes=notes,
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.reporting", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=None, help="a database the generator filled")
    parser.add_argument("--events", type=int, default=100_000, help="generate this many into a scratch database")
    parser.add_argument("--server", default=DEFAULT_SERVER)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--plans", type=int, default=3, help="key results on the largest N plans")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", default=None)
    args = parser.parse_args(argv)

    def say(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    server = ServerAddress.from_url(args.server)
    scratch = args.database_url is None
    address = create_scratch_database(server, "bench") if scratch else ServerAddress.from_url(args.database_url)
    try:
        if asyncio.run(log_size(address)) == 0:
            from bench.generate import generate

            generate(address, events=args.events, seed=args.seed, progress=say)
            asyncio.run(rebuild(address.asyncpg_args()))
        report: dict[str, Any] = {"load_average_before": load_average(), "events": asyncio.run(log_size(address))}
        measures = asyncio.run(measure(address, args.samples, args.seed, args.plans, say))
        report["load_average_after"] = load_average()
        report["measures"] = [m.__dict__ for m in measures]
        for m in measures:
            verdict = "PASS" if m.passed else "FAIL"
            base = "" if m.baseline_p95 is None else f"; baseline p95 {m.baseline_p95:.2f} ms"
            print(f"{m.name}: median {m.median:.2f} p95 {m.p95:.2f} p99 {m.p99:.2f} ({m.target}: {verdict}){base}")
        if args.json:
            with open(args.json, "w", encoding="utf-8") as out:
                json.dump(report, out, indent=1, default=str)
        return 0 if all(m.passed for m in measures) else 1
    finally:
        if scratch:
            drop_scratch_database(server, address)


if __name__ == "__main__":
    sys.exit(main())
