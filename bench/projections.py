"""The speed proof of the read side: rebuild, commit → visible, and the plan as of a date.

    python -m bench.projections                      # 1,000,000 events in a scratch database
    python -m bench.projections --events 20000       # a smoke run, well under a minute
    python -m bench.projections --database-url postgresql://.../db --keep   # reuse a generated ledger

Without `--database-url` it creates a scratch database `bench_<hex>` on `--server` (default
postgresql://postgres@127.0.0.1:5432/postgres), generates `--events` events into it
(`bench.generate`), measures, and drops it. With `--database-url` it uses that database, and
generates only when its log is empty.

Each measure has a baseline taken in the same run (the machine is shared: compare ratios):

- rebuild (`projections.rebuild.rebuild`, i.e. `planledger rebuild`) in events/s, against a raw
  read of the whole log with asyncpg (every row of `planledger_events`);
- commit → visible: a command through `PlanLedger.execute` while a projector runs in its own
  process (`python -m projections.run`), until its `NOTIFY planledger_projected <position>` says
  the read models hold it; measured from the start of `execute` (so it includes the write
  itself), against the write alone (`execute` until it returns);
- a whole plan as of a random past date (`projections.queries.plan_as_of`), against replaying the
  plan's events with eventsourcing to the same date (the plan and all its activities loaded from
  the event store by the application's repository, without a cache, and `state_as_of(on)` folded).

Prints a table and writes JSON (`--json`, default bench/results-<events>.json).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
import psycopg

from bench.generate import generate
from domain import commands as c
from domain.errors import DomainError
from domain.ledger import Meta
from projections.projector import read_position
from projections.queries import plan_as_of
from projections.rebuild import rebuild, verify
from service.config import ServerAddress
from service.database import create_scratch_database, drop_scratch_database
from service.ledger import PlanLedger

DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
END = date(9999, 12, 31)


@dataclass
class Measure:
    name: str
    unit: str
    baseline_name: str
    target: str
    #: the measured value (events/s for throughput; milliseconds for latencies): median, p95, p99
    median: float
    p95: float | None = None
    p99: float | None = None
    baseline_median: float | None = None
    baseline_p95: float | None = None
    baseline_p99: float | None = None
    ratio: float | None = None
    passed: bool = False
    samples: int = 0
    baseline_samples: int = 0
    notes: dict[str, Any] = field(default_factory=dict)


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100), linear between the nearest ranks."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


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


def measure_rebuild(address: ServerAddress, runs: int, say: Callable[[str], None]) -> Measure:
    rates: list[float] = []
    raw_rates: list[float] = []
    seconds: list[float] = []
    for run in range(runs):
        count, elapsed = asyncio.run(raw_read(address))
        raw_rates.append(count / elapsed)
        started = time.perf_counter()
        done = asyncio.run(rebuild(address.asyncpg_args()))
        took = time.perf_counter() - started
        seconds.append(took)
        rates.append(done / took)
        say(f"  rebuild run {run + 1}: {done} events in {took:.1f} s = {done / took:,.0f} events/s "
            f"(raw read {count / elapsed:,.0f} rows/s; load {load_average()})")
    differences = asyncio.run(verify(address.asyncpg_args()))
    median = statistics.median(rates)
    raw = statistics.median(raw_rates)
    return Measure(
        name="rebuild (all read models)",
        unit="events/s",
        baseline_name="raw asyncpg read of the log",
        target=">= 25,000 events/s",
        median=median,
        p95=min(rates),  # the slowest run: throughput's "worse" side
        baseline_median=raw,
        ratio=median / raw,
        passed=median >= 25_000 and not differences,
        samples=runs,
        baseline_samples=runs,
        notes={"seconds": seconds, "verify_differences": len(differences)},
    )


# -- 2. commit -> visible --------------------------------------------------------------------------


async def current_activities(address: ServerAddress) -> list[tuple[UUID, date]]:
    conn = await asyncpg.connect(**address.asyncpg_args())
    try:
        rows = await conn.fetch(
            "SELECT stream_id, valid_from FROM rm_activity WHERE valid_to = $1 AND recorded_to > now() "
            "AND status = 'IN_PROGRESS' ORDER BY stream_id",
            END,
        )
        return [(r["stream_id"], r["valid_from"]) for r in rows]
    finally:
        await conn.close()


def start_projector(address: ServerAddress, status: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "projections.run", "--url", address.url(), "--status-file", str(status)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def commit_to_visible(address: ServerAddress, samples: int, seed: int, say: Callable[[str], None]) -> Measure:
    rng = random.Random(seed)
    activities = await current_activities(address)
    if not activities:
        raise RuntimeError("no activity in progress to report on")
    status = Path(f"/tmp/bench-projector-{uuid.uuid4().hex[:8]}")
    projector = start_projector(address, status)
    app = PlanLedger.connect(address)
    listener = await asyncpg.connect(**address.asyncpg_args())
    heard: dict[int, float] = {}
    arrived = asyncio.Event()
    reached = [0]

    def on_projected(_c: object, _pid: int, _channel: str, payload: str) -> None:
        position = int(payload)
        heard[position] = time.perf_counter()
        reached[0] = max(reached[0], position)
        arrived.set()

    try:
        deadline = time.monotonic() + 30
        while not (status.exists() and status.read_text() == "active"):
            if time.monotonic() > deadline or projector.poll() is not None:
                raise RuntimeError("the projector did not become active")
            await asyncio.sleep(0.05)
        await listener.add_listener("planledger_projected", on_projected)
        reached[0] = await read_position(listener)
        visible: list[float] = []
        writes: list[float] = []
        refused = 0
        for index in range(samples + 5):  # the first few warm up the projector's cache and the pool
            activity_id, since = rng.choice(activities)
            progress = Decimal(rng.randint(0, 10_000)) / 100
            on = max(since, date(2024, 1, 1)) + timedelta(days=index // 50)
            meta = Meta(on, "bench", reason=None)
            command = c.ReportProgress(activity_id=activity_id, progress=progress)
            arrived.clear()
            started = time.perf_counter()
            try:
                receipt = await asyncio.to_thread(app.execute, command, meta)
            except DomainError:
                refused += 1
                continue
            written = time.perf_counter()
            while reached[0] < receipt.cursor:
                arrived.clear()
                await asyncio.wait_for(arrived.wait(), 10)
            seen = min(t for p, t in heard.items() if p >= receipt.cursor)
            heard.clear()
            if index >= 5:
                visible.append((seen - started) * 1000)
                writes.append((written - started) * 1000)
            await asyncio.sleep(rng.uniform(0.005, 0.03))  # commands one by one, as people send them
        lag = [v - w for v, w in zip(visible, writes, strict=True)]
        say(f"  commit->visible: {len(visible)} commands ({refused} refused by the domain)")
        median, p95, p99 = (percentile(visible, q) for q in (50, 95, 99))
        return Measure(
            name="commit -> visible (write start to projector NOTIFY)",
            unit="ms",
            baseline_name="the write alone (execute returns)",
            target="p99 <= 50 ms",
            median=median,
            p95=p95,
            p99=p99,
            baseline_median=percentile(writes, 50),
            baseline_p95=percentile(writes, 95),
            baseline_p99=percentile(writes, 99),
            ratio=median / percentile(writes, 50),
            passed=p99 <= 50,
            samples=len(visible),
            baseline_samples=len(writes),
            notes={
                "after_commit_ms": {q: percentile(lag, n) for q, n in (("median", 50), ("p95", 95), ("p99", 99))},
                "refused": refused,
            },
        )
    finally:
        await listener.close()
        app.close()
        projector.terminate()
        try:
            projector.wait(10)
        except subprocess.TimeoutExpired:
            projector.kill()
            projector.wait()
        status.unlink(missing_ok=True)


# -- 3. the plan as of a date ------------------------------------------------------------------------


async def plans_and_activities(address: ServerAddress) -> tuple[list[tuple[UUID, date, date]], dict[UUID, list[UUID]]]:
    conn = await asyncpg.connect(**address.asyncpg_args())
    try:
        plans = await conn.fetch(
            "SELECT stream_id, valid_from FROM rm_plan WHERE valid_to = $1 AND recorded_to > now() ORDER BY stream_id",
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
    store and fold each as of `on` (what `domain.ledger.state_as_of` does)."""
    plan = app.repository.get(plan_id)
    state = plan.state_as_of(on)
    activities = []
    for activity_id in activity_ids:
        activity = app.repository.get(activity_id).state_as_of(on)
        if activity.exists:
            activities.append(activity)
    return {"plan": state, "activities": activities}


