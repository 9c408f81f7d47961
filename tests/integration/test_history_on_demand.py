"""A cached aggregate's history on demand (`PlanLedger._settled`, `FactLog.drop_history`), on a
real PostgreSQL: a busy activity keeps a bounded number of facts in memory however many reports it
takes; commands on today's state are still decided on the loop without them; a backdated report and
a correction of an early fact, which fold the whole history, read it back (in the thread path) and
leave exactly the state and facts a fresh load from the store gives."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from domain import commands as c
from domain.activity import Activity
from domain.fact_log import TAIL
from service.application import meta as m
from service.application.access import Principal
from service.application.ledger import HISTORY_KEPT, PlanLedger
from service.application.roles import Role
from service.application.run import run_command
from service.config import ServerAddress
from tests.integration.store_helpers import (
    MEETING_DAY,
    NoMeetings,
    activities_in_one_plan,
    from_another_process,
    ledger_on_loop,
)

ADMIN = Principal(name="secretariat", role=Role.ADMIN)
LATER = MEETING_DAY + timedelta(days=20)


@pytest.fixture
async def app(database: ServerAddress) -> AsyncIterator[PlanLedger]:
    async with ledger_on_loop(database) as ledger:
        yield ledger


async def _run(app: PlanLedger, command: c.Command, on: date = LATER, reason: str | None = None) -> Any:
    request = m.MetaRequest(effective_on=on, reason=reason)
    return await run_command(ADMIN, command, request, ledger=app, meetings=NoMeetings())


def _fresh(database: ServerAddress, activity: UUID) -> Activity:
    return from_another_process(database, lambda other: other.load(Activity, activity, fresh=True))


async def test_a_busy_activity_keeps_a_bounded_history_and_reads_the_rest_back_to_fold_it(
    app: PlanLedger, database: ServerAddress
) -> None:
    (activity,) = await asyncio.to_thread(activities_in_one_plan, app, 1)
    app.load(Activity, activity)
    reports = HISTORY_KEPT + 3 * TAIL
    for n in range(0, reports, 16):  # (16 at a time: each joins the transaction of the one before)
        await asyncio.gather(*(_run(app, c.ReportProgress(activity, Decimal((n + k) % 100))) for k in range(16)))
    cached = app.load(Activity, activity, read_only=True)
    assert len(cached.facts) == cached.version > reports
    assert cached.facts.in_memory <= HISTORY_KEPT + TAIL, cached.facts.in_memory  # not every report
    assert isinstance(cached.facts[0], Activity.Registered)  # (the first stays: when the record began)

    # today's commands need none of the history: decided and saved on the loop
    appender = app.appender
    assert appender is not None
    on_loop = appender.appends
    await _run(app, c.ReportProgress(activity, Decimal(55)))
    assert appender.appends == on_loop + 1

    # a backdated report refolds the whole history: read back off the loop, as the store has it
    backdated = await _run(app, c.ReportProgress(activity, Decimal(7)), on=LATER - timedelta(days=5))
    assert appender.appends == on_loop + 1  # (the thread path saved it)
    fresh = _fresh(database, activity)
    mine = app.load(Activity, activity, read_only=True)
    assert backdated.receipt.version == fresh.version == mine.version
    assert mine.state == fresh.state and mine.state.progress == Decimal(55)
    assert list(mine.facts) == list(fresh.facts)

    # a correction of an early fact reads it back too
    early = next(f.originator_version for f in fresh.facts if isinstance(f, Activity.ProgressReported))
    assert early < len(fresh.facts) - HISTORY_KEPT - TAIL  # (one the cache dropped)
    corrected = await _run(app, c.CorrectEvent(activity, early, {"progress": Decimal(3)}), reason="misread")
    fresh = _fresh(database, activity)
    assert corrected.receipt.version == fresh.version
    assert app.load(Activity, activity, read_only=True).state == fresh.state
