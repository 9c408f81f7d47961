"""API tokens: printed once, stored only as a hash; listed and revoked by id.

A token is `plt_` and 43 random URL-safe characters. Its owner (`name`) is who every event it
records names as its actor; its role (and, for the unit role, its unit) decides what it may do.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from domain.errors import IdempotencyKeyReused, ValidationError
from projections.errors import DATABASE_AWAY
from service.application.access import Principal
from service.application.roles import Role

TABLE = "planledger_tokens"
PREFIX = "plt_"
MAX_NAME = 200
#: what a token id (a UUID as `token list` shows it), or its first characters, may hold
ID_PREFIX = re.compile(r"[0-9a-f-]{1,36}")
#: seconds a token check may take (a pool connection and the lookup) before answering 503
LOOKUP_TIMEOUT = 5.0
#: seconds between the checks that close the sockets of a token revoked meanwhile (service.web.app)
RECHECK_EVERY = 1.0
DDL = (
    f"CREATE TABLE IF NOT EXISTS {TABLE} (id uuid PRIMARY KEY, name text NOT NULL, role text NOT NULL, "
    "unit text, hash text NOT NULL UNIQUE, created_at timestamptz NOT NULL DEFAULT now(), revoked_at timestamptz)"
)
#: a token made through the API carries who asked for it and the idempotency key of the form that
#: asked (createToken's idempotencyKey): the same key from the same admin makes one token. Added to
#: a table made before (once: the index is made last, so its presence says both columns are there)
KEYS_INDEX = f"{TABLE}_idempotency"
KEYS_DDL = (
    f"ALTER TABLE {TABLE} ADD COLUMN IF NOT EXISTS created_by text, ADD COLUMN IF NOT EXISTS idempotency_key text",
    f"CREATE UNIQUE INDEX IF NOT EXISTS {KEYS_INDEX} ON {TABLE} (created_by, idempotency_key) "
    "WHERE idempotency_key IS NOT NULL",
)
#: the longest idempotency key taken (the dashboard's are 37 characters: "form-" and 32 hex digits)
MAX_KEY = 200


@dataclass(frozen=True)
class Token:
    id: uuid.UUID
    name: str
    role: Role
    unit: str | None
    created_at: datetime
    revoked_at: datetime | None

    @property
    def principal(self) -> Principal:
        return Principal(name=self.name, role=self.role, unit=self.unit)


def hash_of(secret: str) -> str:
    return hashlib.sha256(secret.strip().encode()).hexdigest()


def checked(role: str, unit: str | None, name: str | None) -> tuple[Role, str | None, str]:
    """The role, unit and name a new token gets, or ValidationError naming what is wrong."""
    try:
        known = Role(role)
    except ValueError:
        raise ValidationError("role", f"{role!r} is not one of {', '.join(Role)}") from None
    unit = (unit or "").strip() or None
    if known == Role.UNIT and unit is None:
        raise ValidationError("unit", "a unit token needs --unit: the unit whose activities it may update")
    if known != Role.UNIT and unit is not None:
        raise ValidationError("unit", "only a unit token takes --unit")
    name = (name or "").strip() or (f"{known.value}:{unit}" if unit else known.value)
    if len(name) > MAX_NAME:
        raise ValidationError("name", f"at most {MAX_NAME} characters")
    return known, unit, name


async def ensure_table(conn: asyncpg.Connection) -> None:
    """The table and its keys' index; made (or given the keys) by one caller at a time: two at once
    (the workers of `serve --workers N` on a new database, two first createTokens) both ran
    CREATE TABLE IF NOT EXISTS, and one failed on pg_type's unique name."""
    if await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", KEYS_INDEX):
        return
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", KEYS_INDEX)
        await conn.execute(DDL)
        for statement in KEYS_DDL:
            await conn.execute(statement)


