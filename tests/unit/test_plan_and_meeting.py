"""The Plan and Meeting aggregates: periods, strategies, action plans; meetings, attendance,
agenda, resolutions, action items, adoption of earlier minutes and the next meeting.

Pure domain tests: no database, no service.
"""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

import pytest

from domain.calendar import fiscal_year_bounds
from domain.errors import InvalidTransition, NotFound, ValidationError
from domain.facts import Meta
from domain.meeting import Meeting, meeting_id_for
from domain.plan import Plan, plan_id_for
from domain.values import ActionItem, Attendee, MinutesCorrection
from domain.vocabulary import MeetingMode, MeetingRole, Presence, ResolutionKind

BODY = "อ.ก.ก. วิสามัญเกี่ยวกับยุทธศาสตร์การบริหารทรัพยากรบุคคลของกรุงเทพมหานคร"
PLAN_APPROVED_ON = date(2018, 2, 1)  # ก.ก. 12/2560
MEETING_ON = date(2021, 1, 6)  # 1/2564


def meta(on: date = MEETING_ON, reason: str | None = None) -> Meta:
    return Meta(effective_on=on, actor="secretariat", meeting_id=None, reason=reason)


# -- plan ---------------------------------------------------------------------------------------


def create_plan(**overrides: Any) -> Plan:
    fields: dict[str, Any] = {
        "code": "HR-2561-2565",
        "title": "แผนยุทธศาสตร์การบริหารทรัพยากรบุคคลของกรุงเทพมหานคร (พ.ศ. ๒๕๖๑ - ๒๕๖๕)",
        "period_start": date(2018, 1, 1),
        "period_end": date(2022, 12, 31),
        "vision": None,
        "meta": meta(PLAN_APPROVED_ON),
    }
    fields.update(overrides)
    return Plan.create(**fields)


def test_a_created_plan_holds_its_code_title_and_period() -> None:
    plan = create_plan(vision="  มหานครแห่งความสุข  ")
    state = plan.state
    assert state.exists
    assert state.code == "HR-2561-2565"
    assert (state.period_start, state.period_end) == (date(2018, 1, 1), date(2022, 12, 31))
    assert state.vision == "มหานครแห่งความสุข"
    assert state.strategies == {} and state.action_plans == {}
    assert plan.id == plan_id_for("HR-2561-2565")


