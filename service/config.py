"""Configuration from the environment: `DATABASE_URL`, `PLANLEDGER_DATA_DIR`."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

from service.errors import ConfigurationError

DEFAULT_DATA_DIR = "./.planledger"


def _quoted(value: str) -> str:
    return value.replace("\\", "\\\\").replace("'", "\\'")


@dataclass(frozen=True)
class ServerAddress:
    """Where a PostgreSQL server listens, split out of a `postgresql://` URL."""

    host: str
    port: int
    user: str
    password: str
    dbname: str

    @classmethod
    def from_url(cls, url: str) -> ServerAddress:
        parts = urlsplit(url)
        if parts.scheme not in ("postgresql", "postgres"):
            raise ConfigurationError(
                f"DATABASE_URL must start with postgresql:// (got {parts.scheme or 'no scheme'}://)"
            )
        query = parse_qs(parts.query)
        host = query.get("host", [parts.hostname or ""])[0] or "localhost"
        try:
            port = int(query.get("port", [parts.port or 5432])[0])
        except ValueError:
            raise ConfigurationError("DATABASE_URL has a port that is not a number") from None
        dbname = unquote(parts.path.lstrip("/")) or "postgres"
        return cls(
            host=unquote(host),
            port=port,
            user=unquote(parts.username or "postgres"),
            password=unquote(parts.password or ""),
            dbname=dbname,
        )

    def dsn(self, dbname: str | None = None) -> str:
        """A libpq keyword DSN; asyncpg and psycopg both take it (a socket folder works as host)."""
        values = {
            "host": self.host,
            "port": str(self.port),
            "user": self.user,
            "password": self.password,
            "dbname": dbname or self.dbname,
        }
        # Quoted: an empty or spaced value must not swallow the next keyword.
        return " ".join(f"{key}='{_quoted(value)}'" for key, value in values.items() if value or key != "password")

    def url(self) -> str:
        """A postgresql:// URL of this address (what `from_url` reads back)."""
        auth = quote(self.user, safe="") + (f":{quote(self.password, safe='')}" if self.password else "")
        dbname = quote(self.dbname, safe="")
        if self.host.startswith("/"):  # a socket folder goes in the query
            return f"postgresql://{auth}@/{dbname}?host={quote(self.host, safe='/')}&port={self.port}"
        return f"postgresql://{auth}@{self.host}:{self.port}/{dbname}"

    def asyncpg_args(self) -> dict[str, object]:
        return {
            "host": self.host,
            "port": self.port,
            "user": self.user,
            "password": self.password or None,
            "database": self.dbname,
        }

    def eventsourcing_env(self) -> dict[str, str]:
        """eventsourcing reads no DATABASE_URL: this is the one place the URL is split for it."""
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": self.dbname,
            "POSTGRES_HOST": self.host,
            "POSTGRES_PORT": str(self.port),
            "POSTGRES_USER": self.user,
            "POSTGRES_PASSWORD": self.password,
            "POSTGRES_CONNECT_TIMEOUT": "5",
        }

    def describe(self) -> str:
        return f"{self.user}@{self.host}:{self.port}/{self.dbname}"


@dataclass(frozen=True)
class Settings:
    database_url: str | None
    data_dir: Path
    #: PLANLEDGER_ANONYMOUS_READS=1: queries and subscriptions without a token (as a reader)
    anonymous_reads: bool = False
    #: PLANLEDGER_METRICS_FROM=10.0.0.5,127.0.0.1: scrapers at these addresses need no token for /metrics
    metrics_from: frozenset[str] = frozenset()

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        url = env.get("DATABASE_URL") or None
        if url is not None:
            ServerAddress.from_url(url)  # fail early on a malformed URL
        anonymous = (env.get("PLANLEDGER_ANONYMOUS_READS") or "").strip().lower() in ("1", "true", "yes", "on")
        return cls(
            database_url=url,
            data_dir=Path(env.get("PLANLEDGER_DATA_DIR") or DEFAULT_DATA_DIR),
            anonymous_reads=anonymous,
            metrics_from=frozenset(
                a.strip() for a in (env.get("PLANLEDGER_METRICS_FROM") or "").split(",") if a.strip()
            ),
        )
