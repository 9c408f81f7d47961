"""The API's speed proof: whole-plan query throughput against PostGraphile, and subscription fan-out.

    python -m bench.api [--seconds S] [--rounds R] [--subscribers N] [--smoke] [--json out.json]
                        [--database-url postgresql://postgres@127.0.0.1:5432/test]

Everything is measured in the same run on the same machine, against a scratch database
(`bench_api_<hex>`, created on the server `--database-url` names and dropped afterwards):

1. Data: one realistic plan (five strategies, activities with status/progress history, milestones
   and risks, meetings, corrections) written by `bench.generate` and projected by the server's own
   projector (`/readyz` until `lagEvents` is 0).
2. Throughput: `C` keep-alive clients (default 16) POST the whole-plan query for `S` seconds, with
   the same load generator (`wrk` with a Lua script when installed, else an asyncio + httpx one)
   against: PostGraphile 4 (installed from npm into /tmp/bench-postgraphile by this script) serving
   the same `rm_*` tables, and planledger `serve` with 1 and 2 workers, each twice: plain POST (the
   position-keyed response cache answers repeats) and with the cache defeated (a `nonce` variable
   that differs per request, which the query ignores: the cache key changes, the parse and
   validation caches still hit). PostGraphile runs with 1 process against planledger's 1 worker
   and with `--cluster-workers 2` against its 2 workers. The measures are interleaved in `R`
   rounds; each cell is the median round.
3. Fan-out: `N` graphql-transport-ws subscribers (one separate asyncio process) on one server,
   all on `riskEvents(planId)`; a writer records `noteRisk` mutations over HTTP one at a time; the
   latency of each delivery is measured from the writer's send time (an upper bound on commit →
   delivered: it includes the HTTP request and the command) and, beside it, from the event's
   `recordedAt` (set just before the commit, by the server's clock, which is this machine's).

`--smoke` uses small sizes, 1 worker, no PostGraphile (no npm needed) and finishes in well under a
minute: it is what CI runs to keep this benchmark from rotting; its numbers mean nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import platform
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg

from service.config import ServerAddress
from service.database import create_scratch_database, drop_scratch_database

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/test"
POSTGRAPHILE_VERSION = "4.14.1"
POSTGRAPHILE_DIR = Path("/tmp/bench-postgraphile")
THROUGHPUT_TARGET = 1.0
FANOUT_P99_TARGET_MS = 250.0

#: The whole plan as it stands: plan → strategies → activities with status, progress, milestones
#: and risks; the summary. (The README's example, without `asOf`.)
PLANLEDGER_QUERY = (
    "query WholePlan($id: ID!) { plan(id: $id) { id code title"
    " summary { total shareCompleted meanProgress byStatus { status statusLabel count } }"
    " strategies { number title activities { id title status statusLabel progress"
    " milestones { title dueOn originalDueOn slipDays overdue } risks { title level status } } } } }"
)

#: The closest PostGraphile 4 allows on the same tables: no foreign keys between the rm_* tables,
#: so no nesting (five root lists the client would join), no as-of logic (current rows are those
#: valid for every later date and still believed), no labels, no `overdue`, no summary (the client
#: would count).
CURRENT = 'validTo: "infinity", recordedTo: "9999-12-31T00:00:00+00:00"'
POSTGRAPHILE_QUERY = (
    "query WholePlan($id: UUID!) {"
    f" plan: allRmPlans(condition: {{streamId: $id, {CURRENT}}}) {{ nodes {{ streamId code title }} }}"
    f" strategies: allRmStrategies(orderBy: NUMBER_ASC, condition: {{streamId: $id, {CURRENT}}})"
    " { nodes { number title } }"
    " activities: allRmActivities(orderBy: [STRATEGY_NUMBER_ASC, TITLE_ASC, STREAM_ID_ASC],"
    f" condition: {{planId: $id, {CURRENT}}}) {{ nodes {{ streamId strategyNumber title status progress }} }}"
    " milestones: allRmMilestones(orderBy: [STREAM_ID_ASC, ORIGINAL_DUE_ON_ASC, MILESTONE_ID_ASC],"
    f" condition: {{planId: $id, {CURRENT}}}) {{ nodes {{ streamId title dueOn originalDueOn slipDays status }} }}"
    " risks: allRmRisks(orderBy: [STREAM_ID_ASC, RISK_ID_ASC],"
    f" condition: {{planId: $id, {CURRENT}}}) {{ nodes {{ streamId title level status }} }} }}"
)

SUBSCRIPTION = (
    "subscription Risks($plan: ID!) { riskEvents(planId: $plan) {"
    " type level event { position recordedAt } risk { id title score } } }"
)
NOTE_RISK = (
    "mutation Note($input: NoteRiskInput!) { noteRisk(input: $input) { __typename"
    " ... on ActivityRecorded { position } ... on UserError { code message } } }"
)

LUA = r"""
local f = io.open(os.getenv("BODY_FILE"), "rb"); local body = f:read("*a"); f:close()
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"
local auth = os.getenv("AUTH")
if auth and auth ~= "" then wrk.headers["Authorization"] = auth end
local counter = 0
setup = function(thread)
  counter = counter + 1
  thread:set("tid", counter)
