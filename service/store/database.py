"""Which PostgreSQL server to use — `DATABASE_URL`, or the embedded one — and checking it is there."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import psycopg

from service.config import ServerAddress, Settings
from service.errors import DatabaseUnavailable
from service.store.embedded import EmbeddedServer

EMBEDDED_DBNAME = "planledger"


@dataclass
class Database:
    address: ServerAddress
    embedded: EmbeddedServer | None = None

    def close(self) -> None:
        if self.embedded is not None:
            self.embedded.stop()
            self.embedded = None

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def open_database(settings: Settings) -> Database:
    """Reach the configured server (starting the embedded one if there is no URL)."""
    if settings.database_url:
        address = ServerAddress.from_url(settings.database_url)
        check_reachable(address)
        return Database(address)
    embedded = EmbeddedServer(settings.data_dir)
    try:
        server = embedded.start()
        address = ServerAddress(server.host, server.port, server.user, server.password, EMBEDDED_DBNAME)
        ensure_database(server, EMBEDDED_DBNAME)
        check_reachable(address)
    except BaseException:
        embedded.stop()
        raise
    return Database(address, embedded)


def check_reachable(address: ServerAddress) -> None:
    try:
        with psycopg.connect(address.dsn(), connect_timeout=5) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise DatabaseUnavailable(f"cannot reach PostgreSQL at {address.describe()}: {reason}") from None


def ensure_database(server: ServerAddress, dbname: str) -> None:
    """Create `dbname` on `server` if it is missing (the embedded server starts with none)."""
    try:
        with psycopg.connect(server.dsn("postgres"), connect_timeout=5, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,)).fetchone()
            if not exists:
                with contextlib.suppress(psycopg.errors.DuplicateDatabase):
                    conn.execute(f'CREATE DATABASE "{dbname}"')
    except psycopg.Error as error:
        raise DatabaseUnavailable(f"cannot prepare database {dbname}: {error}".splitlines()[0]) from None


def create_scratch_database(server: ServerAddress, prefix: str) -> ServerAddress:
    """A new, empty database `<prefix>_<random>` on `server` (for tests and benchmarks)."""
    name = f"{prefix}_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return ServerAddress(server.host, server.port, server.user, server.password, name)


def drop_scratch_database(server: ServerAddress, address: ServerAddress) -> None:
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{address.dbname}" WITH (FORCE)')


@contextlib.contextmanager
def schema_lock(address: ServerAddress) -> Iterator[None]:
    """Serialise schema creation and migration across processes sharing one database."""
    with psycopg.connect(address.dsn(), connect_timeout=5, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(7301)")
        try:
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(7301)")
