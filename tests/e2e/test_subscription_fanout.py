"""Fan-out against a real server process: subscriptions that ask the same thing (document,
variables, access scope) share one execution per event and get the same frame under their own
operation ids; different ones, and results with errors, are executed on their own. /metrics
shows the executions, the shared results and each open subscription's queue depth."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import websockets
from prometheus_client.parser import text_string_to_metric_families

from service.config import ServerAddress
from tests.conftest import create_database, drop_database, url_of
from tests.e2e.server_process import Server, subscribe
from tests.e2e.test_subscriptions import RISKS, plan_and_activity, risk
from tests.integration.graphql_support import HttpApi

#: no async field below it: executed at once by the first subscription that reaches the event
TITLES = "subscription($plan: ID) { riskEvents(planId: $plan) { risk { title score } } }"
#: `history(first: 501)` is refused while the event is executed: a result with errors
FAILING = """subscription($plan: ID) {
  riskEvents(planId: $plan) { risk { title activity { history(first: 501) { edges { cursor } } } } }
}"""


@pytest.fixture
def served(server: ServerAddress) -> Iterator[Server]:
    address = create_database(server)
    process = Server(url_of(address)).start()
    try:
        yield process
    finally:
        process.stop()
        drop_database(server, address)


def fanout_metrics(server: Server) -> dict[str, float]:
    text = httpx.get(f"{server.url}/metrics", headers=server.headers).text
    out = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name.startswith("planledger_subscription"):
                le = sample.labels.get("le")
                out[sample.name + (f"[{le}]" if le else "")] = sample.value
    return out


def grown(before: dict[str, float], after: dict[str, float], name: str) -> float:
    return after.get(name, 0.0) - before.get(name, 0.0)


async def test_alike_subscriptions_share_one_execution_and_others_do_not(served: Server) -> None:
    api = HttpApi(served)
    plan, activity = await plan_and_activity(api)
    reader = {"authorization": f"Bearer {served.make_token('reader', name='watcher')}"}
    async with contextlib.AsyncExitStack() as stack:

        async def watch(query: str, variables: dict[str, Any], payload: dict[str, Any] | None = None) -> Any:
            return await stack.enter_async_context(subscribe(served, query, variables, payload))

        alike = [await watch(RISKS, {"plan": plan}) for _ in range(4)]
        high = await watch(RISKS, {"plan": plan, "min": "HIGH"})  # other variables
        titles = [await watch(TITLES, {"plan": plan}) for _ in range(2)]  # another document
        as_reader = await watch(RISKS, {"plan": plan}, reader)  # another access scope
        await asyncio.sleep(0.3)
        before = fanout_metrics(served)
        assert before["planledger_subscription_queue_depth_gcount"] == 8

        noted = await api.ok("noteRisk", risk(activity, "shared", 4, 4))
        got = [(await watcher.next())["riskEvents"] for watcher in alike]
        assert got[0]["event"]["position"] == noted["position"]
        assert got[0]["risk"]["title"] == "shared" and got[0]["risk"]["activity"] == {"title": "Course"}
        assert all(g == got[0] for g in got)
        assert (await high.next())["riskEvents"] == got[0]
        assert (await as_reader.next())["riskEvents"] == got[0]
        for watcher in titles:
            assert (await watcher.next())["riskEvents"] == {"risk": {"title": "shared", "score": 16}}

        after = fanout_metrics(served)
        # four feeds (RISKS; RISKS at HIGH; TITLES; RISKS as a reader): one execution each
        assert grown(before, after, "planledger_subscription_executions_total") == 4
        assert grown(before, after, "planledger_subscription_shared_results_total") == 4
        assert after["planledger_subscription_queue_depth_gcount"] == 8
        assert after["planledger_subscription_queue_depth_max"] == 0  # everyone has read everything


async def test_subscriptions_on_one_socket_keep_their_ids_and_complete(served: Server) -> None:
    api = HttpApi(served)
    plan, activity = await plan_and_activity(api)
    url = served.url.replace("http://", "ws://") + "/graphql"
    async with websockets.connect(url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {served.token}"}}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        for operation in ("a", 'b "quoted"'):
            message = {"query": TITLES, "variables": {"plan": plan}}
            await ws.send(json.dumps({"id": operation, "type": "subscribe", "payload": message}))
        await asyncio.sleep(0.3)

        async def frames(count: int) -> list[dict[str, Any]]:
            return [json.loads(await asyncio.wait_for(ws.recv(), 5)) for _ in range(count)]

        await api.ok("noteRisk", risk(activity, "both"))
        both = await frames(2)
        assert sorted(f["id"] for f in both) == ["a", 'b "quoted"']
        assert {json.dumps(f["payload"]) for f in both} == {
            json.dumps({"data": {"riskEvents": {"risk": {"title": "both", "score": 16}}}})
        }
        assert all(f["type"] == "next" for f in both)

        await ws.send(json.dumps({"id": "a", "type": "complete"}))
        await asyncio.sleep(0.2)
        await api.ok("noteRisk", risk(activity, "only b"))
        (only,) = await frames(1)
        assert only["id"] == 'b "quoted"' and only["payload"]["data"]["riskEvents"]["risk"]["title"] == "only b"
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(ws.recv(), 0.5)


async def test_a_result_with_errors_is_not_shared(served: Server) -> None:
    api = HttpApi(served)
    plan, activity = await plan_and_activity(api)
    url = served.url.replace("http://", "ws://") + "/graphql"
    sockets = []
    try:
        for _ in range(2):
            ws = await websockets.connect(url, subprotocols=["graphql-transport-ws"])  # type: ignore[list-item]
            sockets.append(ws)
            await ws.send(
                json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {served.token}"}})
            )
            assert json.loads(await ws.recv())["type"] == "connection_ack"
            message = {"query": FAILING, "variables": {"plan": plan}}
            await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": message}))
        await asyncio.sleep(0.3)
        before = fanout_metrics(served)
        await api.ok("noteRisk", risk(activity, "refused below"))
        for ws in sockets:
            frame = json.loads(await asyncio.wait_for(ws.recv(), 5))
            assert frame["type"] == "next" and frame["id"] == "1"
            assert frame["payload"]["data"]["riskEvents"]["risk"]["title"] == "refused below"
            (error,) = frame["payload"]["errors"]
            assert error["path"] == ["riskEvents", "risk", "activity", "history"]
            assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": "first"}
        after = fanout_metrics(served)
        assert grown(before, after, "planledger_subscription_executions_total") == 2
        assert grown(before, after, "planledger_subscription_shared_results_total") == 0
    finally:
        for ws in sockets:
            await ws.close()
