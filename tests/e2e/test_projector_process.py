"""`serve`'s projector process (service/cli/projector.py): the active projector beside the workers;
when it dies a worker's projector takes over at once and the process is started again, and the
worker hands the projecting back to it; when the server dies, it ends with it and lets the lock go."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from service.config import ServerAddress
from tests.conftest import create_database, drop_database, url_of
from tests.e2e.server_process import Server


def _projector_processes(parent: int) -> list[int]:
    """The `planledger project` processes whose parent is `parent`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if b"service.cli" in command and b"project" in command and int(stat.rpartition(")")[2].split()[1]) == parent:
            found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    """Running (not gone, not a zombie waiting to be reaped)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state != "Z"


def _until(check: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def test_the_projector_runs_beside_the_workers_and_a_worker_stands_in_when_it_dies(server: ServerAddress) -> None:
    address = create_database(server)
    served = Server(url_of(address)).start()
    try:
        assert served.process is not None
        ready = httpx.get(f"{served.url}/readyz").json()
        assert ready["projectorActiveHere"] is True and ready["projector"] == "active"
        (daemon,) = _projector_processes(served.process.pid)

        # it projects: a write is read back through the read models
        made = served.post(
            'mutation { createPlan(input: {code: "P", title: "P", periodStart: "2020-01-01", '
            'periodEnd: "2024-12-31"}) { ... on Recorded { position } } }'
        ).json()["data"]["createPlan"]
        _until(
            lambda: httpx.get(f"{served.url}/readyz").json()["projectedPosition"] >= made["position"], 10, "projected"
        )

        # killed outright: the worker's own projector takes the lock, and the process comes back, standing by
        os.kill(daemon, signal.SIGKILL)
        _until(lambda: httpx.get(f"{served.url}/readyz").json()["projector"] == "worker", 10, "no worker took over")
        restarted = _until(lambda: [p for p in _projector_processes(served.process.pid) if p != daemon], 10, "restart")
        later = served.post(
            'mutation { createPlan(input: {code: "Q", title: "Q", periodStart: "2020-01-01", '
            'periodEnd: "2024-12-31"}) { ... on Recorded { position } } }'
        ).json()["data"]["createPlan"]
        _until(lambda: httpx.get(f"{served.url}/readyz").json()["lagEvents"] == 0, 10, "the worker did not project")
        assert httpx.get(f"{served.url}/readyz").json()["projectedPosition"] >= later["position"]

        # the process back, standing by: the worker hands the projecting back to it
        _until(lambda: httpx.get(f"{served.url}/readyz").json()["projector"] == "active", 15, "no hand-over")
        last = served.post(
            'mutation { createPlan(input: {code: "R", title: "R", periodStart: "2020-01-01", '
            'periodEnd: "2024-12-31"}) { ... on Recorded { position } } }'
        ).json()["data"]["createPlan"]
        _until(lambda: httpx.get(f"{served.url}/readyz").json()["projectedPosition"] >= last["position"], 10, "")

        # the server killed outright: its projector process ends too (no orphan holding the lock)
        served.kill()
        _until(lambda: not any(_alive(p) for p in restarted), 10, "the projector process outlived its server")

        # so a new server's projector process becomes the active one
        again = Server(url_of(address), token=served.token).start()
        try:
            assert again.process is not None
            _until(lambda: httpx.get(f"{again.url}/readyz").json()["projector"] == "active", 15, "not active")
        finally:
            again.stop()
        assert not [p for p in _projector_processes(again.process.pid) if _alive(p)]  # stopped with it
    finally:
        served.stop()
        drop_database(server, address)


def test_serve_with_the_projector_in_the_worker_starts_no_process(server: ServerAddress) -> None:
    address = create_database(server)
    served = Server(url_of(address), extra_env={"PLANLEDGER_PROJECTOR": "worker"}).start()
    try:
        assert served.process is not None
        ready = _until(lambda: (r := httpx.get(f"{served.url}/readyz").json())["projector"] == "worker" and r, 10, "")
        assert ready["projectorActiveHere"] is True
        assert _projector_processes(served.process.pid) == []
    finally:
        served.stop()
        drop_database(server, address)


def test_an_unknown_projector_place_is_one_line_and_exit_2(server: ServerAddress) -> None:
    env = {**os.environ, "DATABASE_URL": url_of(server), "PLANLEDGER_PROJECTOR": "elsewhere"}
    done = subprocess.run(
        [sys.executable, "-m", "service.cli", "serve", "--port", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.strip() == "planledger: PLANLEDGER_PROJECTOR must be one of process, worker"
