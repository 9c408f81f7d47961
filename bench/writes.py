"""The write side's speed: mutation → committed event, and bulk import (measures `mutations`, `import`).

- mutations: `reportProgress` GraphQL mutations over HTTP to `planledger serve` (1 worker) against the
  peer a team would otherwise pick, PostGraphile 5's `createProgressReport` on a plain table
  (`PEER_TABLE`) of its own scratch database on the same PostgreSQL (1 Node process), and the Python
  floor (`bench.floor`: the same insert under uvicorn + asyncpg, nothing else), in three
  client shapes: 1 client; 16 clients each on its own activity in progress; 16 clients over 4
  activities (the hot case: optimistic concurrency on a busy activity). Each client is one
  keep-alive connection, one request at a time, for `write_seconds`; a mutation counts once its
  answer (the event committed) is back. The clients are `wrk` threads with a Lua script that checks
  every answer (an asyncio + httpx client when wrk is not installed: it costs the machine more CPU
  per request than the servers' own work). Each writer is first warmed on the widest shape until its
  rate stops rising (as the whole-plan rows). Beside them, interleaved in the same run: raw asyncpg
  single-row INSERT transactions of an event-sized row (the limit), `PlanLedger.execute` in process
  (the application without HTTP and GraphQL) and the floor of the HTTP + GraphQL stack
  (`{ __typename }`, nothing read or written), on the same number of connections.
- import: the log exported as NDJSON (`planledger export`, untimed), then loaded by
  `service.store.portable.import_log` (what `planledger import-log` runs before it rebuilds) into an empty
  database. Baseline in the same run: the same rows COPYed with asyncpg (`copy_records_to_table`,
  batches of the importer's size, one transaction) into another empty event store; only the COPY
  calls and the commit are timed, not reading the rows from the source.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from bench.api import REPORT_PROGRESS, WARM_UP_MAX, load, open_activities, warmed, wrk_summary
from bench.context import Context, Process, Sizes, free_port
from bench.core import Result, Stats
from bench.postgraphile import ensure_peer
from bench.store_throughput import app_commands, raw_inserts
from service.application.ledger import PlanLedger
from service.config import ServerAddress
from service.store.portable import BATCH, TABLE, export_log, import_log

MUTATION_TARGET = 1.0  #: x PostGraphile 5's create mutation, same clients (issue 22)
HOT_TARGET = 0.5  #: 16 clients on 4 activities: x the peer
HOT_P95_MS = 50.0
RSS_GROWTH = 0.10  #: the write path's memory "stays flat": RSS grows by at most this share over `rss_seconds`
IMPORT_TARGET = 25_000


# -- mutations ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Writer:
    """A server taking one write per request: planledger's `reportProgress`, or the peer's create mutation.

    `body` is a `string.format` template for wrk's Lua (`%s` the activity id, `%.2f` the progress) and
    the same for Python's `%` operator; a request counts as committed when its answer is a 200 holding
    `mark` and no `"errors"`."""

    name: str
    server: Process
    auth: str
    body: str
    mark: str


def planledger_writer(server: Process, token: str) -> Writer:
    query = REPORT_PROGRESS.replace('"', '\\"')
    return Writer(
        "planledger reportProgress",
        server,
        f"Bearer {token}",
        '{"query":"' + query + '","variables":{"input":{"activityId":"%s","progress":%.2f}}}',
        '"__typename":"ActivityRecorded"',
    )


#: The peer's table: what a team would write for "a unit reports progress" with PostGraphile, a plain
#: row per report (no history, no versions, no idempotency, no projection) -- the issue's shape.
PEER_TABLE = """
CREATE TABLE progress_report (
    id bigserial PRIMARY KEY,
    activity_id uuid NOT NULL,
    progress numeric(5,2) NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now()
)
"""
PEER_CREATE = (
    "mutation C($a: UUID!, $p: BigFloat!) { createProgressReport(input: {progressReport: "
    "{activityId: $a, progress: $p}}) { progressReport { id } } }"
)


def peer_writer(server: Process) -> Writer:
    return Writer(
        "PostGraphile createProgressReport",
        server,
        "",
        '{"query":"' + PEER_CREATE + '","variables":{"a":"%s","p":"%.2f"}}',
        '"progressReport":{"id"',
    )


async def _mutations(writer: Writer, activities: list[str], seconds: float) -> tuple[int, float, list[float], int]:
    """Each activity one client: mutations one after another for `seconds`.
    (committed, elapsed, latency of each in ms, refused or failed)."""
    latencies: list[float] = []
    failed = 0
    headers = {"Accept": "application/json", "Content-Type": "application/json"}
    if writer.auth:
        headers["Authorization"] = writer.auth
    clients = [
        httpx.AsyncClient(
            base_url=writer.server.url, headers=headers, timeout=60, limits=httpx.Limits(max_connections=1)
        )
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
                body = writer.body % (activity, count % 10_000 / 100)
                began = time.perf_counter()
                response = await http.post("/graphql", content=body.encode())
                took = (time.perf_counter() - began) * 1000
                if response.status_code == 200 and writer.mark in response.text and '"errors"' not in response.text:
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
local template = os.getenv("BODY")
local mark = os.getenv("MARK")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"
local auth = os.getenv("AUTH")
if auth ~= "" then wrk.headers["Authorization"] = auth end
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
  return wrk.format(nil, nil, nil, string.format(template, activity, n % 10000 / 100))
end
response = function(status, headers, body)
  if status == 200 and string.find(body, mark, 1, true) and not string.find(body, '"errors"', 1, true) then
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
    writer: Writer, activities: list[str], seconds: float, folder: Path
) -> tuple[int, float, Stats, int]:
    """`wrk`, one thread and one connection per client: (committed, elapsed, latency, failed)."""
    script = folder / "mutations.lua"
    script.write_text(MUTATIONS_LUA)
    env = {"ACTIVITIES": ",".join(activities), "BODY": writer.body, "MARK": writer.mark, "AUTH": writer.auth}
    r = wrk_summary(writer.server.url, script, env, seconds, len(activities), len(activities))
    elapsed = r["duration_us"] / 1e6
    latency = Stats(r["p50_us"] / 1000, r["p95_us"] / 1000, r["p99_us"] / 1000, r["committed"])
    return r["committed"], elapsed, latency, r["failed"]


TYPENAME = json.dumps({"query": "{ __typename }"}).encode()


@dataclass
class Writes:
    committed: int
    elapsed: float
    latency: Stats
    failed: int

    @property
    def rate(self) -> float:
        return self.committed / self.elapsed if self.elapsed else 0.0


def _writes(ctx: Context, writer: Writer, activities: list[str], seconds: float) -> Writes:
    if ctx.load_generator == "wrk":
        return Writes(*_wrk_mutations(writer, activities, seconds, ctx.folder))
    done, elapsed, latencies, failed = asyncio.run(_mutations(writer, activities, seconds))
    return Writes(done, elapsed, Stats.of(latencies), failed)


def _peer_table(ctx: Context, prefix: str) -> ServerAddress:
    """A scratch database of the run's server holding only `PEER_TABLE`."""
    address = ctx.scratch(prefix)

    async def create() -> None:
        conn = await asyncpg.connect(**address.asyncpg_args())
        try:
            await conn.execute(PEER_TABLE)
        finally:
            await conn.close()

    asyncio.run(create())
    return address