end
-- every run starts its nonces at a fresh random base: no nonce repeats across runs
local n = tonumber(os.getenv("NONCE_BASE") or "0")
local varying = string.find(body, "__N__", 1, true) ~= nil
wrk.body = body
request = function()
  if varying then
    n = n + 1
    return wrk.format(nil, nil, nil, (string.gsub(body, "__N__", string.format("%d", tid * 1000000000 + n))))
  end
  return wrk.format()
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests":%d,"duration_us":%d,"errors":%d,"status_errors":%d,"p50_us":%d,"p95_us":%d,"p99_us":%d}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


def say(text: str) -> None:
    print(f"[bench.api] {text}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- the scratch database ---------------------------------------------------------------------------


@contextlib.contextmanager
def scratch_database(server_url: str) -> Iterator[ServerAddress]:
    server = ServerAddress.from_url(server_url)
    address = create_scratch_database(server, "bench_api")
    try:
        yield address
    finally:
        drop_scratch_database(server, address)


def load_plan(database_url: str, events: int) -> str:
    """One plan's history written by bench.generate (another engineer's library); its plan id."""
    from bench.generate import generate

    summary = generate(database_url, events=events, seed=1, workers=1)
    say(f"generated {summary.events} events: {summary.activities} activities, {summary.meetings} meetings")
    return str(summary.plan_ids[0])


def plan_shape(database_url: str, plan_id: str) -> dict[str, int]:
    with psycopg.connect(ServerAddress.from_url(database_url).dsn()) as conn:
        shape: dict[str, int] = {}
        for name, column in (("activities", "plan_id"), ("milestones", "plan_id"), ("risks", "plan_id")):
            table = {"activities": "rm_activity", "milestones": "rm_milestone", "risks": "rm_risk"}[name]
            row = conn.execute(
                f"SELECT count(*) FROM {table} WHERE {column} = %s AND valid_to = 'infinity' "
                "AND recorded_to = '9999-12-31T00:00:00+00'",
                (plan_id,),
            ).fetchone()
            shape[name] = int(row[0]) if row else 0
        row = conn.execute("SELECT count(*) FROM rm_event").fetchone()
        shape["events"] = int(row[0]) if row else 0
        return shape


# -- processes ------------------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """User + system CPU of `pid` and its direct children (uvicorn workers, node cluster workers)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()
        if int(entry.name) == pid or int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


@dataclass
class Process:
    name: str
    command: list[str]
    env: dict[str, str]
    port: int
    log: Path
    cwd: Path = ROOT
    popen: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        out = self.log.open("wb")
        self.popen = subprocess.Popen(
            self.command, cwd=self.cwd, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )

    def wait_http(self, path: str, ok: Any, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.popen is not None
            if self.popen.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.log.read_text(errors='replace')[-2000:]}")
            with contextlib.suppress(httpx.HTTPError, ValueError):
                if ok(httpx.get(f"{self.url}{path}", timeout=2)):
                    return
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not become ready in {timeout:.0f} s")

    def stop(self) -> None:
        if self.popen is None or self.popen.poll() is not None:
            return
        # its own session: the signal reaches its workers too, and nothing that is not ours
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGTERM)
        try:
            self.popen.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait()


