"""`planledger serve` as a real process on the embedded database, spoken to over HTTP."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.paths import ROOT, SAMPLE_MINUTES


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(data_dir: Path, port: int) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["PLANLEDGER_DATA_DIR"] = str(data_dir)
    return subprocess.Popen(
        [sys.executable, "-m", "service.cli", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_ready(port: int, timeout: float = 30) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            response = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2)
            if response.status_code == 200:
                return dict(response.json())
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError("the server did not become ready")


def postgres_running(data_dir: Path) -> bool:
    pid_file = data_dir / "postgres" / "postmaster.pid"
    if not pid_file.exists():
        return False
    pid = int(pid_file.read_text().splitlines()[0])
    return Path(f"/proc/{pid}").exists()


def first_lines(server: subprocess.Popen[str]) -> str:
    """What serve printed up to the line saying where it serves."""
    assert server.stderr is not None
    lines = []
    while True:
        line = server.stderr.readline()
        assert line, "serve ended before saying where it serves: " + "".join(lines)
        lines.append(line)
        if "serving GraphQL at" in line:
            return "".join(lines)


def token_lines(server: subprocess.Popen[str]) -> str:
    """What serve printed on standard output up to the one-time token's header line."""
    assert server.stdout is not None
    lines = []
    while True:
        line = server.stdout.readline()
        assert line, "serve printed no token on standard output: " + "".join(lines)
        lines.append(line)
        if "Bearer" in line:
            return "".join(lines)


def test_serve_answers_and_stops_its_embedded_server_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    server = start(tmp_path / "data", port)
    try:
        said = first_lines(server)
        # the one-time token is on standard output (the terminal), never on stderr (the log stream)
        assert "plt_" not in said and "made (printed on standard output)" in said, said
        shown = token_lines(server)
        token = re.search(r"Bearer (plt_[\w-]+)", shown)
        assert token is not None and f"http://127.0.0.1:{port}/graphql" in shown, shown
        ready = wait_ready(port)
        assert ready["database"] == "reachable"
        assert httpx.get(f"http://127.0.0.1:{port}/healthz").json() == {"status": "ok"}
        query = {"query": "{ version logPosition }"}
        refused = httpx.post(f"http://127.0.0.1:{port}/graphql", json=query)
        assert refused.status_code == 401 and "token" in refused.json()["errors"][0]["message"]
        headers = {"Authorization": f"Bearer {token.group(1)}"}
        answer = httpx.post(f"http://127.0.0.1:{port}/graphql", json=query, headers=headers)
        assert answer.status_code == 200
        assert answer.json()["data"]["logPosition"] == 0
        assert postgres_running(tmp_path / "data")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    assert server.stderr is not None and token.group(1) not in server.stderr.read()
    assert not postgres_running(tmp_path / "data")
    again = start(tmp_path / "data", port)
    try:
        assert "admin token" not in first_lines(again)  # the one-time token is made only on the first start
    finally:
        again.send_signal(signal.SIGTERM)
        again.wait(timeout=30)
    assert again.stdout is not None and "Bearer" not in again.stdout.read()


def test_after_a_sigkill_the_next_start_reuses_the_server_and_the_stale_owner_is_dropped(tmp_path: Path) -> None:
    port = free_port()
    first = start(tmp_path / "data", port)
    wait_ready(port)
    first.kill()
    first.wait(timeout=10)
    assert postgres_running(tmp_path / "data")  # orphaned: nobody stopped it
    second = start(tmp_path / "data", port)
    try:
        wait_ready(port)
        owners = json.loads((tmp_path / "data" / "postgres" / ".handle_pids.json").read_text())
        assert first.pid not in owners
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=30)
    assert not postgres_running(tmp_path / "data")


def test_a_command_on_the_same_data_folder_shares_the_server_and_reaches_the_projector(tmp_path: Path) -> None:
    port = free_port()
    data = tmp_path / "data"
    server = start(data, port)
    try:
        wait_ready(port)
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env["PLANLEDGER_DATA_DIR"] = str(data)
        imported = subprocess.run(
            [sys.executable, "-m", "service.cli", "import-minutes", str(SAMPLE_MINUTES)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert imported.returncode == 0, imported.stderr
        assert postgres_running(data)  # the command's exit did not stop the server serve uses
        deadline = time.monotonic() + 20
        ready: dict[str, object] = {}
        while time.monotonic() < deadline:
            ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).json()
            if ready["logPosition"] and ready["lagEvents"] == 0:
                break
            time.sleep(0.2)
        assert ready["lagEvents"] == 0 and ready["projectedPosition"] == ready["logPosition"]
        assert ready["projectorActiveHere"] is True
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    assert not postgres_running(data)
