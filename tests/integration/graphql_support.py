"""Running GraphQL documents against real PostgreSQL, in process or over HTTP to a real server
process (no tests here). Both speak the same small interface, so one scenario runs both ways."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import asyncpg
import httpx
import pytest

from projections.projector import Projector, ProjectorBusy
from projections.schema import create_tables
from service.api.context import Context, Reader
from service.api.schema import schema
from service.application.access import Principal
from service.application.ledger import PlanLedger
from service.application.roles import Role
from service.config import ServerAddress
from tests.conftest import create_database, drop_database, url_of
from tests.e2e.server_process import Server

#: who the tests act as unless they say: an admin (a context always names its principal)
ADMIN = Principal(name="api", role=Role.ADMIN)

PAYLOAD = " __typename ... on Recorded { streamId version cursor position replayed createdId projected }"


def _mutation(name: str, body: str) -> str:
    return f"mutation($input: {name[0].upper() + name[1:]}Input!) {{ r: {name}(input: $input) {{ {body} }} }}"


class Runner:
    """What a scenario needs: run documents, run mutations that must succeed or be refused."""

    async def project(self, position: int = 0, timeout: float = 5.0) -> bool:
        raise NotImplementedError

    async def raw(self, query: str, variables: dict[str, Any] | None = None) -> Any:
        raise NotImplementedError

    async def run(self, query: str, variables: dict[str, Any] | None = None, project: bool = True) -> dict[str, Any]:
        if project:
            await self.project()
        result = await self.raw(query, variables)
        assert not result.errors, result.errors
        assert result.data is not None
        data: dict[str, Any] = result.data
        return data

    async def ok(self, mutation: str, input: dict[str, Any], fields: str = "") -> dict[str, Any]:
        """Run a mutation that must succeed; returns its payload."""
        data = await self.run(
            _mutation(mutation, f"{PAYLOAD} ... on UserError {{ message code }} {fields}"),
            {"input": input},
            project=False,
        )
        payload: dict[str, Any] = data["r"]
        assert "code" not in payload, payload
        return payload

    async def refused(self, mutation: str, input: dict[str, Any], fields: str = "") -> dict[str, Any]:
        """Run a mutation that must be refused with a typed error; returns the error."""
        data = await self.run(
            _mutation(mutation, f"__typename ... on UserError {{ message code }} {fields}"),
            {"input": input},
            project=False,
        )
        payload: dict[str, Any] = data["r"]
        assert "code" in payload, payload
        return payload


@dataclass
class Api(Runner):
    """The schema in this process over one database."""

    ledger: PlanLedger
    pool: asyncpg.Pool
    address: ServerAddress
    statements: list[str] = field(default_factory=list)
    #: run as this token owner, checked against its role (the tests' own admin unless they say)
    principal: Principal = ADMIN

    def as_(self, principal: Principal) -> Api:
        return Api(self.ledger, self.pool, self.address, self.statements, principal)

    async def project(self, position: int = 0, timeout: float = 5.0) -> bool:
        """Project everything recorded so far. Two root fields of one request may ask at once
        (each resolver waits for the read models): the one that finds the projector lock taken
        waits for that catch-up to end and catches up after it (it answered INTERNAL, 'another
        projector is active', on CI's embedded PostgreSQL)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            try:
                await Projector(self.address.asyncpg_args()).catch_up()
                return True
            except ProjectorBusy:
                if asyncio.get_running_loop().time() > deadline:
                    raise
                await asyncio.sleep(0.01)

    async def raw(self, query: str, variables: dict[str, Any] | None = None) -> Any:
        snapshot = not query.lstrip().startswith("mutation")
        context = Context(
            pool=self.pool,
            ledger=self.ledger,
            reader=Reader(self.pool, snapshot=snapshot),
            principal=self.principal,
            wait_projected=self.project,
        )
        try:
            return await schema.execute(query, variable_values=variables, context_value=context)
        finally:
            await context.reader.close()


@dataclass
class HttpApi(Runner):
    """A real `planledger serve` process, spoken to over HTTP."""

    server: Server

    async def project(self, position: int = 0, timeout: float = 5.0) -> bool:
        await self.server.wait_projected(timeout)
        return True

    async def raw(self, query: str, variables: dict[str, Any] | None = None) -> Any:
        async with httpx.AsyncClient(timeout=30) as client:
            response = await client.post(
                f"{self.server.url}/graphql",
                json={"query": query, "variables": variables or {}},
                headers={"Accept": "application/graphql-response+json", **self.server.headers},
            )
        body = response.json()
        assert response.status_code in (200, 400), (response.status_code, body)
        errors = [
            SimpleNamespace(message=e["message"], **{k: v for k, v in e.items() if k != "message"})
            for e in body.get("errors", [])
        ]
        return SimpleNamespace(data=body.get("data"), errors=errors or None, status=response.status_code)


@pytest.fixture
async def api(database: ServerAddress) -> AsyncIterator[Api]:
    ledger = PlanLedger.connect(database)
    statements: list[str] = []

    async def log_queries(conn: asyncpg.Connection) -> None:
        conn.add_query_logger(lambda record: statements.append(record.query))

    pool = await asyncpg.create_pool(min_size=1, max_size=5, init=log_queries, **database.asyncpg_args())
    async with pool.acquire() as conn:
        await create_tables(conn)
    try:
        yield Api(ledger, pool, database, statements)
    finally:
        await pool.close()
        ledger.close()


@pytest.fixture(params=["in-process", "http"])
async def client(request: pytest.FixtureRequest, server: ServerAddress) -> AsyncIterator[Runner]:
    """The same scenario, once against the schema in process and once against a server process."""
    address = create_database(server)
    try:
        if request.param == "http":
            process = Server(url_of(address)).start()
            try:
                yield HttpApi(process)
            finally:
                process.stop()
        else:
            ledger = PlanLedger.connect(address)
            pool = await asyncpg.create_pool(min_size=1, max_size=5, **address.asyncpg_args())
            async with pool.acquire() as conn:
                await create_tables(conn)
            try:
                yield Api(ledger, pool, address)
            finally:
                await pool.close()
                ledger.close()
    finally:
        drop_database(server, address)
