"""What a benchmark run holds for its measures, and gives back when it ends.

One `Context` per run: the PostgreSQL server (a URL, or an embedded one started for the run), the
scratch database with the generated ledger (made on first use), `planledger serve` processes,
PostGraphile, tokens, a temporary folder. Everything it starts is registered on one exit stack and
stopped by `close()`: at the end, on an error, on Ctrl-C and on SIGTERM (the runner turns it into
SystemExit). Child servers run in sessions of their own, so a signal to the group reaches their
workers and nothing that is not ours.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx

from service.config import ServerAddress
from service.store.database import create_scratch_database, drop_scratch_database

ROOT = Path(__file__).resolve().parents[1]
T = TypeVar("T")


@dataclass
class Sizes:
    """Every size knob of a run (`--set NAME=VALUE` changes one; `--smoke` starts from SMOKE)."""

    events: int = 1_000_000  #: the generated ledger (bench.generate)
    seed: int = 1
    rebuild_runs: int = 2
    verify: bool = True  #: verify after the rebuilds (a single-process rebuild into scratch tables)
    import_runs: int = 1
    write_seconds: float = 5.0  #: each mutation / raw insert measure
    clients: str = "1,16"  #: concurrent writers (clients and baseline connections), each on its own activity
    hot_clients: int = 16  #: the hot case: this many writers ...
    hot_activities: int = 4  #: ... over this many activities
    rss_seconds: float = 60.0  #: the write path's memory: 16 writers for this long, RSS before and after
    commits: int = 300  #: commit → visible / delivered samples
    queries: int = 300  #: plan_as_of calls
    api_queries: int = 200  #: whole-plan GraphQL queries as of a date
    replays: int = 30  #: eventsourcing replays (the as-of baseline)
    seconds: float = 10.0  #: each whole-plan throughput measure
    rounds: int = 3  #: interleaved rounds of the throughput measures
    connections: int = 16  #: keep-alive clients of the throughput measures
    workers: str = "1,2"  #: planledger (and PostGraphile) process counts
    subscribers: int = 1000
    fanout_events: int = 20
    postgraphile: bool = True
    report_samples: int = 300  #: progressReport and health roll-up samples (bench.reporting)
    report_plans: int = 3  #: key results on the largest N plans (bench.reporting)
    pdf_pages: int = 200  #: pages of the minutes PDF read and parsed (bench.minutes)
    minutes_runs: int = 5  #: imports of the sample minutes, each a new process into a new database (bench.minutes)

    def worker_counts(self) -> list[int]:
        return [int(w) for w in self.workers.split(",") if w.strip()]

    def client_counts(self) -> list[int]:
        return [int(c) for c in self.clients.split(",") if c.strip()]

    def set(self, assignment: str) -> None:
        """`NAME=VALUE`, typed as the field is; a clear ValueError otherwise."""
        name, sep, text = assignment.partition("=")
        fields = {f.name: f for f in dataclasses.fields(self)}
        if not sep or name not in fields:
            raise ValueError(f"--set {assignment!r}: say NAME=VALUE with NAME one of {', '.join(fields)}")
        current = getattr(self, name)
        try:
            if isinstance(current, bool):
                if text.lower() not in ("1", "0", "true", "false", "yes", "no", "on", "off"):
                    raise ValueError(text)
                value: Any = text.lower() in ("1", "true", "yes", "on")
            else:
                value = type(current)(text)
        except ValueError:
            kind = {bool: "yes or no", int: "whole number", float: "number"}.get(type(current), "string")
            raise ValueError(f"--set {name}: {text!r} is not a {kind}") from None
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
            raise ValueError(f"--set {name}: must not be negative")
        setattr(self, name, value)


#: a few seconds of everything: what CI runs so the benchmark never rots (its numbers mean nothing)
SMOKE = Sizes(
    events=2_500,
    rebuild_runs=1,
    import_runs=1,
    write_seconds=0.5,
    hot_clients=4,
    hot_activities=2,
    rss_seconds=1.0,
    commits=12,
    queries=20,
    api_queries=10,
    replays=3,
    seconds=1.0,
    rounds=1,
    connections=4,
    workers="1",
    subscribers=20,
    fanout_events=3,
    postgraphile=False,
    report_samples=8,
    report_plans=1,
    pdf_pages=12,
    minutes_runs=1,
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Process:
    """A server this run started, in a session of its own, its output in a log file."""

    name: str
    command: list[str]
    env: dict[str, str]
    port: int
    log: Path
    cwd: Path = ROOT
    popen: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        with self.log.open("wb") as out:
            self.popen = subprocess.Popen(
                self.command, cwd=self.cwd, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )

    def wait_http(self, path: str, ok: Callable[[httpx.Response], bool], timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.popen is not None
            if self.popen.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.log.read_text(errors='replace')[-2000:]}")
            with contextlib.suppress(httpx.HTTPError, ValueError):
                if ok(httpx.get(f"{self.url}{path}", timeout=2)):
                    return
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not become ready in {timeout:.0f} s")

    def stop(self) -> None:
        if self.popen is None or self.popen.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGTERM)
        try:
            self.popen.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait()


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coroutine)


@dataclass
class Context:
    server: ServerAddress  #: the PostgreSQL server (its maintenance database)
    sizes: Sizes
    say: Callable[[str], None]
    load_generator: str = "python"
    stack: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="bench-")))
    #: facts for the report (the generated ledger, log size, versions of peers...)
    facts: dict[str, Any] = field(default_factory=dict)
    _database: ServerAddress | None = None
    _summary: Any = None
    _servers: dict[int, Process] = field(default_factory=dict)
    _tokens: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.stack.callback(shutil.rmtree, self.folder, True)

    def close(self) -> None:
        self.stack.close()

    # -- databases ---------------------------------------------------------------------------------

    def scratch(self, prefix: str) -> ServerAddress:
        """A new empty database on the server, dropped when the run ends (or by `drop`)."""
        address = create_scratch_database(self.server, prefix)
        self.stack.callback(self.drop, address)
        self.facts.setdefault("scratch_databases", []).append(address.dbname)
        self.say(f"scratch database {address.dbname}")
        return address

    def drop(self, address: ServerAddress) -> None:
        drop_scratch_database(self.server, address)

    def database(self) -> ServerAddress:
        """The scratch database with the generated ledger (`sizes.events`, `sizes.seed`)."""
        if self._database is None:
            from bench.generate import generate

            address = self.scratch("bench")
            self.say(f"generating {self.sizes.events:,} events into {address.dbname}")
            summary = generate(address, events=self.sizes.events, seed=self.sizes.seed, progress=self.say)
            self._summary = summary
            self.facts["generate"] = {k: v for k, v in summary.as_dict().items() if k != "plan_ids"}
            self._database = address
        return self._database

    @property
    def plan_ids(self) -> list[str]:
        self.database()
        return list(self._summary.plan_ids)

    def projected(self) -> ServerAddress:
        """The ledger with its read models at the log's head (rebuilt, untimed, when behind)."""
        address = self.database()

        async def behind() -> bool:
            import asyncpg

            from projections.projector import log_position, read_position

            conn = await asyncpg.connect(**address.asyncpg_args())
            try:
                if not await conn.fetchval("SELECT to_regclass('projection_position') IS NOT NULL"):
                    return True
                return await read_position(conn) < await log_position(conn)
            finally:
                await conn.close()

        if run_async(behind()):
            from projections.rebuild import rebuild
            from service.application.migrate import migrate

            self.say("building the read models (not timed)")
            # their tables, at this code's version first: a server started on them then finds them
            # current (it rebuilt all of them again, ~80 s at 1M events, on every start)
            run_async(migrate(address))
            run_async(rebuild(address.asyncpg_args()))
        return address

    # -- processes ---------------------------------------------------------------------------------

    def start(self, process: Process) -> Process:
        self.stack.callback(process.stop)
        process.start()
        assert process.popen is not None
        self.facts.setdefault("started", []).append(
            {"name": process.name, "pid": process.popen.pid, "port": process.port}
        )
        self.say(f"started {process.name} (pid {process.popen.pid}, port {process.port})")
        return process

    def token(self, role: str) -> str:
        """An API token of `role` on the ledger's database (made once per run)."""
        if role not in self._tokens:
            from service.application import tokens

            async def make() -> str:
                import asyncpg

                conn = await asyncpg.connect(**self.database().asyncpg_args())
                try:
                    return (await tokens.create(conn, role, None, f"bench-{role}"))[1]
                finally:
                    await conn.close()

            self._tokens[role] = run_async(make())
        return self._tokens[role]

    def planledger(self, workers: int = 1) -> Process:
        """`planledger serve --workers N` on the ledger, ready and caught up (one per N per run)."""
        running = self._servers.get(workers)
        if running is not None and running.popen is not None and running.popen.poll() is None:
            return running
        address = self.projected()
        port = free_port()
        env = {**os.environ, "DATABASE_URL": address.url()}
        command = [sys.executable, "-m", "service.cli", "serve", "--port", str(port), "--workers", str(workers)]
        server = self.start(
            Process(f"planledger w{workers}", command, env, port, self.folder / f"serve-w{workers}.log")
        )
        self._servers[workers] = server
        server.wait_http("/readyz", lambda r: r.status_code == 200 and r.json().get("lagEvents") == 0, 180)
        return server

    def stop_planledger(self, workers: int) -> None:
        server = self._servers.pop(workers, None)
        if server is not None:
            server.stop()
