"""Pages of the API's connections in both directions, and how many a connection holds in all:
events of the log (filtered as `events` filters them), meetings in date order, and streams'
histories. A page lies between two keys, each optional (`after` < key < `before`), and is read
from its start (forward) or from its end (backward), `limit` rows at most: the caller asks for one
more than a page, and the extra row says whether more lie beyond. Rows come nearest the starting
end first (a backward page newest first). Beside `events`, `meeting_page` and `stream_histories`,
which read forward only and stay as they are for their other callers.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any
from uuid import UUID

import asyncpg

from projections.queries.events import EVENT_FILTERS, _types
from projections.queries.rows import AS_OF, _row, _table
from projections.schema import ALL_DATES, ALL_TIMES, PREFIX

#: a meeting's place in date order: (date, code, id)
MeetingKey = tuple[date, str, UUID]

_EVENT_WHERE = (
    "($1::uuid IS NULL OR stream_id = $1) AND ($2::text[] IS NULL OR type = ANY($2)) "
    "AND ($3::uuid IS NULL OR plan_id = $3) AND ($4::text IS NULL OR meeting_id = $4) "
    "AND ($5::text IS NULL OR actor = $5) AND ($6::date IS NULL OR effective_on >= $6) "
    "AND ($7::date IS NULL OR effective_on <= $7)"
)


def _event_filter(filter: Mapping[str, Any] | None) -> list[Any]:
    f = dict(filter or {})
    unknown = set(f) - {*EVENT_FILTERS, "effective_from", "effective_to"}
    if unknown:
        raise ValueError(f"unknown event filters: {sorted(unknown)}")
    return [
        f.get("stream_id"),
        _types(f.get("type")),
        f.get("plan_id"),
        f.get("meeting_id"),
        f.get("actor"),
        f.get("effective_from"),
        f.get("effective_to"),
    ]


def _event(record: asyncpg.Record) -> dict[str, Any]:
    row = dict(record)
    row["payload"] = json.loads(row["payload"]) if row["payload"] else None
    return row


def _direction(backward: bool) -> str:
    return "DESC" if backward else "ASC"


async def event_page(
    conn: asyncpg.Connection,
    filter: Mapping[str, Any] | None,
    after: int | None,
    before: int | None,
    limit: int,
    backward: bool = False,
) -> list[dict[str, Any]]:
    """Events filtered as `events` filters them, with positions between `after` and `before`."""
    records = await conn.fetch(
        f"SELECT * FROM {PREFIX}event WHERE {_EVENT_WHERE} AND ($8::bigint IS NULL OR position > $8) "
        f"AND ($9::bigint IS NULL OR position < $9) ORDER BY position {_direction(backward)} LIMIT $10",
        *_event_filter(filter),
        after,
        before,
        max(0, limit),
    )
    return [_event(r) for r in records]


async def event_count(conn: asyncpg.Connection, filter: Mapping[str, Any] | None) -> int:
    """How many events the filter keeps, in the whole log."""
    return int(await conn.fetchval(f"SELECT count(*) FROM {PREFIX}event WHERE {_EVENT_WHERE}", *_event_filter(filter)))


async def meetings_between(
    conn: asyncpg.Connection,
    plan_id: UUID | None,
    after: MeetingKey | None,
    before: MeetingKey | None,
    limit: int,
    backward: bool = False,
) -> list[dict[str, Any]]:
    """Meetings (as now known, of a plan or all) in (date, code, id) order, between two keys."""
    low = after or (date.min, "", UUID(int=0))
    high = before or (date.min, "", UUID(int=0))
    order = _direction(backward)
    records = await conn.fetch(
        f"SELECT * FROM {_table('meeting')} WHERE ($1::uuid IS NULL OR plan_id = $1) AND {AS_OF} "
        "AND ($5::boolean OR (meeting_on, code, stream_id) > ($6, $7, $8)) "
        "AND ($9::boolean OR (meeting_on, code, stream_id) < ($10, $11, $12)) "
        f"ORDER BY meeting_on {order}, code {order}, stream_id {order} LIMIT $13",
        plan_id,
        ALL_DATES,
        ALL_TIMES,
        ALL_DATES,  # as reported by now: every row version's latest
        after is None,
        *low,
        before is None,
        *high,
        max(0, limit),
    )
    return [_row(r, "meeting", "id") for r in records]


async def meeting_count(conn: asyncpg.Connection, plan_id: UUID | None) -> int:
    """How many meetings (as now known) a plan has, or all."""
    value = await conn.fetchval(
        f"SELECT count(*) FROM {_table('meeting')} WHERE ($1::uuid IS NULL OR plan_id = $1) AND {AS_OF}",
        plan_id,
        ALL_DATES,
        ALL_TIMES,
        ALL_DATES,
    )
    return int(value)


async def history_pages(
    conn: asyncpg.Connection,
    stream_ids: Iterable[UUID],
    after: int | None,
    before: int | None,
    limit: int,
    backward: bool = False,
) -> dict[UUID, list[dict[str, Any]]]:
    """For each stream, a page of its events with positions between `after` and `before`."""
    records = await conn.fetch(
        "SELECT * FROM (SELECT e.*, row_number() OVER (PARTITION BY stream_id "
        f"ORDER BY position {_direction(backward)}) AS n FROM {PREFIX}event e WHERE stream_id = ANY($1::uuid[]) "
        "AND ($2::bigint IS NULL OR position > $2) AND ($3::bigint IS NULL OR position < $3)) s "
        "WHERE n <= $4 ORDER BY stream_id, n",
        list(stream_ids),
        after,
        before,
        max(0, limit),
    )
    out: dict[UUID, list[dict[str, Any]]] = {}
    for r in records:
        row = _event(r)
        row.pop("n", None)
        out.setdefault(r["stream_id"], []).append(row)
    return out


async def history_counts(conn: asyncpg.Connection, stream_ids: Iterable[UUID]) -> dict[UUID, int]:
    """How many events each stream has (corrections included)."""
    records = await conn.fetch(
        f"SELECT stream_id, count(*) AS n FROM {PREFIX}event WHERE stream_id = ANY($1::uuid[]) GROUP BY stream_id",
        list(stream_ids),
    )
    return {r["stream_id"]: int(r["n"]) for r in records}
