"""A real `planledger serve` process on a given database, and clients for it (no tests here)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import websockets

from service.config import ServerAddress
from tests.conftest import create_database, drop_database, url_of
from tests.paths import ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """`planledger serve` on `database_url`, stopped with SIGTERM."""

    database_url: str
    workers: int = 1
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[str] | None = None
    #: an admin token made with `planledger token create` before the server starts
    token: str = ""
    extra_env: dict[str, str] = field(default_factory=dict)
    #: where the server's stderr goes (default: a pipe, read by `stop`); a file never fills up,
    #: so a server that logs a lot (e.g. while its database is away) never blocks on it
    log_file: Path | None = None

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def make_token(self, role: str = "admin", unit: str | None = None, name: str = "api") -> str:
        command = [sys.executable, "-m", "service.cli", "token", "create", "--role", role, "--name", name]
        if unit:
            command += ["--unit", unit]
        made = subprocess.run(
            command, cwd=ROOT, env={**os.environ, "DATABASE_URL": self.database_url}, capture_output=True, text=True
        )
        assert made.returncode == 0, made.stderr
        return made.stdout.strip()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> Server:
        if not self.token:
            self.token = self.make_token()
        env = {**os.environ, "DATABASE_URL": self.database_url, **self.extra_env}
        stderr: Any = subprocess.PIPE
        if self.log_file is not None:
            stderr = self.log_file.open("a")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "serve", "--port", str(self.port), "--workers", str(self.workers)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            text=True,
        )
        if self.log_file is not None:
            stderr.close()  # the child has its own copy
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"serve exited: {self.logs()}")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise AssertionError("the server did not become ready")

    def stop(self) -> str:
        if self.process is None:
            return ""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.logs()

    def logs(self) -> str:
        """What the server wrote to stderr (from a pipe: only once it has exited)."""
        if self.log_file is not None:
            return self.log_file.read_text() if self.log_file.exists() else ""
        if self.process is None or self.process.stderr is None:
            return ""
        return self.process.stderr.read()

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def post(self, query: str, variables: dict[str, Any] | None = None, token: str | None = None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token or self.token}"}
        return httpx.post(f"{self.url}/graphql", json={"query": query, "variables": variables or {}}, headers=headers)

    async def wait_projected(self, timeout: float = 10) -> None:
        """Until the read models hold the whole log."""
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient() as client:
            while time.monotonic() < deadline:
                ready = (await client.get(f"{self.url}/readyz")).json()
                if ready.get("lagEvents") == 0:
                    return
                await asyncio.sleep(0.02)
        raise AssertionError("the projector did not catch up")


class Subscription:
    """One graphql-transport-ws connection running one subscription."""

    def __init__(self, ws: Any, operation_id: str) -> None:
        self.ws = ws
        self.id = operation_id

    async def next(self, timeout: float = 5) -> dict[str, Any]:
        while True:
            message = json.loads(await asyncio.wait_for(self.ws.recv(), timeout))
            if message["type"] == "ping":
                await self.ws.send(json.dumps({"type": "pong"}))
                continue
            if message["type"] == "next" and message["id"] == self.id:
                payload: dict[str, Any] = message["payload"]
                assert not payload.get("errors"), payload
                return payload["data"]
            if message["type"] in ("error", "complete"):
                raise AssertionError(f"subscription ended: {message}")

    async def nothing_for(self, seconds: float) -> None:
        try:
            message = await asyncio.wait_for(self.ws.recv(), seconds)
        except TimeoutError:
            return
        raise AssertionError(f"unexpected message: {message}")


@contextlib.asynccontextmanager
async def subscribe(
    server: Server, query: str, variables: dict[str, Any] | None = None, payload: dict[str, Any] | None = None
) -> AsyncIterator[Subscription]:
    url = server.url.replace("http://", "ws://") + "/graphql"
    if payload is None:
        payload = {"authorization": f"Bearer {server.token}"}
    async with websockets.connect(url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init", "payload": payload or {}}))
        ack = json.loads(await asyncio.wait_for(ws.recv(), 5))
        assert ack["type"] == "connection_ack", ack
        operation_id = uuid.uuid4().hex
        await ws.send(
            json.dumps(
                {"id": operation_id, "type": "subscribe", "payload": {"query": query, "variables": variables or {}}}
            )
        )
        yield Subscription(ws, operation_id)


@contextlib.contextmanager
def on_a_new_database(postgres: ServerAddress) -> Iterator[Server]:
    """A started `planledger serve` on a database of its own with nothing in it, dropped after."""
    address = create_database(postgres)
    process = Server(url_of(address))
    try:
        process.start()
        yield process
    finally:
        process.stop()
        drop_database(postgres, address)
