"""The log, portable: every stored event as one NDJSON line, in log order, and back.

A line holds the event's place (`position`), stream and version, its topic and the exact stored
state (`state`, the JSON text eventsourcing wrote: what an import writes back byte for byte), and,
for domain facts, the metadata a person or a tool reads: type, effective date, recorded time,
actor, meeting, reason and payload. Lines are written with sorted keys and no spaces, so export →
import → export gives identical files. Constant memory both ways: a server-side cursor out, COPY
in batches in.
"""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from typing import Any, TextIO
from uuid import UUID

import asyncpg

from projections.decode import Decoder, payload_json

TABLE = "planledger_events"
BATCH = 5_000
FIELDS = ("position", "stream", "version", "topic", "state")


class LogFormatError(ValueError):
    """A line of an import file is not what export writes; says which line and why."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line


def position_after(cursor: str | None) -> int:
    """`--after`: a position number or an API event cursor."""
    if cursor is None or not cursor.strip():
        return 0
    text = cursor.strip()
    if text.isdigit():
        return int(text)
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        raw = ""
    kind, _, number = raw.partition(":")
    if kind != "e" or not number.isdigit():
        raise ValueError(f"--after: {cursor!r} is neither a position nor an event cursor")
    return int(number)


def _line(decoder: Decoder, record: asyncpg.Record) -> str:
    state = bytes(record["state"])
    line: dict[str, Any] = {
        "position": record["notification_id"],
        "stream": str(record["originator_id"]),
        "version": record["originator_version"],
        "topic": record["topic"],
        "state": state.decode(),
    }
    decoded = decoder.decode(
        record["notification_id"], record["originator_id"], record["originator_version"], record["topic"], state
    )
    if decoded is not None:
        fact = decoded.fact
        line.update(
            type=decoded.type_name,
            effectiveOn=fact.effective_on.isoformat(),
            recordedAt=fact.timestamp.isoformat(),
            actor=fact.actor,
            meeting=fact.meeting_id,
            reason=fact.reason,
            payload=json.loads(payload_json(fact)),
        )
    return json.dumps(line, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


async def export_lines(conn: asyncpg.Connection, after: int = 0) -> AsyncIterator[str]:
    """Every event after `after`, as lines, read in one snapshot through a server-side cursor."""
    decoder = Decoder()
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        query = (
            f"SELECT notification_id, originator_id, originator_version, topic, state FROM {TABLE} "
            "WHERE notification_id > $1 ORDER BY notification_id"
        )
        async for record in conn.cursor(query, after, prefetch=1000):
            yield _line(decoder, record)


async def export_log(conn: asyncpg.Connection, out: TextIO, after: int = 0) -> int:
    count = 0
    async for line in export_lines(conn, after):
        out.write(line + "\n")
        count += 1
    return count


@dataclass(frozen=True)
class Imported:
    events: int
    last_position: int


def _record(number: int, text: str) -> tuple[int, UUID, int, str, bytes]:
    try:
        line = json.loads(text)
    except ValueError:
        raise LogFormatError(number, "not JSON; an export has one JSON object per line") from None
    if not isinstance(line, dict):
        raise LogFormatError(number, "not a JSON object")
    missing = [f for f in FIELDS if f not in line]
    if missing:
        raise LogFormatError(number, f"missing {', '.join(missing)}")
    position, version = line["position"], line["version"]
    if not isinstance(position, int) or position < 1 or not isinstance(version, int) or version < 1:
        raise LogFormatError(number, "position and version must be positive whole numbers")
    if not isinstance(line["topic"], str) or not isinstance(line["state"], str):
        raise LogFormatError(number, "topic and state must be strings")
    try:
        stream = UUID(str(line["stream"]))
    except ValueError:
        raise LogFormatError(number, f"stream {line['stream']!r} is not a UUID") from None
    return position, stream, version, line["topic"], line["state"].encode()


async def import_log(
    conn: asyncpg.Connection, lines: Iterable[str], progress: Callable[[int], None] | None = None
) -> Imported:
    """Load an export into an empty log, exactly (same positions, streams, versions, states), in one
    transaction: on any error nothing is loaded."""
    count = last = 0
    async with conn.transaction():
        await conn.execute(f"LOCK TABLE {TABLE} IN EXCLUSIVE MODE")
        if await conn.fetchval(f"SELECT EXISTS (SELECT 1 FROM {TABLE})"):
            raise LogFormatError(0, "the database already has events; import into an empty database")
        batch: list[tuple[int, UUID, int, str, bytes]] = []
        for number, text in enumerate(lines, start=1):
            if not text.strip():
                continue
            record = _record(number, text)
            if record[0] <= last:
                raise LogFormatError(number, f"position {record[0]} is not after {last}: lines must be in log order")
            last = record[0]
            batch.append(record)
            if len(batch) >= BATCH:
                count += await _copy(conn, batch)
                batch = []
                if progress:
                    progress(count)
        if batch:
            count += await _copy(conn, batch)
        if last:
            await conn.execute(f"SELECT setval('{TABLE}_notification_id_seq', $1)", last)
    if progress:
        progress(count)
    return Imported(count, last)


async def _copy(conn: asyncpg.Connection, batch: list[tuple[int, UUID, int, str, bytes]]) -> int:
    try:
        await conn.copy_records_to_table(
            TABLE,
            records=batch,
            columns=["notification_id", "originator_id", "originator_version", "topic", "state"],
        )
    except asyncpg.UniqueViolationError as error:
        raise LogFormatError(0, f"the file repeats an event: {error.detail or error}") from None
    return len(batch)
