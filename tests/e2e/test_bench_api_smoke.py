"""`python -m bench.api --smoke` still runs end to end: servers, load, fan-out, table and JSON.

No timing is asserted: the numbers of a smoke run on a CI machine mean nothing. This only keeps
the benchmark from rotting as the API changes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from service.config import ServerAddress
from tests.conftest import url_of

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_bench_api_smoke(server: ServerAddress, tmp_path: Path) -> None:
    out = tmp_path / "api.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench.api", "--smoke", "--database-url", url_of(server), "--json", str(out)],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "measure" in done.stdout and "pass/fail" in done.stdout, done.stdout
    assert "whole plan, planledger w1 plain" in done.stdout
    assert "whole plan, planledger w1 cache defeated" in done.stdout
    assert "fan-out 20 sub(s)" in done.stdout
    report = json.loads(out.read_text())
    assert report["data"]["activities"] > 0
    assert set(report["throughput"]) == {"planledger w1 plain", "planledger w1 cache defeated"}
    assert all(run["requests"] > 0 and run["errors"] == 0 for runs in report["throughput"].values() for run in runs)
    assert [f["subscribers"] for f in report["fanout"]] == [1, 20]
    assert all(f["deliveries"] == f["expected"] for f in report["fanout"])
    assert any("PostGraphile skipped" in note for note in report["notes"])
