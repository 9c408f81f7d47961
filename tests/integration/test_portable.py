"""The log, portable: export → import-log into an empty database → export gives the same bytes,
the read models rebuild to the same answers, and bad files load nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import asyncpg
import pytest

from domain import commands as c
from projections import queries as q
from service.application.ledger import PlanLedger
from service.config import ServerAddress
from tests.conftest import create_database, drop_database, url_of
from tests.integration.test_cli import planledger
from tests.integration.test_projection_support import meta
from tests.paths import LATER_MINUTES, SAMPLE_MINUTES

FIXTURE = LATER_MINUTES


@pytest.fixture
def second(server: ServerAddress) -> Iterator[ServerAddress]:
    address = create_database(server)
    try:
        yield address
    finally:
        drop_database(server, address)


def run_ok(*args: str, url: str) -> str:
    result = planledger(*args, env={"DATABASE_URL": url})
    assert result.returncode == 0, result.stderr
    return result.stdout


async def answers(address: ServerAddress) -> tuple[object, ...]:
    conn = await asyncpg.connect(**address.asyncpg_args())
    try:
        plans = await q.all_plans(conn)
        plan_id = plans[0]["id"]
        return (
            plans,
            await q.plan_as_of(conn, plan_id),
            await q.plan_as_of(conn, plan_id, on=date(2021, 1, 1)),
            await q.events(conn, first=10_000),
        )
    finally:
        await conn.close()


async def test_export_import_export_is_identical(
    database: ServerAddress, second: ServerAddress, tmp_path: Path
) -> None:
    url, other = url_of(database), url_of(second)
    run_ok("import-minutes", str(SAMPLE_MINUTES), str(FIXTURE), url=url)
    ledger = PlanLedger.connect(database)
    try:  # a correction and an idempotency key too: every kind of row the log holds
        activity = next(r for r in await _activity_ids(database))
        done = ledger.execute(c.RecordOutcome(activity, "exported"), meta(date(2021, 3, 1)), idempotency_key="k1")
        ledger.execute(
            c.CorrectEvent(activity, done.version, {"outcome": "exported, corrected"}), meta(date(2021, 3, 2), "typo")
        )
    finally:
        ledger.close()
    run_ok("rebuild", url=url)
    first, again = tmp_path / "first.ndjson", tmp_path / "again.ndjson"
    run_ok("export", str(first), url=url)
    lines = first.read_text(encoding="utf-8").splitlines()
    assert len(lines) > 100
    # the last correction, the one made here (the import's approval corrected 1/2564's attendance)
    sample = json.loads([line for line in lines if '"type":"Corrected"' in line][-1])
    assert {"stream", "version", "type", "effectiveOn", "recordedAt", "actor", "reason", "payload"} <= set(sample)
    assert sample["reason"] == "typo"

    imported = planledger("import-log", str(first), env={"DATABASE_URL": other})
    assert imported.returncode == 0 and f"imported {len(lines)} events" in imported.stdout, imported.stderr
    size = f"{first.stat().st_size / 1e6:.1f}"
    assert f"loading [{'#' * 30}] {size}/{size} MB  {len(lines)} events" in imported.stderr  # the bar, full
    assert f"] {len(lines)}/{len(lines)} events" in imported.stderr  # and the rebuild's
    run_ok("export", str(again), url=other)
    assert first.read_bytes() == again.read_bytes()
    assert planledger("verify", env={"DATABASE_URL": other}).returncode == 0
    assert await answers(database) == await answers(second)

    tail = run_ok("export", "--after", str(json.loads(lines[-3])["position"]), url=url)
    assert tail.splitlines() == lines[-2:]
    refused = planledger("import-log", str(first), env={"DATABASE_URL": other})
    assert refused.returncode == 1 and "empty database" in refused.stderr


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("not json\n", "line 1: not JSON"),
        ('{"position": 1}\n', "line 1: missing"),
        (
            "".join(
                json.dumps({"position": p, "stream": s * 32, "version": 1, "topic": "t", "state": "{}"}) + "\n"
                for p, s in ((2, "0"), (1, "1"))
            ),
            "line 2: position 1 is not after 2",
        ),
        ("\xff\xfe not text\n", "line 1: is not UTF-8 text"),
    ],
)
def test_a_bad_file_loads_nothing_and_says_which_line(
    database: ServerAddress, tmp_path: Path, content: str, says: str
) -> None:
    bad = tmp_path / "bad.ndjson"
    bad.write_bytes(content.encode("utf-8") if "\xff" not in content else content.encode("latin-1"))
    result = planledger("import-log", str(bad), env={"DATABASE_URL": url_of(database)})
    assert result.returncode == 1 and says in result.stderr and "Traceback" not in result.stderr
    assert run_ok("export", url=url_of(database)) == ""


async def _activity_ids(address: ServerAddress) -> list[object]:
    conn = await asyncpg.connect(**address.asyncpg_args())
    try:
        return [
            r["originator_id"]
            for r in await conn.fetch(
                "SELECT DISTINCT originator_id FROM planledger_events WHERE topic LIKE 'domain.activity:%'"
            )
        ]
    finally:
        await conn.close()
