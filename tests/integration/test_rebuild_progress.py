"""A rebuild's progress, kept in the database by the process that rebuilds, as /metrics reports it:
running with events done of total while it works, then finished."""

from __future__ import annotations

import asyncio
import time

import asyncpg
from prometheus_client.parser import text_string_to_metric_families

from service.api.context import Reader
from service.store import rebuilding
from service.web.metrics import Metrics
from tests.conftest import url_of
from tests.integration.graphql_support import Api
from tests.integration.test_cli import planledger
from tests.paths import SAMPLE_MINUTES


async def scraped(pool: asyncpg.Pool) -> dict[str, float]:
    """The rebuild gauges of a scrape (read with Prometheus's parser)."""
    text = (await Metrics().render(pool, None, None)).decode()
    return {
        sample.name: sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name.startswith("planledger_rebuild")
    }


async def test_a_rebuild_reports_its_progress_while_it_runs_and_when_it_ends(api: Api) -> None:
    assert planledger("import-minutes", str(SAMPLE_MINUTES), env={"DATABASE_URL": url_of(api.address)}).returncode == 0
    async with api.pool.acquire() as conn:
        events = int(await conn.fetchval("SELECT count(*) FROM planledger_events"))
    assert (await scraped(api.pool))["planledger_rebuild_running"] == 0  # none yet

    held = Reader(api.pool)
    await held.position()  # a request in flight: the rebuild, once built, waits for it to switch
    rebuilding_now = asyncio.create_task(rebuilding.rebuild_reporting(api.address.asyncpg_args()))
    try:
        deadline = time.monotonic() + 60
        while True:
            now = await scraped(api.pool)
            if now["planledger_rebuild_running"] == 1 and now["planledger_rebuild_events_done"] == events:
                break
            assert not rebuilding_now.done() and time.monotonic() < deadline, now
            await asyncio.sleep(0.1)
        assert now["planledger_rebuild_events_total"] == events
        assert now["planledger_rebuild_last_finished_timestamp_seconds"] == 0
    finally:
        await held.close()
    assert await asyncio.wait_for(rebuilding_now, 30) == events

    after = await scraped(api.pool)
    assert after["planledger_rebuild_running"] == 0
    assert after["planledger_rebuild_events_done"] == after["planledger_rebuild_events_total"] == events
    assert abs(after["planledger_rebuild_last_finished_timestamp_seconds"] - time.time()) < 60

    # a rebuild whose process died (its row no longer written) is not running, whatever it said
    async with api.pool.acquire() as conn:
        await conn.execute(
            f"UPDATE {rebuilding.TABLE} SET state = 'running', updated_at = now() - interval '5 minutes'"
        )
        progress = await rebuilding.latest(conn)
    assert progress is not None and progress.state == "running" and not progress.running
    assert (await scraped(api.pool))["planledger_rebuild_running"] == 0
