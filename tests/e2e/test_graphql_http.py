"""GraphQL over HTTP as the spec says, against a real server process: media types, methods,
status codes, GraphiQL, limits, and the position-keyed response cache (ETag / 304)."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator

import httpx
import pytest

from service.config import ServerAddress
from tests.conftest import create_database, drop_database, url_of
from tests.e2e.server_process import Server

GQL = "application/graphql-response+json"


@pytest.fixture(scope="module")
def served(server: ServerAddress) -> Iterator[Server]:
    address = create_database(server)
    process = Server(url_of(address)).start()
    try:
        yield process
    finally:
        process.stop()
        drop_database(server, address)


def post(served: Server, body: object, accept: str | None = GQL, **headers: str) -> httpx.Response:
    if accept is not None:
        headers["Accept"] = accept
    return httpx.post(f"{served.url}/graphql", json=body, headers={**served.headers, **headers})


def test_post_answers_in_the_media_type_asked_for(served: Server) -> None:
    for accept, expected in ((GQL, GQL), ("application/json", "application/json"), (None, "application/json")):
        response = post(served, {"query": "{ logPosition }"}, accept)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith(expected)
        assert response.json() == {"data": {"logPosition": 0}}
    both = post(served, {"query": "{ logPosition }"}, f"application/json;q=0.5, {GQL}")
    assert both.headers["content-type"].startswith(GQL)


def test_get_runs_queries_and_refuses_mutations(served: Server) -> None:
    response = httpx.get(
        f"{served.url}/graphql", params={"query": "{ logPosition }"}, headers={"Accept": GQL, **served.headers}
    )
    assert response.status_code == 200 and response.json()["data"] == {"logPosition": 0}
    variables = httpx.get(
        f"{served.url}/graphql",
        params={"query": "query($id: ID!) { plan(id: $id) { code } }", "variables": '{"id": "%s"}' % ("0" * 32)},
        headers={"Accept": GQL, **served.headers},
    )
    assert variables.status_code == 200 and variables.json()["data"] == {"plan": None}
    mutation = (
        'mutation { createPlan(input: {code: "X", title: "X", periodStart: "2020-01-01", periodEnd: "2021-01-01"}) '
        "{ __typename } }"
    )
    refused = httpx.get(f"{served.url}/graphql", params={"query": mutation}, headers={"Accept": GQL, **served.headers})
    assert refused.status_code == 405 and refused.headers["allow"] == "POST"
    assert post(served, {"query": "{ logPosition }"}).json()["data"]["logPosition"] == 0  # nothing recorded


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("PUT", "/graphql", 405), ("DELETE", "/graphql", 405), ("PATCH", "/metrics", 405), ("GET", "/nowhere", 404)],
)
def test_methods_and_paths_the_server_has_not_are_refused_in_the_same_json_shape(
    served: Server, method: str, path: str, status: int
) -> None:
    response = httpx.request(method, f"{served.url}{path}", headers=served.headers, json={"query": "{ logPosition }"})
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/json")
    [error] = response.json()["errors"]
    assert error["message"] and error["extensions"]["requestId"] == response.headers["x-request-id"]
    if status == 405:
        assert "GET" in response.headers["allow"] and response.headers["allow"] in error["message"]


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b"{not json", "application/json", 400),
        (b"[1, 2]", "application/json", 400),
        (b'{"query": 5}', "application/json", 400),
        (b'{"variables": {}}', "application/json", 400),
        (b'{"query": "{ logPosition }", "variables": [1]}', "application/json", 400),
        (b'{"query": "{ logPosition }", "operationName": 3}', "application/json", 400),
        (b"{ logPosition }", "text/plain", 415),
    ],
)
def test_malformed_requests_get_4xx_with_a_readable_error(
    served: Server, body: bytes, content_type: str, status: int
) -> None:
    response = httpx.post(
        f"{served.url}/graphql", content=body, headers={"Content-Type": content_type, "Accept": GQL, **served.headers}
    )
    assert response.status_code == status
    assert response.json()["errors"][0]["message"]


def test_documents_that_do_not_parse_or_validate(served: Server) -> None:
    for query in ("{ logPosition", "{ noSuchField }", "query($x: Int!) { logPosition }"):
        strict = post(served, {"query": query})
        assert strict.status_code == 400, query
        assert "data" not in strict.json() and strict.json()["errors"]
        legacy = post(served, {"query": query}, "application/json")
        assert legacy.status_code == 200 and legacy.json()["errors"]
    assert post(served, {"query": "{ logPosition }"}, "text/csv").status_code == 406


def test_graphiql_in_a_browser_from_this_server_alone(served: Server) -> None:
    """The page, and every file it names, come from this server (without a token: they hold no
    data), under a policy that lets the browser load nothing from elsewhere."""
    page = httpx.get(f"{served.url}/graphql", headers={"Accept": "text/html,application/xhtml+xml"})
    assert page.status_code == 200 and "graphiql" in page.text.lower()
    assert "default-src 'self'" in page.headers["content-security-policy"]
    named = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert len(named) >= 6 and all(url.startswith("/") and not url.startswith("//") for url in named), named
    for url in named:
        served_file = httpx.get(f"{served.url}{url}")
        assert served_file.status_code == 200 and served_file.content, url
        assert "default-src 'self'" in served_file.headers["content-security-policy"], url
    assert "unpkg" not in page.text and "https://" not in page.text


def test_bodies_over_the_limit_are_refused(served: Server) -> None:
    response = httpx.post(
        f"{served.url}/graphql",
        content=b'{"query": "' + b" " * 1_100_000 + b'{ logPosition }"}',
        headers={"Content-Type": "application/json", "Accept": GQL, **served.headers},
    )
    assert response.status_code == 413


def test_input_errors_say_what_to_fix_and_show_no_internals(served: Server) -> None:
    plan = '{ plan(id: "00000000-0000-0000-0000-000000000000", asOf: {knownAt: "2020-01-01T00:00:00"}) { code } }'
    response = post(served, {"query": plan})
    error = response.json()["errors"][0]
    assert "offset" in error["message"]  # a fixable input error says what to fix
    assert "Traceback" not in response.text and "SELECT" not in response.text


def test_responses_are_cached_by_position_with_etags(served: Server) -> None:
    query = {"query": "{ plans { code } }"}
    first = post(served, query)
    etag = first.headers["etag"]
    assert first.headers["planledger-position"].isdigit()
    again = post(served, query, **{"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    created = post(
        served,
        {
            "query": 'mutation { createPlan(input: {code: "ETAG", title: "t", periodStart: "2020-01-01", '
            'periodEnd: "2024-12-31", consistency: READ_YOUR_WRITES}) { ... on Recorded { position projected } } }'
        },
    ).json()["data"]["createPlan"]
    assert created["projected"] is True
    changed = post(served, query, **{"If-None-Match": etag})
    assert changed.status_code == 200 and {"code": "ETAG"} in changed.json()["data"]["plans"]
    assert changed.headers["etag"] != etag
    assert int(changed.headers["planledger-position"]) >= created["position"]
    # A client that has seen a position is never served anything older.
    seen = post(served, query, **{"Planledger-Min-Position": str(created["position"])})
    assert {"code": "ETAG"} in seen.json()["data"]["plans"]


def test_no_token_or_a_bad_one_is_401(served: Server) -> None:
    for headers in ({}, {"Authorization": "Bearer plt_not-a-token"}, {"Authorization": "Basic abc"}):
        response = httpx.post(f"{served.url}/graphql", json={"query": "{ logPosition }"}, headers=headers)
        assert response.status_code == 401, headers
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert "token" in response.json()["errors"][0]["message"]
    assert httpx.get(f"{served.url}/healthz").status_code == 200  # health needs no token


def test_a_reader_token_reads_but_may_not_write(served: Server) -> None:
    reader = served.make_token("reader", name="a reader")
    assert served.post("{ logPosition }", token=reader).status_code == 200
    answer = served.post(
        'mutation { createPlan(input: {code: "R", title: "R", periodStart: "2020-01-01", periodEnd: "2021-01-01"}) '
        "{ __typename ... on UserError { message } } }",
        token=reader,
    ).json()["data"]["createPlan"]
    assert answer["__typename"] == "ForbiddenError" and "reader" in answer["message"]


async def test_a_websocket_without_a_valid_token_is_closed_with_4401(served: Server) -> None:
    import websockets

    url = served.url.replace("http://", "ws://") + "/graphql"
    for payload in ({}, {"authorization": "Bearer plt_wrong"}):
        async with websockets.connect(url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
            await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await asyncio.wait_for(ws.recv(), 5)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401


def test_anonymous_reads_when_the_setting_opens_them(served: Server) -> None:
    open_server = Server(served.database_url, token=served.token, extra_env={"PLANLEDGER_ANONYMOUS_READS": "1"}).start()
    try:
        read = httpx.post(f"{open_server.url}/graphql", json={"query": "{ logPosition }"})
        assert read.status_code == 200
        write = httpx.post(
            f"{open_server.url}/graphql",
            json={"query": 'mutation { stateVision(input: {planId: "%s", vision: "v"}) { __typename } }' % ("0" * 32)},
        )
        assert write.json()["data"]["stateVision"]["__typename"] == "ForbiddenError"
        bad = httpx.post(
            f"{open_server.url}/graphql", json={"query": "{ logPosition }"}, headers={"Authorization": "Bearer x"}
        )
        assert bad.status_code == 401  # a wrong token is still refused
    finally:
        open_server.stop()


def test_a_request_that_is_not_valid_http_gets_a_json_400(served: Server) -> None:
    """The HTTP parser refuses it before the application sees it; the answer is still JSON."""
    host, port = served.url.removeprefix("http://").split(":")

    async def send(raw: bytes) -> bytes:
        reader, writer = await asyncio.open_connection(host, int(port))
        writer.write(raw)
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(), 10)  # the server closes the connection
        writer.close()
        return answer

    for raw in (
        b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: \x7f\r\nContent-Length: 0\r\n\r\n",
        b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Length: -4\r\n\r\n",
        b"NOT HTTP AT ALL\r\n\r\n",
    ):
        head, _, body = asyncio.run(send(raw)).partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        assert lines[0] == "HTTP/1.1 400 Bad Request", lines
        headers = dict(line.lower().split(": ", 1) for line in lines[1:])
        assert headers["content-type"] == "application/json"
        error = json.loads(body)["errors"][0]
        assert error["message"].startswith("not a valid HTTP request")
        assert error["extensions"]["requestId"] == headers["x-request-id"]