async def plan_as_of_measure(
    address: ServerAddress, samples: int, baseline_samples: int, seed: int, say: Callable[[str], None]
) -> Measure:
    rng = random.Random(seed)
    plans, activities = await plans_and_activities(address)
    asks = []
    for _ in range(samples):
        plan_id, start, last = rng.choice(plans)
        on = start + timedelta(days=rng.randint(0, max(0, (last - start).days)))
        asks.append((plan_id, on))
    conn = await asyncpg.connect(**address.asyncpg_args())
    timings: list[float] = []
    sizes: list[int] = []
    try:
        for plan_id, on in asks[: min(20, len(asks))]:  # warm up
            await plan_as_of(conn, plan_id, on, None)
        for plan_id, on in asks:
            started = time.perf_counter()
            result = await plan_as_of(conn, plan_id, on, None)
            timings.append((time.perf_counter() - started) * 1000)
            sizes.append(len(result["activities"]) if result else 0)
    finally:
        await conn.close()
    app = PlanLedger.connect(address, AGGREGATE_CACHE_MAXSIZE="")
    replays: list[float] = []
    events_replayed: list[int] = []
    try:
        for plan_id, on in asks[:baseline_samples]:
            ids = activities.get(plan_id, [])
            started = time.perf_counter()
            replay_plan(app, plan_id, ids, on)
            replays.append((time.perf_counter() - started) * 1000)
            versions = [app.repository.get(stream).version for stream in [plan_id, *ids]]
            events_replayed.append(sum(versions))
    finally:
        app.close()
    say(
        f"  plan as of: {len(timings)} queries, {len(replays)} replays (mean {statistics.mean(sizes):.0f} "
        f"activities per answer, {statistics.mean(events_replayed):.0f} events per replay)"
    )
    median, p95, p99 = (percentile(timings, q) for q in (50, 95, 99))
    b50 = percentile(replays, 50)
    return Measure(
        name="plan_as_of (whole plan, random past date)",
        unit="ms",
        baseline_name="eventsourcing replay + state_as_of",
        target="p95 <= 15 ms and >= 100x faster than replay",
        median=median,
        p95=p95,
        p99=p99,
        baseline_median=b50,
        baseline_p95=percentile(replays, 95),
        baseline_p99=percentile(replays, 99),
        ratio=b50 / median,
        passed=p95 <= 15 and b50 / median >= 100,
        samples=len(timings),
        baseline_samples=len(replays),
        notes={
            "ratio_p95": percentile(replays, 95) / p95,
            "mean_activities_per_answer": statistics.mean(sizes),
            "mean_events_per_replay": statistics.mean(events_replayed),
        },
    )


