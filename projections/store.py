"""Applying decoded facts to stream timelines, and writing the results with asyncpg."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any
from uuid import UUID

import asyncpg

from domain.facts import Corrected
from projections.decode import Decoded, encode_jsonb, payload_json
from projections.extract import KINDS, Values, as_uuid
from projections.schema import BY_NAME, END_TIME, EVENT_NAMES, PREFIX
from projections.timeline import Closing, RowVersion, StreamTimeline

EventRecord = tuple[Any, ...]


def event_record(item: Decoded, timeline: StreamTimeline | None, reported_on: date) -> EventRecord:
    """The `rm_event` row of one fact (`timeline` has already taken it), reported on `reported_on`."""
    fact = item.fact
    kind = timeline.kind.name if timeline is not None else item.stream_kind
    if kind == "plan":
        plan_id: UUID | None = item.stream_id
    elif timeline is not None:
        plan_id = as_uuid(getattr(timeline.tip, "plan_id", None) or None)
    else:
        plan_id = None
    meeting_id = fact.meeting_id or (str(item.stream_id) if kind == "meeting" else None)
    corrects, void = (fact.corrects, fact.void) if isinstance(fact, Corrected) else (None, None)
    return (
        item.position,
        item.stream_id,
        item.version,
        kind,
        item.type_name,
        plan_id,
        meeting_id,
        fact.actor,
        fact.effective_on,
        fact.timestamp,
        reported_on,
        fact.reason,
        corrects,
        void,
        payload_json(fact),
    )


def new_timeline(stream_id: UUID, items: Iterable[Decoded]) -> StreamTimeline | None:
    """A timeline for a stream, of the kind its first recognisable fact names (corrections are
    `domain.facts:Corrected` whatever the stream, so the kind comes from another fact)."""
    for item in items:
        kind = KINDS.get(item.stream_kind)
        if kind is not None:
            return StreamTimeline(stream_id, kind)
    return None


JSON_POSITIONS: dict[str, tuple[int, ...]] = {name: f.json_positions for name, f in BY_NAME.items()}
KEYED: dict[str, bool] = {name: f.key is not None for name, f in BY_NAME.items()}


def _with_json(values: Values, positions: tuple[int, ...]) -> list[Any]:
    out = list(values)
    for index in positions:
        value = out[index]
        out[index] = "[]" if value == [] else encode_jsonb(value)
    return out


def group_rows(rows: Iterable[RowVersion]) -> dict[str, list[tuple[Any, ...]]]:
    """Row versions as the records of their family tables (columns in `Family.all_names` order)."""
    grouped: dict[str, list[tuple[Any, ...]]] = {}
    for name, stream_id, key, values, valid_from, valid_to, told_from, told_to, recorded_from, recorded_to in rows:
        records = grouped.get(name)
        if records is None:
            records = grouped[name] = []
        positions = JSON_POSITIONS[name]
        columns: Values | list[Any] = _with_json(values, positions) if positions else values
        if KEYED[name]:
            records.append(
                (stream_id, key, *columns, valid_from, valid_to, told_from, told_to, recorded_from, recorded_to)
            )
        else:
            records.append((stream_id, *columns, valid_from, valid_to, told_from, told_to, recorded_from, recorded_to))
    return grouped


async def copy_rows(conn: asyncpg.Connection, grouped: dict[str, list[tuple[Any, ...]]], prefix: str = PREFIX) -> None:
    for name, records in grouped.items():
        if records:
            family = BY_NAME[name]
            await conn.copy_records_to_table(family.table(prefix), records=records, columns=family.all_names)


async def copy_events(conn: asyncpg.Connection, records: list[EventRecord], prefix: str = PREFIX) -> None:
    if records:
        await conn.copy_records_to_table(f"{prefix}event", records=records, columns=EVENT_NAMES)


async def close_rows(conn: asyncpg.Connection, closings: Iterable[Closing], prefix: str = PREFIX) -> None:
    """Set `recorded_to` on stored rows that are no longer believed."""
    grouped: dict[str, list[Closing]] = defaultdict(list)
    for closing in closings:
        grouped[closing.family].append(closing)
    for name, items in grouped.items():
        family = BY_NAME[name]
        table = family.table(prefix)
        streams = [c.stream_id for c in items]
        starts = [c.valid_from for c in items]
        ends = [c.valid_to for c in items]
        told = [c.reported_from for c in items]
        told_to = [c.reported_to for c in items]
        stamps = [c.recorded_to for c in items]
        if family.key:
            column, sql_type = family.key
            await conn.execute(
                f"UPDATE {table} AS t SET recorded_to = r.stamp "
                f"FROM unnest($1::uuid[], $2::{sql_type}[], $3::date[], $4::date[], $5::date[], $6::date[], "
                "$7::timestamptz[]) AS r(stream_id, key, valid_from, valid_to, reported_from, reported_to, stamp) "
                f"WHERE t.stream_id = r.stream_id AND t.{column} = r.key AND t.valid_from = r.valid_from "
                "AND t.valid_to = r.valid_to AND t.reported_from = r.reported_from "
                "AND t.reported_to = r.reported_to AND t.recorded_to = $8",
                streams,
                [c.key for c in items],
                starts,
                ends,
                told,
                told_to,
                stamps,
                END_TIME,
            )
        else:
            await conn.execute(
                f"UPDATE {table} AS t SET recorded_to = r.stamp "
                "FROM unnest($1::uuid[], $2::date[], $3::date[], $4::date[], $5::date[], $6::timestamptz[]) "
                "AS r(stream_id, valid_from, valid_to, reported_from, reported_to, stamp) "
                "WHERE t.stream_id = r.stream_id AND t.valid_from = r.valid_from "
                "AND t.valid_to = r.valid_to AND t.reported_from = r.reported_from "
                "AND t.reported_to = r.reported_to AND t.recorded_to = $7",
                streams,
                starts,
                ends,
                told,
                told_to,
                stamps,
                END_TIME,
            )
