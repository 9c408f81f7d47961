"""`planledger project`: the projector on its own, as a process; and the supervision with which
`serve` runs one beside its web workers (Marten's split: the store takes writes, a daemon keeps
the projections).

Why a process of its own: under 16 writers the server process was one saturated core (the
projector ~11 % of it, and its batches' garbage) while the machine's other core idled; with the
projector beside it, 16 writers went from 1,360 to 1,730 commits/s and their p95 from 142 ms to
25 ms (`/tmp`-style A/B in bench/RESULTS.md, 20k events). Every web worker still runs a projector
task on standby: the advisory lock keeps one active per database, so if this process dies a worker
takes over within `standby_interval` (0.5 s) and nothing waits for a restart; once the restarted
process stands by, the worker hands the projecting back (`Projector.hand_over`, within ~1.5 s).

The daemon writes its state ("standby", "active", "stopped") to the file PLANLEDGER_PROJECTOR_STATUS
names, which the workers' /readyz reads, and its metrics (projector active, events projected) to the
run's shared metrics folder. It ends with its parent (PR_SET_PDEATHSIG, and a check of the parent
every second): a server killed outright must not leave its projector holding the lock.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from service.application.projector_status import STATUS_FILE, read_state, say
from service.cli.common import EXIT_OK, EXIT_USAGE, settings

#: `serve`'s choice: "process" (the default: a projector process beside the workers) or "worker"
#: (the workers' own projector tasks only, one of them active)
MODE = "PLANLEDGER_PROJECTOR"
MODES = ("process", "worker")
#: seconds `serve` waits for its projector process to hold the lock before starting the workers
#: (else a worker may take it first, which is correct, only slower)
ACTIVE_WITHIN = 15.0
#: seconds between restarts of a projector process that ended on its own
RESTART_AFTER = 1.0
_PR_SET_PDEATHSIG = 1


def _end_with_parent() -> None:
    """Linux: a SIGTERM when the process that started this one dies (even by SIGKILL)."""
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def cmd_project(args: argparse.Namespace) -> int:
    """Run the projector until SIGTERM/SIGINT (or until the parent that started it dies)."""
    import asyncio

    parent = os.getppid()
    _end_with_parent()
    config = settings(args)
    if not getattr(config, "database_url", None):
        print("planledger project: needs DATABASE_URL (or --database-url): the server's database", file=sys.stderr)
        return EXIT_USAGE
    status = os.environ.get(STATUS_FILE)
    # (not uvloop: under uvloop.run a SIGTERM during the start-up of `serve` left this process
    # running, and `serve` waiting for it; tests/e2e/test_serve.py)
    asyncio.run(_project(str(config.database_url), status, parent))  # type: ignore[attr-defined]
    return EXIT_OK


async def _project(url: str, status: str | None, parent: int) -> None:
    import asyncio
    import gc

    from projections.projector import Projector
    from service.application.migrate import READ_MODEL_VERSION
    from service.collector import THRESHOLDS
    from service.config import ServerAddress
    from service.web.metrics import Metrics

    gc.set_threshold(*THRESHOLDS)  # (its batches' garbage as the requests': service/collector.py)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    metrics = Metrics(role="projector")
    projector = Projector(
        ServerAddress.from_url(url).asyncpg_args(),
        read_model_version=READ_MODEL_VERSION,
        on_projected=metrics.count_events,  # (its active gauge: set below as its state changes)
    )
    task = asyncio.create_task(projector.run(stop))
    said = ""
    checked = time.monotonic()
    try:
        while not task.done():
            state = "active" if projector.active else "standby"
            if state != said:
                say(status, state)
                metrics.projector_active.set(1 if projector.active else 0)
                said = state
            if time.monotonic() - checked >= 1.0:
                checked = time.monotonic()
                if os.getppid() != parent:  # the parent is gone (and no signal came): end too
                    stop.set()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(stop.wait()), 0.05)
        await task
    finally:
        say(status, "stopped")
        metrics.close()


class ProjectorProcess:
    """`serve`'s projector process: started before the workers, restarted when it ends on its own,
    stopped (SIGTERM, then SIGKILL after `grace` seconds) when the server stops."""

    def __init__(self, database_url: str, status: Path) -> None:
        self.status = status
        self._command = [sys.executable, "-m", "service.cli", "project"]
        self._env = {**os.environ, "DATABASE_URL": database_url, STATUS_FILE: str(status)}
        self._stopping = threading.Event()
        self._process: subprocess.Popen[bytes] | None = None
        self._watch: threading.Thread | None = None

    def start(self) -> None:
        say(str(self.status), "starting")
        self._process = self._spawn()
        self._watch = threading.Thread(target=self._keep_running, name="projector-process", daemon=True)
        self._watch.start()

    def wait_active(self, timeout: float = ACTIVE_WITHIN) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if read_state(self.status) == "active":
                return True
            time.sleep(0.05)
        return False

    def stop(self, grace: float = 10.0) -> None:
        self._stopping.set()
        process = self._process
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._watch is not None:
            self._watch.join(timeout=grace)

    def _spawn(self) -> subprocess.Popen[bytes]:
        # a session of its own: a Ctrl-C at the terminal reaches the server, which stops it in turn
        # (reaching both, it ended before the server did, and was restarted while it stopped)
        return subprocess.Popen(self._command, env=self._env, stdin=subprocess.DEVNULL, start_new_session=True)

    def _keep_running(self) -> None:
        # Restarts are spawned from this thread, which lives as long as the server: the child's
        # parent-death signal follows the thread that started it.
        while not self._stopping.is_set():
            process = self._process
            if process is None:
                return
            code = process.wait()
            if self._stopping.is_set():
                return
            say(str(self.status), "stopped")
            _forget(process.pid)
            print(
                f"planledger: the projector process ended ({code}); a worker's projector stands in, "
                f"restarting it in {RESTART_AFTER:g} s",
                file=sys.stderr,
            )
            if self._stopping.wait(RESTART_AFTER):
                return
            self._process = self._spawn()


def _forget(pid: int) -> None:
    """A projector process that died without closing: its own gauges no longer count."""
    from service.web.metrics import shared_folder

    folder = shared_folder()
    if folder:
        with contextlib.suppress(Exception):
            from prometheus_client import multiprocess

            multiprocess.mark_process_dead(pid, folder)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """`serve --projector`."""
    parser.add_argument(
        "--projector",
        choices=MODES,
        default=None,
        help="where the projector runs: 'process' (default; its own process beside the workers, which "
        "stand by) or 'worker' (in the workers; env PLANLEDGER_PROJECTOR)",
    )


def mode_of(args: argparse.Namespace) -> str | None:
    """The projector's place for `serve` (None: not one of MODES; the caller says so)."""
    chosen = getattr(args, "projector", None) or os.environ.get(MODE) or "process"
    return chosen if chosen in MODES else None
