"""The reporting axis over the real minutes: `asOf: {meeting: M}` is what the committee had been
told by M, as it stood on M's date; `asOf: {date: D}` is everything reported, as it stood on D.

Checked against the ledger's own facts (aggregates folded from the event store), and the
projector's rows against a rebuild's (verify).
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from domain.activity import Activity, ActivityState
from domain.facts import fold
from domain.plan import plan_id_for
from projections.rebuild import rebuild, verify
from service.minutes.importer import activity_id_for, import_minutes, plan_code
from service.minutes.parser import parse_minutes
from tests.integration.graphql_support import Api
from tests.paths import SAMPLE_MINUTES

STRATEGY_COUNTS_FY2563 = {1: (5, 1, 0), 2: (0, 2, 1), 3: (2, 5, 1), 4: (7, 2, 0), 5: (5, 0, 0)}
PLAN = """
query($id: ID!, $at: AsOf) { plan(id: $id, asOf: $at) {
  strategies { number activities { id title fiscalYear status progress outcome } } } }
"""


def _counts(plan: dict[str, Any]) -> dict[int, tuple[int, int, int]]:
    counts: dict[int, Counter[str]] = {}
    for strategy in plan["strategies"]:
        for a in strategy["activities"]:
            if a["fiscalYear"] == 2563:
                counts.setdefault(strategy["number"], Counter())[a["status"]] += 1
    return {n: (c["COMPLETED"], c["IN_PROGRESS"], c["NOT_IMPLEMENTED"]) for n, c in sorted(counts.items())}


def _activities(plan: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {a["id"]: a for s in plan["strategies"] for a in s["activities"]}


async def test_a_meeting_shows_what_the_committee_had_been_told_by_then(api: Api) -> None:
    seed = parse_minutes(SAMPLE_MINUTES.read_text(encoding="utf-8"), source="seed")
    assert (await import_minutes(api.ledger, seed, "secretariat")).refused == []
    plan_id = plan_id_for(plan_code(seed))

    async def plan_at(at: dict[str, Any]) -> dict[str, Any]:
        data = await api.run(PLAN, {"id": str(plan_id), "at": at})
        assert data["plan"] is not None, at
        plan: dict[str, Any] = data["plan"]
        return plan

    at_year_end = await plan_at({"date": "2020-09-30"})
    told_by_1_2564 = await plan_at({"meeting": "1/2564"})
    told_by_9_2563 = await plan_at({"meeting": "9/2563"})
    on_9_2563 = await plan_at({"date": "2020-12-02"})

    # at 1/2564 the committee heard FY 2563's results: the same counts as the year's end
    assert _counts(at_year_end) == STRATEGY_COUNTS_FY2563
    assert _counts(told_by_1_2564) == STRATEGY_COUNTS_FY2563
    # the date of 9/2563 read on the valid axis alone still shows them (effective 30 September)
    assert _counts(on_9_2563) == STRATEGY_COUNTS_FY2563

    # at 9/2563 none of them had been reported: every FY 2563 activity as before those results
    fy2563 = [a for a in _activities(told_by_9_2563).values() if a["fiscalYear"] == 2563]
    assert len(fy2563) == 31
    for a in fy2563:
        activity = api.ledger.load(Activity, activity_id_for(plan_id, 2563, a["title"]))
        reported_later = [f for f in activity.facts if f.meeting_id is not None and type(f).__name__ != "Registered"]
        assert reported_later, a["title"]  # each FY 2563 activity's result was heard at 1/2564
        before = fold([f for f in activity.facts if f not in reported_later], ActivityState, date(2020, 12, 2))
        assert (a["status"], a["outcome"]) == (before.status.value, before.outcome), a["title"]
    assert _counts(told_by_9_2563) == {n: (0, 0, 0) for n in STRATEGY_COUNTS_FY2563}
    # the activities themselves are there from their registration (the frame, not a report)
    assert _activities(told_by_9_2563).keys() == _activities(told_by_1_2564).keys()

    # knownAt composes: at 1/2564, as recorded before the import recorded its first result
    first_result = min(
        f.timestamp
        for a in fy2563
        for f in api.ledger.load(Activity, a["id"]).facts
        if f.meeting_id is not None and type(f).__name__ != "Registered"
    )
    cut = (first_result - timedelta(microseconds=1)).isoformat()
    assert _counts(await plan_at({"meeting": "1/2564", "knownAt": cut})) == _counts(told_by_9_2563)

    # the projector's rows are what a rebuild makes of the log
    assert await verify(api.address.asyncpg_args()) == []
    await rebuild(api.address.asyncpg_args())
    assert await plan_at({"meeting": "9/2563"}) == told_by_9_2563
    assert await plan_at({"meeting": "1/2564"}) == told_by_1_2564


CHANGES = """
query($plan: ID!) { changes(planId: $plan, from: { meeting: "9/2563" }, to: { meeting: "1/2564" }) {
  activities { activityId changed after { status } effectiveOn heardAt heardAtId } } }
"""


async def test_changes_between_two_meetings_are_what_the_committee_was_told_in_between(api: Api) -> None:
    seed = parse_minutes(SAMPLE_MINUTES.read_text(encoding="utf-8"), source="seed")
    assert (await import_minutes(api.ledger, seed, "secretariat")).refused == []
    plan_id = plan_id_for(plan_code(seed))
    told = (await api.run(CHANGES, {"plan": str(plan_id)}))["changes"]["activities"]
    # every FY 2563 result was heard at 1/2564 (their effective dates lie before 9/2563)
    heard = {
        a.id: a
        for r in seed.activity_results
        if r.fiscal_year_be == 2563
        for a in [api.ledger.load(Activity, activity_id_for(plan_id, 2563, r.title))]
    }
    changed = {UUID(c["activityId"]): c for c in told}
    assert set(heard) <= set(changed)
    for activity_id, activity in heard.items():
        c = changed[activity_id]
        assert c["heardAt"] == "1/2564" and c["heardAtId"] is not None
        reported = [f for f in activity.facts if f.meeting_id is not None and type(f).__name__ != "Registered"]
        assert c["effectiveOn"] == max(f.effective_on for f in reported).isoformat()
        assert date.fromisoformat(c["effectiveOn"]) <= date(2020, 12, 2)  # told late: effective before 9/2563
    # read on the valid axis alone, nothing changed in the world between the two dates
    by_date = await api.run(
        'query($plan: ID!) { changes(planId: $plan, from: { date: "2020-12-02" }, to: { date: "2021-01-06" }) '
        "{ activities { activityId } } }",
        {"plan": str(plan_id)},
    )
    assert not set(heard) & {UUID(c["activityId"]) for c in by_date["changes"]["activities"]}
