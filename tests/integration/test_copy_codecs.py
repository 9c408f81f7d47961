"""The rebuild's writers encode timestamptz through a cache (projections.copy_codecs): what they
store must be exactly what asyncpg's own encoder stores."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone

import asyncpg
import pytest

from projections.copy_codecs import use_copy_codecs
from projections.schema import END_TIME
from service.config import ServerAddress

ZONES = [UTC, timezone(timedelta(hours=7)), timezone(timedelta(hours=-3, minutes=-30)), timezone(timedelta(seconds=1))]


def values() -> list[datetime]:
    rng = random.Random(7)
    edges = [
        END_TIME,
        datetime(2000, 1, 1, tzinfo=UTC),
        datetime(1999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
        datetime.min.replace(tzinfo=UTC),  # asyncpg writes these two as -infinity and infinity
        datetime.max.replace(tzinfo=UTC),
        datetime(1, 1, 1, 7, tzinfo=ZONES[1]),
    ]
    start = datetime(1900, 1, 1, tzinfo=UTC)
    spread = [
        (start + timedelta(microseconds=rng.randrange(300 * 365 * 86_400 * 10**6))).astimezone(rng.choice(ZONES))
        for _ in range(3000)
    ]
    return edges + spread + spread[:500]  # repeated values come from the cache


async def test_timestamptz_through_the_cache_is_stored_as_asyncpg_stores_it(database: ServerAddress) -> None:
    plain = await asyncpg.connect(**database.asyncpg_args())
    cached = await asyncpg.connect(**database.asyncpg_args())
    try:
        await use_copy_codecs(cached)
        records = list(enumerate(values()))
        for conn, table in ((plain, "by_asyncpg"), (cached, "by_cache")):
            await conn.execute(f"CREATE TABLE {table} (i integer, t timestamptz)")
            await conn.copy_records_to_table(table, records=records)
        differing = await plain.fetch(
            "SELECT i, a.t::text AS a, b.t::text AS b FROM by_asyncpg a JOIN by_cache b USING (i) "
            "WHERE a.t IS DISTINCT FROM b.t OR a.t::text <> b.t::text"
        )
        assert differing == []
        assert await plain.fetchval("SELECT count(*) FROM by_cache") == len(records)
        assert await cached.fetchval("SELECT t FROM by_cache WHERE i = 0") == END_TIME  # and it reads back
        with pytest.raises(TypeError, match="offset-naive"):
            await cached.copy_records_to_table("by_cache", records=[(0, datetime(2020, 1, 1))])
    finally:
        await cached.close()
        await plain.close()
