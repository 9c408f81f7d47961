"""The benchmark's generator writes a log the ledger accepts (no timings here)."""

from __future__ import annotations

import random
from decimal import Decimal
from uuid import UUID

import asyncpg
import pytest

from bench.generate import generate
from domain.activity import ActivityState
from domain.facts import fold
from projections import queries as q
from projections.projector import Projector
from projections.rebuild import rebuild, verify
from service.application.ledger import PlanLedger
from service.config import ServerAddress
from tests.conftest import url_of
from tests.integration.test_time_travel import norm_activity, norm_activity_row


@pytest.mark.slow
async def test_a_generated_log_rebuilds_verifies_and_folds_as_the_domain_does(database: ServerAddress) -> None:
    summary = generate(url_of(database), events=3_000, seed=7, workers=1)
    assert summary.events == 3_000 and summary.plans == 1 and summary.activities > 10
    assert summary.corrections > 0 and summary.backdated > 0 and summary.by_type["Meeting.MinutesApproved"] > 0
    # the list: backdated facts and corrections of several kinds, reschedules, risks, resolutions
    assert {"Activity.ProgressReported", "Activity.MilestoneAchieved", "Activity.RiskNoted"} <= set(
        summary.backdated_by_type
    )
    assert {"Activity.ProgressReported", "Activity.MilestoneRescheduled", "Meeting.AgendaItemAdded"} <= set(
        summary.corrections_by_type
    )
    assert sum(summary.backdated_by_type.values()) == summary.backdated
    assert sum(summary.corrections_by_type.values()) == summary.corrections
    assert 0 < summary.by_type["Corrected"] <= summary.corrections  # the plan's tail is cut to the size asked
    for kind in (
        "Activity.StatusChanged",
        "Activity.MilestoneRescheduled",
        "Activity.RiskNoted",
        "Meeting.ResolutionAdopted",
        "Activity.OutcomeRecorded",
    ):
        assert summary.by_type[kind] > 0, kind

    assert await Projector(database.asyncpg_args()).catch_up() > 0  # the live projector takes it
    assert await verify(database.asyncpg_args()) == []
    assert await rebuild(database.asyncpg_args(), workers=2) == 3_000  # the parallel rebuild, too
    assert await verify(database.asyncpg_args()) == []

    app = PlanLedger.connect(database)
    conn = await asyncpg.connect(**database.asyncpg_args())
    try:
        ids = [r["stream_id"] for r in await conn.fetch("SELECT DISTINCT stream_id FROM rm_activity ORDER BY 1")]
        rng = random.Random(3)
        for activity_id in rng.sample(ids, 5):
            facts = app.repository.get(activity_id).facts  # the application reads what was generated
            dates = sorted({f.effective_on for f in facts})
            stamps = sorted(f.timestamp for f in facts)
            for on, known_at in [(None, None), (rng.choice(dates), None), (rng.choice(dates), rng.choice(stamps))]:
                expected = norm_activity(fold(facts, ActivityState, on, known_at))
                got = norm_activity_row(await q.activity_as_of(conn, activity_id, on, known_at))
                assert got == expected, (activity_id, on, known_at)
        plan = await q.plan_as_of(conn, UUID(summary.plan_ids[0]))
        assert plan is not None and plan["rollup"].total == len(ids)
        reported = [a["progress"] for a in plan["activities"] if a["progress"] is not None]  # None: none yet
        assert reported and all(Decimal(0) <= p <= Decimal(100) for p in reported)
        assert plan["rollup"].progress_known == len(reported)
    finally:
        await conn.close()
        app.close()