def make_token(database_url: str, role: str) -> str:
    made = subprocess.run(
        [sys.executable, "-m", "service.cli", "token", "create", "--role", role, "--name", f"bench-{role}"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        check=True,
    )
    return made.stdout.strip()


def planledger_server(database_url: str, workers: int, folder: Path) -> Process:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url}
    command = [sys.executable, "-m", "service.cli", "serve", "--port", str(port), "--workers", str(workers)]
    return Process(f"planledger w{workers}", command, env, port, folder / f"planledger-w{workers}.log")


def wait_projected(server: Process, timeout: float = 120) -> None:
    server.wait_http("/readyz", lambda r: r.status_code == 200 and r.json().get("lagEvents") == 0, timeout)


def ensure_postgraphile() -> Path | None:
    """postgraphile@4 in /tmp/bench-postgraphile (npm install when missing); None when npm fails."""
    binary = POSTGRAPHILE_DIR / "node_modules" / ".bin" / "postgraphile"
    package = POSTGRAPHILE_DIR / "node_modules" / "postgraphile" / "package.json"
    with contextlib.suppress(OSError, ValueError):
        if binary.exists() and json.loads(package.read_text())["version"] == POSTGRAPHILE_VERSION:
            return binary
    npm = shutil.which("npm")
    if npm is None:
        say("npm is not installed: PostGraphile skipped")
        return None
    POSTGRAPHILE_DIR.mkdir(parents=True, exist_ok=True)
    manifest = POSTGRAPHILE_DIR / "package.json"
    if not manifest.exists():
        manifest.write_text('{"name": "bench-postgraphile", "private": true}\n')
    say(f"npm install postgraphile@{POSTGRAPHILE_VERSION} into {POSTGRAPHILE_DIR}")
    try:
        done = subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", f"postgraphile@{POSTGRAPHILE_VERSION}"],
            cwd=POSTGRAPHILE_DIR,
            capture_output=True,
            text=True,
            timeout=300,
        )
    except subprocess.TimeoutExpired:
        say("npm install timed out: PostGraphile skipped")
        return None
    if done.returncode != 0 or not binary.exists():
        say(f"npm install failed, PostGraphile skipped: {done.stderr.strip()[-500:]}")
        return None
    return binary


def postgraphile_server(binary: Path, address: ServerAddress, workers: int, folder: Path) -> Process:
    port = free_port()
    connection = address.url().replace("postgresql://", "postgres://", 1)
    command = [str(binary), "-c", connection, "--host", "127.0.0.1", "--port", str(port), "--disable-query-log"]
    if workers > 1:
        command += ["--cluster-workers", str(workers)]
    return Process(f"postgraphile x{workers}", command, dict(os.environ), port, folder / f"pg-x{workers}.log")


# -- load generators --------------------------------------------------------------------------------


@dataclass
class Load:
    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    server_cpu: float = 0.0

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def run_wrk(url: str, body: bytes, auth: str, connections: int, seconds: float, folder: Path) -> Load:
    script = folder / "post.lua"
    script.write_text(LUA)
    body_file = folder / f"body-{uuid.uuid4().hex[:8]}.json"
    body_file.write_bytes(body)
    nonce_base = str(int.from_bytes(os.urandom(3), "big") * 1_000_000)
    env = {**os.environ, "BODY_FILE": str(body_file), "AUTH": auth, "NONCE_BASE": nonce_base}
    done = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "30s", "-s", str(script),
         f"{url}/graphql"],
        env=env,
        capture_output=True,
        text=True,
        timeout=seconds + 60,
    )
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH ")), None)
    if line is None:
        raise RuntimeError(f"wrk failed: {done.stdout[-1000:]} {done.stderr[-1000:]}")
    r = json.loads(line[6:])
    return Load(
        requests=r["requests"],
        seconds=r["duration_us"] / 1e6,
        errors=r["errors"] + r["status_errors"],
        p50_ms=r["p50_us"] / 1000,
        p95_ms=r["p95_us"] / 1000,
        p99_ms=r["p99_us"] / 1000,
    )


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


