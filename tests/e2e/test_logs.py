"""A real server's log: JSON lines (stderr is not a terminal), every line of a request with the
id the client got in `X-Request-Id`, its operation and its actor; never the token."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from service.config import ServerAddress
from tests.conftest import create_database, drop_database, url_of
from tests.e2e.server_process import Server


def test_a_request_s_log_lines_carry_its_id_operation_and_actor_and_never_the_token(
    server: ServerAddress, tmp_path: Path
) -> None:
    address = create_database(server)
    log = tmp_path / "serve.log"
    served = Server(url_of(address), log_file=log, extra_env={"PLANLEDGER_VERBOSE": "1"}).start()
    try:
        token = served.make_token("reader", name="Somsri")
        asked = httpx.post(
            f"{served.url}/graphql",
            json={"query": "query Q { plans { code } }"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert asked.status_code == 200
        refused = httpx.post(f"{served.url}/graphql", json={"query": "{ plans { code } }"})
        assert refused.status_code == 401 and refused.json()["errors"][0]["extensions"]["requestId"]
    finally:
        served.stop()
        drop_database(server, address)
    text = log.read_text()
    lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    mine = [line for line in lines if line.get("request_id") == asked.headers["x-request-id"]]
    assert mine, text[-2000:]
    assert all(line["operation"] == "Q" and line["actor"] == "Somsri" for line in mine), mine
    assert any(line.get("request_id") == refused.headers["x-request-id"] for line in lines)
    assert token not in text and served.token not in text
