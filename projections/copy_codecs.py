"""Cheaper encodings for a connection that only writes with COPY (the rebuild's writers).

asyncpg encodes a `timestamptz` in about 0.57 us (a time-zone conversion and a timedelta per
value); a rebuild writes three or four per fact (the event's time, and `recorded_from` /
`recorded_to` of each row version it opens or closes), most of them the same few values: the
fact's own time and END_TIME. `Stamps` encodes each distinct value once and then looks it up.
The bytes are what asyncpg writes: microseconds since 2000-01-01 UTC, big-endian.
"""

from __future__ import annotations

import struct
from datetime import UTC, datetime, timedelta

import asyncpg

PG_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
_INT64 = struct.Struct("!q")
_PACK = _INT64.pack
PG_INFINITY = 2**63 - 1
PG_NEGATIVE_INFINITY = -(2**63)
#: asyncpg writes the first and last microsecond of datetime's range as -infinity and infinity
ASYNCPG_INFINITIES = {252455615999999999: PG_INFINITY, -63082281600000000: PG_NEGATIVE_INFINITY}
#: distinct values kept (then it starts again): a fact's time is reused only by its own rows
KEEP = 50_000


class Stamps(dict[datetime, bytes]):
    """timestamptz in COPY's binary format, each distinct value computed once (the codec's
    encoder is this dict's own lookup: no Python call for a value seen before)."""

    def __missing__(self, value: datetime) -> bytes:
        delta = value - PG_EPOCH  # a TypeError for a naive datetime (asyncpg would take it as local time)
        micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
        if len(self) >= KEEP:
            self.clear()
        encoded = self[value] = _PACK(ASYNCPG_INFINITIES.get(micros, micros))
        return encoded


def decode_stamp(data: bytes) -> datetime:
    """What asyncpg makes of a timestamptz (the writer never reads one; for completeness)."""
    (micros,) = _INT64.unpack(data)
    if micros == PG_INFINITY:
        return datetime.max
    if micros == PG_NEGATIVE_INFINITY:
        return datetime.min
    return PG_EPOCH + timedelta(microseconds=micros)


async def use_copy_codecs(conn: asyncpg.Connection) -> None:
    """Make `conn` encode timestamptz through a `Stamps` (aware datetimes only, which is all the
    read models hold)."""
    stamps = Stamps()
    await conn.set_type_codec(
        "timestamptz", schema="pg_catalog", encoder=stamps.__getitem__, decoder=decode_stamp, format="binary"
    )
