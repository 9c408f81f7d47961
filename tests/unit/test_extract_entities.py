"""`StreamKind.entities` says a fact of a type changes one row of one family and nothing else; the
timeline then extracts that row alone. Checked here against the full extraction, fact by fact,
for every type declared (a fact about a missing entity included)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from domain.activity import Activity, ActivityState
from domain.facts import Fact
from domain.plan import Plan, PlanState, StrategyState
from projections.extract import ACTIVITY_KIND, KINDS, PLAN_KIND, StreamKind

A = Activity
DAY = date(2024, 1, 1)


def fact(cls: type[Fact], day: int, **fields: Any) -> Fact:
    made = object.__new__(cls)
    common = {"effective_on": DAY + timedelta(days=day), "actor": "a", "meeting_id": None, "reason": "why"}
    object.__setattr__(made, "__dict__", {**common, **fields})
    return made


RISK = {"title": "R", "likelihood": 2, "impact": 3, "owner": "HR", "mitigation": None, "review_on": None}
REASSESS = {"likelihood": 4, "impact": 5, "status": "OPEN", "mitigation": "m", "review_on": DAY}
FACTS = [
    fact(A.MilestonePlanned, 0, milestone_id="m1", title="M1", due_on=DAY + timedelta(days=30)),
    fact(A.MilestonePlanned, 1, milestone_id="m2", title="M2", due_on=DAY + timedelta(days=40)),
    fact(A.MilestoneRescheduled, 2, milestone_id="m1", due_on=DAY + timedelta(days=50)),
    fact(A.MilestoneRescheduled, 3, milestone_id="m9", due_on=DAY),  # no such milestone
    fact(A.MilestoneAchieved, 4, milestone_id="m2", achieved_on=DAY + timedelta(days=4)),
    fact(A.MilestoneDropped, 5, milestone_id="m1"),
    fact(A.MilestonePlanned, 6, milestone_id="m1", title="M1 again", due_on=DAY + timedelta(days=60)),
    fact(A.RiskNoted, 7, risk_id="r1", **RISK),
    fact(A.RiskNoted, 8, risk_id="r2", **RISK),
    fact(A.RiskNoted, 8, risk_id="r3", **{**RISK, "likelihood": None, "impact": None, "owner": None}),
    fact(A.RiskReassessed, 9, risk_id="r1", **REASSESS),
    fact(A.RiskClosed, 10, risk_id="r2"),
    fact(A.RiskClosed, 11, risk_id="r9"),
    fact(A.RiskReassessed, 12, risk_id="r3", **REASSESS),
]
FIGURE = {
    "unit": "PERCENT",
    "unit_label": None,
    "kind": None,
    "activity_id": None,
    "fiscal_year": 2563,
    "agenda_item": 3,
}
PLAN_FACTS = [
    fact(
        Plan.FigureReported, 0, figure_id="f1", label="ภาพรวม", value=Decimal("83.20"), strategy_number=None, **FIGURE
    ),
    fact(Plan.FigureReported, 1, figure_id="f2", label="s5", value=Decimal(100), strategy_number=5, **FIGURE),
]


def test_every_declared_type_is_exercised() -> None:
    declared = {name for kind in KINDS.values() for name in kind.entities}
    assert declared == {type(f).__name__ for f in FACTS + PLAN_FACTS}


def states(exists: bool) -> list[tuple[StreamKind, Any, list[Fact]]]:
    plan = PlanState(exists=exists, strategies={5: StrategyState(5, "t", None)})
    activity = ActivityState(exists=exists, plan_id=str(uuid.uuid4()))
    return [(ACTIVITY_KIND, activity, FACTS), (PLAN_KIND, plan, PLAN_FACTS)]


@pytest.mark.parametrize("exists", [True, False])
def test_an_entity_fact_changes_its_own_row_only(exists: bool) -> None:
    for kind, state, facts in states(exists):
        for f in facts:
            before = kind.snapshot(state)
            f.evolve(state)
            after = kind.snapshot(state)
            family, field, row_of = kind.entities[type(f).__name__]
            key = getattr(f, field)
            assert row_of(state, key) == after[family].get(key)
            for name in after:
                unchanged = {k: v for k, v in after[name].items() if (name, k) != (family, key)}
                assert unchanged == {k: v for k, v in before[name].items() if (name, k) != (family, key)}, f