@pytest.mark.parametrize("end", [date(2018, 1, 1), date(2017, 12, 31)], ids=["same-day", "before"])
def test_a_plan_period_must_end_after_it_starts(end: date) -> None:
    with pytest.raises(ValidationError) as error:
        create_plan(period_start=date(2018, 1, 1), period_end=end)
    assert error.value.field == "periodEnd"
    assert "not after the period's start 2018-01-01" in error.value.message


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"code": " "}, "code"),
        ({"code": "x" * 51}, "code"),
        ({"title": ""}, "title"),
        ({"period_start": "2018-01-01"}, "periodStart"),
        ({"period_end": None}, "periodEnd"),
    ],
)
def test_a_plan_needs_a_code_a_title_and_real_dates(overrides: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as error:
        create_plan(**overrides)
    assert error.value.field == field


def test_a_plan_period_stated_only_as_years_keeps_the_years_and_no_days() -> None:
    plan = create_plan(period_start=None, period_end=None, period_start_year=2561, period_end_year=2565)
    state = plan.state
    assert (state.period_start, state.period_end) == (None, None)  # never 1 January .. 31 December
    assert (state.period_start_year, state.period_end_year) == (2561, 2565)
    unknown = create_plan(period_start=None, period_end=None).state  # nothing stated, nothing recorded
    assert (unknown.period_start, unknown.period_end, unknown.period_start_year, unknown.period_end_year) == (
        None,
        None,
        None,
        None,
    )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"period_start": None}, "periodStart"),
        ({"period_start_year": 2561}, "periodEndYear"),
        ({"period_end_year": 2565}, "periodStartYear"),
        ({"period_start_year": 2565, "period_end_year": 2561}, "periodEndYear"),
        ({"period_start_year": 2018, "period_end_year": 2022}, "periodStartYear"),
    ],
)
def test_a_period_is_stated_by_both_of_its_ends_or_not_at_all(overrides: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as error:
        create_plan(**overrides)
    assert error.value.field == field


@pytest.mark.parametrize(("year", "accepted"), [(2560, False), (2561, True), (2565, True), (2566, True), (2567, False)])
def test_a_fiscal_year_is_checked_against_the_years_when_only_they_are_known(year: int, accepted: bool) -> None:
    """Years 2561-2565 may be calendar or fiscal years: FY 2566 (from October 2565) overlaps the
    calendar reading, so only what neither reading allows is refused."""
    plan = create_plan(period_start=None, period_end=None, period_start_year=2561, period_end_year=2565)
    if accepted:
        plan.approve_action_plan(year, meta())
        return
    with pytest.raises(ValidationError) as error:
        plan.approve_action_plan(year, meta())
    assert "outside the plan's years 2561-2565" in error.value.message


def test_the_importers_old_invented_period_reads_as_the_years_it_came_from() -> None:
    """Plan.Created v1, as the importer wrote it: 1 January .. 31 December made up from the BE
    years of the title (which its code carries). Upcast: the years, and no days."""
    invented = {"code": "2561-2565-1a2b3c", "period_start": date(2018, 1, 1), "period_end": date(2022, 12, 31)}
    Plan.Created.upcast_v1_v2(invented)
    assert invented == {
        "code": "2561-2565-1a2b3c",
        "period_start": None,
        "period_end": None,
        "period_start_year": 2561,
        "period_end_year": 2565,
    }
    for stated in (
        {"code": "HR-2561-2565", "period_start": date(2018, 1, 1), "period_end": date(2022, 12, 31)},
        {"code": "2561-2565-1a2b3c", "period_start": date(2017, 10, 1), "period_end": date(2022, 9, 30)},
    ):
        upcast = dict(stated)
        Plan.Created.upcast_v1_v2(upcast)
        assert upcast == {**stated, "period_start_year": None, "period_end_year": None}


def test_plan_id_for_is_deterministic_and_ignores_case_and_surrounding_space() -> None:
    assert plan_id_for("HR-2561-2565") == plan_id_for("HR-2561-2565")
    assert plan_id_for("HR-2561-2565") == plan_id_for("  hr-2561-2565 ")
    assert plan_id_for("HR-2561-2565") != plan_id_for("HR-2566-2570")


def test_strategies_are_added_by_number() -> None:
    plan = create_plan()
    plan.add_strategy(1, "การวางแผนกำลังคน", "มีกำลังคนเหมาะสม", meta(PLAN_APPROVED_ON))
    plan.add_strategy(2, "การพัฒนาบุคลากร", None, meta(PLAN_APPROVED_ON))

    assert sorted(plan.state.strategies) == [1, 2]
    assert plan.state.strategies[1].goal == "มีกำลังคนเหมาะสม"
    assert plan.require_strategy(2).title == "การพัฒนาบุคลากร"


def test_a_strategy_number_is_used_once() -> None:
    plan = create_plan()
    plan.add_strategy(1, "การวางแผนกำลังคน", None, meta(PLAN_APPROVED_ON))
    with pytest.raises(ValidationError) as error:
        plan.add_strategy(1, "อีกยุทธศาสตร์", None, meta(PLAN_APPROVED_ON))
    assert error.value.field == "number"
    assert "already has strategy 1" in error.value.message
    assert plan.version == 2


@pytest.mark.parametrize("number", [0, 100])
def test_a_strategy_number_is_from_1_to_99(number: int) -> None:
    with pytest.raises(ValidationError) as error:
        create_plan().add_strategy(number, "t", None, meta(PLAN_APPROVED_ON))
    assert error.value.field == "number"


def test_requiring_a_missing_strategy_names_the_ones_there_are() -> None:
    plan = create_plan()
    with pytest.raises(ValidationError, match=r"no strategy 3 \(it has: none yet\)"):
        plan.require_strategy(3)
    plan.add_strategy(1, "a", None, meta(PLAN_APPROVED_ON))
    plan.add_strategy(5, "b", None, meta(PLAN_APPROVED_ON))
    with pytest.raises(ValidationError) as error:
        plan.require_strategy(3)
    assert error.value.field == "strategyNumber"
    assert "(it has: 1, 5)" in error.value.message


def test_stating_the_same_vision_again_is_refused() -> None:
    plan = create_plan()
    plan.state_vision("มหานครแห่งความสุข", meta(PLAN_APPROVED_ON))
    assert plan.state.vision == "มหานครแห่งความสุข"
    with pytest.raises(InvalidTransition, match="already states this vision"):
        plan.state_vision(" มหานครแห่งความสุข ", meta(PLAN_APPROVED_ON))


def test_the_thai_fiscal_year_runs_from_october_to_september() -> None:
    assert fiscal_year_bounds(2564) == (date(2020, 10, 1), date(2021, 9, 30))


def test_an_action_plan_is_approved_once_per_fiscal_year() -> None:
    plan = create_plan()
    plan.approve_action_plan(2564, Meta(MEETING_ON, "secretariat", meeting_id="1/2564"))
    approved = plan.state.action_plans[2564]
    assert (approved.fiscal_year, approved.approved_on, approved.meeting_id) == (2564, MEETING_ON, "1/2564")

    with pytest.raises(InvalidTransition, match="FY 2564 is already approved"):
        plan.approve_action_plan(2564, meta(MEETING_ON + timedelta(days=30)))
    assert plan.version == 2


@pytest.mark.parametrize("year", [2561, 2565, 2566], ids=["first-overlapping", "last", "overlaps-end"])
def test_a_fiscal_year_overlapping_the_plan_period_is_accepted(year: int) -> None:
    plan = create_plan()  # 2018-01-01 .. 2022-12-31
    plan.approve_action_plan(year, meta())
    assert year in plan.state.action_plans


@pytest.mark.parametrize("year", [2560, 2567], ids=["before", "after"])
def test_a_fiscal_year_outside_the_plan_period_is_refused(year: int) -> None:
    plan = create_plan()  # 2018-01-01 .. 2022-12-31
    with pytest.raises(ValidationError) as error:
        plan.approve_action_plan(year, meta())
    assert error.value.field == "fiscalYear"
    assert f"FY {year}" in error.value.message
    assert "outside the plan's period 2018-01-01..2022-12-31" in error.value.message


@pytest.mark.parametrize("year", [2399, 2801, 2021])
def test_an_action_plan_fiscal_year_is_a_buddhist_era_year(year: int) -> None:
    with pytest.raises(ValidationError) as error:
        create_plan().approve_action_plan(year, meta())
    assert error.value.field == "fiscalYear"
    assert "2400 to 2800" in error.value.message


def test_a_plan_fact_effective_before_the_plan_existed_is_refused() -> None:
    plan = create_plan()
    with pytest.raises(ValidationError) as error:
        plan.add_strategy(1, "t", None, meta(PLAN_APPROVED_ON - timedelta(days=1)))
    assert error.value.field == "effectiveOn"
    assert "before this plan existed (from 2018-02-01)" in error.value.message


# -- meeting ------------------------------------------------------------------------------------


def schedule(code: str = "1/2564", on: date = MEETING_ON, **overrides: Any) -> Meeting:
    fields: dict[str, Any] = {
        "body": BODY,
        "code": code,
        "on": on,
        "starts_at": time(9, 30),
        "ends_at": time(11, 40),
        "venue": "ห้องนพรัตน์ ชั้น ๕ ศาลาว่าการกรุงเทพมหานคร",
        "mode": "HYBRID",
        "meta": meta(on),
    }
    fields.update(overrides)
    return Meeting.schedule(**fields)


def attendee(name: str = "นาย ก", role: str = "MEMBER", presence: str = "IN_ROOM") -> Attendee:
    return Attendee(name=name, position="ผู้อำนวยการ", role=role, presence=presence)


def action_item(item_id: str = "A1", **overrides: Any) -> ActionItem:
    fields: dict[str, Any] = {
        "id": item_id,
        "description": "รายงาน ก.ก. ในการประชุมเดือนมกราคม ๒๕๖๔",
        "owner": "สำนักงาน ก.ก.",
        "due_on": date(2021, 1, 31),
    }
    fields.update(overrides)
    return ActionItem(**fields)


def with_agenda(*numbers: int) -> Meeting:
    meeting = schedule()
    for number in numbers:
        meeting.add_agenda_item(number, f"ระเบียบวาระที่ {number}", meta())
    return meeting


def adopt(meeting: Meeting, **overrides: Any) -> None:
    fields: dict[str, Any] = {
        "resolution_id": "R3.1",
        "agenda_item": 3,
        "kind": "ASSIGNED",
        "text": "มอบหมายสำนักงาน ก.ก. รายงาน ก.ก.",
        "action_items": [action_item()],
        "meta": meta(),
    }
    fields.update(overrides)
    meeting.adopt_resolution(**fields)


def test_a_scheduled_meeting_holds_its_code_date_times_and_place() -> None:
    meeting = schedule()
    state = meeting.state
    assert state.exists
    assert (state.code, state.on) == ("1/2564", MEETING_ON)
    assert (state.starts_at, state.ends_at) == (time(9, 30), time(11, 40))
    assert state.mode is MeetingMode.HYBRID
    assert state.body == BODY
    assert meeting.id == meeting_id_for(BODY, "1/2564")


@pytest.mark.parametrize("code", ["1/2564", "12/2560", "999/2563"])
def test_a_meeting_code_is_number_slash_year(code: str) -> None:
    assert schedule(code=code).state.code == code


@pytest.mark.parametrize("code", ["1-2564", "1/64", "1/2564a", "1000/2564", "1 /2564", "", "ครั้งที่ 1"])
def test_other_meeting_codes_are_refused(code: str) -> None:
    with pytest.raises(ValidationError) as error:
        schedule(code=code)
    assert error.value.field == "code"


@pytest.mark.parametrize("code", ["๑/๒๕๖๔", "1/٢٥٦٤"], ids=["thai-digits", "arabic-indic-digits"])
def test_a_code_in_other_digits_is_refused_or_is_the_same_meeting_as_in_arabic_digits(code: str) -> None:
    try:
        meeting = schedule(code=code)
    except ValidationError as error:
        assert error.field == "code"
        return
    assert meeting.state.code == "1/2564"
    assert meeting.id == meeting_id_for(BODY, "1/2564")


def test_a_refused_meeting_code_says_what_a_code_looks_like() -> None:
    with pytest.raises(ValidationError, match="'1-2564' is not a meeting code such as 1/2564"):
        schedule(code="1-2564")


@pytest.mark.parametrize("ends_at", [time(9, 30), time(9, 0)], ids=["same-time", "earlier"])
def test_a_meeting_must_end_after_it_starts(ends_at: time) -> None:
    with pytest.raises(ValidationError) as error:
        schedule(starts_at=time(9, 30), ends_at=ends_at)
    assert error.value.field == "endsAt"
    assert "not after the start 09:30" in error.value.message


def test_a_meeting_may_be_scheduled_without_times_and_with_only_a_start() -> None:
    assert schedule(starts_at=None, ends_at=None).state.starts_at is None
    assert schedule(ends_at=None).state.starts_at == time(9, 30)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"starts_at": "09.30"}, "startsAt"),
        ({"mode": "ZOOM"}, "mode"),
        ({"body": "  "}, "body"),
        ({"on": "2021-01-06", "meta": meta()}, "date"),
    ],
)
def test_a_meeting_needs_a_body_a_date_real_times_and_a_known_mode(overrides: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as error:
        schedule(**overrides)
    assert error.value.field == field


def test_recording_when_a_meeting_was_held_checks_the_times() -> None:
    meeting = schedule(starts_at=None, ends_at=None, mode="IN_PERSON")
    meeting.record_times(time(9, 30), time(11, 40), None, "HYBRID", meta())
    assert (meeting.state.starts_at, meeting.state.ends_at) == (time(9, 30), time(11, 40))
    assert meeting.state.mode is MeetingMode.HYBRID

    with pytest.raises(ValidationError) as error:
        meeting.record_times(time(11, 40), time(9, 30), None, "HYBRID", meta())
    assert error.value.field == "endsAt"


def test_a_meeting_has_a_mode_only_where_one_is_stated() -> None:
    cited = schedule(mode=None, by_reference=True, starts_at=None, ends_at=None)
    assert cited.state.mode is None  # a meeting only cited says nothing of how it sat
    cited.record_times(time(9, 30), time(11, 40), "ห้องนพรัตน์", None, meta())
    assert cited.state.mode is None  # its times, still no mode
    cited.record_times(time(9, 30), time(11, 45), None, "ONLINE", meta())
    assert cited.state.mode is MeetingMode.ONLINE
    cited.record_times(time(9, 30), time(11, 50), None, None, meta())
    assert cited.state.mode is MeetingMode.ONLINE  # not stated again: what was known stays


def test_a_meeting_cited_before_modes_were_optional_reads_with_none() -> None:
    """Meeting.Scheduled v1 always had a mode: IN_PERSON by default, for cited meetings too."""
    cited = {"by_reference": True, "mode": "IN_PERSON"}
    Meeting.Scheduled.upcast_v1_v2(cited)
    assert cited["mode"] is None
    for stated in ({"by_reference": False, "mode": "IN_PERSON"}, {"by_reference": True, "mode": "ONLINE"}):
        upcast = dict(stated)
        Meeting.Scheduled.upcast_v1_v2(upcast)
        assert upcast == stated


def test_meeting_id_for_is_deterministic_and_normalises_the_body() -> None:
    assert meeting_id_for(BODY, "1/2564") == meeting_id_for(BODY, "1/2564")
    assert meeting_id_for("ก.ก.  Sub  Committee", "1/2564") == meeting_id_for(" ก.ก. sub committee", " 1/2564 ")
    assert meeting_id_for(BODY, "1/2564") != meeting_id_for(BODY, "2/2564")
    assert meeting_id_for(BODY, "1/2564") != meeting_id_for("ก.ก.", "1/2564")


# attendance


def test_attendance_is_recorded_with_roles_and_presence() -> None:
    meeting = schedule()
    meeting.record_attendance([attendee("ประธาน", "CHAIR", "IN_ROOM"), attendee("นาย ข", "MEMBER", "ONLINE")], meta())
    assert [(a.name, a.role, a.presence) for a in meeting.state.attendance] == [
        ("ประธาน", MeetingRole.CHAIR.value, Presence.IN_ROOM.value),
        ("นาย ข", MeetingRole.MEMBER.value, Presence.ONLINE.value),
    ]


def test_recording_a_person_again_replaces_their_entry() -> None:
    meeting = schedule()
    meeting.record_attendance([attendee("นาย ข", presence="ABSENT")], meta())
    meeting.record_attendance([attendee("นาย ข", presence="ONLINE")], meta())
    assert [(a.name, a.presence) for a in meeting.state.attendance] == [("นาย ข", "ONLINE")]


def test_attendance_naming_a_person_twice_is_refused() -> None:
    meeting = schedule()
    with pytest.raises(ValidationError) as error:
        meeting.record_attendance([attendee("นาย ก"), attendee(" นาย ก ", role="SECRETARY")], meta())
    assert error.value.field == "attendees"
    assert "นาย ก more than once" in error.value.message
    assert meeting.version == 1


@pytest.mark.parametrize(
    ("person", "field"),
    [
        (attendee(role="KING"), "attendees[0].role"),
        (attendee(presence="HOME"), "attendees[0].presence"),
        (attendee(name="  "), "attendees[0].name"),
    ],
)
def test_attendance_roles_and_presence_come_from_the_vocabulary(person: Attendee, field: str) -> None:
    with pytest.raises(ValidationError) as error:
        schedule().record_attendance([person], meta())
    assert error.value.field == field


def test_attendance_names_at_least_one_person() -> None:
    with pytest.raises(ValidationError) as error:
        schedule().record_attendance([], meta())
    assert error.value.field == "attendees"


# agenda and comments


def test_an_agenda_item_number_is_used_once() -> None:
    meeting = with_agenda(1, 2)
    with pytest.raises(ValidationError) as error:
        meeting.add_agenda_item(2, "ซ้ำ", meta())
    assert error.value.field == "number"
    assert "agenda item 2 already exists" in error.value.message
    assert sorted(meeting.state.agenda) == [1, 2]


@pytest.mark.parametrize(("number", "title", "field"), [(0, "t", "number"), (1, " ", "title")])
def test_an_agenda_item_needs_a_number_and_a_title(number: int, title: str, field: str) -> None:
    with pytest.raises(ValidationError) as error:
        schedule().add_agenda_item(number, title, meta())
    assert error.value.field == field


def test_a_comment_number_is_used_once() -> None:
    meeting = schedule()
    meeting.record_comment(1, "ควรกำหนด milestone และ output ของแต่ละกิจกรรม", meta())
    with pytest.raises(ValidationError) as error:
        meeting.record_comment(1, "อีกข้อ", meta())
    assert error.value.field == "number"
    assert meeting.state.comments == {1: "ควรกำหนด milestone และ output ของแต่ละกิจกรรม"}


# resolutions and action items


def test_an_assigned_resolution_carries_its_action_items() -> None:
    meeting = with_agenda(3)
    adopt(meeting)
    resolution = meeting.state.resolutions["R3.1"]
    assert resolution.kind is ResolutionKind.ASSIGNED
    assert resolution.agenda_item == 3
    assert [i.id for i in resolution.action_items] == ["A1"]
    assert resolution.action_items[0].done_on is None


def test_a_resolution_may_stand_outside_the_agenda() -> None:
    meeting = schedule()
    adopt(meeting, agenda_item=None, kind="ACKNOWLEDGED", action_items=[])
    assert meeting.state.resolutions["R3.1"].agenda_item is None


def test_a_resolution_must_refer_to_an_existing_agenda_item() -> None:
    meeting = with_agenda(1, 2)
    with pytest.raises(ValidationError) as error:
        adopt(meeting, agenda_item=3)
    assert error.value.field == "agendaItem"
    assert "no agenda item 3 (the agenda has: 1, 2)" in error.value.message


def test_a_resolution_id_is_used_once() -> None:
    meeting = with_agenda(3)
    adopt(meeting)
    with pytest.raises(ValidationError) as error:
        adopt(meeting, action_items=[action_item("A2")])
    assert error.value.field == "resolutionId"


def test_an_assigned_resolution_needs_action_items() -> None:
    with pytest.raises(ValidationError) as error:
        adopt(with_agenda(3), action_items=[])
    assert error.value.field == "actionItems"
    assert "at least one action item" in error.value.message


@pytest.mark.parametrize("kind", ["ACKNOWLEDGED", "REJECTED"])
def test_only_approvals_and_assignments_may_carry_action_items(kind: str) -> None:
    meeting = with_agenda(3)
    with pytest.raises(ValidationError) as error:
        adopt(meeting, kind=kind)
    assert error.value.field == "actionItems"
    assert "assigns no work" in error.value.message

    adopt(meeting, kind=kind, action_items=[])
    assert meeting.state.resolutions["R3.1"].kind.value == kind


@pytest.mark.parametrize("kind", ["APPROVED", "APPROVED_WITH_AMENDMENTS"])
def test_an_approval_may_assign_work(kind: str) -> None:
    meeting = with_agenda(3)
    adopt(meeting, kind=kind)
    assert meeting.state.resolutions["R3.1"].action_items


def test_an_unknown_resolution_kind_is_refused() -> None:
    with pytest.raises(ValidationError) as error:
        adopt(with_agenda(3), kind="NOTED")
    assert error.value.field == "kind"


def test_action_item_ids_may_not_repeat_within_a_resolution() -> None:
    with pytest.raises(ValidationError) as error:
        adopt(with_agenda(3), action_items=[action_item("A1"), action_item("A1")])
    assert error.value.field == "actionItems"
    assert "used twice: A1" in error.value.message


def test_action_item_ids_may_not_repeat_across_resolutions() -> None:
    meeting = with_agenda(3)
    adopt(meeting)
    with pytest.raises(ValidationError) as error:
        adopt(meeting, resolution_id="R3.2", action_items=[action_item("A2"), action_item("A1")])
    assert "used twice: A1" in error.value.message
    assert "R3.2" not in meeting.state.resolutions


@pytest.mark.parametrize(
    ("item", "field"),
    [
        (action_item(owner=""), "actionItems[0].owner"),
        (action_item(description=" "), "actionItems[0].description"),
        (action_item(item_id=""), "actionItems[0].id"),
        (action_item(due_on=date(1800, 1, 1)), "actionItems[0].dueOn"),
    ],
)
def test_an_action_item_needs_an_id_a_description_and_an_owner(item: ActionItem, field: str) -> None:
    with pytest.raises(ValidationError) as error:
        adopt(with_agenda(3), action_items=[item])
    assert error.value.field == field


def test_an_action_item_may_be_due_at_a_meeting_instead_of_a_date() -> None:
    meeting = with_agenda(3)
    adopt(meeting, action_items=[action_item(due_on=None, due_meeting="2/2564")])
    item = meeting.state.resolutions["R3.1"].action_items[0]
    assert (item.due_on, item.due_meeting) == (None, "2/2564")


def test_completing_an_action_item_records_when_it_was_done() -> None:
    meeting = with_agenda(3)
    adopt(meeting)
    meeting.complete_action_item("A1", date(2021, 1, 28), meta(date(2021, 2, 3)))
    assert meeting.state.resolutions["R3.1"].action_items[0].done_on == date(2021, 1, 28)
    assert meeting.state_as_of(MEETING_ON).resolutions["R3.1"].action_items[0].done_on is None


def test_an_action_item_is_completed_only_once() -> None:
    meeting = with_agenda(3)
    adopt(meeting)
    meeting.complete_action_item("A1", date(2021, 1, 28), meta(date(2021, 2, 3)))
    with pytest.raises(InvalidTransition) as error:
        meeting.complete_action_item("A1", date(2021, 2, 1), meta(date(2021, 2, 3)))
    assert "already done on 2021-01-28" in error.value.message


def test_an_action_item_cannot_be_done_before_the_meeting_that_assigned_it() -> None:
    meeting = with_agenda(3)
    adopt(meeting)
    with pytest.raises(ValidationError) as error:
        meeting.complete_action_item("A1", MEETING_ON - timedelta(days=1), meta(date(2021, 2, 3)))
    assert error.value.field == "doneOn"
    assert "before the meeting that assigned it (2021-01-06)" in error.value.message


def test_an_action_item_may_be_done_on_the_day_of_the_meeting() -> None:
    meeting = with_agenda(3)
    adopt(meeting)
    meeting.complete_action_item("A1", MEETING_ON, meta())
    assert meeting.state.resolutions["R3.1"].action_items[0].done_on == MEETING_ON


def test_completing_an_unknown_action_item_is_not_found() -> None:
    with pytest.raises(NotFound) as error:
        schedule().complete_action_item("A9", MEETING_ON, meta())
    assert (error.value.kind, error.value.key) == ("action item", "A9")


# adoption of earlier minutes


def earlier_and_this() -> tuple[Meeting, Meeting]:
    return schedule("9/2563", date(2020, 12, 2)), schedule("1/2564", MEETING_ON)


def test_the_minutes_of_an_earlier_meeting_are_adopted_with_corrections() -> None:
    earlier, this = earlier_and_this()
    corrections = [
        MinutesCorrection("หน้า ๑๑ ข้อ ๖", "ส่วนราชการ", "หน่วยงาน"),
        MinutesCorrection("หน้า ๑๒ บรรทัดที่ ๓", "๒๕๖๓", "๒๕๖๔"),
    ]
    this.approve_minutes(earlier, corrections, meta())

    [approval] = this.state.minutes_approvals
    assert approval.of_meeting_id == str(earlier.id)
    assert approval.of_code == "9/2563"
    assert approval.corrections == corrections


@pytest.mark.parametrize("on", [MEETING_ON, date(2021, 2, 3)], ids=["same-day", "later"])
def test_the_minutes_of_a_meeting_not_before_this_one_cannot_be_adopted(on: date) -> None:
    this = schedule("1/2564", MEETING_ON)
    other = schedule("2/2564", on)
    with pytest.raises(ValidationError) as error:
        this.approve_minutes(other, [], meta())
    assert error.value.field == "ofMeeting"
    assert "meeting 2/2564" in error.value.message and "is not before 1/2564" in error.value.message


def test_a_meeting_cannot_adopt_its_own_minutes() -> None:
    this = schedule()
    with pytest.raises(ValidationError) as error:
        this.approve_minutes(this, [], meta())
    assert error.value.field == "ofMeeting"


def test_the_same_minutes_are_adopted_only_once() -> None:
    earlier, this = earlier_and_this()
    this.approve_minutes(earlier, [], meta())
    with pytest.raises(InvalidTransition, match="minutes of 9/2563 are already adopted here"):
        this.approve_minutes(earlier, [MinutesCorrection("p. 1", "a", "b")], meta())
    assert len(this.state.minutes_approvals) == 1


@pytest.mark.parametrize(
    ("correction", "field"),
    [
        (MinutesCorrection("หน้า ๑๑", "ส่วนราชการ", "ส่วนราชการ"), "corrections[1].to"),
        (MinutesCorrection("หน้า ๑๑", " ส่วนราชการ", "ส่วนราชการ "), "corrections[1].to"),
        (MinutesCorrection("", "a", "b"), "corrections[1].where"),
        (MinutesCorrection("หน้า ๑๑", "", "b"), "corrections[1].from"),
    ],
    ids=["same", "same-after-trimming", "no-where", "no-from"],
)
def test_a_minutes_correction_must_say_where_and_change_something(correction: MinutesCorrection, field: str) -> None:
    earlier, this = earlier_and_this()
    with pytest.raises(ValidationError) as error:
        this.approve_minutes(earlier, [MinutesCorrection("p. 1", "a", "b"), correction], meta())
    assert error.value.field == field
    assert this.state.minutes_approvals == []


def test_a_same_text_correction_says_there_is_nothing_to_correct() -> None:
    earlier, this = earlier_and_this()
    with pytest.raises(ValidationError, match="same as 'from'; nothing to correct"):
        this.approve_minutes(earlier, [MinutesCorrection("p. 11", "x", "x")], meta())


# the next meeting


def test_the_next_meeting_is_set_with_its_code_date_and_time() -> None:
    meeting = schedule()
    meeting.set_next_meeting("2/2564", date(2021, 2, 3), time(9, 30), meta())
    next_meeting = meeting.state.next_meeting
    assert next_meeting is not None
    assert (next_meeting.code, next_meeting.on, next_meeting.starts_at) == (
        "2/2564",
        date(2021, 2, 3),
        time(9, 30),
    )


@pytest.mark.parametrize("on", [MEETING_ON, MEETING_ON - timedelta(days=1)], ids=["same-day", "before"])
def test_the_next_meeting_must_come_after_this_one(on: date) -> None:
    meeting = schedule()
    with pytest.raises(ValidationError) as error:
        meeting.set_next_meeting("2/2564", on, None, meta())
    assert error.value.field == "date"
    assert "must come after this one (2021-01-06)" in error.value.message
    assert meeting.state.next_meeting is None


def test_the_next_meeting_code_is_checked() -> None:
    with pytest.raises(ValidationError) as error:
        schedule().set_next_meeting("2-2564", date(2021, 2, 3), None, meta())
    assert error.value.field == "code"


def test_a_meeting_fact_effective_before_the_meeting_existed_is_refused() -> None:
    meeting = schedule()
    with pytest.raises(ValidationError) as error:
        meeting.add_agenda_item(1, "t", meta(MEETING_ON - timedelta(days=1)))
    assert error.value.field == "effectiveOn"
    assert "before this meeting existed" in error.value.message


def test_a_membership_change_is_the_committee_s_fact_with_what_is_stated_and_nothing_else() -> None:
    from domain.committee import Committee

    committee = Committee.form("อ.ก.ก. วิสามัญ", meta())
    committee.change_membership(
        change_id="1/2564:1.1",
        left="ผู้ช่วยศาสตราจารย์ สุณี เวชประสิทธิ์",
        joined="ผู้ช่วยศาสตราจารย์สุภารัตน์ หงวนเสียม",
        kind="PERSON",
        resolution_body="ก.ก.",
        resolution_code="12/2563",
        resolution_on=date(2020, 12, 17),
        takes_effect_on=None,
        text="จาก “...” เป็น “...”",
        meta=meta(),
    )
    change = committee.state.membership_changes["1/2564:1.1"]
    assert (change.resolution_code, change.takes_effect_on, change.recorded_on) == ("12/2563", None, MEETING_ON)
    common: dict[str, Any] = {
        "left": "a",
        "joined": "b",
        "kind": "PERSON",
        "resolution_body": None,
        "resolution_code": None,
        "resolution_on": None,
        "takes_effect_on": None,
        "text": None,
        "meta": meta(),
    }
    for bad, field in (
        ({"change_id": "1/2564:1.1"}, "changeId"),  # recorded already
        ({"change_id": "x", "kind": "GROUP"}, "kind"),
        ({"change_id": "x", "joined": "a"}, "joined"),
        ({"change_id": "x", "resolution_code": "twelve"}, "resolutionCode"),
    ):
        with pytest.raises(ValidationError) as error:
            committee.change_membership(**{**common, **bad})
        assert error.value.field == field
    assert list(committee.state.membership_changes) == ["1/2564:1.1"]


def test_an_attendee_s_absence_reason_and_roles_are_checked() -> None:
    ok = Attendee("นาย ง", "", "MEMBER", "ABSENT", absence_reason="ติดราชการ", absence_note="ตติราชการ").checked("a")
    assert (ok.absence_reason, ok.absence_note, ok.roles) == ("ติดราชการ", "ตติราชการ", ())
    both = Attendee("นาง ค", "", "SECRETARY", "IN_ROOM", roles=("MEMBER", "SECRETARY")).checked("a")
    assert both.roles == ("MEMBER", "SECRETARY")
    with pytest.raises(ValidationError) as present:
        Attendee("นาย ก", "", "MEMBER", "IN_ROOM", absence_reason="ติดราชการ").checked("a")
    assert present.value.field == "a.absenceReason"
    with pytest.raises(ValidationError) as roles:
        Attendee("นาย ก", "", "CHAIR", "IN_ROOM", roles=("MEMBER", "SECRETARY")).checked("a")
    assert roles.value.field == "a.roles"