async def _python_load(url: str, body: bytes, auth: str, connections: int, seconds: float) -> Load:
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if auth:
        headers["Authorization"] = auth
    latencies: list[float] = []
    errors = 0
    varying = b"__N__" in body
    counter = int.from_bytes(os.urandom(3), "big") * 1_000_000  # no nonce repeats across runs
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        started = time.perf_counter()
        deadline = started + seconds

        async def worker() -> None:
            nonlocal errors, counter
            while time.perf_counter() < deadline:
                counter += 1
                content = body.replace(b"__N__", str(counter).encode()) if varying else body
                began = time.perf_counter()
                try:
                    response = await client.post(f"{url}/graphql", content=content, headers=headers)
                    if response.status_code != 200:
                        errors += 1
                except httpx.HTTPError:
                    errors += 1
                latencies.append(time.perf_counter() - began)

        await asyncio.gather(*(worker() for _ in range(connections)))
        elapsed = time.perf_counter() - started
    return Load(
        requests=len(latencies),
        seconds=elapsed,
        errors=errors,
        p50_ms=percentile(latencies, 0.50) * 1000,
        p95_ms=percentile(latencies, 0.95) * 1000,
        p99_ms=percentile(latencies, 0.99) * 1000,
    )


def load(generator: str, server: Process, body: bytes, auth: str, connections: int, seconds: float,
         folder: Path) -> Load:
    assert server.popen is not None
    before = cpu_seconds(server.popen.pid)
    if generator == "wrk":
        result = run_wrk(server.url, body, auth, connections, seconds, folder)
    else:
        result = asyncio.run(_python_load(server.url, body, auth, connections, seconds))
    result.server_cpu = (cpu_seconds(server.popen.pid) - before) / result.seconds if result.seconds else 0.0
    return result


def check_response(server: Process, body: bytes, auth: str) -> int:
    """One request; its size in bytes (raises unless it is a 200 with data and no errors)."""
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if auth:
        headers["Authorization"] = auth
    response = httpx.post(f"{server.url}/graphql", content=body.replace(b"__N__", b"0"), headers=headers, timeout=60)
    payload = response.json()
    if response.status_code != 200 or payload.get("errors") or not payload.get("data"):
        raise RuntimeError(f"{server.name}: {response.status_code} {response.text[:500]}")
    return len(response.content)


# -- fan-out ---------------------------------------------------------------------------------------


def _subscriber_process(ws_url: str, token: str, plan_id: str, count: int, expected: int, pipe: Any) -> None:
    asyncio.run(_subscribers(ws_url, token, plan_id, count, expected, pipe))


