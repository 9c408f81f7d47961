"""`planledger migrate`: idempotent, safe from two instances at once, and a read-model upgrade
rebuilds into new tables then switches."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import date
from typing import TypeVar

import psycopg

from domain import commands as c
from projections.projector import Projector, connect, log_position, read_position
from projections.rebuild import verify
from service.application.ledger import PlanLedger
from service.application.migrate import READ_MODEL_VERSION
from service.config import ServerAddress
from tests.conftest import url_of
from tests.integration.test_cli import ROOT, planledger
from tests.integration.test_projection_support import meta
from tests.paths import SAMPLE_MINUTES

T = TypeVar("T")


def versions(address: ServerAddress) -> list[tuple[str, int]]:
    with psycopg.connect(address.dsn()) as conn:
        return [tuple(r) for r in conn.execute("SELECT component, version FROM planledger_schema").fetchall()]  # type: ignore[misc]


def test_two_instances_migrating_at_once_end_in_one_correct_schema(database: ServerAddress) -> None:
    env = {**os.environ, "DATABASE_URL": url_of(database)}
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "service.cli", "migrate"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outcomes = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outcomes
    assert versions(database) == [("read_models", READ_MODEL_VERSION)]
    with psycopg.connect(database.dsn()) as conn:
        tables = {r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()}
    assert {"planledger_events", "rm_activity", "rm_event", "projection_position", "planledger_tokens"} <= tables
    again = planledger("migrate", env={"DATABASE_URL": url_of(database)})
    assert again.returncode == 0 and "up to date" in again.stdout


def test_an_older_read_model_version_is_rebuilt_and_switched(database: ServerAddress) -> None:
    url = url_of(database)
    assert planledger("import-minutes", str(SAMPLE_MINUTES), env={"DATABASE_URL": url}).returncode == 0
    assert planledger("rebuild", env={"DATABASE_URL": url}).returncode == 0
    assert planledger("migrate", env={"DATABASE_URL": url}).returncode == 0
    with psycopg.connect(database.dsn(), autocommit=True) as conn:
        conn.execute("UPDATE planledger_schema SET version = 0")
        conn.execute("DELETE FROM rm_activity")  # what an old shape would not have: the rebuild restores it
    upgraded = planledger("migrate", env={"DATABASE_URL": url})
    assert upgraded.returncode == 0 and "rebuilt" in upgraded.stdout and "0 →" in upgraded.stdout, upgraded.stdout
    assert versions(database) == [("read_models", READ_MODEL_VERSION)]
    assert planledger("verify", env={"DATABASE_URL": url}).returncode == 0


async def test_an_instance_of_older_code_stops_projecting_once_migrate_moves_the_read_models_past_it(
    database: ServerAddress,
) -> None:
    """A rolling upgrade: an old instance's projector keeps the read models until `migrate` (of the
    new code) switches in the new ones; from then on it writes nothing (its rows would be in the
    old shape) and lets go, and the new code's projector carries on."""
    url = url_of(database)
    for command in (("import-minutes", str(SAMPLE_MINUTES)), ("rebuild",), ("migrate",)):
        assert planledger(*command, env={"DATABASE_URL": url}).returncode == 0
    with psycopg.connect(database.dsn(), autocommit=True) as conn:
        conn.execute(
            "UPDATE planledger_schema SET version = %s", (READ_MODEL_VERSION - 1,)
        )  # as the old release left it
    args = database.asyncpg_args()
    old = Projector(args, read_model_version=READ_MODEL_VERSION - 1, poll_interval=0.1, standby_interval=0.1)
    stop = asyncio.Event()
    following = asyncio.create_task(old.run(stop))
    ledger = PlanLedger.connect(database)
    try:
        plan = ledger.execute(
            c.CreatePlan("OLD", "Old", date(2020, 1, 1), date(2024, 12, 31), None), meta(date(2020, 1, 1))
        )
        await _until(lambda: _positions(args), lambda p: p[0] == p[1] >= plan.cursor)  # the old one projects
        assert old.active

        migrated = await asyncio.to_thread(planledger, "migrate", env={"DATABASE_URL": url})
        assert migrated.returncode == 0 and "rebuilt" in migrated.stdout, migrated.stdout
        switched_at = (await _positions(args))[1]
        later = ledger.execute(c.StateVision(plan.stream_id, "A new vision"), meta(date(2021, 1, 1)))
        await asyncio.wait_for(following, 10)  # it stopped, and let the lock go
        assert not old.active
        assert (await _positions(args))[1] == switched_at < later.cursor  # it wrote nothing more
    finally:
        stop.set()
        ledger.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(following, 5)
    assert await Projector(args, read_model_version=READ_MODEL_VERSION).catch_up() == later.cursor
    assert await verify(args) == []


async def _positions(args: dict[str, object]) -> tuple[int, int]:
    conn = await connect(args)
    try:
        return await log_position(conn), await read_position(conn)
    finally:
        await conn.close()


async def _until(read: Callable[[], Awaitable[T]], ok: Callable[[T], bool], timeout: float = 10) -> T:
    deadline = time.monotonic() + timeout
    while not ok(value := await read()):
        assert time.monotonic() < deadline, value
        await asyncio.sleep(0.05)
    return value
