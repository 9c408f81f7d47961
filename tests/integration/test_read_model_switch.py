"""A rebuild (and so a read-model upgrade by `migrate`) builds new tables while the old ones keep
serving, then switches: every reader sees the old tables whole or the new ones whole, never an
empty or half-switched state, and no reader deadlocks with the switch.

The old read models are marked ("OLD" titles the log does not give), so an answer shows which
tables it came from."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest

from projections import queries as q
from projections.rebuild import rebuild
from service.api.context import Reader
from service.application.migrate import READ_MODEL_VERSION
from service.config import ServerAddress
from tests.conftest import url_of
from tests.integration.graphql_support import Api
from tests.integration.test_cli import ROOT, planledger
from tests.paths import SAMPLE_MINUTES

MARK = "OLD "
SWITCH_WAITING = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"


async def seeded(address: ServerAddress) -> int:
    """The seed imported, the read models built and then marked as an older build; the plan's
    activity count."""
    url = url_of(address)
    for command in (("import-minutes", str(SAMPLE_MINUTES)), ("rebuild",), ("migrate",)):
        assert planledger(*command, env={"DATABASE_URL": url}).returncode == 0
    conn = await asyncpg.connect(**address.asyncpg_args())
    try:
        await conn.execute(f"UPDATE rm_plan SET title = '{MARK}' || title")
        await conn.execute(f"UPDATE rm_activity SET title = '{MARK}' || title")
        return int(await conn.fetchval("SELECT count(DISTINCT stream_id) FROM rm_activity"))
    finally:
        await conn.close()


async def tables_seen(conn: asyncpg.Connection) -> tuple[str, int, int]:
    """(plan title, activities, activities marked old) as this connection's snapshot sees them."""
    title = await conn.fetchval("SELECT title FROM rm_plan LIMIT 1")
    row = await conn.fetchrow(
        "SELECT count(DISTINCT stream_id) AS n, count(DISTINCT stream_id) FILTER (WHERE title LIKE $1) AS old "
        "FROM rm_activity",
        MARK + "%",
    )
    return str(title), int(row["n"]), int(row["old"])


async def test_a_snapshot_open_across_a_switch_reads_the_old_tables_whole_and_the_switch_waits_for_it(
    api: Api,
) -> None:
    activities = await seeded(api.address)
    reader = Reader(api.pool)  # what every GraphQL request reads through
    await reader.position()  # its snapshot has begun (it has read no read-model table yet)

    switching = asyncio.create_task(rebuild(api.address.asyncpg_args()))
    watcher = await asyncpg.connect(**api.address.asyncpg_args())
    try:
        deadline = time.monotonic() + 60
        while not await watcher.fetchval(SWITCH_WAITING):  # the new tables are built; the switch waits
            assert not switching.done(), "the switch did not wait for a snapshot begun before it"
            assert time.monotonic() < deadline
            await asyncio.sleep(0.01)
        await asyncio.sleep(1.2)  # across two of its give-up-and-retry rounds
        assert not switching.done()
        # the old tables, whole, in any order of reads (and no deadlock with the waiting switch)
        assert await reader.run(lambda conn: conn.fetchval("SELECT count(*) FROM rm_event")) > 0
        title, count, old = await reader.run(tables_seen)
        assert title.startswith(MARK) and count == old == activities
    finally:
        await watcher.close()
        await reader.close()
    await asyncio.wait_for(switching, 30)

    after = Reader(api.pool)
    try:
        title, count, old = await after.run(tables_seen)
    finally:
        await after.close()
    assert not title.startswith(MARK) and (count, old) == (activities, 0)


@pytest.fixture
async def plan_id(api: Api) -> AsyncIterator[str]:
    await seeded(api.address)
    async with api.pool.acquire() as conn:
        plans = await q.all_plans(conn)
    yield str(plans[0]["id"])


async def test_queries_keep_answering_through_a_migrate_and_switch_at_once(api: Api, plan_id: str) -> None:
    """`planledger migrate` from another process upgrades the read models (their recorded version
    is older) while three clients query the whole plan without pause."""
    async with api.pool.acquire() as conn:
        await conn.execute("UPDATE planledger_schema SET version = $1", READ_MODEL_VERSION - 1)
    env = {**os.environ, "DATABASE_URL": url_of(api.address)}
    migrate = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "service.cli", "migrate", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    query = "query($id: ID!) { plan(id: $id) { title activities { title } } }"
    answers: list[list[str]] = [[], [], []]
    done = asyncio.Event()

    async def client(seen: list[str]) -> None:
        extra = 20  # and some after the migrate, on the switched tables
        while extra:
            result = await api.raw(query, {"id": plan_id})
            assert not result.errors, result.errors
            plan: dict[str, Any] = result.data["plan"]
            titles = [a["title"] for a in plan["activities"]]
            old = [t.startswith(MARK) for t in titles]
            assert titles and (all(old) or not any(old)), "a half-switched answer"
            assert plan["title"].startswith(MARK) == old[0], "plan and activities from different builds"
            seen.append("old" if old[0] else "new")
            if done.is_set():
                extra -= 1

    clients = [asyncio.create_task(client(seen)) for seen in answers]
    out, err = await asyncio.wait_for(migrate.communicate(), 120)
    done.set()
    await asyncio.wait_for(asyncio.gather(*clients), 60)
    assert migrate.returncode == 0, err.decode()
    assert "rebuilt" in out.decode(), out.decode()
    for seen in answers:
        assert seen[0] == "old" and seen[-1] == "new"
        switch = seen.index("new")
        assert set(seen[switch:]) == {"new"}, "an old answer after a new one"