async def _subscribers(ws_url: str, token: str, plan_id: str, count: int, expected: int, pipe: Any) -> None:
    """`count` graphql-transport-ws clients on riskEvents; each delivery as (client, title, time, recordedAt)."""
    import websockets

    deliveries: list[tuple[int, str, float, str]] = []
    received = [0] * count
    all_got: dict[str, int] = {}
    warm = asyncio.Event()
    finished = asyncio.Event()
    started = time.monotonic()
    sockets: list[Any] = []

    async def client(index: int) -> None:
        ws = await websockets.connect(ws_url, subprotocols=["graphql-transport-ws"], ping_interval=None,  # type: ignore[list-item]
                                      max_size=None, open_timeout=60)
        sockets.append(ws)
        await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}))
        ack = json.loads(await ws.recv())
        if ack.get("type") != "connection_ack":
            raise RuntimeError(f"no connection_ack: {ack}")
        await ws.send(json.dumps({"id": "1", "type": "subscribe",
                                  "payload": {"query": SUBSCRIPTION, "variables": {"plan": plan_id}}}))

    async def reader(index: int, ws: Any) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            async for raw in ws:
                now = time.time()
                message = json.loads(raw)
                kind = message.get("type")
                if kind == "ping":
                    await ws.send(json.dumps({"type": "pong"}))
                    continue
                if kind != "next":
                    continue
                data = (message.get("payload") or {}).get("data") or {}
                event = data.get("riskEvents") or {}
                title = str((event.get("risk") or {}).get("title"))
                deliveries.append((index, title, now, str((event.get("event") or {}).get("recordedAt"))))
                received[index] += 1
                all_got[title] = all_got.get(title, 0) + 1
                if title.endswith("-warm") and all_got[title] == count:
                    warm.set()
                if all(n >= expected + 1 for n in received):
                    finished.set()

    connect_errors = 0
    for first in range(0, count, 100):
        results = await asyncio.gather(*(client(i) for i in range(first, min(count, first + 100))),
                                       return_exceptions=True)
        connect_errors += sum(isinstance(r, BaseException) for r in results)
    readers = [asyncio.create_task(reader(i, ws)) for i, ws in enumerate(sockets)]
    connected = time.monotonic() - started
    pipe.send(("ready", len(sockets), connect_errors, connected))
    try:
        await asyncio.wait_for(warm.wait(), 30)
    except TimeoutError:
        pipe.send(("warm-timeout", sum(1 for n in received if n)))
        pipe.close()
        return
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu_before = usage.ru_utime + usage.ru_stime
    wall_before = time.monotonic()
    pipe.send(("warm",))
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(finished.wait(), 60 + expected * 2)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (usage.ru_utime + usage.ru_stime - cpu_before) / max(1e-9, time.monotonic() - wall_before)
    for ws in sockets:
        with contextlib.suppress(Exception):
            await ws.close()
    for task in readers:
        task.cancel()
    pipe.send(("result", [d for d in deliveries if not d[1].endswith("-warm")], cpu))
    pipe.close()


@dataclass
class Fanout:
    subscribers: int
    events: int
    deliveries: int
    expected: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    recorded_p50_ms: float
    recorded_p95_ms: float
    recorded_p99_ms: float
    ack_p50_ms: float
    client_cpu: float
    server_cpu: float
    connect_seconds: float
    write_failures: int = 0
    note: str = ""


async def _write(server: Process, admin: str, activity: str, titles: list[str], gap: float,
                 sent: dict[str, float], acked: dict[str, float]) -> int:
    failures = 0
    async with httpx.AsyncClient(timeout=30) as client:
        for k, title in enumerate(titles):
            variables = {"input": {"activityId": activity, "title": title, "likelihood": 1 + k % 5,
                                   "impact": 1 + (k * 3) % 5, "owner": "bench"}}
            sent[title] = time.time()
            response = await client.post(f"{server.url}/graphql", json={"query": NOTE_RISK, "variables": variables},
                                         headers={"Authorization": f"Bearer {admin}"})
            acked[title] = time.time()
            result = ((response.json().get("data") or {}).get("noteRisk")) or {}
            if result.get("__typename") != "ActivityRecorded":
                failures += 1
                say(f"noteRisk failed: {response.text[:300]}")
            await asyncio.sleep(gap)
    return failures


def open_activity(server: Process, token: str, plan_id: str) -> str:
    query = "query($id: ID!) { plan(id: $id) { activities(status: [IN_PROGRESS, NOT_STARTED, PLANNED]) { id } } }"
    response = httpx.post(f"{server.url}/graphql", json={"query": query, "variables": {"id": plan_id}},
                          headers={"Authorization": f"Bearer {token}"}, timeout=30)
    activities = response.json()["data"]["plan"]["activities"]
    if not activities:
        raise RuntimeError("no open activity to note risks on")
    return str(activities[0]["id"])


