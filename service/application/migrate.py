"""`planledger migrate`: bring a database's schema up to date; idempotent, and safe to run from
several instances at once (they take turns under an advisory lock; the later ones find nothing
to do).

The event store's tables only ever gain what eventsourcing creates; old events are never
rewritten (an older event shape is upcast when read). The read models carry a version: when the
code's is newer than the database's, they are rebuilt from the log into new tables while the old
ones keep serving, then switched in one transaction — no downtime, never a half-built state.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import asyncpg

from projections.rebuild import Progress
from projections.schema import READ_MODELS, SCHEMA_TABLE, create_tables
from service.application import tokens
from service.application.ledger import PlanLedger
from service.config import ServerAddress
from service.store.rebuilding import rebuild_reporting

#: bump when the read-model tables change shape (columns, meaning); migrate then rebuilds them
#: (4: progress null until reported, risks not yet assessed without score or level; the reporting axis:
#: row versions by reported_from/reported_to; 5: action items keep whether they are periodic and their
#: meeting's body, so a periodic item is due at the body's next meeting; activities their status's
#: reasons one by one; proposals and committees' membership changes are read models of their own;
#: 6: a meeting says whether it was extraordinary)
READ_MODEL_VERSION = 6
MIGRATE_LOCK = 0x706C616E5F6D6967  # "plan_mig"


@dataclass(frozen=True)
class Migrated:
    read_models_from: int | None
    read_models_to: int
    rebuilt_events: int | None

    def describe(self) -> str:
        if self.rebuilt_events is not None:
            before = "none" if self.read_models_from is None else str(self.read_models_from)
            return (
                f"read models rebuilt from {self.rebuilt_events} events (version {before} → {self.read_models_to}); "
                "event store up to date"
            )
        return f"up to date: event store ready, read models at version {self.read_models_to}"


async def migrate(address: ServerAddress, progress: Callable[[Progress], None] | None = None) -> Migrated:
    PlanLedger.connect(address).close()  # the event store's tables (under their own lock)
    args = address.asyncpg_args()
    conn = await asyncpg.connect(**args)
    try:
        await conn.execute("SELECT pg_advisory_lock($1)", MIGRATE_LOCK)
        try:
            await conn.execute(
                f"CREATE TABLE IF NOT EXISTS {SCHEMA_TABLE} (component text PRIMARY KEY, version integer NOT NULL, "
                "migrated_at timestamptz NOT NULL DEFAULT now())"
            )
            await tokens.ensure_table(conn)
            before = await conn.fetchval(f"SELECT version FROM {SCHEMA_TABLE} WHERE component = $1", READ_MODELS)
            found = before
            existed = bool(await conn.fetchval("SELECT to_regclass('rm_activity') IS NOT NULL"))
            await create_tables(conn)
            if found is None and not existed:
                found = READ_MODEL_VERSION  # new tables are of this version already
            rebuilt = None
            if found != READ_MODEL_VERSION:
                # Untracked tables (made by an earlier serve) or an older version: rebuild and switch,
                # recording the new version as part of the switch (an instance of older code stops
                # projecting at once, before it writes a row in the old shape into the new tables).
                rebuilt = await rebuild_reporting(args, progress, on_switch=_record_version)
            await _record_version(conn)
            return Migrated(
                None if found == READ_MODEL_VERSION and rebuilt is None else found, READ_MODEL_VERSION, rebuilt
            )
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATE_LOCK)
    finally:
        await conn.close()


async def _record_version(conn: asyncpg.Connection) -> None:
    await conn.execute(
        f"INSERT INTO {SCHEMA_TABLE} (component, version) VALUES ($1, $2) "
        "ON CONFLICT (component) DO UPDATE SET version = $2, migrated_at = now() "
        f"WHERE {SCHEMA_TABLE}.version IS DISTINCT FROM $2",
        READ_MODELS,
        READ_MODEL_VERSION,
    )
