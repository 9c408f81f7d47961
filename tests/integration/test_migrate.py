"""`planledger migrate`: idempotent, safe from two instances at once, and a read-model upgrade
rebuilds into new tables then switches."""

from __future__ import annotations

import os
import subprocess
import sys

import psycopg

from service.config import ServerAddress
from service.migrate import READ_MODEL_VERSION
from tests.conftest import SEED, url_of
from tests.integration.test_cli import ROOT, planledger


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
    assert planledger("import-minutes", str(SEED), env={"DATABASE_URL": url}).returncode == 0
    assert planledger("rebuild", env={"DATABASE_URL": url}).returncode == 0
    assert planledger("migrate", env={"DATABASE_URL": url}).returncode == 0
    with psycopg.connect(database.dsn(), autocommit=True) as conn:
        conn.execute("UPDATE planledger_schema SET version = 0")
        conn.execute("DELETE FROM rm_activity")  # what an old shape would not have: the rebuild restores it
    upgraded = planledger("migrate", env={"DATABASE_URL": url})
    assert upgraded.returncode == 0 and "rebuilt" in upgraded.stdout and "0 →" in upgraded.stdout, upgraded.stdout
    assert versions(database) == [("read_models", READ_MODEL_VERSION)]
    assert planledger("verify", env={"DATABASE_URL": url}).returncode == 0