def fanout(server: Process, reader: str, admin: str, plan_id: str, activity: str, subscribers: int, events: int,
           gap: float) -> Fanout:
    run = uuid.uuid4().hex[:6]
    ws_url = server.url.replace("http://", "ws://") + "/graphql"
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    process = context.Process(target=_subscriber_process,
                              args=(ws_url, reader, plan_id, subscribers, events, child), daemon=True)
    process.start()
    sent: dict[str, float] = {}
    acked: dict[str, float] = {}
    try:
        if not parent.poll(180):
            raise RuntimeError("the subscribers did not connect in 180 s")
        ready = parent.recv()
        _, connected, connect_errors, connect_seconds = ready
        say(f"{connected} subscribers connected in {connect_seconds:.1f} s ({connect_errors} failed)")
        # a warm-up event that every subscriber must see: then every subscription is live
        asyncio.run(_write(server, admin, activity, [f"bench-{run}-warm"], 0, {}, {}))
        if not parent.poll(60):
            raise RuntimeError("the warm-up event did not reach every subscriber in 60 s")
        message = parent.recv()
        if message[0] != "warm":
            raise RuntimeError(f"warm-up event reached only {message[1]} of {subscribers} subscribers")
        assert server.popen is not None
        cpu_before, wall_before = cpu_seconds(server.popen.pid), time.monotonic()
        titles = [f"bench-{run}-{k}" for k in range(events)]
        failures = asyncio.run(_write(server, admin, activity, titles, gap, sent, acked))
        if not parent.poll(120 + events * 2):
            raise RuntimeError("the subscribers did not report")
        _, deliveries, client_cpu = parent.recv()
        server_cpu = (cpu_seconds(server.popen.pid) - cpu_before) / (time.monotonic() - wall_before)
    finally:
        process.join(timeout=30)
        if process.is_alive():
            process.terminate()
            process.join()
    from_send = [(t - sent[title]) * 1000 for _, title, t, _ in deliveries if title in sent]
    from_recorded = []
    for _, _title, t, recorded in deliveries:
        with contextlib.suppress(ValueError):
            from_recorded.append((t - datetime.fromisoformat(recorded).timestamp()) * 1000)
    acks = [(acked[t] - sent[t]) * 1000 for t in sent]
    return Fanout(
        subscribers=subscribers,
        events=events,
        deliveries=len(from_send),
        expected=subscribers * events,
        p50_ms=percentile(from_send, 0.50),
        p95_ms=percentile(from_send, 0.95),
        p99_ms=percentile(from_send, 0.99),
        max_ms=max(from_send) if from_send else float("nan"),
        recorded_p50_ms=percentile(from_recorded, 0.50),
        recorded_p95_ms=percentile(from_recorded, 0.95),
        recorded_p99_ms=percentile(from_recorded, 0.99),
        ack_p50_ms=percentile(acks, 0.50),
        client_cpu=client_cpu,
        server_cpu=server_cpu,
        connect_seconds=connect_seconds,
        write_failures=failures,
    )


# -- the run ----------------------------------------------------------------------------------------


@dataclass
class Row:
    measure: str
    baseline: str
    rps: str
    median: str
    p95: str
    p99: str
    ratio: str
    verdict: str


