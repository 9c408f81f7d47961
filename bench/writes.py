"""The write side's speed: mutation → committed event, and bulk import (measures `mutations`, `import`).

- mutations: `reportProgress` GraphQL mutations over HTTP to `planledger serve` (1 worker), from 1
  and from 16 clients at once (each client one keep-alive connection, one request at a time, each on
  its own activity in progress), for `write_seconds` each; a mutation counts once its answer (the
  event committed) is back. The clients are `wrk` threads, one connection each, with a Lua script
  that checks every answer (an asyncio + httpx client when wrk is not installed: it costs the
  machine more CPU per request than the server's own work). Baseline in the same run: raw asyncpg
  single-row INSERT transactions of an event-sized row into a table shaped like the event store's,
  on 1 and on 16 connections. Beside them, for information, so the table shows where the time
  goes: `PlanLedger.execute` in-process on 1 and 16 threads (the application without HTTP and
  GraphQL), and the floor of the HTTP + GraphQL stack: the cheapest operation the server answers
  (`{ __typename }`, nothing read or written) from the same number of clients.
- import: the log exported as NDJSON (`planledger export`, untimed), then loaded by
  `service.store.portable.import_log` (what `planledger import-log` runs before it rebuilds) into an empty
  database. Baseline in the same run: the same rows COPYed with asyncpg (`copy_records_to_table`,
  batches of the importer's size, one transaction) into another empty event store; only the COPY
  calls and the commit are timed, not reading the rows from the source.
"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from bench.api import REPORT_PROGRESS, load, open_activities, wrk_summary
from bench.context import Context, Process
from bench.core import Result, Stats
from bench.store_throughput import app_commands, raw_inserts
from service.application.ledger import PlanLedger
from service.config import ServerAddress
from service.store.portable import BATCH, TABLE, export_log, import_log

MUTATION_TARGET = 0.6
IMPORT_TARGET = 25_000


# -- mutations ----------------------------------------------------------------------------------------


async def _mutations(
    server: Process, token: str, activities: list[str], seconds: float
) -> tuple[int, float, list[float], int]:
    """Each activity one client: mutations one after another for `seconds`.
    (committed, elapsed, latency of each in ms, refused or failed)."""
    latencies: list[float] = []
    failed = 0
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    clients = [
        httpx.AsyncClient(base_url=server.url, headers=headers, timeout=60, limits=httpx.Limits(max_connections=1))
        for _ in activities
    ]
    try:
        started = time.perf_counter()
        deadline = started + seconds

        async def client(http: httpx.AsyncClient, activity: str) -> None:
            nonlocal failed
            count = 0
            while time.perf_counter() < deadline:
                count += 1
                body = {
                    "query": REPORT_PROGRESS,
                    "variables": {"input": {"activityId": activity, "progress": count % 10_000 / 100}},
                }
                began = time.perf_counter()
                response = await http.post("/graphql", json=body)
                took = (time.perf_counter() - began) * 1000
                result = (response.json().get("data") or {}).get("reportProgress") or {}
                if response.status_code == 200 and result.get("__typename") == "ActivityRecorded":
                    latencies.append(took)
                else:
                    failed += 1

        await asyncio.gather(*(client(http, a) for http, a in zip(clients, activities, strict=True)))
        elapsed = time.perf_counter() - started
    finally:
        for http in clients:
            await http.aclose()
    return len(latencies), elapsed, latencies, failed


MUTATIONS_LUA = r"""
local activities = {}
for a in string.gmatch(os.getenv("ACTIVITIES"), "[^,]+") do table.insert(activities, a) end
local query = os.getenv("QUERY")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"
wrk.headers["Authorization"] = os.getenv("AUTH")
local threads = {}
setup = function(thread)
  table.insert(threads, thread)
  thread:set("activity", activities[(#threads - 1) % #activities + 1])
end
local n = 0
committed = 0
failed = 0
request = function()
  n = n + 1
  return wrk.format(nil, nil, nil, string.format(
    '{"query":"%s","variables":{"input":{"activityId":"%s","progress":%.2f}}}', query, activity, n % 10000 / 100))
end
response = function(status, headers, body)
  if status == 200 and string.find(body, '"__typename":"ActivityRecorded"', 1, true) then
    committed = committed + 1
  else
    failed = failed + 1
  end
end
done = function(summary, latency, requests)
  local c, f = 0, 0
  for _, t in ipairs(threads) do c = c + t:get("committed"); f = f + t:get("failed") end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"committed":%d,"failed":%d,"duration_us":%d,"p50_us":%d,"p95_us":%d,"p99_us":%d}\n',
    c, f + e.connect + e.read + e.write + e.timeout, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


def _wrk_mutations(
    server: Process, token: str, activities: list[str], seconds: float, folder: Path
) -> tuple[int, float, Stats, int]:
    """`wrk`, one thread and one connection per client: (committed, elapsed, latency, failed)."""
    script = folder / "mutations.lua"
    script.write_text(MUTATIONS_LUA)
    env = {"ACTIVITIES": ",".join(activities), "QUERY": REPORT_PROGRESS.replace('"', '\\"'), "AUTH": f"Bearer {token}"}
    r = wrk_summary(server.url, script, env, seconds, len(activities), len(activities))
    elapsed = r["duration_us"] / 1e6
    latency = Stats(r["p50_us"] / 1000, r["p95_us"] / 1000, r["p99_us"] / 1000, r["committed"])
    return r["committed"], elapsed, latency, r["failed"]


TYPENAME = json.dumps({"query": "{ __typename }"}).encode()


def mutations_measure(ctx: Context) -> list[Result]:
    sizes = ctx.sizes
    server = ctx.planledger(1)
    address = ctx.database()
    token = ctx.token("admin")
    counts = sizes.client_counts()
    chosen = [a for _, a in open_activities(address, max(counts))]
    rows: list[Result] = []
    for n in counts:
        activities = [chosen[k % len(chosen)] for k in range(n)]
        # interleaved: baseline, mutations, in-process; each on the same number of connections
        raw_rows, raw_elapsed, raw_latencies = asyncio.run(raw_inserts(address, sizes.write_seconds, n))
        if ctx.load_generator == "wrk":
            done, elapsed, latency, failed = _wrk_mutations(server, token, activities, sizes.write_seconds, ctx.folder)
        else:
            done, elapsed, latencies, failed = asyncio.run(_mutations(server, token, activities, sizes.write_seconds))
            latency = Stats.of(latencies)
        app_done, app_elapsed, app_latencies = app_commands(address, sizes.write_seconds, {}, 40, n)
        floor = load(ctx.load_generator, server, TYPENAME, f"Bearer {token}", n, sizes.write_seconds, ctx.folder)
        raw_rate, rate, app_rate = raw_rows / raw_elapsed, done / elapsed, app_done / app_elapsed
        ctx.say(
            f"  {n} client(s): raw inserts {raw_rate:,.0f}/s, mutations {rate:,.0f}/s ({failed} failed), "
            f"PlanLedger.execute {app_rate:,.0f}/s, {{ __typename }} {floor.rps:,.0f}/s ({floor.errors} errors)"
        )
        baseline = f"raw asyncpg single-row INSERT transactions, {n} connection{'s' if n > 1 else ''}"
        rows.append(
            Result(
                measure="mutations",
                name=f"mutation -> committed event (reportProgress over HTTP), {n} client{'s' if n > 1 else ''}",
                target=f">= {MUTATION_TARGET:.1f}x",
                passed=failed == 0 and rate / raw_rate >= MUTATION_TARGET,
                baseline=baseline,
                rate=rate,
                rate_unit="commits/s",
                latency=latency,
                baseline_rate=raw_rate,
                baseline_latency=Stats.of(raw_latencies),
                ratio=rate / raw_rate,
                notes={
                    "failed": failed,
                    "clients": n,
                    "distinct_activities": len(set(activities)),
                    "load_generator": ctx.load_generator,
                },
            )
        )
        rows.append(
            Result(
                measure="mutations",
                name=f"  same without HTTP/GraphQL: PlanLedger.execute in-process, {n} thread{'s' if n > 1 else ''}",
                baseline=baseline,
                rate=app_rate,
                rate_unit="commits/s",
                latency=Stats.of(app_latencies),
                baseline_rate=raw_rate,
                baseline_latency=Stats.of(raw_latencies),
                ratio=app_rate / raw_rate,
            )
        )
        rows.append(
            Result(
                measure="mutations",
                name=f"  floor of HTTP + GraphQL: {{ __typename }}, {n} client{'s' if n > 1 else ''}",
                baseline=baseline,
                rate=floor.rps,
                rate_unit="requests/s",
                baseline_unit="commits/s",
                latency=floor.stats(),
                baseline_rate=raw_rate,
                baseline_latency=Stats.of(raw_latencies),
                ratio=floor.rps / raw_rate,
                notes={"errors": floor.errors, "server_cpu": round(floor.server_cpu, 3)},
            )
        )
    return rows


# -- bulk import ----------------------------------------------------------------------------------------


async def _export(address: ServerAddress, path: Any) -> int:
    conn = await asyncpg.connect(**address.asyncpg_args())
    try:
        with open(path, "w", encoding="utf-8") as out:
            return await export_log(conn, out)
    finally:
        await conn.close()


async def _import(address: ServerAddress, path: Any) -> tuple[int, float]:
    conn = await asyncpg.connect(**address.asyncpg_args())
    try:
        started = time.perf_counter()
        with open(path, encoding="utf-8") as lines:
            done = await import_log(conn, lines)
        return done.events, time.perf_counter() - started
    finally:
        await conn.close()


async def _copy(source: ServerAddress, target: ServerAddress) -> tuple[int, float]:
    """The source's log COPYed into the target's empty one: (rows, seconds spent in COPY and commit)."""
    columns = ["notification_id", "originator_id", "originator_version", "topic", "state"]
    reader = await asyncpg.connect(**source.asyncpg_args())
    writer = await asyncpg.connect(**target.asyncpg_args())
    count, spent = 0, 0.0
    try:
        async with reader.transaction(isolation="repeatable_read", readonly=True):
            cursor = await reader.cursor(f"SELECT {', '.join(columns)} FROM {TABLE} ORDER BY notification_id")
            transaction = writer.transaction()
            began = time.perf_counter()
            await transaction.start()
            spent += time.perf_counter() - began
            try:
                while batch := await cursor.fetch(BATCH):
                    records = [tuple(r) for r in batch]
                    began = time.perf_counter()
                    await writer.copy_records_to_table(TABLE, records=records, columns=columns)
                    spent += time.perf_counter() - began
                    count += len(records)
            except BaseException:
                await transaction.rollback()
                raise
            began = time.perf_counter()
            await transaction.commit()
            spent += time.perf_counter() - began
    finally:
        await reader.close()
        await writer.close()
    return count, spent


def _empty_store(ctx: Context, prefix: str) -> ServerAddress:
    address = ctx.scratch(prefix)
    PlanLedger.connect(address).close()  # the event store's own tables, as `planledger import-log` makes them
    return address


def import_measure(ctx: Context) -> list[Result]:
    source = ctx.database()
    path = ctx.folder / "log.ndjson"
    started = time.perf_counter()
    exported = asyncio.run(_export(source, path))
    export_seconds = time.perf_counter() - started
    size = path.stat().st_size
    ctx.say(f"  exported {exported:,} events ({size / 1e6:,.0f} MB) in {export_seconds:.1f} s")
    rates, copy_rates = [], []
    for _run in range(ctx.sizes.import_runs):
        target = _empty_store(ctx, "bench_import")
        events, seconds = asyncio.run(_import(target, path))
        ctx.drop(target)
        baseline = _empty_store(ctx, "bench_copy")
        rows, copy_seconds = asyncio.run(_copy(source, baseline))
        ctx.drop(baseline)
        if rows != events or events != exported:
            raise RuntimeError(f"import loaded {events}, COPY {rows}, export wrote {exported}")
        rates.append(events / seconds)
        copy_rates.append(rows / copy_seconds)
        ctx.say(f"  import-log {events / seconds:,.0f} events/s; asyncpg COPY {rows / copy_seconds:,.0f} rows/s")
    path.unlink()
    rate, copy_rate = sorted(rates)[(len(rates) - 1) // 2], sorted(copy_rates)[(len(copy_rates) - 1) // 2]
    return [
        Result(
            measure="import",
            name=f"bulk import (import-log: NDJSON -> the event store, {exported:,} events)",
            target=f">= {IMPORT_TARGET:,} events/s",
            passed=rate >= IMPORT_TARGET,
            baseline="asyncpg COPY of the same rows",
            rate=rate,
            rate_unit="events/s",
            baseline_rate=copy_rate,
            ratio=rate / copy_rate,
            notes={
                "runs": rates,
                "copy_runs": copy_rates,
                "export_seconds": export_seconds,
                "export_rate": exported / export_seconds,
                "file_bytes": size,
            },
        )
    ]