async def create(
    conn: asyncpg.Connection, role: str, unit: str | None = None, name: str | None = None
) -> tuple[Token, str]:
    """A new token and its secret (the only time the secret exists outside the caller)."""
    known, unit, name = checked(role, unit, name)
    await ensure_table(conn)
    secret = PREFIX + secrets.token_urlsafe(32)
    row = await conn.fetchrow(
        f"INSERT INTO {TABLE} (id, name, role, unit, hash) VALUES ($1, $2, $3, $4, $5) RETURNING *",
        uuid.uuid4(),
        name,
        known.value,
        unit,
        hash_of(secret),
    )
    return _token(row), secret


async def create_once(
    conn: asyncpg.Connection, role: str, unit: str | None, name: str | None, key: str, created_by: str
) -> tuple[Token, str | None]:
    """The token made for `created_by`'s idempotency `key`: a new one and its secret the first
    time; the same token and None after (its secret was given to the first answer only, and is
    kept nowhere). The same key with another role, unit or name is refused (IdempotencyKeyReused)."""
    known, unit, name = checked(role, unit, name)
    key = key.strip()
    if not key or len(key) > MAX_KEY:
        raise ValidationError("idempotencyKey", f"an idempotency key is 1 to {MAX_KEY} characters")
    await ensure_table(conn)
    secret = PREFIX + secrets.token_urlsafe(32)
    row = await conn.fetchrow(
        f"INSERT INTO {TABLE} (id, name, role, unit, hash, created_by, idempotency_key) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7) "
        "ON CONFLICT (created_by, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING RETURNING *",
        uuid.uuid4(),
        name,
        known.value,
        unit,
        hash_of(secret),
        created_by,
        key,
    )
    if row is not None:
        return _token(row), secret
    row = await conn.fetchrow(f"SELECT * FROM {TABLE} WHERE created_by = $1 AND idempotency_key = $2", created_by, key)
    if (row["role"], row["unit"], row["name"]) != (known.value, unit, name):
        raise IdempotencyKeyReused(key)
    return _token(row), None


async def all_tokens(conn: asyncpg.Connection) -> list[Token]:
    await ensure_table(conn)
    return [_token(r) for r in await conn.fetch(f"SELECT * FROM {TABLE} ORDER BY created_at, id")]


async def revoke(conn: asyncpg.Connection, token_id: str) -> Token:
    """Revoke the token whose id is (or starts with) `token_id`; refused when ambiguous or unknown."""
    await ensure_table(conn)
    prefix = token_id.strip().lower()
    if len(prefix) < 6:
        raise ValidationError("token_id", "give at least the first 6 characters of the token id (see token list)")
    if not ID_PREFIX.fullmatch(prefix):
        # (a LIKE pattern made of it took "_" and "%" as wildcards: '_7ed6%' revoked 17ed6…)
        raise ValidationError("token_id", f"{token_id!r} is not a token id: hexadecimal digits and hyphens")
    rows = await conn.fetch(f"SELECT * FROM {TABLE} WHERE starts_with(id::text, $1)", prefix)
    if not rows:
        raise ValidationError("token_id", f"no token with id {token_id!r} (see token list)")
    if len(rows) > 1:
        raise ValidationError("token_id", f"{token_id!r} matches {len(rows)} tokens; give more of the id")
    row = await conn.fetchrow(
        f"UPDATE {TABLE} SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING *", rows[0]["id"]
    )
    return _token(row)


async def any_token(conn: asyncpg.Connection) -> bool:
    await ensure_table(conn)
    return bool(await conn.fetchval(f"SELECT EXISTS (SELECT 1 FROM {TABLE})"))


async def lookup(conn: asyncpg.Connection, secret: str, timeout: float | None = None) -> Token | None:
    """The live token with this secret, or None."""
    if not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    row = await conn.fetchrow(
        f"SELECT * FROM {TABLE} WHERE hash = $1 AND revoked_at IS NULL", hash_of(secret), timeout=timeout
    )
    return None if row is None else _token(row)


