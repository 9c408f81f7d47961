"""Fixtures that start real things: a real PostgreSQL server and a fresh database per test.

By default the suite runs on an embedded PostgreSQL (18) of its own, in a temporary folder.
Set PLANLEDGER_TEST_DATABASE_URL (e.g. postgresql://postgres@127.0.0.1:5432/test) to run it
against another server instead; each test still gets a database of its own there.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from service.config import ServerAddress
from service.embedded import EmbeddedServer

SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "000_1b0c0a315fd9d1d0.txt"


@pytest.fixture(scope="session")
def server() -> Iterator[ServerAddress]:
    """The PostgreSQL server the suite uses, reachable on its maintenance database."""
    url = os.environ.get("PLANLEDGER_TEST_DATABASE_URL")
    if url:
        yield ServerAddress.from_url(url)
        return
    folder = Path(tempfile.mkdtemp(prefix="planledger-test-"))
    embedded = EmbeddedServer(folder)
    try:
        address = embedded.start()
        yield ServerAddress(address.host, address.port, address.user, address.password, "postgres")
    finally:
        embedded.stop()
        shutil.rmtree(folder, ignore_errors=True)


def create_database(server: ServerAddress) -> ServerAddress:
    name = f"t_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return ServerAddress(server.host, server.port, server.user, server.password, name)


def drop_database(server: ServerAddress, address: ServerAddress) -> None:
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{address.dbname}" WITH (FORCE)')


@pytest.fixture
def database(server: ServerAddress) -> Iterator[ServerAddress]:
    """A fresh, empty database on the test server, dropped afterwards."""
    address = create_database(server)
    try:
        yield address
    finally:
        drop_database(server, address)


def url_of(address: ServerAddress) -> str:
    return f"postgresql://{address.user}@/{address.dbname}?host={address.host}&port={address.port}"


@pytest.fixture
def database_url(database: ServerAddress) -> str:
    return url_of(database)