# -- the report --------------------------------------------------------------------------------------


def table(measures: list[Measure]) -> str:
    def fmt(value: float | None, unit: str) -> str:
        if value is None:
            return "-"
        return f"{value:,.0f}" if unit == "events/s" else f"{value:.2f}"

    head = ["measure", "unit", "baseline", "baseline median", "median", "p95", "p99", "ratio", "target", "result"]
    rows = [
        [
            m.name,
            m.unit,
            m.baseline_name,
            fmt(m.baseline_median, m.unit),
            fmt(m.median, m.unit),
            fmt(m.p95, m.unit),
            fmt(m.p99, m.unit),
            "-" if m.ratio is None else f"{m.ratio:.2f}x",
            m.target,
            "PASS" if m.passed else "FAIL",
        ]
        for m in measures
    ]
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(len(head))]
    lines = [" | ".join(str(v).ljust(w) for v, w in zip(r, widths, strict=True)) for r in [head, *rows]]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def run(args: argparse.Namespace) -> dict[str, Any]:
    def say(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    scratch = args.database_url is None
    server = ServerAddress.from_url(args.server)
    address = create_scratch_database(server, "bench") if scratch else ServerAddress.from_url(args.database_url)
    report: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "events_requested": args.events,
        "seed": args.seed,
        "load_average_before": load_average(),
    }
    try:
        say(f"database {address.dbname} on {address.host}:{address.port}")
        existing = asyncio.run(log_size(address))
        if existing == 0:
            summary = generate(address, events=args.events, seed=args.seed, progress=say)
            report["generate"] = {k: v for k, v in summary.as_dict().items() if k != "plan_ids"}
        else:
            say(f"the log already holds {existing} events: measuring those")
        report["events"] = asyncio.run(log_size(address))
        with psycopg.connect(address.dsn(), autocommit=True) as conn:
            report["postgres"] = str(conn.execute("SELECT version()").fetchone()[0])  # type: ignore[index]
        measures: list[Measure] = []
        say("1. rebuild")
        measures.append(measure_rebuild(address, args.rebuild_runs, say))
        say("2. commit -> visible")
        measures.append(asyncio.run(commit_to_visible(address, args.commits, args.seed, say)))
        say("3. plan as of a date")
        measures.append(asyncio.run(plan_as_of_measure(address, args.queries, args.replays, args.seed, say)))
        report["measures"] = [asdict(m) for m in measures]
        report["load_average_after"] = load_average()
        print(table(measures))
        return report
    finally:
        if scratch and not args.keep:
            drop_scratch_database(server, address)
        elif scratch:
            say(f"kept database {address.dbname}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.projections", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default=None, help="use this database (generate only if its log is empty)")
    parser.add_argument("--server", default=DEFAULT_SERVER, help="where to create the scratch database")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--rebuild-runs", type=int, default=1)
    parser.add_argument("--commits", type=int, default=300, help="commands for commit -> visible")
    parser.add_argument("--queries", type=int, default=300, help="plan_as_of queries")
    parser.add_argument("--replays", type=int, default=30, help="eventsourcing replays (the baseline)")
    parser.add_argument("--json", default=None, help="where to write the JSON report")
    args = parser.parse_args(argv)
    report = run(args)
    path = Path(args.json or Path(__file__).with_name(f"results-{args.events}.json"))
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str))
    print(f"wrote {path}", file=sys.stderr)
    return 0 if all(m["passed"] for m in report["measures"]) else 1


if __name__ == "__main__":
    raise SystemExit(main())
