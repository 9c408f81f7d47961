"""Fixtures that start real things: a real PostgreSQL server and a fresh database per test.

By default the suite runs on an embedded PostgreSQL (18) of its own, in a temporary folder.
Set PLANLEDGER_TEST_DATABASE_URL (e.g. postgresql://postgres@127.0.0.1:5432/test) to run it
against another server instead; each test still gets a database of its own there.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from service.config import ServerAddress
from service.store.database import create_scratch_database, drop_scratch_database
from service.store.embedded import EmbeddedServer


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
    return create_scratch_database(server, "t")


def drop_database(server: ServerAddress, address: ServerAddress) -> None:
    drop_scratch_database(server, address)


@pytest.fixture
def database(server: ServerAddress) -> Iterator[ServerAddress]:
    """A fresh, empty database on the test server, dropped afterwards."""
    address = create_database(server)
    try:
        yield address
    finally:
        drop_database(server, address)


def url_of(address: ServerAddress) -> str:
    return address.url()


@pytest.fixture
def database_url(database: ServerAddress) -> str:
    return url_of(database)
