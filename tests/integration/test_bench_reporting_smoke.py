"""The reporting benchmark runs end to end on a small generated log (no timings asserted here:
speed is judged by `python -m bench.reporting` against its targets, not in tests)."""

from __future__ import annotations

import math

from bench.generate import generate
from bench.reporting import measure
from projections.rebuild import rebuild
from service.config import ServerAddress
from tests.conftest import url_of


async def test_the_reporting_bench_seeds_key_results_and_measures_both_reads(database: ServerAddress) -> None:
    generate(url_of(database), events=4_000, seed=5, workers=1)
    await rebuild(database.asyncpg_args())
    said: list[str] = []
    health, report = await measure(database, samples=8, seed=5, plans_count=1, say=said.append)
    assert said and "key-result commands" in said[0]
    for found in (health, report):
        assert found.latency is not None and found.latency.samples == 8 and found.passed is not None
        assert all(math.isfinite(v) and v > 0 for v in (found.latency.median, found.latency.p95, found.latency.p99))
    assert health.notes["key_results_per_sample_median"] > 0  # the plan got key results, and health judged them
    assert health.baseline_latency is not None and health.baseline_latency.samples == 8
