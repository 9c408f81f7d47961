"""/metrics after a known workload, read with Prometheus's own text parser."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from service.config import ServerAddress
from service.web.metrics import MAX_OPERATION_NAMES, OTHER
from tests.conftest import create_database, drop_database, url_of
from tests.e2e.server_process import Server
from tests.integration.test_cli import planledger


@pytest.fixture
def served(server: ServerAddress) -> Iterator[Server]:
    address = create_database(server)
    process = Server(url_of(address), extra_env={"PLANLEDGER_METRICS_FROM": "10.9.9.9"}).start()
    try:
        yield process
    finally:
        process.stop()
        drop_database(server, address)


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return out


def value(found: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str) -> float:
    return found.get((name, frozenset(labels.items())), 0.0)


async def test_metrics_count_a_known_workload(served: Server) -> None:
    plan = {"code": "M", "title": "M", "periodStart": "2020-01-01", "periodEnd": "2024-12-31"}
    create = (
        "mutation Create($i: CreatePlanInput!) { createPlan(input: $i) { __typename ... on Recorded { streamId } } }"
    )
    made = served.post(create, {"i": plan}).json()["data"]["createPlan"]
    assert served.post(create, {"i": plan}).json()["data"]["createPlan"]["__typename"] == "DuplicateError"
    served.post(
        "mutation($i: AddStrategyInput!) { addStrategy(input: $i) { __typename } }",
        {"i": {"planId": made["streamId"], "number": 1, "title": "S"}},
    )
    for _ in range(3):
        assert served.post("query Q { plans { code } }").status_code == 200
    assert served.post("query Broken { nope }").json()["errors"]
    await served.wait_projected()

    assert httpx.get(f"{served.url}/metrics").status_code == 401  # protected like the rest
    response = httpx.get(f"{served.url}/metrics", headers=served.headers)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    found = samples(response.text)
    assert value(found, "planledger_commands_total", mutation="CreatePlan") == 1
    assert value(found, "planledger_commands_total", mutation="AddStrategy") == 1
    assert value(found, "planledger_errors_total", kind="DuplicateError") == 1
    assert (
        value(found, "planledger_errors_total", kind="GRAPHQL_VALIDATION_FAILED")
        + value(found, "planledger_errors_total", kind="graphql")
        >= 1
    )
    count = "planledger_request_duration_seconds_count"
    assert value(found, count, operation_type="query", operation_name="Q", status="200") == 3
    assert value(found, count, operation_type="mutation", operation_name="Create", status="200") == 2
    assert value(found, "planledger_events_projected_total", type="Plan.Created") == 1
    assert value(found, "planledger_events_projected_total", type="Plan.StrategyAdded") == 1
    assert value(found, "planledger_projector_lag_events") == 0
    assert value(found, "planledger_projector_lag_seconds") == 0
    assert value(found, "planledger_projector_active") == 1
    assert value(found, "planledger_database_up") == 1
    assert value(found, "planledger_log_position") == value(found, "planledger_projector_position") > 0
    assert value(found, "planledger_db_pool_connections", state="open") >= 1
    assert served.token not in response.text
    assert value(found, "planledger_rebuild_running") == value(found, "planledger_rebuild_events_total") == 0

    # a rebuild by another process (the CLI) shows in the server's metrics
    rebuilt = planledger("rebuild", env={"DATABASE_URL": served.database_url})
    assert rebuilt.returncode == 0, rebuilt.stderr
    found = samples(httpx.get(f"{served.url}/metrics", headers=served.headers).text)
    events = sum(v for (name, _), v in found.items() if name == "planledger_events_projected_total")
    assert value(found, "planledger_rebuild_events_done") == value(found, "planledger_rebuild_events_total") == events
    assert value(found, "planledger_rebuild_running") == 0
    assert value(found, "planledger_rebuild_last_finished_timestamp_seconds") > time.time() - 60


def test_operation_names_are_bounded_labels(served: Server) -> None:
    # 2,000 distinct operation names from one token grew /metrics from 16 KB to 10.2 MB, and the
    # server with it; documents that failed validation counted too
    count = "planledger_request_duration_seconds_count"
    with httpx.Client(headers=served.headers, timeout=30) as client:
        for n in range(MAX_OPERATION_NAMES + 100):
            assert client.post(f"{served.url}/graphql", json={"query": f"query Op{n} {{ logPosition }}"}).is_success
        for n in range(300):
            answer = client.post(f"{served.url}/graphql", json={"query": f"query Broken{n} {{ nope }}"})
            assert answer.json()["errors"]
        found = samples(client.get(f"{served.url}/metrics").text)
    names = {dict(labels)["operation_name"] for (name, labels) in found if name == count}
    assert not any(name.startswith("Broken") for name in names), sorted(names)[:20]
    assert {f"Op{n}" for n in range(MAX_OPERATION_NAMES)} <= names
    assert len(names) <= MAX_OPERATION_NAMES + 1
    # what did not get a label of its own is still counted, as "other"
    other = value(found, count, operation_type="query", operation_name=OTHER, status="200")
    assert other == 100 + 300


def test_a_scraper_address_named_in_the_setting_needs_no_token(server: ServerAddress) -> None:
    address = create_database(server)
    process = Server(url_of(address), extra_env={"PLANLEDGER_METRICS_FROM": "127.0.0.1"}).start()
    try:
        assert httpx.get(f"{process.url}/metrics").status_code == 200
        assert httpx.post(f"{process.url}/graphql", json={"query": "{ logPosition }"}).status_code == 401
    finally:
        process.stop()
        drop_database(server, address)


def _worker(client: httpx.Client) -> int:
    """The pid of the worker answering on this connection (a keep-alive connection stays with one
    worker, so what follows on it is answered by the same one)."""
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.text
    return int(ready.json()["worker"])


def _on_each_worker(served: Server, work: Callable[[httpx.Client, int], object], at_least: int) -> dict[int, int]:
    """Run `work(client, n)` on fresh connections until each of the two workers has run it
    `at_least` times; how many times each did."""
    runs: dict[int, int] = {}
    for n in range(400):
        with httpx.Client(base_url=served.url, headers=served.headers, timeout=10) as client:
            worker = _worker(client)
            runs[worker] = runs.get(worker, 0) + 1
            work(client, n)
        assert len(runs) <= 2, runs
        if len(runs) == 2 and min(runs.values()) >= at_least:
            return runs
    raise AssertionError(f"new connections did not reach both workers: {runs}")


def _pids(found: dict[tuple[str, frozenset[tuple[str, str]]], float], role: str = "web") -> set[int]:
    return {
        int(dict(labels)["pid"])
        for (name, labels), v in found.items()
        if name == "planledger_process_info" and v and dict(labels)["role"] == role
    }


async def test_with_two_workers_every_scrape_reports_the_whole_server(server: ServerAddress, tmp_path: Path) -> None:
    """Requests and scrapes land on both workers (each connection's worker is known from /readyz);
    every scrape, whichever worker answers it, counts the whole server's workload exactly."""
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    address = create_database(server)
    served = Server(
        url_of(address), workers=2, extra_env={"TMPDIR": str(temporary), "PLANLEDGER_METRICS_FROM": "10.9.9.9"}
    ).start()
    try:
        plan = {"code": "W", "title": "W", "periodStart": "2020-01-01", "periodEnd": "2024-12-31"}
        made = served.post(
            "mutation Create($i: CreatePlanInput!) { createPlan(input: $i) { ... on Recorded { streamId } } }",
            {"i": plan},
        ).json()["data"]["createPlan"]

        def add_strategy(client: httpx.Client, n: int) -> None:
            body = {
                "query": "mutation Strategy($i: AddStrategyInput!) { addStrategy(input: $i) { __typename } }",
                "variables": {"i": {"planId": made["streamId"], "number": n + 1, "title": f"S{n + 1}"}},
            }
            assert client.post("/graphql", json=body).json()["data"]["addStrategy"]["__typename"] == "PlanRecorded"

        def query(client: httpx.Client, n: int) -> None:
            assert client.post("/graphql", json={"query": "query Q { plans { code } }"}).status_code == 200

        strategies = sum(_on_each_worker(served, add_strategy, 2).values())
        queries = sum(_on_each_worker(served, query, 3).values())
        await served.wait_projected()

        scrapes: list[dict[tuple[str, frozenset[tuple[str, str]]], float]] = []

        def scrape(client: httpx.Client, n: int) -> None:
            response = client.get("/metrics")
            assert response.status_code == 200
            scrapes.append(samples(response.text))

        _on_each_worker(served, scrape, 2)
        count = "planledger_request_duration_seconds_count"
        for found in scrapes:  # whichever worker answered
            assert value(found, "planledger_commands_total", mutation="CreatePlan") == 1
            assert value(found, "planledger_commands_total", mutation="AddStrategy") == strategies
            assert value(found, count, operation_type="mutation", operation_name="Strategy", status="200") == strategies
            assert value(found, count, operation_type="query", operation_name="Q", status="200") == queries
            assert value(found, "planledger_events_projected_total", type="Plan.Created") == 1  # counted once
            assert value(found, "planledger_events_projected_total", type="Plan.StrategyAdded") == strategies
            assert value(found, "planledger_projector_active") == 1
            assert value(found, "planledger_projector_lag_events") == 0
            assert value(found, "planledger_log_position") == value(found, "planledger_projector_position") > 0
            assert value(found, "planledger_db_pool_connections", state="open") >= 2  # both workers' pools
            assert len(_pids(found)) == 2
            assert len(_pids(found, "projector")) == 1  # serve's projector process, the active one
        workers = _pids(scrapes[-1])
        assert set(_on_each_worker(served, lambda *_: None, 1)) == workers
        [folder] = temporary.glob("planledger-metrics-*")  # the run's own, shared by its workers
        assert any(folder.glob("counter_*.db"))

        # A worker killed outright: uvicorn starts another; what the dead one counted still counts,
        # its own gauges no longer do.
        killed = min(workers)
        os.kill(killed, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while True:
            found = samples(httpx.get(f"{served.url}/metrics", headers=served.headers, timeout=10).text)
            pids = _pids(found)
            if killed not in pids and len(pids) == 2 and value(found, "planledger_projector_active") == 1:
                break
            assert time.monotonic() < deadline, (pids, killed)
            await asyncio.sleep(0.2)
        assert value(found, "planledger_commands_total", mutation="AddStrategy") == strategies
        assert value(found, count, operation_type="query", operation_name="Q", status="200") == queries
    finally:
        served.stop()
        drop_database(server, address)
    assert not list(temporary.glob("planledger-metrics-*")), "the run's metrics folder was left behind"
