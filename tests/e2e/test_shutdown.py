"""SIGTERM under load: in-flight requests finish, subscriptions close with a code that says
"come back", the projector commits, and nothing acknowledged is lost."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest
import websockets

from service.config import ServerAddress
from tests.conftest import create_database, drop_database, url_of
from tests.e2e.server_process import Server
from tests.integration.graphql_support import HttpApi

REPORT = "mutation($i: ReportProgressInput!) { reportProgress(input: $i) { ... on Recorded { position } } }"
PLAN_EVENTS = (
    "subscription($plan: ID!, $after: Cursor) { planEvents(planId: $plan, after: $after) { cursor position } }"
)


@pytest.fixture
def database_url_for_servers(server: ServerAddress) -> Iterator[str]:
    address = create_database(server)
    try:
        yield url_of(address)
    finally:
        drop_database(server, address)


async def test_sigterm_during_load_loses_nothing_acknowledged(database_url_for_servers: str) -> None:
    served = Server(database_url_for_servers).start()
    api = HttpApi(served)
    plan = await api.ok(
        "createPlan", {"code": "G", "title": "G", "periodStart": "2018-01-01", "periodEnd": "2030-12-31"}
    )
    await api.ok("addStrategy", {"planId": plan["streamId"], "number": 1, "title": "S"})
    activity = (
        await api.ok(
            "registerActivity",
            {"planId": plan["streamId"], "strategyNumber": 1, "fiscalYear": 2564, "kind": "ONE_YEAR", "title": "A"},
        )
    )["streamId"]
    acknowledged: list[int] = []
    received: list[int] = []
    stop_writing = asyncio.Event()

    async def writer(n: int) -> None:
        async with httpx.AsyncClient(timeout=30, headers=served.headers) as client:
            k = 0
            while not stop_writing.is_set():
                k += 1
                body = {
                    "query": REPORT,
                    "variables": {"i": {"activityId": activity, "progress": k % 100, "idempotencyKey": f"w{n}-{k}"}},
                }
                try:
                    response = await client.post(f"{served.url}/graphql", json=body)
                except httpx.HTTPError:
                    return  # the server is going away: stop, as a client would
                if response.status_code == 200 and response.json()["data"]["reportProgress"]:
                    acknowledged.append(response.json()["data"]["reportProgress"]["position"])

    async def subscriber() -> int | None:
        url = served.url.replace("http://", "ws://") + "/graphql"
        async with websockets.connect(url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
            await ws.send(
                json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {served.token}"}})
            )
            json.loads(await ws.recv())
            await ws.send(
                json.dumps(
                    {
                        "id": "1",
                        "type": "subscribe",
                        "payload": {"query": PLAN_EVENTS, "variables": {"plan": plan["streamId"]}},
                    }
                )
            )
            try:
                while True:
                    message = json.loads(await asyncio.wait_for(ws.recv(), 20))
                    if message["type"] == "next":
                        received.append(message["payload"]["data"]["planEvents"]["position"])
            except websockets.ConnectionClosed as closed:
                return closed.rcvd.code if closed.rcvd else None

    watching = asyncio.create_task(subscriber())
    await asyncio.sleep(0.5)
    writers = [asyncio.create_task(writer(n)) for n in range(8)]
    await asyncio.sleep(1.5)
    assert served.process is not None
    served.process.send_signal(signal.SIGTERM)
    started = time.monotonic()
    code = await asyncio.wait_for(watching, 15)  # no client left hanging
    stop_writing.set()
    await asyncio.gather(*writers)
    served.process.wait(timeout=20)
    assert time.monotonic() - started < 15
    assert code in (1001, 1012), code  # going away / service restart: reconnect with the cursor
    assert len(acknowledged) > 10

    again = Server(database_url_for_servers, token=served.token).start()
    try:
        await again.wait_projected()
        stored: set[int] = set()
        after: str | None = None
        while True:  # every page (more than one: the writers get well over 500 writes acknowledged)
            page = again.post(
                "query($s: ID!, $after: Cursor) { events(first: 500, after: $after, filter: {streamId: $s, "
                'type: "ProgressReported"}) { edges { node { position } } pageInfo { hasNextPage endCursor } } }',
                {"s": activity, "after": after},
            ).json()["data"]["events"]
            stored |= {e["node"]["position"] for e in page["edges"]}
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        assert set(acknowledged) <= stored  # every acknowledged write is there
        assert len(acknowledged) == len(set(acknowledged))
        last = max(received) if received else 0
        from service.api.points import event_cursor
        from tests.e2e.server_process import subscribe

        missed = sorted(p for p in stored if p > last)
        async with subscribe(again, PLAN_EVENTS, {"plan": plan["streamId"], "after": event_cursor(last)}) as resumed:
            got = [(await resumed.next())["planEvents"]["position"] for _ in missed]
        assert got == missed
    finally:
        again.stop()
    verified = subprocess.run(
        [sys.executable, "-m", "service.cli", "verify"],
        env={**os.environ, "DATABASE_URL": database_url_for_servers},
        capture_output=True,
        text=True,
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr  # the projector committed whole batches