@dataclass
class Report:
    started: str
    machine: dict[str, Any]
    settings: dict[str, Any]
    data: dict[str, Any] = field(default_factory=dict)
    throughput: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    fanout: list[dict[str, Any]] = field(default_factory=list)
    rows: list[dict[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def median_load(loads: list[Load]) -> Load:
    """The round with the median requests/s."""
    ordered = sorted(loads, key=lambda x: x.rps)
    return ordered[(len(ordered) - 1) // 2]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.api", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_SERVER),
                        help="a PostgreSQL server (any database on it): the scratch database is made there")
    parser.add_argument("--seconds", type=float, default=10, help="length of each throughput measure")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds of the throughput measures")
    parser.add_argument("--connections", type=int, default=16, help="concurrent keep-alive clients")
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--fanout-events", type=int, default=20, help="events written for each fan-out measure")
    parser.add_argument("--events", type=int, default=4000, help="size of the plan's history (bench.generate)")
    parser.add_argument("--workers", default="1,2", help="planledger (and PostGraphile) process counts")
    parser.add_argument("--load-generator", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument("--no-postgraphile", action="store_true")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, no PostGraphile: CI keeps this running")
    parser.add_argument("--json", default=None, help="write the results here as JSON")
    args = parser.parse_args(argv)
    if args.smoke:
        args.seconds, args.rounds, args.subscribers, args.fanout_events = 2, 1, 20, 3
        args.events, args.workers, args.no_postgraphile = 600, "1", True
    workers = [int(w) for w in args.workers.split(",") if w.strip()]
    generator = args.load_generator
    if generator == "auto":
        generator = "wrk" if shutil.which("wrk") else "python"

    report = Report(
        started=datetime.now().astimezone().isoformat(timespec="seconds"),
        machine={"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
                 "loadavg_at_start": list(os.getloadavg())},
        settings={**vars(args), "load_generator": generator},
    )
    say(f"load generator: {generator}; machine load average {os.getloadavg()[0]:.2f}")
    processes: list[Process] = []
    folder = Path(tempfile.mkdtemp(prefix="bench-api-"))
    try:
        with scratch_database(args.database_url) as address:
            database_url = address.url()
            report.settings["database"] = address.dbname
            say(f"scratch database {address.dbname}")
            plan_id = load_plan(database_url, args.events)
            reader_token = make_token(database_url, "reader")
            admin_token = make_token(database_url, "admin")
            auth = f"Bearer {reader_token}"

            servers: dict[int, Process] = {}
            for w in workers:
                servers[w] = planledger_server(database_url, w, folder)
                processes.append(servers[w])
                servers[w].start()
            for w in workers:
                servers[w].wait_http("/readyz", lambda r: r.status_code == 200)
            wait_projected(servers[workers[0]])
            report.data = {"plan_id": plan_id, **plan_shape(database_url, plan_id)}
            say(f"projected: {report.data}")

            peers: dict[int, Process] = {}
            if args.no_postgraphile:
                report.notes.append("PostGraphile skipped (--no-postgraphile or --smoke): no baseline, no ratio")
            else:
                binary = ensure_postgraphile()
                if binary is None:
                    report.notes.append("PostGraphile skipped: npm install failed or npm missing")
                else:
                    for w in workers:
                        peers[w] = postgraphile_server(binary, address, w, folder)
                        processes.append(peers[w])
                        peers[w].start()
                    for w in workers:
                        peers[w].wait_http("/graphql", lambda r: r.status_code in (400, 405, 200), 120)

            plain = json.dumps({"query": PLANLEDGER_QUERY, "variables": {"id": plan_id}}).encode()
            busted = plain[: plain.rindex(b"}}")] + b', "nonce": __N__}}'
            peer_body = json.dumps({"query": POSTGRAPHILE_QUERY, "variables": {"id": plan_id}}).encode()
            sizes = {f"planledger w{w}": check_response(servers[w], plain, auth) for w in workers}
            sizes.update({f"postgraphile x{w}": check_response(peers[w], peer_body, "") for w in peers})
            report.data["response_bytes"] = sizes

            measures: list[tuple[str, Process, bytes, str]] = []
            for w in workers:
                if w in peers:
                    measures.append((f"postgraphile x{w}", peers[w], peer_body, ""))
                measures.append((f"planledger w{w} plain", servers[w], plain, auth))
                measures.append((f"planledger w{w} cache defeated", servers[w], busted, auth))
            # warm every server up (JIT, caches, pools) before anything counts
            for _name, server, body, token in measures:
                load(generator, server, body, token, args.connections, min(2.0, args.seconds), folder)
            results: dict[str, list[Load]] = {name: [] for name, *_ in measures}
            for round_no in range(args.rounds):
                for name, server, body, token in measures:
                    result = load(generator, server, body, token, args.connections, args.seconds, folder)
                    results[name].append(result)
                    say(f"round {round_no + 1}/{args.rounds} {name}: {result.rps:,.0f} req/s, "
                        f"p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms, {result.errors} errors, "
                        f"server CPU {result.server_cpu:.2f}")
            report.throughput = {name: [{**asdict(x), "rps": x.rps} for x in loads] for name, loads in results.items()}

            rows: list[Row] = []
            for w in workers:
                peer = median_load(results[f"postgraphile x{w}"]) if w in peers else None
                if peer is not None:
                    rows.append(Row(f"whole plan, PostGraphile 4 x{w} (baseline)", "-", f"{peer.rps:,.0f}",
                                    f"{peer.p50_ms:.1f} ms", f"{peer.p95_ms:.1f} ms", f"{peer.p99_ms:.1f} ms", "-",
                                    "-"))
                for kind in ("plain", "cache defeated"):
                    mine = median_load(results[f"planledger w{w} {kind}"])
                    baseline = f"{peer.rps:,.0f}" if peer else "n/a"
                    ratio = mine.rps / peer.rps if peer and peer.rps else None
                    target = THROUGHPUT_TARGET if kind == "plain" else None
                    if ratio is None:
                        verdict = "n/a"
                    elif target is None:
                        verdict = "info"
                    else:
                        verdict = "PASS" if ratio >= target else "FAIL"
                    rows.append(Row(
                        f"whole plan, planledger w{w} {kind}",
                        baseline,
                        f"{mine.rps:,.0f}",
                        f"{mine.p50_ms:.1f} ms",
                        f"{mine.p95_ms:.1f} ms",
                        f"{mine.p99_ms:.1f} ms",
                        "-" if ratio is None else f"{ratio:.2f}x (>= {THROUGHPUT_TARGET:.1f}x)" if target
                        else f"{ratio:.2f}x",
                        verdict + ("" if mine.errors == 0 else f" ({mine.errors} errors)"),
                    ))

            # fan-out: on the first server alone
            for peer_workers, process in list(peers.items()):
                process.stop()
                say(f"stopped postgraphile x{peer_workers}")
            for w in workers[1:]:
                servers[w].stop()
            server = servers[workers[0]]
            activity = open_activity(server, reader_token, plan_id)
            for count in sorted({1, args.subscribers}):
                say(f"fan-out: {count} subscriber(s), {args.fanout_events} events")
                outcome = fanout(server, reader_token, admin_token, plan_id, activity, count, args.fanout_events,
                                gap=0.3 if count > 1 else 0.1)
                report.fanout.append(asdict(outcome))
                verdict = "PASS" if outcome.p99_ms <= FANOUT_P99_TARGET_MS else "FAIL"
                if outcome.deliveries < outcome.expected:
                    verdict += f" (lost {outcome.expected - outcome.deliveries})"
                rows.append(Row(
                    f"fan-out {count} sub(s), send -> delivered",
                    "-",
                    "-",
                    f"{outcome.p50_ms:.1f} ms",
                    f"{outcome.p95_ms:.1f} ms",
                    f"{outcome.p99_ms:.1f} ms",
                    f"p99 <= {FANOUT_P99_TARGET_MS:.0f} ms",
                    verdict,
                ))
                rows.append(Row(
                    f"  same, recordedAt -> delivered (client CPU {outcome.client_cpu:.2f}, "
                    f"server CPU {outcome.server_cpu:.2f})",
                    "-", "-", f"{outcome.recorded_p50_ms:.1f} ms", f"{outcome.recorded_p95_ms:.1f} ms",
                    f"{outcome.recorded_p99_ms:.1f} ms", "-", "info",
                ))
            report.rows = [asdict(r) for r in rows]
    finally:
        for process in processes:
            process.stop()
        shutil.rmtree(folder, ignore_errors=True)

    print_table(report)
    if args.json:
        Path(args.json).write_text(json.dumps(asdict(report), indent=2, ensure_ascii=False) + "\n")
        say(f"wrote {args.json}")
    return 0


def print_table(report: Report) -> None:
    headers = ("measure", "baseline req/s", "req/s", "median", "p95", "p99", "ratio/target", "pass/fail")
    keys = ("measure", "baseline", "rps", "median", "p95", "p99", "ratio", "verdict")
    table = [list(headers)] + [[row[k] for k in keys] for row in report.rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(headers))]
    print(f"planledger API benchmark, {report.started}; data: {report.data}")
    print(" | ".join(h.ljust(widths[i]) for i, h in enumerate(table[0])))
    print("-+-".join("-" * w for w in widths))
    for r in table[1:]:
        print(" | ".join(c.ljust(widths[i]) for i, c in enumerate(r)))
    for note in report.notes:
        print(f"note: {note}")
    print("req/s: the median round's; median/p95/p99: latency per request (that round) or per delivery.")
    print(f"median of {len(next(iter(report.throughput.values()), []))} round(s); "
          f"load average now {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    raise SystemExit(main())
