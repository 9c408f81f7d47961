"""The Activity aggregate: registration, status, progress, outcome, milestones and risks.

Pure domain tests: no database, no service. Each test names the rule it pins down.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest

from domain.activity import NEEDS_REASON, TRANSITIONS, Activity
from domain.errors import DomainError, InvalidTransition, NotFound, ValidationError
from domain.facts import Meta
from domain.risk import risk_level, risk_score
from domain.vocabulary import ActivityKind, ActivityStatus, MilestoneStatus, RiskLevel, RiskStatus

REGISTERED_ON = date(2021, 1, 6)  # meeting 1/2564
LATER = date(2021, 2, 3)  # meeting 2/2564
LATEST = date(2021, 3, 3)


def meta(on: date = LATER, reason: str | None = None, actor: str = "secretariat") -> Meta:
    return Meta(effective_on=on, actor=actor, meeting_id=None, reason=reason)


def register(**overrides: Any) -> Activity:
    fields: dict[str, Any] = {
        "plan_id": uuid4(),
        "strategy_number": 1,
        "fiscal_year": 2564,
        "kind": "ONE_YEAR",
        "title": "จัดทำแผนอัตรากำลัง ๓ ปี",
        "responsible_units": ["กองอัตรากำลัง สำนักงาน ก.ก."],
        "meta": meta(REGISTERED_ON),
    }
    fields.update(overrides)
    return Activity.register(**fields)


def activity_in(status: ActivityStatus) -> Activity:
    """A fresh activity moved straight from PLANNED (which may become anything) to `status`."""
    activity = register()
    if status is not ActivityStatus.PLANNED:
        activity.change_status(status.value, meta(REGISTERED_ON, reason="as reported"))
    return activity


def with_milestone(due_on: date = date(2021, 3, 31)) -> Activity:
    activity = register()
    activity.plan_milestone("M1", "ร่างแผนเสร็จ", due_on, meta(REGISTERED_ON))
    return activity


def with_risk(likelihood: int = 3, impact: int = 3, review_on: date | None = None) -> Activity:
    activity = register()
    activity.note_risk(
        risk_id="R1",
        title="ไม่ได้รับการจัดสรรงบประมาณ",
        likelihood=likelihood,
        impact=impact,
        owner="สำนักงาน ก.ก.",
        mitigation=None,
        review_on=review_on,
        meta=meta(REGISTERED_ON),
    )
    return activity


# -- registration -------------------------------------------------------------------------------


def test_registering_records_the_activity_as_planned() -> None:
    plan_id = uuid4()
    activity = register(plan_id=plan_id, kind="CONTINUING", responsible_units=["  สำนักการศึกษา  "])

    state = activity.state
    assert state.exists
    assert state.plan_id == str(plan_id)
    assert state.strategy_number == 1
    assert state.fiscal_year == 2564
    assert state.kind is ActivityKind.CONTINUING
    assert state.responsible_units == ["สำนักการศึกษา"]
    assert state.status is ActivityStatus.PLANNED
    assert state.progress is None  # unknown until reported, never 0
    assert state.outcome is None
    assert activity.version == 1
    assert activity.effective_from == REGISTERED_ON


@pytest.mark.parametrize("number", [0, 100, -1, True, "1", 1.0])
def test_strategy_number_must_be_a_whole_number_from_1_to_99(number: object) -> None:
    with pytest.raises(ValidationError) as error:
        register(strategy_number=number)
    assert error.value.field == "strategyNumber"
    assert "1 to 99" in error.value.message


@pytest.mark.parametrize("number", [1, 99])
def test_strategy_numbers_1_and_99_are_accepted(number: int) -> None:
    assert register(strategy_number=number).state.strategy_number == number


@pytest.mark.parametrize("year", [2399, 2801, 2021, "2564"])
def test_fiscal_year_must_be_a_buddhist_era_year_from_2400_to_2800(year: object) -> None:
    with pytest.raises(ValidationError) as error:
        register(fiscal_year=year)
    assert error.value.field == "fiscalYear"
    assert "2400 to 2800" in error.value.message


@pytest.mark.parametrize("year", [2400, 2800])
def test_fiscal_year_bounds_are_accepted(year: int) -> None:
    assert register(fiscal_year=year).state.fiscal_year == year


@pytest.mark.parametrize("kind", ["ANNUAL", "one_year", "", None])
def test_kind_must_be_one_year_or_continuing(kind: object) -> None:
    with pytest.raises(ValidationError) as error:
        register(kind=kind)
    assert error.value.field == "kind"
    assert "ONE_YEAR" in error.value.message and "CONTINUING" in error.value.message


@pytest.mark.parametrize("title", ["", "   ", None])
def test_title_must_not_be_empty(title: object) -> None:
    with pytest.raises(ValidationError) as error:
        register(title=title)
    assert error.value.field == "title"
    assert "empty" in error.value.message


def test_title_over_the_length_limit_is_refused() -> None:
    with pytest.raises(ValidationError) as error:
        register(title="ก" * 10_001)
    assert error.value.field == "title"
    assert "limit" in error.value.message


@pytest.mark.parametrize(
    "units",
    [["สำนักการศึกษา", "สำนักการศึกษา"], ["สำนักการศึกษา", " สำนักการศึกษา "]],
    ids=["exact", "after-trimming"],
)
def test_a_unit_may_be_named_only_once(units: list[str]) -> None:
    with pytest.raises(ValidationError) as error:
        register(responsible_units=units)
    assert error.value.field == "responsibleUnits"
    assert "twice" in error.value.message


@pytest.mark.parametrize("units", ["สำนักการศึกษา", None, [""]])
def test_units_must_be_a_list_of_names(units: object) -> None:
    with pytest.raises(ValidationError) as error:
        register(responsible_units=units)
    assert error.value.field == "responsibleUnits"


def test_assigning_units_replaces_them_and_refuses_duplicates() -> None:
    activity = register()
    activity.assign_units(["สำนักการศึกษา", "สำนักงาน ก.ก."], meta())
    assert activity.state.responsible_units == ["สำนักการศึกษา", "สำนักงาน ก.ก."]

    with pytest.raises(ValidationError, match="twice"):
        activity.assign_units(["A", "A"], meta())


def test_retitling_changes_the_title_but_not_to_the_same_one() -> None:
    activity = register(title="เดิม")
    activity.retitle("ใหม่", meta())
    assert activity.state.title == "ใหม่"

    with pytest.raises(InvalidTransition, match="already titled"):
        activity.retitle(" ใหม่ ", meta())


@pytest.mark.parametrize(
    ("bad_meta", "field"),
    [
        (Meta(effective_on=REGISTERED_ON, actor="   "), "actor"),
        (Meta(effective_on=date(1899, 12, 31), actor="secretariat"), "effectiveOn"),
        (Meta(effective_on=date(2201, 1, 1), actor="secretariat"), "effectiveOn"),
    ],
    ids=["blank-actor", "before-1900", "after-2200"],
)
def test_every_command_needs_an_actor_and_a_plausible_effective_date(bad_meta: Meta, field: str) -> None:
    with pytest.raises(ValidationError) as error:
        register(meta=bad_meta)
    assert error.value.field == field


# -- status transitions -------------------------------------------------------------------------


def test_the_transition_table_covers_every_status_and_cancelled_is_final() -> None:
    assert set(TRANSITIONS) == set(ActivityStatus)
    assert TRANSITIONS[ActivityStatus.CANCELLED] == frozenset()
    assert TRANSITIONS[ActivityStatus.COMPLETED] == {ActivityStatus.IN_PROGRESS}
    for current, targets in TRANSITIONS.items():
        assert current not in targets


@pytest.mark.parametrize("wanted", list(ActivityStatus), ids=lambda s: f"to-{s.value}")
@pytest.mark.parametrize("current", list(ActivityStatus), ids=lambda s: f"from-{s.value}")
def test_a_status_change_is_allowed_exactly_when_the_table_allows_it(
    current: ActivityStatus, wanted: ActivityStatus
) -> None:
    activity = activity_in(current)
    version = activity.version

    if wanted in TRANSITIONS[current]:
        activity.change_status(wanted.value, meta(LATER, reason="reported at 2/2564"))
        assert activity.state.status is wanted
        assert activity.state.status_reason == "reported at 2/2564"
        assert activity.version == version + 1
        return

    with pytest.raises(InvalidTransition) as error:
        activity.change_status(wanted.value, meta(LATER, reason="reported at 2/2564"))
    assert error.value.current == current.value
    if wanted is current:
        assert f"already {current.value}" in error.value.message
    else:
        assert error.value.requested == wanted.value
        assert f"cannot become {wanted.value}" in error.value.message
        assert "may become" in error.value.message
    assert activity.state.status is current
    assert activity.version == version


def test_a_refused_transition_says_what_the_activity_may_become() -> None:
    with pytest.raises(InvalidTransition) as error:
        activity_in(ActivityStatus.COMPLETED).change_status("ON_HOLD", meta(reason="x"))
    assert "(it may become: IN_PROGRESS)" in error.value.message

    with pytest.raises(InvalidTransition) as error:
        activity_in(ActivityStatus.CANCELLED).change_status("IN_PROGRESS", meta(reason="x"))
    assert "(it may become: nothing)" in error.value.message


def test_an_unknown_status_is_a_validation_error() -> None:
    with pytest.raises(ValidationError) as error:
        register().change_status("DONE", meta())
    assert error.value.field == "status"
    assert "COMPLETED" in error.value.message


@pytest.mark.parametrize("wanted", sorted(NEEDS_REASON), ids=lambda s: s.value)
@pytest.mark.parametrize("reason", [None, "", "   "], ids=["none", "empty", "blank"])
def test_not_implemented_on_hold_and_cancelled_need_a_reason(wanted: ActivityStatus, reason: str | None) -> None:
    activity = activity_in(ActivityStatus.IN_PROGRESS)
    with pytest.raises(ValidationError) as error:
        activity.change_status(wanted.value, meta(reason=reason))
    assert error.value.field == "reason"
    assert wanted.value in error.value.message
    assert activity.state.status is ActivityStatus.IN_PROGRESS


def test_the_reasons_are_exactly_for_not_implemented_on_hold_and_cancelled() -> None:
    assert {
        ActivityStatus.NOT_IMPLEMENTED,
        ActivityStatus.ON_HOLD,
        ActivityStatus.CANCELLED,
    } == NEEDS_REASON


@pytest.mark.parametrize("wanted", ["NOT_STARTED", "IN_PROGRESS", "COMPLETED"])
def test_other_moves_need_no_reason(wanted: str) -> None:
    activity = register()
    activity.change_status(wanted, meta())
    assert activity.state.status.value == wanted
    assert activity.state.status_reason is None


def test_a_stated_reason_is_kept_with_the_status() -> None:
    activity = activity_in(ActivityStatus.IN_PROGRESS)
    activity.change_status("NOT_IMPLEMENTED", meta(reason="ไม่ได้รับการจัดสรรงบประมาณ"))
    assert activity.state.status is ActivityStatus.NOT_IMPLEMENTED
    assert activity.state.status_reason == "ไม่ได้รับการจัดสรรงบประมาณ"


def test_reopening_a_completed_activity_needs_a_reason() -> None:
    activity = activity_in(ActivityStatus.COMPLETED)
    with pytest.raises(ValidationError) as error:
        activity.change_status("IN_PROGRESS", meta())
    assert error.value.field == "reason"
    assert "reopening a completed activity" in error.value.message

    activity.change_status("IN_PROGRESS", meta(reason="ผลงานยังไม่ครบตามเป้าหมาย"))
    assert activity.state.status is ActivityStatus.IN_PROGRESS
    assert activity.state.status_reason == "ผลงานยังไม่ครบตามเป้าหมาย"


# -- a cancelled activity takes no more updates ---------------------------------------------------


def cancelled_with_milestone_and_risk() -> Activity:
    activity = with_risk()
    activity.plan_milestone("M1", "ร่างแผนเสร็จ", date(2021, 3, 31), meta(REGISTERED_ON))
    activity.change_status("CANCELLED", meta(LATER, reason="ยุบรวมกับโครงการอื่น"))
    return activity


CANCELLED_REFUSES: dict[str, Callable[[Activity], None]] = {
    "progress": lambda a: a.report_progress(50, meta(LATEST)),
    "outcome": lambda a: a.record_outcome("แล้วเสร็จ", meta(LATEST)),
    "retitle": lambda a: a.retitle("ชื่อใหม่", meta(LATEST)),
    "units": lambda a: a.assign_units(["สำนักการศึกษา"], meta(LATEST)),
    "plan-milestone": lambda a: a.plan_milestone("M2", "อีกขั้น", date(2021, 6, 30), meta(LATEST)),
    "reschedule-milestone": lambda a: a.reschedule_milestone("M1", date(2021, 6, 30), meta(LATEST, "x")),
    "achieve-milestone": lambda a: a.achieve_milestone("M1", LATEST, meta(LATEST)),
    "drop-milestone": lambda a: a.drop_milestone("M1", meta(LATEST, "x")),
    "note-risk": lambda a: a.note_risk(
        risk_id="R2",
        title="t",
        likelihood=1,
        impact=1,
        owner="o",
        mitigation=None,
        review_on=None,
        meta=meta(LATEST),
    ),
    "reassess-risk": lambda a: a.reassess_risk(risk_id="R1", likelihood=5, meta=meta(LATEST)),
    "close-risk": lambda a: a.close_risk("R1", meta(LATEST)),
}


@pytest.mark.parametrize("command", CANCELLED_REFUSES.values(), ids=CANCELLED_REFUSES.keys())
def test_a_cancelled_activity_refuses_every_update(command: Callable[[Activity], None]) -> None:
    activity = cancelled_with_milestone_and_risk()
    version = activity.version
    with pytest.raises(InvalidTransition) as error:
        command(activity)
    assert "cancelled" in error.value.message
    assert error.value.current == "CANCELLED"
    assert activity.version == version


def test_updates_dated_before_the_cancellation_are_still_checked_against_that_date() -> None:
    activity = cancelled_with_milestone_and_risk()
    activity.record_outcome("อยู่ระหว่างดำเนินการ", meta(date(2021, 1, 20)))
    assert activity.state.outcome == "อยู่ระหว่างดำเนินการ"
    assert activity.state.status is ActivityStatus.CANCELLED


# -- progress and outcome -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        (0, Decimal(0)),
        (100, Decimal(100)),
        ("83.20", Decimal("83.20")),
        (Decimal("95.68"), Decimal("95.68")),
        (70.71, Decimal("70.71")),
        ("50.5", Decimal("50.5")),
    ],
)
def test_progress_is_a_percentage_with_at_most_two_decimals(given: object, stored: Decimal) -> None:
    activity = register()
    activity.report_progress(given, meta())  # type: ignore[arg-type]
    assert activity.state.progress == stored
    assert isinstance(activity.state.progress, Decimal)


@pytest.mark.parametrize(
    ("given", "says"),
    [
        (-1, "between 0 and 100"),
        ("100.01", "between 0 and 100"),
        (100.01, "between 0 and 100"),
        ("1.234", "more than two decimal places"),
        (1.234, "more than two decimal places"),
        ("abc", "not a number"),
        ("", "not a number"),
        (None, "not a number"),
        (float("nan"), "between 0 and 100"),
        ("NaN", "between 0 and 100"),
        ("Infinity", "between 0 and 100"),
    ],
)
def test_progress_outside_0_to_100_or_too_precise_is_refused(given: object, says: str) -> None:
    activity = register()
    with pytest.raises(ValidationError) as error:
        activity.report_progress(given, meta())  # type: ignore[arg-type]
    assert error.value.field == "progress"
    assert says in error.value.message
    assert activity.state.progress is None
    assert activity.version == 1


def test_the_latest_progress_report_is_the_progress() -> None:
    activity = register()
    activity.report_progress(40, meta(LATER))
    activity.report_progress("55.50", meta(LATEST))
    assert activity.state.progress == Decimal("55.50")


def test_an_outcome_is_recorded_and_must_not_be_empty() -> None:
    activity = register()
    activity.record_outcome("แล้วเสร็จ จัดทำแผนอัตรากำลังเรียบร้อย", meta())
    assert activity.state.outcome == "แล้วเสร็จ จัดทำแผนอัตรากำลังเรียบร้อย"

    with pytest.raises(ValidationError) as error:
        activity.record_outcome("  ", meta())
    assert error.value.field == "outcome"


# -- milestones ---------------------------------------------------------------------------------


def test_a_planned_milestone_is_due_on_its_original_date() -> None:
    activity = with_milestone(date(2021, 3, 31))
    milestone = activity.state.milestones["M1"]
    assert milestone.status is MilestoneStatus.PLANNED
    assert milestone.original_due_on == milestone.due_on == date(2021, 3, 31)
    assert milestone.planned_on == REGISTERED_ON
    assert milestone.reschedules == []
    assert milestone.slip_days == 0


def test_a_milestone_id_is_used_once() -> None:
    activity = with_milestone()
    with pytest.raises(ValidationError) as error:
        activity.plan_milestone("M1", "อีกครั้ง", date(2021, 5, 1), meta())
    assert error.value.field == "milestoneId"
    assert "already exists" in error.value.message


@pytest.mark.parametrize(
    ("milestone_id", "title", "due_on", "field"),
    [
        ("", "t", date(2021, 5, 1), "milestoneId"),
        ("M2", " ", date(2021, 5, 1), "title"),
        ("M2", "t", "2021-05-01", "dueOn"),
        ("M2", "t", date(1800, 1, 1), "dueOn"),
    ],
)
def test_a_milestone_needs_an_id_a_title_and_a_due_date(
    milestone_id: str, title: str, due_on: object, field: str
) -> None:
    with pytest.raises(ValidationError) as error:
        register().plan_milestone(milestone_id, title, due_on, meta())  # type: ignore[arg-type]
    assert error.value.field == field


def test_rescheduling_moves_the_due_date_and_keeps_the_history() -> None:
    activity = with_milestone(date(2021, 3, 31))
    activity.reschedule_milestone("M1", date(2021, 5, 31), meta(LATER, reason="COVID-19"))

    milestone = activity.state.milestones["M1"]
    assert milestone.due_on == date(2021, 5, 31)
    assert milestone.original_due_on == date(2021, 3, 31)
    assert len(milestone.reschedules) == 1
    reschedule = milestone.reschedules[0]
    assert (reschedule.from_on, reschedule.to_on) == (date(2021, 3, 31), date(2021, 5, 31))
    assert reschedule.reason == "COVID-19"
    assert reschedule.effective_on == LATER
    assert milestone.slip_days == 61


@pytest.mark.parametrize("reason", [None, "   "])
def test_rescheduling_needs_a_reason(reason: str | None) -> None:
    activity = with_milestone()
    with pytest.raises(ValidationError) as error:
        activity.reschedule_milestone("M1", date(2021, 5, 31), meta(reason=reason))
    assert error.value.field == "reason"
    assert "reschedule" in error.value.message


def test_rescheduling_to_the_same_date_is_refused() -> None:
    activity = with_milestone(date(2021, 3, 31))
    with pytest.raises(InvalidTransition, match="already due on 2021-03-31"):
        activity.reschedule_milestone("M1", date(2021, 3, 31), meta(reason="x"))


def test_rescheduling_an_unknown_milestone_is_not_found() -> None:
    with pytest.raises(NotFound) as error:
        with_milestone().reschedule_milestone("M9", date(2021, 5, 31), meta(reason="x"))
    assert error.value.kind == "milestone"
    assert error.value.key == "M9"


def test_achieving_a_milestone_records_when() -> None:
    activity = with_milestone(date(2021, 3, 31))
    activity.achieve_milestone("M1", date(2021, 4, 10), meta(LATEST + timedelta(days=60)))
    milestone = activity.state.milestones["M1"]
    assert milestone.status is MilestoneStatus.ACHIEVED
    assert milestone.achieved_on == date(2021, 4, 10)
    assert milestone.slip_days == 10


def test_a_milestone_may_be_achieved_on_the_day_it_was_planned_and_on_the_reports_date() -> None:
    activity = with_milestone()
    activity.achieve_milestone("M1", REGISTERED_ON, meta(REGISTERED_ON))
    assert activity.state.milestones["M1"].achieved_on == REGISTERED_ON


def test_a_milestone_cannot_be_achieved_before_it_was_planned() -> None:
    activity = with_milestone()
    with pytest.raises(ValidationError) as error:
        activity.achieve_milestone("M1", REGISTERED_ON - timedelta(days=1), meta())
    assert error.value.field == "achievedOn"
    assert "before the milestone was planned" in error.value.message


def test_a_milestone_cannot_be_achieved_after_the_reports_effective_date() -> None:
    activity = with_milestone()
    with pytest.raises(ValidationError) as error:
        activity.achieve_milestone("M1", LATER + timedelta(days=1), meta(LATER))
    assert error.value.field == "achievedOn"
    assert "after the report's effective date" in error.value.message


def test_dropping_a_milestone_needs_a_reason() -> None:
    activity = with_milestone()
    with pytest.raises(ValidationError) as error:
        activity.drop_milestone("M1", meta())
    assert error.value.field == "reason"

    activity.drop_milestone("M1", meta(LATER, reason="ไม่จำเป็นแล้ว"))
    milestone = activity.state.milestones["M1"]
    assert milestone.status is MilestoneStatus.DROPPED
    assert milestone.dropped_on == LATER


FINISH_MILESTONE: dict[str, Callable[[Activity], None]] = {
    "achieved": lambda a: a.achieve_milestone("M1", LATER, meta(LATER)),
    "dropped": lambda a: a.drop_milestone("M1", meta(LATER, "x")),
}
CHANGE_MILESTONE: dict[str, Callable[[Activity], None]] = {
    "reschedule": lambda a: a.reschedule_milestone("M1", date(2021, 9, 30), meta(LATEST, "x")),
    "achieve": lambda a: a.achieve_milestone("M1", LATEST, meta(LATEST)),
    "drop": lambda a: a.drop_milestone("M1", meta(LATEST, "x")),
}


@pytest.mark.parametrize("change", CHANGE_MILESTONE.values(), ids=CHANGE_MILESTONE.keys())
@pytest.mark.parametrize("finish", FINISH_MILESTONE.values(), ids=FINISH_MILESTONE.keys())
def test_an_achieved_or_dropped_milestone_takes_no_more_changes(
    finish: Callable[[Activity], None], change: Callable[[Activity], None]
) -> None:
    activity = with_milestone()
    finish(activity)
    status = activity.state.milestones["M1"].status
    with pytest.raises(InvalidTransition) as error:
        change(activity)
    assert f"already {status.value}" in error.value.message
    assert error.value.current == status.value


def test_slip_days_count_from_the_original_due_date_and_never_go_negative() -> None:
    activity = with_milestone(date(2021, 3, 31))
    activity.reschedule_milestone("M1", date(2021, 3, 1), meta(LATER, reason="เร่งรัด"))
    assert activity.state.milestones["M1"].slip_days == 0

    activity.reschedule_milestone("M1", date(2021, 4, 30), meta(LATER, reason="COVID-19"))
    assert activity.state.milestones["M1"].slip_days == 30
    assert len(activity.state.milestones["M1"].reschedules) == 2

    activity.achieve_milestone("M1", date(2021, 4, 5), meta(date(2021, 4, 7)))
    assert activity.state.milestones["M1"].slip_days == 5  # achieved early on the new date


def test_a_milestone_is_overdue_only_after_its_due_date_and_only_while_planned() -> None:
    activity = with_milestone(date(2021, 3, 31))
    milestone = activity.state.milestones["M1"]
    assert not milestone.overdue_on(date(2021, 3, 30))
    assert not milestone.overdue_on(date(2021, 3, 31))
    assert milestone.overdue_on(date(2021, 4, 1))

    activity.achieve_milestone("M1", date(2021, 4, 2), meta(date(2021, 4, 2)))
    assert not activity.state.milestones["M1"].overdue_on(date(2021, 5, 1))

    dropped = with_milestone(date(2021, 3, 31))
    dropped.drop_milestone("M1", meta(LATER, reason="x"))
    assert not dropped.state.milestones["M1"].overdue_on(date(2021, 5, 1))


# -- risks --------------------------------------------------------------------------------------


def test_a_noted_risk_is_open_with_its_score_and_level() -> None:
    activity = with_risk(likelihood=4, impact=3, review_on=date(2021, 3, 1))
    risk = activity.state.risks["R1"]
    assert risk.status is RiskStatus.OPEN
    assert risk.score == 12
    assert risk.level is RiskLevel.HIGH
    assert risk.noted_on == REGISTERED_ON
    assert risk.review_on == date(2021, 3, 1)
    assert risk.closed_on is None


@pytest.mark.parametrize("field", ["likelihood", "impact"])
@pytest.mark.parametrize("value", [0, 6, -1, True, 2.5, "3"])
def test_likelihood_and_impact_are_whole_numbers_from_1_to_5(field: str, value: object) -> None:
    args: dict[str, Any] = {"likelihood": 3, "impact": 3, field: value}
    with pytest.raises(ValidationError) as error:
        with_risk(**args)
    assert error.value.field == field
    assert "1 to 5" in error.value.message


@pytest.mark.parametrize(
    ("score", "level"),
    [
        (1, RiskLevel.LOW),
        (4, RiskLevel.LOW),
        (5, RiskLevel.MEDIUM),
        (9, RiskLevel.MEDIUM),
        (10, RiskLevel.HIGH),
        (16, RiskLevel.HIGH),
        (17, RiskLevel.VERY_HIGH),
        (25, RiskLevel.VERY_HIGH),
    ],
)
def test_risk_level_boundaries(score: int, level: RiskLevel) -> None:
    assert risk_level(score) is level


@pytest.mark.parametrize(
    ("likelihood", "impact", "score", "level"),
    [
        (1, 1, 1, RiskLevel.LOW),
        (2, 2, 4, RiskLevel.LOW),
        (1, 5, 5, RiskLevel.MEDIUM),
        (3, 3, 9, RiskLevel.MEDIUM),
        (2, 5, 10, RiskLevel.HIGH),
        (4, 4, 16, RiskLevel.HIGH),
        (5, 4, 20, RiskLevel.VERY_HIGH),
        (5, 5, 25, RiskLevel.VERY_HIGH),
    ],
)
def test_a_risk_scores_likelihood_times_impact(likelihood: int, impact: int, score: int, level: RiskLevel) -> None:
    assert risk_score(likelihood, impact) == score
    risk = with_risk(likelihood, impact).state.risks["R1"]
    assert (risk.score, risk.level) == (score, level)


def test_a_risk_id_is_used_once() -> None:
    with pytest.raises(ValidationError) as error:
        with_risk().note_risk(
            risk_id="R1",
            title="t",
            likelihood=1,
            impact=1,
            owner="o",
            mitigation=None,
            review_on=None,
            meta=meta(),
        )
    assert error.value.field == "riskId"


@pytest.mark.parametrize(("field", "value"), [("title", " "), ("risk_id", "")])
def test_a_risk_needs_an_id_and_a_title(field: str, value: str) -> None:
    args: dict[str, Any] = {
        "risk_id": "R1",
        "title": "t",
        "likelihood": 1,
        "impact": 1,
        "owner": "o",
        "mitigation": None,
        "review_on": None,
        "meta": meta(),
        field: value,
    }
    with pytest.raises(ValidationError) as error:
        register().note_risk(**args)
    assert error.value.field == {"risk_id": "riskId"}.get(field, field)


def unassessed() -> Activity:
    activity = register()
    activity.note_risk(risk_id="R1", title="ไม่ได้รับการจัดสรรงบประมาณ", meta=meta(REGISTERED_ON))
    return activity


def test_a_risk_noted_without_likelihood_and_impact_is_not_yet_assessed() -> None:
    risk = unassessed().state.risks["R1"]
    assert not risk.assessed
    assert (risk.likelihood, risk.impact, risk.score, risk.level) == (None, None, None, None)
    assert (risk.owner, risk.mitigation) == (None, None)  # nobody named, nothing invented
    assert risk.status is RiskStatus.OPEN


@pytest.mark.parametrize(("given", "missing"), [({"likelihood": 3}, "impact"), ({"impact": 2}, "likelihood")])
def test_likelihood_and_impact_come_together_or_not_at_all(given: dict[str, int], missing: str) -> None:
    activity = register()
    with pytest.raises(ValidationError) as error:
        activity.note_risk(risk_id="R1", title="t", meta=meta(), **given)  # type: ignore[arg-type]
    assert error.value.field == missing
    assert activity.version == 1


def test_reassessing_assesses_a_risk_not_yet_assessed() -> None:
    activity = unassessed()
    with pytest.raises(ValidationError) as error:  # half an assessment is none
        activity.reassess_risk(risk_id="R1", likelihood=4, meta=meta(LATER))
    assert error.value.field == "impact"
    activity.reassess_risk(risk_id="R1", status="MITIGATING", meta=meta(LATER))  # still not assessed
    assert activity.state.risks["R1"].level is None
    activity.reassess_risk(risk_id="R1", likelihood=4, impact=3, meta=meta(LATEST))
    risk = activity.state.risks["R1"]
    assert (risk.likelihood, risk.impact, risk.score, risk.level) == (4, 3, 12, RiskLevel.HIGH)
    assert risk.status is RiskStatus.MITIGATING
    assert activity.state_as_of(LATER).risks["R1"].score is None  # before the assessment: unknown


def test_the_importers_old_stand_in_for_an_assessment_reads_as_none() -> None:
    """RiskNoted v1 events the importer wrote with likelihood 3 × impact 3 and its placeholder
    mitigation (no assessment was given) are upcast to not yet assessed; real scores stay."""
    stand_in = {
        "likelihood": 3,
        "impact": 3,
        "owner": "ยังไม่ระบุ",
        "mitigation": "นำเข้าจากรายงานการประชุม: ให้คณะอนุกรรมการประเมินโอกาสและผลกระทบ",
    }
    Activity.RiskNoted.upcast_v1_v2(stand_in)
    assert stand_in == {"likelihood": None, "impact": None, "owner": None, "mitigation": None}
    named = {**stand_in, "likelihood": 3, "impact": 3, "owner": "สำนักงาน ก.ก."}
    named["mitigation"] = "นำเข้าจากรายงานการประชุม: ให้คณะอนุกรรมการประเมินโอกาสและผลกระทบ"
    Activity.RiskNoted.upcast_v1_v2(named)
    assert (named["likelihood"], named["owner"]) == (None, "สำนักงาน ก.ก.")
    for assessed in (
        {"likelihood": 3, "impact": 3, "owner": "HR", "mitigation": "Ask early"},
        {"likelihood": 4, "impact": 3, "owner": "ยังไม่ระบุ", "mitigation": named["mitigation"]},
    ):
        before = dict(assessed)
        Activity.RiskNoted.upcast_v1_v2(assessed)
        assert assessed == before


def test_a_review_date_before_the_effective_date_is_refused_when_noting() -> None:
    with pytest.raises(ValidationError) as error:
        with_risk(review_on=REGISTERED_ON - timedelta(days=1))
    assert error.value.field == "reviewOn"
    assert f"before {REGISTERED_ON}" in error.value.message


def test_a_review_date_on_the_effective_date_is_accepted() -> None:
    assert with_risk(review_on=REGISTERED_ON).state.risks["R1"].review_on == REGISTERED_ON


def test_reassessing_changes_only_what_is_given() -> None:
    activity = with_risk(likelihood=2, impact=2, review_on=date(2021, 3, 1))
    activity.reassess_risk(risk_id="R1", likelihood=4, impact=5, meta=meta(LATER))

    risk = activity.state.risks["R1"]
    assert (risk.likelihood, risk.impact, risk.score, risk.level) == (4, 5, 20, RiskLevel.VERY_HIGH)
    assert risk.status is RiskStatus.OPEN
    assert risk.review_on == date(2021, 3, 1)

    activity.reassess_risk(risk_id="R1", status="MITIGATING", mitigation="ขอจัดสรรงบกลาง", meta=meta(LATER))
    risk = activity.state.risks["R1"]
    assert risk.status is RiskStatus.MITIGATING
    assert risk.mitigation == "ขอจัดสรรงบกลาง"
    assert (risk.likelihood, risk.impact) == (4, 5)


def test_reassessing_with_nothing_new_is_refused() -> None:
    activity = with_risk(likelihood=3, impact=3)
    with pytest.raises(InvalidTransition, match="nothing changes"):
        activity.reassess_risk(risk_id="R1", likelihood=3, meta=meta())


@pytest.mark.parametrize(("field", "value"), [("likelihood", 6), ("impact", 0), ("status", "GONE")])
def test_reassessing_validates_the_new_values(field: str, value: object) -> None:
    with pytest.raises(ValidationError) as error:
        with_risk().reassess_risk(risk_id="R1", meta=meta(), **{field: value})
    assert error.value.field == field


def test_reassessing_cannot_close_a_risk() -> None:
    with pytest.raises(ValidationError) as error:
        with_risk().reassess_risk(risk_id="R1", status="CLOSED", meta=meta())
    assert error.value.field == "status"
    assert "closeRisk" in error.value.message


def test_a_review_date_before_the_effective_date_is_refused_when_reassessing() -> None:
    with pytest.raises(ValidationError) as error:
        with_risk().reassess_risk(risk_id="R1", review_on=LATER - timedelta(days=1), meta=meta(LATER))
    assert error.value.field == "reviewOn"


def test_reassessing_an_unknown_risk_is_not_found() -> None:
    with pytest.raises(NotFound) as error:
        with_risk().reassess_risk(risk_id="R9", likelihood=1, meta=meta())
    assert (error.value.kind, error.value.key) == ("risk", "R9")


def test_closing_a_risk_records_when() -> None:
    activity = with_risk()
    activity.close_risk("R1", meta(LATER, reason="ได้รับงบประมาณแล้ว"))
    risk = activity.state.risks["R1"]
    assert risk.status is RiskStatus.CLOSED
    assert risk.closed_on == LATER


CHANGE_CLOSED_RISK: dict[str, Callable[[Activity], None]] = {
    "reassess": lambda a: a.reassess_risk(risk_id="R1", likelihood=5, meta=meta(LATEST)),
    "close-again": lambda a: a.close_risk("R1", meta(LATEST)),
}


@pytest.mark.parametrize("change", CHANGE_CLOSED_RISK.values(), ids=CHANGE_CLOSED_RISK.keys())
def test_a_closed_risk_refuses_changes(change: Callable[[Activity], None]) -> None:
    activity = with_risk()
    activity.close_risk("R1", meta(LATER))
    with pytest.raises(InvalidTransition) as error:
        change(activity)
    assert "is closed" in error.value.message
    assert error.value.current == "CLOSED"


def test_closing_an_unknown_risk_is_not_found() -> None:
    with pytest.raises(NotFound):
        with_risk().close_risk("R9", meta())


# -- backdated facts ----------------------------------------------------------------------------


def test_a_backdated_progress_report_folds_in_effective_date_order() -> None:
    activity = register()
    activity.report_progress(80, meta(LATEST))
    activity.report_progress(40, meta(LATER))  # learned later, true earlier

    assert activity.state.progress == Decimal(80)
    assert activity.state_as_of(LATER).progress == Decimal(40)
    assert activity.state_as_of(LATEST).progress == Decimal(80)
    assert activity.state_as_of(REGISTERED_ON).progress is None


def test_a_backdated_status_change_is_checked_against_the_status_on_its_date() -> None:
    activity = register()
    activity.change_status("IN_PROGRESS", meta(LATER))
    activity.change_status("COMPLETED", meta(LATEST))

    # on 2021-01-20 the activity was still PLANNED: NOT_STARTED is allowed then
    activity.change_status("NOT_STARTED", meta(date(2021, 1, 20)))
    assert activity.state.status is ActivityStatus.COMPLETED
    assert activity.state_as_of(date(2021, 1, 25)).status is ActivityStatus.NOT_STARTED

    # on 2021-02-10 it was IN_PROGRESS: becoming IN_PROGRESS again is refused
    with pytest.raises(InvalidTransition, match="already IN_PROGRESS"):
        activity.change_status("IN_PROGRESS", meta(date(2021, 2, 10)))


def test_facts_on_the_same_date_fold_in_the_order_they_were_recorded() -> None:
    activity = register()
    activity.report_progress(80, meta(LATEST))
    activity.report_progress(30, meta(LATER))
    activity.report_progress(35, meta(LATER))
    assert activity.state_as_of(LATER).progress == Decimal(35)
    assert activity.state.progress == Decimal(80)


def test_a_backdated_milestone_command_is_checked_against_the_milestones_on_its_date() -> None:
    activity = with_milestone(date(2021, 3, 31))
    activity.plan_milestone("M2", "ประกาศใช้แผน", date(2021, 6, 30), meta(LATEST))

    activity.achieve_milestone("M1", date(2021, 2, 1), meta(LATER))
    assert activity.state.milestones["M1"].achieved_on == date(2021, 2, 1)
    assert activity.state_as_of(LATER).milestones["M1"].status is MilestoneStatus.ACHIEVED

    # M2 was planned only on 2021-03-03: on 2021-02-03 there was no such milestone
    with pytest.raises(NotFound) as error:
        activity.achieve_milestone("M2", date(2021, 2, 1), meta(LATER))
    assert error.value.key == "M2"


def test_the_incremental_state_equals_a_full_refold_after_backdating() -> None:
    activity = with_milestone(date(2021, 3, 31))
    activity.report_progress(80, meta(LATEST))
    activity.reschedule_milestone("M1", date(2021, 4, 30), meta(LATEST, reason="COVID-19"))
    activity.report_progress(40, meta(LATER))
    activity.reschedule_milestone("M1", date(2021, 4, 15), meta(LATER, reason="งบล่าช้า"))

    assert activity.state == activity.state_as_of(date(2200, 1, 1))
    reschedules = activity.state.milestones["M1"].reschedules
    assert [(r.from_on, r.to_on) for r in reschedules] == [
        (date(2021, 3, 31), date(2021, 4, 15)),
        (date(2021, 4, 15), date(2021, 4, 30)),
    ]


BEFORE_IT_EXISTED: dict[str, Callable[[Activity, Meta], None]] = {
    "status": lambda a, m: a.change_status("IN_PROGRESS", m),
    "progress": lambda a, m: a.report_progress(10, m),
    "outcome": lambda a, m: a.record_outcome("x", m),
    "retitle": lambda a, m: a.retitle("x", m),
    "milestone": lambda a, m: a.plan_milestone("M2", "x", LATER, m),
    "risk": lambda a, m: a.note_risk(
        risk_id="R2", title="t", likelihood=1, impact=1, owner="o", mitigation=None, review_on=None, meta=m
    ),
}


@pytest.mark.parametrize("command", BEFORE_IT_EXISTED.values(), ids=BEFORE_IT_EXISTED.keys())
def test_a_fact_effective_before_the_activity_existed_is_refused(
    command: Callable[[Activity, Meta], None],
) -> None:
    activity = register()
    day_before = REGISTERED_ON - timedelta(days=1)
    with pytest.raises(DomainError) as error:
        command(activity, meta(day_before, reason="x"))
    assert isinstance(error.value, (ValidationError, InvalidTransition))
    assert "exist" in error.value.message
    assert str(day_before) in error.value.message
    assert activity.version == 1
    assert activity.pending_events[1:] == []


def test_a_backdated_cancellation_before_later_updates_is_refused() -> None:
    activity = register()
    activity.change_status("IN_PROGRESS", meta(LATER))
    activity.change_status("COMPLETED", meta(LATEST))
    with pytest.raises(InvalidTransition):
        activity.change_status("CANCELLED", meta(date(2021, 2, 10), reason="COVID-19"))
    assert activity.state.status is ActivityStatus.COMPLETED


def test_minutes_record_a_reopening_without_a_reason_a_person_must_give_one() -> None:
    """A person reopening a completed activity says why; minutes that report it in progress after
    others said it was completed are the record itself, recorded with the reason they do not give
    left unknown (either file may be imported first: service/minutes/importer.py)."""
    activity = activity_in(ActivityStatus.COMPLETED)
    with pytest.raises(ValidationError, match="needs a reason"):
        activity.change_status("IN_PROGRESS", meta(LATER))
    from_minutes = Meta(effective_on=LATER, actor="secretariat", meeting_id="m-3", minutes_of="m-3")
    activity.change_status("IN_PROGRESS", from_minutes)
    assert activity.state.status is ActivityStatus.IN_PROGRESS
    assert activity.state.status_reason is None


def test_a_status_reported_again_later_changes_nothing_in_the_history() -> None:
    """Minutes of an earlier meeting imported after later ones put a change before the later
    report of the same status: the history then reads no 'IN_PROGRESS -> IN_PROGRESS', and the
    reasons stay those of the change that brought the status."""
    activity = register()
    activity.change_status("IN_PROGRESS", meta(LATEST))
    activity.change_status("IN_PROGRESS", meta(LATER, reason="started in January"))
    assert activity.state.status is ActivityStatus.IN_PROGRESS
    assert activity.state.status_reason == "started in January"
    assert activity.state_as_of(LATER).status is ActivityStatus.IN_PROGRESS
    assert activity.state_as_of(REGISTERED_ON).status is ActivityStatus.PLANNED


def test_a_creation_corrected_to_an_earlier_day_moves_where_the_record_begins() -> None:
    """Earlier minutes imported after later ones may show a record began sooner: once its creation
    is corrected, facts from the earlier day are accepted; before it, refused naming the day."""
    activity = register()
    earlier = date(2020, 10, 1)
    with pytest.raises(ValidationError, match="before this activity existed"):
        activity.change_status("IN_PROGRESS", meta(date(2020, 11, 1)))
    activity.correct(1, {"effective_on": earlier}, False, meta(LATER, reason="1/2564's minutes show it from FY 2564"))
    assert activity.effective_from == earlier
    activity.change_status("IN_PROGRESS", meta(date(2020, 11, 1)))
    assert activity.state_as_of(date(2020, 11, 1)).status is ActivityStatus.IN_PROGRESS
