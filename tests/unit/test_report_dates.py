"""A report cannot describe the future, nor a time before its plan began (domain/report_dates.py),
through the handlers on an in-memory loader: refused with both dates, nothing recorded."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest

from domain import commands as c
from domain.errors import ReportDateOutOfRange
from domain.facts import Meta
from domain.plan import PlanState
from domain.report_dates import check_report_date, plan_began
from tests.unit.test_handlers import FY2564, InMemoryLedger, a_meeting, a_plan, an_activity, meta

HELD = date(2021, 1, 6)


def at(ledger: InMemoryLedger, meeting: UUID, on: date, reason: str | None = None) -> Meta:
    return Meta(effective_on=on, actor="secretariat", meeting_id=str(meeting), reason=reason)


@pytest.fixture
def setting() -> tuple[InMemoryLedger, UUID, UUID]:
    ledger = InMemoryLedger()
    plan = a_plan(ledger)
    activity = an_activity(ledger, plan)
    return ledger, activity, a_meeting(ledger, "1/2564", HELD, plan)


@pytest.mark.parametrize(
    ("command", "what"),
    [
        (lambda a: c.ChangeActivityStatus(a, "COMPLETED"), "status COMPLETED"),
        (lambda a: c.ChangeActivityStatus(a, "IN_PROGRESS"), "status IN_PROGRESS"),
        (lambda a: c.ReportProgress(a, 40), "progress"),
        (lambda a: c.RecordOutcome(a, "trained 40 people"), "outcome"),
    ],
)
def test_a_report_effective_after_its_meeting_is_refused_naming_both_dates(setting, command, what) -> None:
    ledger, activity, meeting = setting
    before = len(ledger.streams[activity].facts)
    with pytest.raises(ReportDateOutOfRange) as refused:
        ledger.run(command(activity), at(ledger, meeting, date(2021, 1, 7)))
    error = refused.value
    assert (error.code, error.effective_on, error.limit, error.meeting_code) == (
        "REPORT_AFTER_MEETING",
        "2021-01-07",
        "2021-01-06",
        "1/2564",
    )
    assert what in error.message and "2021-01-07" in error.message and "2021-01-06" in error.message
    assert len(ledger.streams[activity].facts) == before
    # on the meeting's date, or before it (a result as of an earlier day), it is a report
    ledger.run(command(activity), at(ledger, meeting, date(2020, 12, 31) if what != "outcome" else HELD))
    assert len(ledger.streams[activity].facts) == before + 1


def test_a_decision_may_take_effect_after_the_meeting(setting) -> None:
    ledger, activity, meeting = setting
    [changed] = ledger.run(c.ChangeActivityStatus(activity, "ON_HOLD"), at(ledger, meeting, date(2021, 2, 1), "budget"))
    assert changed.state.status.value == "ON_HOLD"


def test_a_live_update_names_no_meeting_and_is_not_checked_against_one(setting) -> None:
    ledger, activity, _ = setting
    [changed] = ledger.run(c.ReportProgress(activity, 10), meta(date(2021, 1, 7)))
    assert changed.state.progress == 10


def test_a_report_before_the_plan_began_is_refused_naming_both_dates() -> None:
    ledger = InMemoryLedger()
    plan = ledger.one(c.CreatePlan("HR", "HR plan", date(2020, 10, 15), date(2022, 12, 31)), meta(date(2018, 2, 1)))
    ledger.run(c.AddStrategy(plan.id, 1, "Leaders"), meta(date(2018, 2, 1)))
    activity = an_activity(ledger, UUID(str(plan.id)))
    meeting = a_meeting(ledger, "1/2564", HELD, UUID(str(plan.id)))
    with pytest.raises(ReportDateOutOfRange) as refused:
        ledger.run(c.ReportProgress(activity, 5), at(ledger, meeting, FY2564))
    error = refused.value
    assert (error.code, error.effective_on, error.limit, error.meeting_code) == (
        "REPORT_BEFORE_PLAN",
        "2020-10-01",
        "2020-10-15",
        None,
    )
    assert "before the plan began" in error.message
    assert ledger.streams[activity].state.progress is None


@pytest.mark.parametrize(
    ("state", "first", "began"),
    [
        (PlanState(period_start=date(2018, 1, 1)), date(2017, 6, 1), date(2018, 1, 1)),
        (PlanState(period_start_year=2561, period_end_year=2565), date(2018, 6, 1), date(2017, 10, 1)),
        (PlanState(), date(2018, 6, 1), date(2018, 6, 1)),
    ],
)
def test_the_plan_began_on_its_stated_first_day_else_the_earliest_reading_else_its_first_fact(
    state: PlanState, first: date, began: date
) -> None:
    assert plan_began(state, first) == began


def test_a_meeting_without_a_known_date_bounds_nothing() -> None:
    check_report_date("progress", date(2030, 1, 1), ("9/2563", date.min), None)
    with pytest.raises(ReportDateOutOfRange):
        check_report_date("progress", date(2030, 1, 1), ("9/2563", date(2020, 12, 2)), None)
