"""The mutation lane (service/web/mutation_lane.py) against a real server: a compiled mutation
document is answered there as the whole stack answers it (status, headers, body, request id, the
access log line and the metrics), and whatever it does not answer exactly reaches the whole stack
with its body as sent: a refused token, a value the plan leaves to normal execution, NUL or a lone
surrogate in a text, headers it does not handle. `planledger_mutation_lane_total` tells which
requests the lane answered."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from service.config import ServerAddress
from tests.conftest import create_database, drop_database, url_of
from tests.e2e.server_process import Server
from tests.integration.graphql_support import HttpApi

GQL = "application/graphql-response+json"
REPORT = (  # the bench's document
    "mutation P($input: ReportProgressInput!) { reportProgress(input: $input) { __typename"
    " ... on ActivityRecorded { position version } ... on UserError { code message } } }"
)


@pytest.fixture(scope="module")
def served(server: ServerAddress, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, str, Path]]:
    address = create_database(server)
    log = tmp_path_factory.mktemp("lane") / "serve.log"
    process = Server(url_of(address), log_file=log, extra_env={"PLANLEDGER_VERBOSE": "1"}).start()
    try:
        activity = asyncio.run(_activity(process))
        yield process, activity, log
    finally:
        process.stop()
        drop_database(server, address)


async def _activity(served: Server) -> str:
    api = HttpApi(served)
    plan = await api.ok(
        "createPlan", {"code": "L", "title": "L", "periodStart": "2018-01-01", "periodEnd": "2030-12-31"}
    )
    await api.ok("addStrategy", {"planId": plan["streamId"], "number": 1, "title": "S"})
    registered = await api.ok(
        "registerActivity",
        {"planId": plan["streamId"], "strategyNumber": 1, "fiscalYear": 2564, "kind": "ONE_YEAR", "title": "A"},
    )
    activity: str = registered["streamId"]
    return activity


def _post(served: Server, body: bytes, headers: dict[str, str] | None = None) -> httpx.Response:
    sent = {"Content-Type": "application/json", "Accept": "application/json", **served.headers, **(headers or {})}
    return httpx.post(f"{served.url}/graphql", content=body, headers={k: v for k, v in sent.items() if v})


def _report(activity: str, progress: Any, **more: Any) -> bytes:
    return json.dumps(
        {"query": REPORT, "variables": {"input": {"activityId": activity, "progress": progress, **more}}}
    ).encode()


def _lane(served: Server) -> dict[str, float]:
    text = httpx.get(f"{served.url}/metrics", headers=served.headers).text
    found = re.findall(r'^planledger_mutation_lane_total\{outcome="(\w+)"\} ([0-9.e+]+)$', text, re.M)
    return {outcome: float(value) for outcome, value in found}


def _counted(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {k: after.get(k, 0) - before.get(k, 0) for k in ("answered", "handed_on")}


def _shape(response: httpx.Response) -> tuple[int, str, list[str], Any]:
    """What must be the same whichever way a request went: status, media type, header names, body
    (the event's position and version aside, which every new event changes)."""
    body = response.json()
    recorded = (body.get("data") or {}).get("reportProgress") or {}
    for key in ("position", "version"):
        if key in recorded:
            assert isinstance(recorded[key], int) and recorded[key] > 0
            recorded[key] = "n"
    names = sorted(k for k in response.headers if k not in ("date", "server"))
    return response.status_code, response.headers["content-type"], names, body


def test_a_compiled_mutation_is_answered_by_the_lane_as_the_whole_stack_answers_it(
    served: tuple[Server, str, Path],
) -> None:
    server, activity, log = served
    first = _post(server, _report(activity, 10))  # executed normally, then compiled
    before = _lane(server)
    again = [_post(server, _report(activity, 11 + n)) for n in range(3)]
    assert _counted(before, _lane(server)) == {"answered": 3, "handed_on": 0}

    assert first.status_code == 200 and first.json()["data"]["reportProgress"]["__typename"] == "ActivityRecorded"
    for response in again:
        assert _shape(response) == _shape(first)
        assert int(response.headers["planledger-position"]) == response.json()["data"]["reportProgress"]["position"]
    positions = [r.json()["data"]["reportProgress"]["position"] for r in (first, *again)]
    assert positions == sorted(set(positions))  # each its own event, in order
    ids = {r.headers["x-request-id"] for r in (first, *again)}
    assert len(ids) == 4 and all(re.fullmatch(r"[0-9a-f]{12}", i) for i in ids)

    # the other media type, and a refusal the command itself makes (a typed error, nothing recorded)
    before = _lane(server)
    strict = _post(server, _report(activity, 12), {"Accept": GQL})
    refused = _post(server, _report("0" * 32, 12))
    assert _counted(before, _lane(server)) == {"answered": 2, "handed_on": 0}
    assert strict.status_code == 200 and strict.headers["content-type"] == f"{GQL}; charset=utf-8"
    assert refused.status_code == 200 and "planledger-position" not in refused.headers
    assert refused.json()["data"]["reportProgress"]["code"] == "NOT_FOUND"

    # the access log line and the request's log context, as for any request
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    for response in again:
        mine = [line for line in lines if line.get("request_id") == response.headers["x-request-id"]]
        assert any("mutation P 200" in line.get("message", "") for line in mine), mine
        assert all(line.get("operation") == "P" and line.get("actor") for line in mine), mine
    metrics = httpx.get(f"{server.url}/metrics", headers=server.headers).text
    timed = 'planledger_request_duration_seconds_count{operation_name="P",operation_type="mutation",status="200"}'
    counts = [float(line.split()[-1]) for line in metrics.splitlines() if line.startswith(timed)]
    assert counts and counts[0] >= 6, counts  # (every request of this test, whichever way it went)


@pytest.mark.parametrize(
    ("body", "headers", "status", "says", "looked"),
    [
        # a token refused, or none: the one 401, from the whole stack
        (lambda a: _report(a, 20), {"Authorization": "Bearer nope"}, 401, "send a valid API token", 1),
        (lambda a: _report(a, 20), {"Authorization": ""}, 401, "send a valid API token", 0),
        # values the plan leaves to normal execution, which says what is wrong
        (lambda a: _report(a, "abc"), {}, 200, "Float cannot represent non numeric value", 1),
        (lambda a: _report(a, 20, unknown=1), {}, 200, "not to include unknown field 'unknown'", 1),
        (lambda a: _report(a, None), {}, 200, "of non-null type 'Float!' not to be None", 1),
        (lambda a: _report(a, 20, reason="a\u0000b"), {}, 200, "NUL", 1),
    ],
)
def test_what_the_plan_does_not_take_is_answered_by_the_whole_stack(
    served: tuple[Server, str, Path], body: Any, headers: dict[str, str], status: int, says: str, looked: int
) -> None:
    server, activity, _ = served
    _post(server, _report(activity, 30))  # (compiled, whichever test runs first)
    before = _lane(server)
    answered = _post(server, body(activity), headers)
    assert _counted(before, _lane(server)) == {"answered": 0, "handed_on": looked}
    assert answered.status_code == status, answered.text
    assert says in answered.text, answered.text
    assert re.fullmatch(r"[0-9a-f]{12}", answered.headers["x-request-id"])


def test_requests_the_lane_does_not_look_into_reach_the_whole_stack_with_their_body(
    served: tuple[Server, str, Path],
) -> None:
    server, activity, _ = served
    _post(server, _report(activity, 40))
    before = _lane(server)
    # a lone surrogate (orjson refuses the body; json takes it and the command refuses the text)
    lone = _post(server, _report(activity, 41, reason="\ud800"))
    assert lone.status_code == 200 and "surrogate" in lone.text and "ActivityRecorded" not in lone.text, lone.text
    # Accept nobody can answer
    assert _post(server, _report(activity, 42), {"Accept": "text/csv"}).status_code == 406
    # a body that is not JSON, and one over the lane's size (still well within the server's)
    assert _post(server, b'{"query": "mutation').status_code == 400
    padded = json.loads(_report(activity, 43))
    padded["extensions"] = {"padding": "x" * 20_000}
    big = _post(server, json.dumps(padded).encode())
    assert big.status_code == 200 and big.json()["data"]["reportProgress"]["__typename"] == "ActivityRecorded"
    # a client that has seen a position waits for it, as always
    seen = _post(server, _report(activity, 44), {"Planledger-Min-Position": "1"})
    assert seen.status_code == 200 and seen.json()["data"]["reportProgress"]["__typename"] == "ActivityRecorded"
    # a document not compiled (another text) and a query: the whole stack
    other = json.loads(_report(activity, 45))
    other["query"] = other["query"].replace("position version", "position")
    assert (
        _post(server, json.dumps(other).encode()).json()["data"]["reportProgress"]["__typename"] == "ActivityRecorded"
    )
    assert _post(server, b'{"query": "{ logPosition }"}').json()["data"]["logPosition"] > 0
    assert _counted(before, _lane(server)) == {"answered": 0, "handed_on": 0}
