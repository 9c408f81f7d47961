"""The event index (`rm_event`, a row per event of the log): events in log order after a position,
filtered by stream, type, plan, meeting, actor or effective dates (EVENT_FILTERS; a bare type name
matches in any kind of stream), each stream's version as known at a time (what an expectedVersion
is checked against) and each stream's history. Apart because it reads the index of the log, not
the bitemporal read models: none of the as-of machinery of rows.py is needed here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from projections.schema import ALL_TIMES, PREFIX

EVENT_FILTERS = ("stream_id", "type", "plan_id", "meeting_id", "actor")
STREAM_TYPES = ("Plan", "Activity", "Meeting")


def _types(wanted: str | list[str] | None) -> list[str] | None:
    """Event types as stored ("Activity.StatusChanged", or "Corrected" for any stream); a bare name
    ("StatusChanged") matches it in any kind of stream."""
    if wanted is None:
        return None
    names = [wanted] if isinstance(wanted, str) else list(wanted)
    out: list[str] = []
    for name in names:
        out += [name] if "." in name else [name, *(f"{kind}.{name}" for kind in STREAM_TYPES)]
    return out


async def events(
    conn: asyncpg.Connection,
    first: int = 50,
    after: int | None = None,
    filter: Mapping[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Events in log order after position `after`, filtered by any of stream_id, type, plan_id,
    meeting_id, actor (equality) and effective_from / effective_to (inclusive dates)."""
    f = dict(filter or {})
    unknown = set(f) - {*EVENT_FILTERS, "effective_from", "effective_to"}
    if unknown:
        raise ValueError(f"unknown event filters: {sorted(unknown)}")
    records = await conn.fetch(
        f"SELECT * FROM {PREFIX}event WHERE position > $1 "
        "AND ($2::uuid IS NULL OR stream_id = $2) AND ($3::text[] IS NULL OR type = ANY($3)) "
        "AND ($4::uuid IS NULL OR plan_id = $4) AND ($5::text IS NULL OR meeting_id = $5) "
        "AND ($6::text IS NULL OR actor = $6) AND ($7::date IS NULL OR effective_on >= $7) "
        "AND ($8::date IS NULL OR effective_on <= $8) ORDER BY position LIMIT $9",
        after or 0,
        f.get("stream_id"),
        _types(f.get("type")),
        f.get("plan_id"),
        f.get("meeting_id"),
        f.get("actor"),
        f.get("effective_from"),
        f.get("effective_to"),
        max(0, min(first, 10_000)),
    )
    out = []
    for r in records:
        row = dict(r)
        row["payload"] = json.loads(row["payload"]) if row["payload"] else None
        out.append(row)
    return out


# -- batched reads (one statement for many keys: what the API's DataLoaders call) --------------


async def stream_versions(
    conn: asyncpg.Connection, stream_ids: Iterable[UUID], known_at: datetime | None = None
) -> dict[UUID, int]:
    """Each stream's version as known at `known_at` (what an expectedVersion is checked against)."""
    records = await conn.fetch(
        f"SELECT stream_id, max(version) AS version FROM {PREFIX}event WHERE stream_id = ANY($1::uuid[]) "
        "AND recorded_at <= $2 GROUP BY stream_id",
        list(stream_ids),
        known_at or ALL_TIMES,
    )
    return {r["stream_id"]: int(r["version"]) for r in records}


def _event(record: asyncpg.Record) -> dict[str, Any]:
    row = dict(record)
    row["payload"] = json.loads(row["payload"]) if row["payload"] else None
    return row


async def stream_histories(
    conn: asyncpg.Connection, stream_ids: Iterable[UUID], first: int, after: int = 0
) -> dict[UUID, list[dict[str, Any]]]:
    """For each stream, its first `first` events after position `after`, in log order."""
    records = await conn.fetch(
        f"SELECT * FROM (SELECT e.*, row_number() OVER (PARTITION BY stream_id ORDER BY position) AS n "
        f"FROM {PREFIX}event e WHERE stream_id = ANY($1::uuid[]) AND position > $2) s WHERE n <= $3 "
        "ORDER BY stream_id, position",
        list(stream_ids),
        after,
        first,
    )
    out: dict[UUID, list[dict[str, Any]]] = {}
    for r in records:
        row = _event(r)
        row.pop("n", None)
        out.setdefault(r["stream_id"], []).append(row)
    return out