def _start_peer(ctx: Context) -> tuple[Writer | None, str]:
    """PostGraphile 5 (1 process, as planledger's 1 worker) on its own scratch database of the same
    server, holding only `progress_report`; (None, why) when the run has no peer."""
    if not ctx.sizes.postgraphile:
        return None, "skipped (--smoke or --set postgraphile=0)"
    peer = ensure_peer(ctx.say)
    if peer is None:
        return None, "npm or node missing"
    address = _peer_table(ctx, "peerwrites")
    process = ctx.start(peer.server(address, 1, ctx.folder))
    process.wait_http("/graphql", lambda r: r.status_code in (400, 405, 200), 120)
    ctx.facts["mutations_peer"] = {"peer": peer.name, "runtime": peer.runtime, "table": PEER_TABLE.strip()}
    return peer_writer(process), peer.name


def _start_floor(ctx: Context) -> Writer:
    """`bench.floor` (the peer's insert in the least Python: uvicorn + orjson + asyncpg, 1 process) on
    a scratch database of its own holding `progress_report`; it needs no npm, so every run has it."""
    address = _peer_table(ctx, "floor")
    port = free_port()
    env = {**os.environ, "FLOOR_DATABASE_URL": address.url()}
    command = [sys.executable, "-m", "uvicorn", "bench.floor:app", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--no-access-log", "--log-level", "warning"]
    process = ctx.start(Process("python floor", command, env, port, ctx.folder / "floor.log"))
    process.wait_http("/", lambda r: r.status_code == 400, 60)  # (a GET has no body: its own 400)
    return Writer("the Python floor", process, "", peer_writer(process).body, '"progressReport":{"id"')


def _shapes(sizes: Sizes, open_ids: list[str]) -> list[tuple[str, list[str]]]:
    """(label, one activity per client): each client count on distinct activities (as far as the
    ledger has that many in progress), then the hot case: `hot_clients` over `hot_activities`."""
    shapes = []
    for n in sizes.client_counts():
        activities = [open_ids[k % len(open_ids)] for k in range(n)]
        distinct = len(set(activities))
        where = "each on its own activity" if distinct == n else f"over {distinct} activities"
        shapes.append((f"{n} client{'s' if n > 1 else ''}, {where}", activities))
    hot = [open_ids[k % min(sizes.hot_activities, len(open_ids))] for k in range(sizes.hot_clients)]
    shapes.append((f"{sizes.hot_clients} clients on {len(set(hot))} activities (hot)", hot))
    return shapes


def mutations_measure(ctx: Context) -> list[Result]:
    """Mutation -> committed event against the peer (PostGraphile 5's create mutation on a plain
    table, same PostgreSQL, same client shapes, interleaved in one run); raw single-row inserts stay
    beside them as the limit; `PlanLedger.execute` in process and `{ __typename }` show where the
    time goes."""
    sizes = ctx.sizes
    server = ctx.planledger(1)
    address = ctx.database()
    token = ctx.token("admin")
    shapes = _shapes(sizes, [a for _, a in open_activities(address, max([*sizes.client_counts(), 16]))])
    mine_writer = planledger_writer(server, token)
    peer, peer_name = _start_peer(ctx)
    ctx.facts.setdefault("mutations_peer", {"peer": peer_name})
    floor_writer = _start_floor(ctx)
    # Warm every writer (the peer's JIT, pools, caches; planledger's cached activities) before anything
    # counts, each until its rate stops rising, as the whole-plan rows do: the peer ran its first
    # shape cold (1,623 commits/s at 1 client against 2,300-2,970 warm on the /tmp harness the same
    # day, 2026-12-05), which flattered planledger's ratio.
    widest = max((activities for _, activities in shapes), key=lambda a: (len(set(a)), len(a)))
    most = WARM_UP_MAX if peer is not None else 1  # (without a peer there is no ratio to be fair to)
    warm_up = {
        w.name: warmed(lambda w=w: _writes(ctx, w, widest, min(2.0, sizes.write_seconds)).rate, most)
        for w in (peer, floor_writer, mine_writer)
        if w is not None
    }
    ctx.facts["mutations_peer"]["warm_up_commits_per_s"] = {k: [round(r) for r in v] for k, v in warm_up.items()}
    rows: list[Result] = []
    for label, activities in shapes:
        n = len(activities)
        hot = label.endswith("(hot)")
        # interleaved: the limit, the peer, the Python floor, planledger, in-process, the stack's floor
        raw_rows, raw_elapsed, raw_latencies = asyncio.run(raw_inserts(address, sizes.write_seconds, n))
        theirs = _writes(ctx, peer, activities, sizes.write_seconds) if peer is not None else None
        least = _writes(ctx, floor_writer, activities, sizes.write_seconds)
        mine = _writes(ctx, mine_writer, activities, sizes.write_seconds)
        app_done, app_elapsed, app_latencies = app_commands(address, sizes.write_seconds, {}, 40, n)
        floor = load(ctx.load_generator, server, TYPENAME, f"Bearer {token}", n, sizes.write_seconds, ctx.folder)
        raw_rate, app_rate = raw_rows / raw_elapsed, app_done / app_elapsed
        ctx.say(
            f"  {label}: raw inserts {raw_rate:,.0f}/s, "
            + (f"{peer_name} {theirs.rate:,.0f}/s ({theirs.failed} failed), " if theirs else "")
            + f"Python floor {least.rate:,.0f}/s ({least.failed} failed), "
            + f"planledger {mine.rate:,.0f}/s ({mine.failed} failed, p95 {mine.latency.p95:.1f} ms), "
            f"PlanLedger.execute {app_rate:,.0f}/s, {{ __typename }} {floor.rps:,.0f}/s ({floor.errors} errors)"
        )
        raw = f"raw asyncpg single-row INSERT transactions, {n} connection{'s' if n > 1 else ''}"
        target = HOT_TARGET if hot else MUTATION_TARGET
        if theirs is not None and theirs.rate:
            ratio = mine.rate / theirs.rate
            passed = mine.failed == 0 and theirs.failed == 0 and ratio >= target
            if hot:
                passed = passed and mine.latency.p95 <= HOT_P95_MS
            baseline, baseline_rate, baseline_latency = f"{peer_name}, create mutation", theirs.rate, theirs.latency
        else:
            ratio, passed = None, None
            baseline, baseline_rate, baseline_latency = f"none ({peer_name})", None, None
        rows.append(
            Result(
                measure="mutations",
                name=f"mutation -> committed event (reportProgress over HTTP), {label}",
                target=f">= {target:.1f}x" + (f", 0 failed, p95 <= {HOT_P95_MS:.0f} ms" if hot else ", 0 failed"),
                passed=passed,
                baseline=baseline,
                rate=mine.rate,
                rate_unit="commits/s",
                latency=mine.latency,
                baseline_rate=baseline_rate,
                baseline_latency=baseline_latency,
                ratio=ratio,
                notes={
                    "failed": mine.failed,
                    "peer_failed": None if theirs is None else theirs.failed,
                    "clients": n,
                    "distinct_activities": len(set(activities)),
                    "load_generator": ctx.load_generator,
                    "raw_inserts_per_s": raw_rate,
                    "of_raw_inserts": mine.rate / raw_rate,
                },
            )
        )
        rows.append(
            Result(
                measure="mutations",
                name=f"  the limit: raw single-row INSERT transactions, {n} connection{'s' if n > 1 else ''}",
                baseline=raw,
                rate=raw_rate,
                rate_unit="commits/s",
                latency=Stats.of(raw_latencies),
            )
        )
        rows.append(
            Result(
                measure="mutations",
                name=f"  the Python floor: uvicorn + one asyncpg INSERT, {n} client{'s' if n > 1 else ''}",
                baseline=baseline,
                rate=least.rate,
                rate_unit="commits/s",
                latency=least.latency,
                baseline_rate=baseline_rate,
                baseline_latency=baseline_latency,
                ratio=least.rate / theirs.rate if theirs is not None and theirs.rate else None,
                notes={
                    "failed": least.failed,
                    "clients": n,
                    "planledger_of_floor": mine.rate / least.rate if least.rate else None,
                },
            )
        )
        rows.append(
            Result(
                measure="mutations",
                name=f"  same without HTTP/GraphQL: PlanLedger.execute in-process, {n} thread{'s' if n > 1 else ''}",
                baseline=raw,
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
                baseline=raw,
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
    rows.append(_memory(ctx, mine_writer, shapes[-2][1] if len(shapes) > 1 else shapes[0][1]))
    return rows


def _rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def _children(pid: int) -> list[int]:
    """The processes `pid` started (and theirs): `serve`'s workers and its projector process."""
    found: list[int] = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as stat:
                    parent = int(stat.read().rpartition(")")[2].split()[1])
            except OSError:
                continue
            if parent == pid:
                found += [int(entry), *_children(int(entry))]
    return found


def _server_rss_mb(pid: int) -> dict[int, float]:
    """RSS of the server's every process (the projector process's memory counts as the server's)."""
    found = {}
    for each in [pid, *_children(pid)]:
        with contextlib.suppress(OSError, RuntimeError):
            found[each] = _rss_mb(each)
    return found


def _memory(ctx: Context, writer: Writer, activities: list[str]) -> Result:
    """The write path's memory: the RSS of the server's processes (the web process and its
    projector process) before and after `rss_seconds` of writers (the last client shape, after the
    other measures warmed it up)."""
    popen = writer.server.popen
    assert popen is not None
    each_before = _server_rss_mb(popen.pid)
    writes = _writes(ctx, writer, activities, ctx.sizes.rss_seconds)
    each_after = _server_rss_mb(popen.pid)
    before, after = sum(each_before.values()), sum(each_after.values())
    growth = (after - before) / before
    ctx.say(
        f"  memory: RSS {before:,.0f} MB -> {after:,.0f} MB over {writes.committed:,} writes "
        f"(by process: {', '.join(f'{each_before.get(p, 0):,.0f} -> {v:,.0f}' for p, v in each_after.items())})"
    )
    return Result(
        measure="mutations",
        name=f"write path memory: RSS of the server's processes (web, projector) over {ctx.sizes.rss_seconds:.0f} s "
        f"of {len(activities)} writers",
        target=f"growth <= {RSS_GROWTH:.0%}",
        passed=growth <= RSS_GROWTH and writes.failed == 0,
        baseline="RSS before",
        rate=writes.rate,
        rate_unit="commits/s",
        latency=writes.latency,
        notes={
            "rss_before_mb": round(before, 1),
            "rss_after_mb": round(after, 1),
            "processes": {str(p): [round(each_before.get(p, 0.0), 1), round(v, 1)] for p, v in each_after.items()},
            "growth": round(growth, 3),
            "commits": writes.committed,
            "bytes_per_commit": round((after - before) * 1024 * 1024 / max(1, writes.committed)),
            "failed": writes.failed,
        },
    )


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
