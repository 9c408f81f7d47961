"""Key results and health: computed from the numbers, by the rules, never claimed."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import uuid4

import pytest

from domain.committee import Committee, check_reporting_open
from domain.errors import InvalidTransition, PeriodLocked, ValidationError
from domain.facts import Meta
from domain.health import (
    DEFAULT_RULES,
    Figures,
    activity_health,
    attainment,
    check_rules,
    expected_attainment,
    key_result_health,
    reporting_window_start,
    status_health,
)
from domain.keyresult import KeyResult
from domain.values import EvaluationRule
from domain.vocabulary import ActivityStatus, Direction, Health

START, DUE = date(2020, 10, 1), date(2021, 9, 30)  # fiscal year 2564


def meta(on: date, reason: str | None = None) -> Meta:
    return Meta(effective_on=on, actor="secretariat", reason=reason)


def figures(value: str | None, direction: Direction = Direction.INCREASE, base: int = 0, target: int = 100) -> Figures:
    return Figures(
        direction, Decimal(base), Decimal(target), START, DUE, None if value is None else Decimal(value), True
    )


def define(**overrides: object) -> KeyResult:
    fields: dict[str, object] = dict(
        plan_id=uuid4(),
        activity_id=uuid4(),
        strategy_number=1,
        fiscal_year=2564,
        title="ผู้ผ่านการอบรม",
        unit="PERSONS",
        unit_label=None,
        baseline=0,
        target=100,
        direction="INCREASE",
        due_on=None,
        frequency="PER_MEETING",
        meta=meta(date(2020, 10, 1)),
    )
    fields.update(overrides)
    return KeyResult.define(**fields)  # type: ignore[arg-type]


def test_attainment_is_unclamped_and_none_without_a_span() -> None:
    assert attainment(Decimal(0), Decimal(100), Decimal(30)) == Decimal("0.3")
    assert attainment(Decimal(0), Decimal(100), Decimal(130)) == Decimal("1.3")
    assert attainment(Decimal(50), Decimal(100), Decimal(40)) == Decimal("-0.2")
    assert attainment(Decimal(20), Decimal(10), Decimal(15)) == Decimal("0.5")  # a decrease, half way
    assert attainment(Decimal(5), Decimal(5), Decimal(5)) is None


def test_expected_attainment_is_linear_over_the_fiscal_year_and_flat_for_levels_kept() -> None:
    assert expected_attainment(Direction.INCREASE, START, DUE, date(2020, 9, 1)) == 0
    assert expected_attainment(Direction.INCREASE, START, DUE, START) == 0
    jan6 = expected_attainment(Direction.INCREASE, START, DUE, date(2021, 1, 6))
    assert jan6 == Decimal(97) / Decimal(364)
    assert expected_attainment(Direction.INCREASE, START, DUE, DUE) == 1
    assert expected_attainment(Direction.INCREASE, START, DUE, date(2022, 1, 1)) == 1
    assert expected_attainment(Direction.AT_LEAST, START, DUE, date(2020, 10, 2)) == 1


def test_health_by_the_default_rules() -> None:
    on = date(2021, 4, 1)  # 182 of 364 days: half the target is expected
    assert key_result_health(figures("50"), on) is Health.ON_TRACK
    assert key_result_health(figures("45"), on) is Health.AT_RISK  # exactly 90 % of expected
    assert key_result_health(figures("44.99"), on) is Health.OFF_TRACK
    assert key_result_health(figures(None), on) is Health.NO_DATA
    stale = Figures(Direction.INCREASE, Decimal(0), Decimal(100), START, DUE, Decimal(90), False)
    assert key_result_health(stale, on) is Health.NO_DATA


def test_health_for_decreases_and_levels_kept() -> None:
    on = date(2021, 4, 1)
    assert key_result_health(figures("15", Direction.DECREASE, 20, 10), on) is Health.ON_TRACK
    assert key_result_health(figures("16", Direction.DECREASE, 20, 10), on) is Health.OFF_TRACK
    assert key_result_health(figures("80", Direction.AT_LEAST, 0, 80), on) is Health.ON_TRACK
    assert key_result_health(figures("72", Direction.AT_LEAST, 0, 80), on) is Health.AT_RISK
    assert key_result_health(figures("71", Direction.AT_LEAST, 0, 80), on) is Health.OFF_TRACK
    assert key_result_health(figures("4", Direction.AT_MOST, 3, 5), on) is Health.ON_TRACK
    assert key_result_health(figures("5.5", Direction.AT_MOST, 3, 5), on) is Health.AT_RISK
    assert key_result_health(figures("6", Direction.AT_MOST, 3, 5), on) is Health.OFF_TRACK
    assert key_result_health(figures("0", Direction.AT_MOST, 3, 0), on) is Health.ON_TRACK
    assert key_result_health(figures("1", Direction.AT_MOST, 3, 0), on) is Health.OFF_TRACK


def test_rules_are_read_top_to_bottom() -> None:
    lenient = (EvaluationRule("ON_TRACK", Decimal("0.8")), EvaluationRule("AT_RISK", Decimal("0.5")))
    on = date(2021, 4, 1)
    assert key_result_health(figures("40"), on, lenient) is Health.ON_TRACK
    assert key_result_health(figures("30"), on, lenient) is Health.AT_RISK
    assert key_result_health(figures("20"), on, lenient) is Health.OFF_TRACK
    assert key_result_health(figures("40"), on, DEFAULT_RULES) is Health.OFF_TRACK


def test_bad_rules_are_refused_with_the_field() -> None:
    with pytest.raises(ValidationError, match=r"rules\[1\].atLeast"):
        check_rules([EvaluationRule("ON_TRACK", Decimal("0.5")), EvaluationRule("AT_RISK", Decimal("0.9"))])
    with pytest.raises(ValidationError, match=r"rules\[0\].health"):
        check_rules([EvaluationRule("NO_DATA", Decimal(1))])
    with pytest.raises(ValidationError, match="rules"):
        check_rules([])


def test_activity_health_is_the_worst_of_its_key_results_else_follows_status() -> None:
    assert activity_health(ActivityStatus.IN_PROGRESS, 0, [Health.ON_TRACK, Health.AT_RISK]) is Health.AT_RISK
    assert activity_health(ActivityStatus.IN_PROGRESS, 0, [Health.NO_DATA, Health.ON_TRACK]) is Health.NO_DATA
    assert activity_health(ActivityStatus.IN_PROGRESS, 3, []) is Health.AT_RISK
    assert activity_health(ActivityStatus.CANCELLED, 0, [Health.ON_TRACK]) is None
    assert status_health(ActivityStatus.COMPLETED, 2) is Health.ON_TRACK
    assert status_health(ActivityStatus.NOT_IMPLEMENTED, 0) is Health.OFF_TRACK
    assert status_health(ActivityStatus.ON_HOLD, 1) is Health.OFF_TRACK
    assert status_health(ActivityStatus.PLANNED, 0) is Health.ON_TRACK


def test_the_reporting_window_starts_at_the_meeting_before_the_last() -> None:
    meetings = [date(2020, 12, 2), date(2021, 1, 6), date(2021, 2, 3)]
    assert reporting_window_start(meetings, date(2021, 1, 6)) == date(2020, 12, 2)
    assert reporting_window_start(meetings, date(2021, 1, 20)) == date(2020, 12, 2)
    assert reporting_window_start(meetings, date(2021, 2, 3)) == date(2021, 1, 6)
    assert reporting_window_start(meetings, date(2020, 12, 10)) is None


def test_a_key_result_defaults_its_due_date_to_the_fiscal_year_end() -> None:
    k = define()
    assert k.state.due_on == DUE and k.state.starts_on == START


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"target": 0}, "target"),  # an increase to no more than the baseline
        ({"direction": "DECREASE"}, "target"),
        ({"baseline": "abc"}, "baseline"),
        ({"target": "1e20"}, "target"),
        ({"target": "1.00001"}, "target"),
        ({"unit": "LITRES"}, "unit"),
        ({"unit": "OTHER"}, "unitLabel"),
        ({"due_on": date(2020, 9, 1)}, "dueOn"),
        ({"title": "  "}, "title"),
        ({"frequency": "HOURLY"}, "frequency"),
    ],
)
def test_bad_definitions_are_refused_with_the_field(overrides: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as error:
        define(**overrides)
    assert error.value.field == field


def test_retarget_and_retire_need_reasons_and_nothing_follows_retirement() -> None:
    k = define()
    with pytest.raises(ValidationError, match="reason"):
        k.retarget(120, None, meta(date(2021, 1, 6)))
    k.retarget(120, None, meta(date(2021, 1, 6), reason="เพิ่มกลุ่มเป้าหมาย"))
    assert k.state.target == 120
    with pytest.raises(ValidationError, match="reason"):
        k.retire(meta(date(2021, 2, 3)))
    k.measure(10, None, None, meta(date(2021, 1, 20)))
    k.retire(meta(date(2021, 2, 3), reason="ยุบรวม"))
    with pytest.raises(InvalidTransition, match="retired"):
        k.measure(30, None, None, meta(date(2021, 3, 3)))
    k.measure(20, None, None, meta(date(2021, 1, 25)))  # backdated before retirement: allowed
    with pytest.raises(InvalidTransition):
        k.correct(5, {"effective_on": date(2021, 3, 1)}, False, meta(date(2021, 3, 3), reason="วันผิด"))


def test_a_corrected_measurement_keeps_both_beliefs() -> None:
    k = define()
    k.measure(30, "หน่วยงาน", None, meta(date(2021, 1, 6)))
    k.correct(2, {"value": Decimal(25)}, False, meta(date(2021, 1, 6), reason="นับซ้ำ"))
    assert k.state.measurements["m2"].value == 25
    before = k.state_as_of(None, k.facts[1].timestamp)  # as known before the correction
    assert before.measurements["m2"].value == 30


def test_closed_meetings_refuse_new_facts_reported_there_but_not_corrections() -> None:
    committee = Committee.form("อ.ก.ก.", meta(date(2021, 1, 6)))
    committee.close(date(2020, 12, 2), "9/2563", "1/2564", meta(date(2021, 1, 6)))
    k = define()
    k.measure(5, None, None, meta(date(2020, 11, 4)))
    with pytest.raises(PeriodLocked) as error:  # reported at 8/2563, before the approved 9/2563
        check_reporting_open(committee.state, "8/2563", date(2020, 11, 4), k.collect_events())
    assert error.value.meeting_code == "9/2563" and error.value.locked_through == "2020-12-02"
    assert error.value.reported_at == "8/2563" and "8/2563" in error.value.message
    # the same fact reported at a later meeting is a late report: open
    check_reporting_open(committee.state, "2/2564", date(2021, 2, 3), define().collect_events())
    # the meeting's own minutes, arriving after their approval, are the record itself
    check_reporting_open(committee.state, "9/2563", date(2020, 12, 2), define().collect_events(), minutes_of=True)