def _token(row: asyncpg.Record) -> Token:
    return Token(row["id"], row["name"], Role(row["role"]), row["unit"], row["created_at"], row["revoked_at"])


#: what a database that is away (stopped, restarting, unreachable) raises; a request that meets one
#: is answered 503 with Retry-After. (Not every PostgresError: a refused statement is a bug, a 500.)
class AuthenticationUnavailable(Exception):
    """A token could not be checked because the database did not answer (HTTP 503, not 401)."""


class Authenticator:
    """Turns an `Authorization: Bearer …` value into a principal, remembering answers briefly
    (a revocation takes effect within `ttl` seconds). `still_valid` is for what lives longer than a
    request (a WebSocket): asked every RECHECK_EVERY seconds, it learns of a revocation within
    about twice that."""

    def __init__(self, pool: asyncpg.Pool, anonymous_reads: bool = False, ttl: float = 5.0) -> None:
        self.pool = pool
        self.anonymous_reads = anonymous_reads
        self.ttl = ttl
        self._seen: dict[str, tuple[float, Principal | None]] = {}
        #: recent re-checks, by token hash: (until when the answer holds, live); one lookup in flight each
        self._checked: dict[str, tuple[float, bool]] = {}
        self._checking: dict[str, asyncio.Future[bool]] = {}

    async def principal(self, authorization: str | None) -> Principal | None:
        """Who this is; None when there is no valid token (and anonymous reads are off).

        Raises AuthenticationUnavailable when the token is not remembered and the database is away."""
        if not authorization or not authorization.strip():
            return Principal(name="anonymous", role=Role.READER) if self.anonymous_reads else None
        scheme, _, secret = authorization.strip().partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            return None
        key = hash_of(secret)
        now = time.monotonic()
        found = self._seen.get(key)
        if found is not None and found[0] > now:
            return found[1]
        token = await self._lookup(secret.strip())
        principal = None if token is None else token.principal
        if len(self._seen) > 10_000:
            self._seen.clear()
        self._seen[key] = (now + self.ttl, principal)
        return principal

    async def _lookup(self, secret: str) -> Token | None:
        """The live token, asked of the database within LOOKUP_TIMEOUT seconds in all."""
        deadline = time.monotonic() + LOOKUP_TIMEOUT
        try:
            async with self.pool.acquire(timeout=LOOKUP_TIMEOUT) as conn:
                return await lookup(conn, secret, timeout=max(0.1, deadline - time.monotonic()))
        except DATABASE_AWAY as error:
            raise AuthenticationUnavailable(f"the token could not be checked: {type(error).__name__}") from error

    async def still_valid(self, authorization: str) -> bool:
        """Whether the bearer token that `authorization` carries is still live: asked of the
        database at most once per RECHECK_EVERY seconds per token, however many sockets use it.
        Raises AuthenticationUnavailable when the database is away (not an answer either way)."""
        scheme, _, secret = authorization.strip().partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            return False
        key = hash_of(secret)
        found = self._checked.get(key)
        if found is not None and found[0] > time.monotonic():
            return found[1]
        checking = self._checking.get(key)
        if checking is None:
            checking = self._checking[key] = asyncio.ensure_future(self._recheck(key, secret.strip()))
            checking.add_done_callback(lambda done: done.cancelled() or done.exception())  # retrieved
        return await asyncio.shield(checking)

    async def _recheck(self, key: str, secret: str) -> bool:
        try:
            live = await self._lookup(secret) is not None
        finally:
            del self._checking[key]
        if len(self._checked) > 10_000:
            self._checked.clear()
        self._checked[key] = (time.monotonic() + RECHECK_EVERY, live)
        if not live:  # revoked: HTTP requests with it are refused from now on too, not in up to `ttl`
            self._seen[key] = (time.monotonic() + self.ttl, None)
        return live
