"""The API's speed: whole-plan requests/s against PostGraphile, commit → visible and → delivered,
subscription fan-out (measures `whole_plan`, `visible`, `fanout`); and the whole-plan GraphQL query
as of a date that the `as_of` measure times.

All against `planledger serve` on the run's generated ledger (see bench/context.py), on loopback:

- whole_plan: `connections` keep-alive clients POST the whole-plan query for `seconds`, with one
  load generator (`wrk` with a Lua script when installed, else an asyncio + httpx one) against
  PostGraphile 5 (pinned, installed from npm with the Node 22 it needs into /tmp/bench-postgraphile5;
  PostGraphile 4 only as a fallback the run names loudly, see bench/postgraphile.py) serving the
  same `rm_*` tables, and planledger with 1 and 2 workers, each twice: plain POST (the
  position-keyed response cache answers repeats) and with the cache defeated (a `nonce` variable
  that differs per request, which the query ignores: the cache key changes, the parse and
  validation caches still hit). PostGraphile runs with 1 process against planledger's 1 worker
  and with 2 cluster workers against its 2 workers. The measures are interleaved in `rounds`
  rounds; each row is the median round.
- visible: one client sends `reportProgress` mutations one at a time (5–30 ms apart) while a
  LISTEN connection hears the projector's `NOTIFY planledger_projected <position>` and one
  graphql-transport-ws subscriber receives `planEvents` of the plan. Latencies are measured from
  the event's `recordedAt` (stamped by the server just before its INSERT; same machine, same
  clock): an upper bound on commit → visible and commit → delivered.
- fanout: `subscribers` graphql-transport-ws clients (one separate asyncio process) on
  `riskEvents(planId)`; a writer records `noteRisk` mutations one at a time, 0.3 s apart; latency
  of every delivery from the event's `recordedAt` and, beside it, from the writer's send time.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import json
import multiprocessing
import os
import random
import resource
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
import httpx

from bench.context import Context, Process
from bench.core import Result, Stats, percentile
from bench.postgraphile import ensure_peer
from service.config import ServerAddress

THROUGHPUT_TARGET = 1.0
DEFEATED_TARGET = 1.5  #: the whole plan with the response cache defeated: x PostGraphile 5 (issue 22)
#: warm-up loads of each whole-plan measure: at most this many, until one is no more than
#: WARM_UP_STEADY times the one before (its rate stopped rising)
WARM_UP_MAX = 6
WARM_UP_STEADY = 1.1
VISIBLE_P99_MS = 50.0
DELIVERED_P99_MS = 250.0
FANOUT_P99_MS = 250.0
END_DATE = date(9999, 12, 31)

#: The whole plan as it stands: plan → strategies → activities with status, progress, milestones
#: and risks; the summary. (The README's example, without `asOf`.)
PLANLEDGER_QUERY = (
    "query WholePlan($id: ID!) { plan(id: $id) { id code title"
    " summary { total shareCompleted meanProgress byStatus { status statusLabel count } }"
    " strategies { number title activities { id title status statusLabel progress"
    " milestones { title dueOn originalDueOn slipDays overdue } risks { title level status } } } } }"
)
#: The same, as of a date (the `as_of` measure).
PLANLEDGER_AS_OF_QUERY = PLANLEDGER_QUERY.replace("($id: ID!)", "($id: ID!, $on: Date!)").replace(
    "plan(id: $id)", "plan(id: $id, asOf: {date: $on})"
)

#: The closest PostGraphile allows on the same tables (5 and 4 alike, see bench/postgraphile.py): no
#: foreign keys between the rm_* tables, so no nesting (five root lists the client would join), no
#: as-of logic (current rows are those valid for every later date and still believed), no labels, no
#: `overdue`, no summary (the client would count).
#: (asyncpg stores the read side's END_DATE, date.max, as PostgreSQL's `infinity`; the rows told at
#: every later date too, `reportedTo`, one per entity: without it the reporting axis's earlier
#: epochs came back as well, 1,336 activities against planledger's 240, and the run stopped)
CURRENT = 'validTo: "infinity", recordedTo: "9999-12-31T00:00:00+00:00", reportedTo: "infinity"'
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


# -- the data ---------------------------------------------------------------------------------------


def plan_shape(address: ServerAddress, plan_id: str) -> dict[str, int]:
    """Current activities, milestones and risks of the plan (what the whole-plan query returns)."""

    async def count() -> dict[str, int]:
        conn = await asyncpg.connect(**address.asyncpg_args())
        try:
            shape: dict[str, int] = {}
            for name, table in (("activities", "rm_activity"), ("milestones", "rm_milestone"), ("risks", "rm_risk")):
                shape[name] = int(
                    await conn.fetchval(
                        f"SELECT count(*) FROM {table} WHERE plan_id = $1 AND valid_to = $2 AND recorded_to > now() "
                        "AND reported_to = $2",
                        UUID(plan_id),
                        END_DATE,
                    )
                )
            shape["log_events"] = int(await conn.fetchval("SELECT count(*) FROM planledger_events"))
            return shape
        finally:
            await conn.close()

    return asyncio.run(count())


def warmed(rate: Callable[[], float], most: int) -> list[float]:
    """Warm-up loads (`rate()` runs one and gives its rate) until one is no more than
    WARM_UP_STEADY times the one before, `most` at most: the rates seen."""
    rates: list[float] = []
    while len(rates) < most:
        rates.append(rate())
        if len(rates) >= 2 and rates[-1] <= rates[-2] * WARM_UP_STEADY:
            break
    return rates


def open_activities(address: ServerAddress, count: int, plan_id: str | None = None) -> list[tuple[str, str]]:
    """Up to `count` (plan id, activity id) of activities in progress now, most from one plan first."""

    async def find() -> list[tuple[str, str]]:
        conn = await asyncpg.connect(**address.asyncpg_args())
        try:
            rows = await conn.fetch(
                "SELECT plan_id, stream_id FROM rm_activity WHERE valid_to = $1 AND recorded_to > now() "
                "AND reported_to = $1 AND status = 'IN_PROGRESS' AND ($2::uuid IS NULL OR plan_id = $2) "
                "ORDER BY plan_id, stream_id",
                END_DATE,
                UUID(plan_id) if plan_id else None,
            )
        finally:
            await conn.close()
        by_plan: dict[str, list[str]] = {}
        for r in rows:
            by_plan.setdefault(str(r["plan_id"]), []).append(str(r["stream_id"]))
        found: list[tuple[str, str]] = []
        for plan, ids in sorted(by_plan.items(), key=lambda item: -len(item[1])):
            found += [(plan, a) for a in ids]
        if not found:
            raise RuntimeError("no activity is in progress in the generated ledger")
        return found[:count]

    return asyncio.run(find())


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

    def stats(self) -> Stats:
        return Stats(self.p50_ms, self.p95_ms, self.p99_ms, self.requests)


def wrk_summary(
    url: str, script: Path, env: dict[str, str], seconds: float, threads: int, connections: int
) -> dict[str, Any]:
    """Run `wrk` with a Lua script whose `done` writes one line `BENCH {json}`; that JSON."""
    duration = f"-d{max(1, round(seconds))}s"
    done = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", duration, "--timeout", "30s", "-s", str(script), f"{url}/graphql"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=seconds + 60,
    )
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH ")), None)
    if line is None:
        raise RuntimeError(f"wrk failed: {done.stdout[-1000:]} {done.stderr[-1000:]}")
    summary: dict[str, Any] = json.loads(line[6:])
    return summary


def run_wrk(url: str, body: bytes, auth: str, connections: int, seconds: float, folder: Path) -> Load:
    script = folder / "post.lua"
    script.write_text(LUA)
    body_file = folder / f"body-{uuid.uuid4().hex[:8]}.json"
    body_file.write_bytes(body)
    nonce_base = str(int.from_bytes(os.urandom(3), "big") * 1_000_000)
    env = {"BODY_FILE": str(body_file), "AUTH": auth, "NONCE_BASE": nonce_base}
    r = wrk_summary(url, script, env, seconds, 1, connections)
    return Load(
        requests=r["requests"],
        seconds=r["duration_us"] / 1e6,
        errors=r["errors"] + r["status_errors"],
        p50_ms=r["p50_us"] / 1000,
        p95_ms=r["p95_us"] / 1000,
        p99_ms=r["p99_us"] / 1000,
    )


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
        p50_ms=percentile(latencies, 50) * 1000,
        p95_ms=percentile(latencies, 95) * 1000,
        p99_ms=percentile(latencies, 99) * 1000,
    )


# -- fan-out processes ---------------------------------------------------------------------------


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
        ws = await websockets.connect(
            ws_url,
            subprotocols=["graphql-transport-ws"],
            ping_interval=None,  # type: ignore[list-item]
            max_size=None,
            open_timeout=60,
        )
        sockets.append(ws)
        await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}))
        ack = json.loads(await ws.recv())
        if ack.get("type") != "connection_ack":
            raise RuntimeError(f"no connection_ack: {ack}")
        await ws.send(
            json.dumps(
                {"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIPTION, "variables": {"plan": plan_id}}}
            )
        )

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
        results = await asyncio.gather(
            *(client(i) for i in range(first, min(count, first + 100))), return_exceptions=True
        )
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
    recorded: Stats  #: recordedAt -> delivered, ms
    from_send: Stats  #: the writer's send -> delivered, ms
    ack_p50_ms: float
    client_cpu: float
    server_cpu: float
    connect_seconds: float
    write_failures: int = 0


async def _write(
    server: Process,
    admin: str,
    activity: str,
    titles: list[str],
    gap: float,
    sent: dict[str, float],
    acked: dict[str, float],
) -> int:
    failures = 0
    async with httpx.AsyncClient(timeout=30) as client:
        for k, title in enumerate(titles):
            variables = {
                "input": {
                    "activityId": activity,
                    "title": title,
                    "likelihood": 1 + k % 5,
                    "impact": 1 + (k * 3) % 5,
                    "owner": "bench",
                }
            }
            sent[title] = time.time()
            response = await client.post(
                f"{server.url}/graphql",
                json={"query": NOTE_RISK, "variables": variables},
                headers={"Authorization": f"Bearer {admin}"},
            )
            acked[title] = time.time()
            result = ((response.json().get("data") or {}).get("noteRisk")) or {}
            if result.get("__typename") != "ActivityRecorded":
                failures += 1
                say(f"noteRisk failed: {response.text[:300]}")
            await asyncio.sleep(gap)
    return failures


def fanout(
    server: Process, reader: str, admin: str, plan_id: str, activity: str, subscribers: int, events: int, gap: float
) -> Fanout:
    run = uuid.uuid4().hex[:6]
    ws_url = server.url.replace("http://", "ws://") + "/graphql"
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    process = context.Process(
        target=_subscriber_process, args=(ws_url, reader, plan_id, subscribers, events, child), daemon=True
    )
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
        process.join(timeout=5)  # it ends by itself once it has reported; not when we got here by an error
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
        recorded=Stats.of(from_recorded),
        from_send=Stats.of(from_send),
        ack_p50_ms=percentile(acks, 50),
        client_cpu=client_cpu,
        server_cpu=server_cpu,
        connect_seconds=connect_seconds,
        write_failures=failures,
    )


def load(
    generator: str, server: Process, body: bytes, auth: str, connections: int, seconds: float, folder: Path
) -> Load:
    assert server.popen is not None
    before = cpu_seconds(server.popen.pid)
    if generator == "wrk":
        result = run_wrk(server.url, body, auth, connections, seconds, folder)
    else:
        result = asyncio.run(_python_load(server.url, body, auth, connections, seconds))
    result.server_cpu = (cpu_seconds(server.popen.pid) - before) / result.seconds if result.seconds else 0.0
    return result


def post_json(server: Process, body: bytes, auth: str) -> dict[str, Any]:
    """One request; its JSON (raises unless it is a 200 with data and no errors)."""
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if auth:
        headers["Authorization"] = auth
    response = httpx.post(f"{server.url}/graphql", content=body.replace(b"__N__", b"0"), headers=headers, timeout=60)
    payload: dict[str, Any] = response.json()
    if response.status_code != 200 or payload.get("errors") or not payload.get("data"):
        raise RuntimeError(f"{server.name}: {response.status_code} {response.text[:500]}")
    payload["_bytes"] = len(response.content)
    return payload


def median_load(loads: list[Load]) -> Load:
    """The round with the median requests/s."""
    ordered = sorted(loads, key=lambda x: x.rps)
    return ordered[(len(ordered) - 1) // 2]


# -- whole plan: requests/s against PostGraphile ------------------------------------------------------


def whole_plan_measure(ctx: Context) -> list[Result]:
    sizes = ctx.sizes
    workers = sizes.worker_counts()
    address = ctx.projected()
    plan_id = ctx.plan_ids[0]
    auth = f"Bearer {ctx.token('reader')}"
    servers = {w: ctx.planledger(w) for w in workers}
    shape = plan_shape(address, plan_id)
    ctx.facts["whole_plan"] = {"plan_id": plan_id, **shape, "load_generator": ctx.load_generator}
    peers: dict[int, Process] = {}
    peer_name = "PostGraphile"
    try:
        if not sizes.postgraphile:
            ctx.facts["whole_plan"]["postgraphile"] = "skipped (--smoke or --set postgraphile=0): no baseline"
        else:
            postgraphile = ensure_peer(ctx.say)
            if postgraphile is None:
                ctx.facts["whole_plan"]["postgraphile"] = "npm or node missing: no baseline"
            else:
                peer_name = postgraphile.name
                ctx.facts["whole_plan"]["postgraphile"] = postgraphile.version
                ctx.facts["whole_plan"]["postgraphile_runtime"] = postgraphile.runtime
                if postgraphile.fallback:
                    ctx.facts["whole_plan"]["postgraphile_fallback"] = postgraphile.fallback
                ctx.say(f"peer: {peer_name} on {postgraphile.runtime}")
                for w in workers:
                    peers[w] = ctx.start(postgraphile.server(address, w, ctx.folder))
                for w in workers:
                    peers[w].wait_http("/graphql", lambda r: r.status_code in (400, 405, 200), 120)

        plain = json.dumps({"query": PLANLEDGER_QUERY, "variables": {"id": plan_id}}).encode()
        busted = plain[: plain.rindex(b"}}")] + b', "nonce": __N__}}'
        peer_body = json.dumps({"query": POSTGRAPHILE_QUERY, "variables": {"id": plan_id}}).encode()
        answer = post_json(servers[workers[0]], plain, auth)
        got = sorted(a["id"] for s in answer["data"]["plan"]["strategies"] for a in s["activities"])
        sizes_seen = {f"planledger w{w}": post_json(servers[w], plain, auth)["_bytes"] for w in workers}
        for w, peer in peers.items():
            peer_answer = post_json(peer, peer_body, "")
            sizes_seen[f"postgraphile x{w}"] = peer_answer["_bytes"]
            peer_got = sorted(a["streamId"] for a in peer_answer["data"]["activities"]["nodes"])
            if peer_got != got:  # the same rows, or the comparison means nothing
                raise RuntimeError(
                    f"{peer_name} x{w} returned {len(peer_got)} activities, planledger {len(got)}"
                    f" ({len(set(peer_got) ^ set(got))} differ)"
                )
        ctx.facts["whole_plan"]["response_bytes"] = sizes_seen
        ctx.facts["whole_plan"]["activities_in_answer"] = len(got)

        measures: list[tuple[str, Process, bytes, str]] = []
        for w in workers:
            if w in peers:
                measures.append((f"postgraphile x{w}", peers[w], peer_body, ""))
            measures.append((f"planledger w{w} plain", servers[w], plain, auth))
            measures.append((f"planledger w{w} cache defeated", servers[w], busted, auth))
        # Warm up (JIT, plan caches, pools, PostgreSQL's and the OS's caches) before anything counts,
        # each side until its rate stops rising: one 2 s warm-up left the peer at a third of its
        # rate in runs where it came first (27-31 req/s against 84 after the as-of measure had
        # read the same tables; RESULTS.md, 2026-12-04), which flattered planledger.
        most = WARM_UP_MAX if peers else 1  # (without a peer there is no ratio to be fair to)
        warm_up = {
            name: warmed(
                lambda server=server, body=body, token=token: (
                    load(
                        ctx.load_generator, server, body, token, sizes.connections, min(2.0, sizes.seconds), ctx.folder
                    ).rps
                ),
                most,
            )
            for name, server, body, token in measures
        }
        ctx.facts["whole_plan"]["warm_up_rps"] = {name: [round(r, 1) for r in rates] for name, rates in warm_up.items()}
        results: dict[str, list[Load]] = {name: [] for name, *_ in measures}
        for round_no in range(sizes.rounds):
            for name, server, body, token in measures:
                result = load(ctx.load_generator, server, body, token, sizes.connections, sizes.seconds, ctx.folder)
                results[name].append(result)
                ctx.say(
                    f"  round {round_no + 1}/{sizes.rounds} {name}: {result.rps:,.0f} req/s, "
                    f"p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms, {result.errors} errors, "
                    f"server CPU {result.server_cpu:.2f}"
                )
    finally:
        for peer in peers.values():
            peer.stop()
        for w in workers:
            if w != 1:
                ctx.stop_planledger(w)

    rows: list[Result] = []
    for w in workers:
        peer = median_load(results[f"postgraphile x{w}"]) if w in peers else None
        for kind in ("plain", "cache defeated"):
            mine = median_load(results[f"planledger w{w} {kind}"])
            ratio = mine.rps / peer.rps if peer is not None and peer.rps else None
            target = THROUGHPUT_TARGET if kind == "plain" else DEFEATED_TARGET
            rows.append(
                Result(
                    measure="whole_plan",
                    name=f"whole plan (current), {sizes.connections} clients: planledger w{w}, {kind}",
                    target=f">= {target:.1f}x",
                    passed=None if ratio is None else ratio >= target and not mine.errors,
                    baseline=f"{peer_name} x{w}, same tables" if peer else "none (no PostGraphile)",
                    rate=mine.rps,
                    rate_unit="req/s",
                    latency=mine.stats(),
                    baseline_rate=None if peer is None else peer.rps,
                    baseline_latency=None if peer is None else peer.stats(),
                    ratio=ratio,
                    notes={
                        "rounds": [asdict(x) | {"rps": x.rps} for x in results[f"planledger w{w} {kind}"]],
                        "baseline_rounds": []
                        if peer is None
                        else [asdict(x) | {"rps": x.rps} for x in results[f"postgraphile x{w}"]],
                        "errors": mine.errors,
                        "server_cpu": mine.server_cpu,
                    },
                )
            )
    return rows


# -- the whole plan as of a date, over GraphQL (for the as_of measure) ----------------------------------


def graphql_as_of(server: Process, token: str, asks: list[tuple[UUID, date]]) -> list[float]:
    """Milliseconds per whole-plan query with `asOf: {date}`, one client, one request at a time:
    from the request's send to its whole answer received. The answer (~220 KB at 1M events) is
    parsed and checked after the clock stops: its parse by the client (json, ~2 ms here) was timed
    before, which the other HTTP rows (wrk) never count."""
    timings: list[float] = []
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    with httpx.Client(base_url=server.url, headers=headers, timeout=60) as client:

        def ask(plan_id: UUID, on: date) -> float:
            body = json.dumps(
                {"query": PLANLEDGER_AS_OF_QUERY, "variables": {"id": str(plan_id), "on": on.isoformat()}}
            ).encode()
            started = time.perf_counter()
            response = client.post("/graphql", content=body, headers={"Content-Type": "application/json"})
            took = (time.perf_counter() - started) * 1000
            payload = response.json()
            if response.status_code != 200 or payload.get("errors"):
                raise RuntimeError(f"whole plan as of {on}: {response.status_code} {response.text[:300]}")
            return took

        for plan_id, on in asks[: min(5, len(asks))]:  # warm up
            ask(plan_id, on)
        for plan_id, on in asks:
            timings.append(ask(plan_id, on))
    return timings


# -- commit → visible and → delivered ---------------------------------------------------------------

REPORT_PROGRESS = (
    "mutation P($input: ReportProgressInput!) { reportProgress(input: $input) { __typename"
    " ... on ActivityRecorded { position } ... on UserError { code message } } }"
)
PLAN_EVENTS = "subscription E($plan: ID!) { planEvents(planId: $plan) { position recordedAt } }"


def _epoch(recorded_at: str) -> float:
    return datetime.fromisoformat(recorded_at).timestamp()


async def _visible(
    server: Process,
    address: ServerAddress,
    admin: str,
    reader: str,
    plan_id: str,
    activities: list[str],
    samples: int,
    seed: int,
) -> dict[str, Any]:
    import websockets

    rng = random.Random(seed)
    notified: list[tuple[int, float]] = []  # (position, heard) in the order heard
    delivered: dict[int, tuple[float, str]] = {}
    arrived = asyncio.Event()

    def on_projected(_c: object, _pid: int, _channel: str, payload: str) -> None:
        notified.append((int(payload), time.time()))

    listener = await asyncpg.connect(**address.asyncpg_args())
    ws = await websockets.connect(
        server.url.replace("http://", "ws://") + "/graphql", subprotocols=["graphql-transport-ws"], ping_interval=None
    )  # type: ignore[list-item]

    async def read() -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            async for raw in ws:
                now = time.time()
                message = json.loads(raw)
                if message.get("type") == "ping":
                    await ws.send(json.dumps({"type": "pong"}))
                elif message.get("type") == "next":
                    event = ((message.get("payload") or {}).get("data") or {}).get("planEvents") or {}
                    if "position" in event:
                        delivered[int(event["position"])] = (now, str(event.get("recordedAt")))
                        arrived.set()

    reader_task: asyncio.Task[None] | None = None
    try:
        await listener.add_listener("planledger_projected", on_projected)
        await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {reader}"}}))
        ack = json.loads(await asyncio.wait_for(ws.recv(), 10))
        if ack.get("type") != "connection_ack":
            raise RuntimeError(f"no connection_ack: {ack}")
        await ws.send(
            json.dumps(
                {"id": "1", "type": "subscribe", "payload": {"query": PLAN_EVENTS, "variables": {"plan": plan_id}}}
            )
        )
        reader_task = asyncio.create_task(read())
        sent: dict[int, float] = {}
        answered: dict[int, float] = {}
        refused = 0
        async with httpx.AsyncClient(
            base_url=server.url, headers={"Authorization": f"Bearer {admin}"}, timeout=30
        ) as client:

            async def write() -> int | None:
                variables = {"input": {"activityId": rng.choice(activities), "progress": rng.randint(0, 10_000) / 100}}
                began = time.time()
                response = await client.post("/graphql", json={"query": REPORT_PROGRESS, "variables": variables})
                done = time.time()
                result = (response.json().get("data") or {}).get("reportProgress") or {}
                if result.get("__typename") != "ActivityRecorded":
                    return None
                position = int(result["position"])
                sent[position], answered[position] = began, done
                return position

            # a first write the subscriber must receive: then the subscription is live
            first = await write()
            deadline = time.monotonic() + 15
            while first is None or first not in delivered:
                if time.monotonic() > deadline:
                    raise RuntimeError("the subscriber did not receive the first write in 15 s")
                arrived.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(arrived.wait(), 1)
                if first is None:
                    first = await write()
            sent.clear()
            answered.clear()
            for _ in range(samples):
                if await write() is None:
                    refused += 1
                await asyncio.sleep(rng.uniform(0.005, 0.03))  # one at a time, as people send them
        deadline = time.monotonic() + 15
        while any(p not in delivered for p in sent) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
    finally:
        with contextlib.suppress(Exception):
            await ws.close()
        if reader_task is not None:
            reader_task.cancel()
        await listener.close()

    heard = sorted(notified)
    visible, to_subscriber, visible_sent, delivered_sent, writes = [], [], [], [], []
    for position in sorted(sent):
        writes.append((answered[position] - sent[position]) * 1000)
        got = delivered.get(position)
        if got is None:
            continue
        recorded = _epoch(got[1])
        to_subscriber.append((got[0] - recorded) * 1000)
        delivered_sent.append((got[0] - sent[position]) * 1000)
        # the first NOTIFY whose position covers this event (positions only grow)
        k = bisect.bisect_left(heard, (position, 0.0))
        if k < len(heard):
            seen = min(t for p, t in heard[k:] if p >= position)
            visible.append((seen - recorded) * 1000)
            visible_sent.append((seen - sent[position]) * 1000)
    return {
        "visible": visible,
        "delivered": to_subscriber,
        "visible_from_send": visible_sent,
        "delivered_from_send": delivered_sent,
        "writes": writes,
        "written": len(sent),
        "refused": refused,
        "lost": sum(1 for p in sent if p not in delivered),
    }


def visible_measure(ctx: Context) -> list[Result]:
    server = ctx.planledger(1)
    address = ctx.database()
    chosen = open_activities(address, 50)
    plan_id = chosen[0][0]
    activities = [a for p, a in chosen if p == plan_id]
    out = asyncio.run(
        _visible(
            server,
            address,
            ctx.token("admin"),
            ctx.token("reader"),
            plan_id,
            activities,
            ctx.sizes.commits,
            ctx.sizes.seed,
        )
    )
    ctx.say(f"  commit -> visible/delivered: {out['written']} writes ({out['refused']} refused), lost {out['lost']}")
    writes = Stats.of(out["writes"])
    notes = {k: out[k] for k in ("written", "refused", "lost")}
    visible, delivered = Stats.of(out["visible"]), Stats.of(out["delivered"])
    return [
        Result(
            measure="visible",
            name="commit -> visible in the read models (recordedAt -> projector NOTIFY)",
            target=f"p99 <= {VISIBLE_P99_MS:.0f} ms",
            passed=visible.samples == out["written"] and visible.p99 <= VISIBLE_P99_MS,
            baseline="the write alone: mutation send -> answer (info)",
            latency=visible,
            baseline_latency=writes,
            notes={**notes, "from_send": asdict(Stats.of(out["visible_from_send"]))},
        ),
        Result(
            measure="visible",
            name="commit -> delivered to a subscriber (recordedAt -> planEvents next)",
            target=f"p99 <= {DELIVERED_P99_MS:.0f} ms",
            passed=out["lost"] == 0 and delivered.p99 <= DELIVERED_P99_MS,
            baseline="the write alone: mutation send -> answer (info)",
            latency=delivered,
            baseline_latency=writes,
            notes={**notes, "from_send": asdict(Stats.of(out["delivered_from_send"]))},
        ),
    ]


# -- fan-out ---------------------------------------------------------------------------------------


def fanout_measure(ctx: Context) -> list[Result]:
    server = ctx.planledger(1)
    plan_id, activity = open_activities(ctx.database(), 1)[0]
    count, events = ctx.sizes.subscribers, ctx.sizes.fanout_events
    ctx.say(f"  fan-out: {count} subscribers, {events} events")
    outcome = fanout(server, ctx.token("reader"), ctx.token("admin"), plan_id, activity, count, events, gap=0.3)
    lost = outcome.expected - outcome.deliveries
    notes = asdict(outcome)
    return [
        Result(
            measure="fanout",
            name=f"subscription fan-out, {count} WebSocket subscribers (recordedAt -> delivered)",
            target=f"p99 <= {FANOUT_P99_MS:.0f} ms",
            passed=lost == 0 and outcome.write_failures == 0 and outcome.recorded.p99 <= FANOUT_P99_MS,
            latency=outcome.recorded,
            notes=notes,
        ),
        Result(
            measure="fanout",
            name=f"  same, from the writer's send (client CPU {outcome.client_cpu:.2f}, "
            f"server CPU {outcome.server_cpu:.2f}, lost {lost})",
            latency=outcome.from_send,
        ),
    ]
