"""Every event shape ever stored still loads (upcast when read) and projects to the answers
recorded when its fixture was made. Fixtures are never regenerated; a new shape adds a file."""

from __future__ import annotations

import json
from pathlib import Path
from uuid import UUID

import asyncpg
import pytest

from domain.activity import Activity
from domain.meeting import Meeting
from domain.plan import Plan
from projections.rebuild import rebuild, verify
from service.config import ServerAddress
from service.ledger import PlanLedger
from service.portable import import_log
from tests.fixtures.event_shapes import answers

FIXTURES = sorted((Path(__file__).resolve().parents[1] / "fixtures").glob("events_v*.ndjson"))
KINDS = {"domain.plan": Plan, "domain.activity": Activity, "domain.meeting": Meeting}


def _as_recorded(found: object, recorded: object) -> object:
    """`found` limited to the fields `recorded` has: read models gain fields over time (a plan's
    evaluation rules, its lock), and an old fixture's answers cannot name them."""
    if isinstance(found, dict) and isinstance(recorded, dict):
        return {k: _as_recorded(v, recorded[k]) if k in recorded else v for k, v in found.items() if k in recorded}
    if isinstance(found, list) and isinstance(recorded, list) and len(found) == len(recorded):
        return [_as_recorded(f, r) for f, r in zip(found, recorded, strict=True)]
    return found


@pytest.mark.parametrize("fixture", FIXTURES, ids=[f.stem for f in FIXTURES])
async def test_an_old_shape_loads_and_projects_to_its_recorded_answers(database: ServerAddress, fixture: Path) -> None:
    PlanLedger.connect(database).close()  # an empty store, as import-log expects
    conn = await asyncpg.connect(**database.asyncpg_args())
    try:
        with fixture.open(encoding="utf-8") as lines:
            loaded = await import_log(conn, lines)
        assert loaded.events == len(fixture.read_text(encoding="utf-8").splitlines())
        await rebuild(database.asyncpg_args())
        assert await verify(database.asyncpg_args()) == []
        expected = json.loads(fixture.with_name(fixture.stem + ".answers.json").read_text(encoding="utf-8"))
        assert _as_recorded(await answers(conn), expected) == expected
    finally:
        await conn.close()
    ledger = PlanLedger.connect(database)
    try:
        streams = {
            (json.loads(line)["stream"], json.loads(line)["topic"].partition(":")[0])
            for line in fixture.read_text(encoding="utf-8").splitlines()
        }
        for stream, module in streams:
            kind = KINDS.get(module)
            if kind is not None:  # every domain stream folds from its stored events
                assert ledger.load(kind, UUID(stream)).state.exists
    finally:
        ledger.close()
