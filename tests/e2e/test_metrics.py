"""/metrics after a known workload, read with Prometheus's own text parser."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from service.config import ServerAddress
from tests.conftest import create_database, drop_database, url_of
from tests.e2e.server_process import Server


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


def test_a_scraper_address_named_in_the_setting_needs_no_token(server: ServerAddress) -> None:
    address = create_database(server)
    process = Server(url_of(address), extra_env={"PLANLEDGER_METRICS_FROM": "127.0.0.1"}).start()
    try:
        assert httpx.get(f"{process.url}/metrics").status_code == 200
        assert httpx.post(f"{process.url}/graphql", json={"query": "{ logPosition }"}).status_code == 401
    finally:
        process.stop()
        drop_database(server, address)
