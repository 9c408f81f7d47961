"""`python -m bench --smoke` runs every measure end to end and leaves nothing behind; interrupted
(Ctrl-C or SIGTERM) it still stops what it started and drops its databases.

No timing is asserted: the numbers of a smoke run on a CI machine mean nothing. This keeps the
benchmark from rotting as the code changes, and checks that every row of the issue's table is there
with its numbers, its baseline and a verdict.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from bench.suite import MEASURES
from service.config import ServerAddress
from tests.conftest import url_of
from tests.paths import ROOT

ENV = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "BENCH_DATABASE_URL")}


def group_alive(pgid: int) -> list[int]:
    """Processes still in the process group (session) `pgid`."""
    alive = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rfind(")") + 2 :].split()
            if int(fields[2]) == pgid and fields[0] != "Z":
                alive.append(int(entry.name))
    return alive


def group_gone(pgid: int, timeout: float = 10) -> list[int]:
    """Until nothing of the group is left (multiprocessing's resource tracker exits on its own just
    after its parent); what is still there after `timeout`."""
    deadline = time.monotonic() + timeout
    while (alive := group_alive(pgid)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return alive


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def databases(server: ServerAddress) -> set[str]:
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        return {row[0] for row in conn.execute("SELECT datname FROM pg_database")}


def assert_nothing_left(server: ServerAddress, started: list[dict[str, int]], scratch: list[str]) -> None:
    assert started and scratch
    for process in started:
        assert group_gone(process["pid"]) == [], process
        assert not port_open(process["port"]), process
    assert not set(scratch) & databases(server)


@pytest.mark.slow
def test_bench_smoke_runs_every_measure_and_leaves_nothing_behind(server: ServerAddress, tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    began = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--smoke", "--database-url", url_of(server), "--json", str(out)],
        cwd=ROOT,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    took = time.monotonic() - began
    report = json.loads(out.read_text())
    results = report["results"]
    assert [r for r in results if r["error"]] == []
    assert {r["measure"] for r in results} == {m.name for m in MEASURES}
    by = {m.name: [r for r in results if r["measure"] == m.name] for m in MEASURES}

    def targeted(measure: str) -> list[dict]:
        rows = [r for r in by[measure] if r["target"]]
        assert rows, measure
        for r in rows:
            assert r["verdict"] in ("PASS", "FAIL") or measure in ("whole_plan", "mutations"), r
        return rows

    # the table, row by row: measured, baseline from the same run, ratio, target, verdict
    mutations = targeted("mutations")  # the peer (PostGraphile) is skipped in smoke: no verdict, said so
    (memory,) = [r for r in mutations if "rss_before_mb" in r["notes"]]
    assert memory["notes"]["rss_before_mb"] > 0 and memory["notes"]["rss_after_mb"] > 0
    assert len(memory["notes"]["processes"]) == 2  # the web process and its projector process, summed
    assert memory["verdict"] in ("PASS", "FAIL") and memory["notes"]["commits"] > 0 and memory["notes"]["failed"] == 0
    mutations = [r for r in mutations if r is not memory]
    assert [(r["notes"]["clients"], r["notes"]["distinct_activities"]) for r in mutations] == [(1, 1), (16, 16), (4, 2)]
    for r in mutations:
        assert r["verdict"] == "info" and r["baseline"].startswith("none (skipped") and r["ratio"] is None
        assert r["rate"] > 0 and r["notes"]["raw_inserts_per_s"] > 0 and r["notes"]["failed"] == 0
        assert r["latency"]["p99"] > 0 and r["notes"]["of_raw_inserts"] == pytest.approx(
            r["rate"] / r["notes"]["raw_inserts_per_s"]
        )
    limits = [r for r in by["mutations"] if r["name"].strip().startswith("the limit")]
    assert len(limits) == 3 and all(r["rate"] > 0 for r in limits)
    warmed = report["facts"]["mutations_peer"]["warm_up_commits_per_s"]  # one load each without a peer
    assert sorted(warmed) == ["planledger reportProgress", "the Python floor"] and all(
        len(rates) == 1 and rates[0] > 0 for rates in warmed.values()
    )
    floors = [r for r in by["mutations"] if r["name"].strip().startswith("the Python floor")]
    assert [r["notes"]["clients"] for r in floors] == [1, 16, 4]  # bench.floor, beside every shape
    assert all(r["rate"] > 0 and r["notes"]["failed"] == 0 and r["ratio"] is None for r in floors)  # (no peer here)
    for measure in ("import", "rebuild"):
        (row,) = targeted(measure)
        assert row["rate"] > 0 and row["baseline_rate"] > 0 and row["ratio"] > 0
    assert by["rebuild"][0]["notes"]["verify_differences"] == []
    visible = targeted("visible")
    assert len(visible) == 2 and all(r["latency"]["p99"] > 0 and r["notes"]["lost"] == 0 for r in visible)
    as_of = targeted("as_of")
    assert len(as_of) == 3 and all(r["latency"]["p95"] > 0 and r["baseline_latency"]["median"] > 0 for r in as_of)
    assert all(r["ratio"] == pytest.approx(r["baseline_latency"]["median"] / r["latency"]["median"]) for r in as_of)
    whole_plan = by["whole_plan"]
    assert {r["name"].rsplit(", ", 1)[1] for r in whole_plan} == {"plain", "cache defeated"}
    assert all(r["rate"] > 0 and r["notes"]["errors"] == 0 for r in whole_plan)
    assert "skipped" in report["facts"]["whole_plan"]["postgraphile"]  # the smoke run has no npm install
    (fanout,) = targeted("fanout")
    assert fanout["notes"]["deliveries"] == fanout["notes"]["expected"] == 20 * 3

    printed = done.stdout
    assert "| measure" in printed and "| baseline (same run)" in printed and "SMOKE" in printed
    for r in results:
        assert r["name"] in printed
    assert_nothing_left(server, report["facts"]["started"], report["facts"]["scratch_databases"])
    assert took < 120, f"the smoke run took {took:.0f} s; keep it small (CI runs it twice)"


@pytest.mark.slow
@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 128 + signal.SIGTERM)])
def test_an_interrupted_bench_stops_what_it_started(server: ServerAddress, sig: int, code: int) -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bench",
            "--smoke",
            "--only",
            "fanout",
            "--set",
            "fanout_events=100",
            "--set",
            "events=600",
            "--database-url",
            url_of(server),
        ],
        cwd=ROOT,
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own group: whatever it leaves behind is found by the group id
        # Ctrl-C reaches it even when this test runs where SIGINT is ignored (a background job)
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    started: list[dict[str, int]] = []
    scratch: list[str] = []
    seen: list[str] = []
    try:
        assert process.stderr is not None
        deadline = time.monotonic() + 120
        for line in process.stderr:
            seen.append(line)
            if "started planledger" in line:
                pid = int(line.split("(pid ")[1].split(",")[0])
                started.append({"pid": pid, "port": int(line.split("port ")[1].rstrip(")\n"))})
            if "scratch database " in line:
                scratch.append(line.rsplit(" ", 1)[1].strip())
            if "subscribers connected" in line:  # servers, subscribers and writer all running now
                break
            assert time.monotonic() < deadline, "".join(seen)
        time.sleep(1)
        process.send_signal(sig)
        rest = process.communicate(timeout=90)[1]
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert process.returncode == code, "".join(seen) + rest
    assert group_gone(process.pid) == []  # the subscriber process, too
    assert_nothing_left(server, started, scratch)
