"""Live subscriptions over graphql-transport-ws against real server processes: risk events from
another client within a second, resuming with `after` without gap or duplicate, and fan-out
from one server process to a subscriber on another."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import pytest

from service.config import ServerAddress
from tests.conftest import create_database, drop_database, url_of
from tests.e2e.server_process import Server, subscribe
from tests.integration.graphql_support import HttpApi

RISKS = """subscription($plan: ID, $min: RiskLevel, $after: Cursor) {
  riskEvents(planId: $plan, minLevel: $min, after: $after) {
    cursor type level event { position streamId type actor } risk { id title score level status activity { title } }
  }
}"""
PLAN_EVENTS = """subscription($plan: ID!, $after: Cursor) {
  planEvents(planId: $plan, after: $after) { cursor position type streamId version }
}"""


@pytest.fixture
def database_url_for_servers(server: ServerAddress) -> Iterator[str]:
    address = create_database(server)
    try:
        yield url_of(address)
    finally:
        drop_database(server, address)


@pytest.fixture
def served(database_url_for_servers: str) -> Iterator[Server]:
    process = Server(database_url_for_servers).start()
    try:
        yield process
    finally:
        process.stop()


async def plan_and_activity(api: HttpApi) -> tuple[str, str]:
    plan = await api.ok(
        "createPlan", {"code": "HR", "title": "HR", "periodStart": "2018-01-01", "periodEnd": "2022-12-31"}
    )
    await api.ok("addStrategy", {"planId": plan["streamId"], "number": 1, "title": "S1"})
    activity = await api.ok(
        "registerActivity",
        {"planId": plan["streamId"], "strategyNumber": 1, "fiscalYear": 2564, "kind": "ONE_YEAR", "title": "Course"},
    )
    return plan["streamId"], activity["streamId"]


def risk(activity: str, title: str, likelihood: int = 4, impact: int = 4) -> dict[str, Any]:
    return {"activityId": activity, "title": title, "likelihood": likelihood, "impact": impact, "owner": "HR"}


async def test_a_risk_noted_by_another_client_arrives_within_a_second(served: Server) -> None:
    api = HttpApi(served)
    plan, activity = await plan_and_activity(api)
    async with subscribe(served, RISKS, {"plan": plan, "min": "HIGH"}) as watcher:
        await asyncio.sleep(0.3)  # let the subscription start before the write
        await api.ok("noteRisk", risk(activity, "too small to watch", 1, 2))
        started = time.monotonic()
        noted = await api.ok("noteRisk", risk(activity, "Budget cut"))
        got = (await watcher.next(timeout=5))["riskEvents"]
        elapsed = time.monotonic() - started
        assert elapsed < 1.0, elapsed
        assert got["type"] == "Activity.RiskNoted" and got["level"] in {"HIGH", "VERY_HIGH"}
        assert got["event"]["position"] == noted["position"] and got["event"]["actor"] == "api"
        assert got["risk"]["title"] == "Budget cut" and got["risk"]["activity"] == {"title": "Course"}
        # Delivered once projected: a query right after sees the risk.
        seen = await api.run("query($p: ID) { risks(planId: $p) { title } }", {"p": plan}, project=False)
        assert {"title": "Budget cut"} in seen["risks"]
        await watcher.nothing_for(0.5)  # the LOW risk never came


async def test_a_risk_not_yet_assessed_reaches_a_min_level_subscriber_once_it_is_assessed(served: Server) -> None:
    api = HttpApi(served)
    plan, activity = await plan_and_activity(api)
    async with (
        subscribe(served, RISKS, {"plan": plan, "min": "LOW"}) as leveled,
        subscribe(served, RISKS, {"plan": plan}) as everything,
    ):
        await asyncio.sleep(0.3)
        noted = await api.ok("noteRisk", {"activityId": activity, "title": "No budget yet", "riskId": "cause"})
        got = (await everything.next(timeout=5))["riskEvents"]
        assert got["event"]["position"] == noted["position"]
        assert (got["level"], got["risk"]["level"], got["risk"]["score"]) == (None, None, None)
        await leveled.nothing_for(0.5)  # no level, even the lowest: left out until assessed
        assessed = await api.ok(
            "reassessRisk", {"activityId": activity, "riskId": "cause", "likelihood": 1, "impact": 2}
        )
        got = (await leveled.next(timeout=5))["riskEvents"]
        assert (got["event"]["position"], got["level"], got["risk"]["score"]) == (assessed["position"], "LOW", 2)


async def test_resuming_after_a_cursor_gets_exactly_the_missed_events(served: Server) -> None:
    api = HttpApi(served)
    plan, activity = await plan_and_activity(api)
    async with subscribe(served, RISKS, {"plan": plan}) as watcher:
        await asyncio.sleep(0.3)
        await api.ok("noteRisk", risk(activity, "first"))
        last = (await watcher.next())["riskEvents"]["cursor"]
    missed = [await api.ok("noteRisk", risk(activity, f"missed {n}")) for n in range(3)]
    async with subscribe(served, RISKS, {"plan": plan, "after": last}) as watcher:
        replayed = [(await watcher.next())["riskEvents"] for _ in missed]
        assert [r["event"]["position"] for r in replayed] == [m["position"] for m in missed]
        live = await api.ok("noteRisk", risk(activity, "live"))
        assert (await watcher.next())["riskEvents"]["event"]["position"] == live["position"]
        await watcher.nothing_for(0.5)


async def test_replay_then_live_has_no_gap_and_no_duplicate_while_writes_go_on(served: Server) -> None:
    api = HttpApi(served)
    plan, activity = await plan_and_activity(api)
    start = (await api.run("{ logPosition }", project=False))["logPosition"]
    written: list[int] = []

    async def writer() -> None:
        for n in range(30):
            receipt = await api.ok("reportProgress", {"activityId": activity, "progress": n})
            written.append(receipt["position"])

    task = asyncio.create_task(writer())
    await asyncio.sleep(0.2)  # some written before the subscription, the rest during and after
    from service.api.points import event_cursor

    async with subscribe(served, PLAN_EVENTS, {"plan": plan, "after": event_cursor(start)}) as watcher:
        await task
        got = [(await watcher.next())["planEvents"]["position"] for _ in written]
        assert got == written
        await watcher.nothing_for(0.5)


async def test_a_write_on_one_server_reaches_a_subscriber_on_another(
    served: Server, database_url_for_servers: str
) -> None:
    other = Server(database_url_for_servers, token=served.token).start()
    try:
        api = HttpApi(served)
        plan, activity = await plan_and_activity(api)
        async with subscribe(other, RISKS, {"plan": plan}) as watcher:
            await asyncio.sleep(0.3)
            noted = await api.ok("noteRisk", risk(activity, "across processes"))
            got = (await watcher.next(timeout=5))["riskEvents"]
            assert got["event"]["position"] == noted["position"]
    finally:
        other.stop()


async def test_serve_with_two_workers_serves_writes_reads_and_subscriptions(database_url_for_servers: str) -> None:
    served = Server(database_url_for_servers, workers=2).start()
    try:
        api = HttpApi(served)
        plan, activity = await plan_and_activity(api)
        watchers = [subscribe(served, RISKS, {"plan": plan}) for _ in range(4)]  # spread over both workers
        async with watchers[0] as a, watchers[1] as b, watchers[2] as c, watchers[3] as d:
            await asyncio.sleep(0.3)
            noted = await api.ok("noteRisk", {**risk(activity, "two workers"), "consistency": "READ_YOUR_WRITES"})
            for watcher in (a, b, c, d):
                assert (await watcher.next())["riskEvents"]["event"]["position"] == noted["position"]
        got = await api.run("query($p: ID) { risks(planId: $p) { title } }", {"p": plan}, project=False)
        assert got["risks"] == [{"title": "two workers"}]
    finally:
        served.stop()
