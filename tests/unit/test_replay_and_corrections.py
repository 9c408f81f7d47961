"""Event replay, the stored form of events, and corrections of recorded facts.

State is never stored, only folded from facts: rebuilding an aggregate from its events, or from
their JSON round trip, must give the same state. A wrong fact is never edited: a correction is
recorded, and both the old and the new belief stay queryable.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest
from eventsourcing.persistence import DatetimeAsISO, DecimalAsStr, JSONTranscoder, Mapper, UUIDAsHex

from domain.activity import Activity
from domain.errors import InvalidTransition, NotFound, ValidationError
from domain.facts import Corrected, Fact, Ledger, Meta, plain_copy
from domain.keyresult import KeyResult
from domain.meeting import Meeting
from domain.plan import Plan
from domain.transcodings import domain_transcodings
from domain.values import ActionItem, Attendee, EvaluationRule, MinutesCorrection
from domain.vocabulary import ActivityStatus, RiskStatus

D0 = date(2021, 1, 6)  # 1/2564
D1 = date(2021, 2, 3)  # 2/2564
D2 = date(2021, 3, 3)  # 3/2564
D3 = date(2021, 4, 7)  # 4/2564


def meta(on: date = D1, reason: str | None = None, actor: str = "secretariat") -> Meta:
    return Meta(effective_on=on, actor=actor, meeting_id=None, reason=reason)


def register(on: date = D0) -> Activity:
    return Activity.register(
        plan_id=uuid4(),
        strategy_number=3,
        fiscal_year=2564,
        kind="CONTINUING",
        title="พัฒนาระบบสารสนเทศด้านบุคคล",
        responsible_units=["สำนักงาน ก.ก."],
        meta=meta(on),
    )


# -- aggregates that have seen every kind of fact ------------------------------------------------


def busy_activity() -> Activity:
    a = register()
    a.retitle("พัฒนาระบบสารสนเทศด้านการบริหารงานบุคคล", meta(D0))
    a.assign_units(["สำนักงาน ก.ก.", "สำนักการศึกษา"], meta(D0))
    a.change_status("IN_PROGRESS", meta(D1))
    a.report_progress("35.50", meta(D1))
    a.record_outcome("อยู่ระหว่างดำเนินการ", meta(D1))
    a.plan_milestone("M1", "ร่าง TOR", date(2021, 3, 31), meta(D1))
    a.plan_milestone("M2", "ทดสอบระบบ", date(2021, 6, 30), meta(D1))
    a.plan_milestone("M3", "อบรมผู้ใช้", date(2021, 8, 31), meta(D1))
    a.reschedule_milestone("M1", date(2021, 4, 30), meta(D2, reason="COVID-19"))
    a.achieve_milestone("M1", date(2021, 3, 1), meta(D2))
    a.drop_milestone("M3", meta(D2, reason="รวมกับ M2"))
    a.note_risk(
        risk_id="R1",
        title="ไม่ได้รับการจัดสรรงบประมาณ",
        likelihood=4,
        impact=4,
        owner="สำนักงาน ก.ก.",
        mitigation="ขอใช้งบกลาง",
        review_on=date(2021, 6, 1),
        meta=meta(D1),
    )
    a.note_risk(
        risk_id="R2",
        title="ผู้รับจ้างส่งงานล่าช้า",
        likelihood=2,
        impact=3,
        owner="สำนักงาน ก.ก.",
        mitigation=None,
        review_on=None,
        meta=meta(D1),
    )
    a.reassess_risk(risk_id="R1", likelihood=5, status="MITIGATING", meta=meta(D2))
    a.close_risk("R2", meta(D2, reason="ส่งงานแล้ว"))
    a.report_progress(60, meta(D3))
    a.report_progress("20.25", meta(D0))  # backdated: learned now, true on 1/2564
    a.correct(5, {"progress": Decimal("36.50")}, False, meta(D3, reason="พิมพ์ผิด"))
    return a


def busy_plan() -> Plan:
    p = Plan.create(
        code=f"HR-{uuid4().hex[:8]}",
        title="แผนยุทธศาสตร์การบริหารทรัพยากรบุคคลของกรุงเทพมหานคร (พ.ศ. ๒๕๖๑ - ๒๕๖๕)",
        period_start=date(2018, 1, 1),
        period_end=date(2022, 12, 31),
        vision=None,
        meta=meta(date(2018, 2, 1)),
    )
    p.add_strategy(1, "การวางแผนกำลังคน", "มีกำลังคนเหมาะสม", meta(date(2018, 2, 1)))
    p.add_strategy(2, "การพัฒนาบุคลากร", None, meta(date(2018, 2, 1)))
    p.state_vision("มหานครแห่งความสุข", meta(date(2018, 2, 1)))
    p.approve_action_plan(2563, Meta(date(2019, 3, 6), "secretariat", meeting_id="2/2562"))
    p.approve_action_plan(2564, Meta(D0, "secretariat", meeting_id="1/2564"))
    p.record_proposal(2564, 1, "SUBCOMMITTEE", "ควรมีโครงการพัฒนาผู้อำนวยการเขต", ["สำนักการศึกษา"], meta(D0))
    p.state_proposal_units(2564, 1, ["สำนักการศึกษา", "กองอัตรากำลัง สำนักงาน ก.ก."], meta(D0))
    p.correct(2, {"goal": "มีกำลังคนเพียงพอและเหมาะสม"}, False, meta(D0, reason="ตามมติ"))
    p.set_evaluation_rules(
        [EvaluationRule("ON_TRACK", Decimal("0.95")), EvaluationRule("AT_RISK", Decimal("0.8"))], meta(D0)
    )
    p.report_figure(figure_id="F1", label="ผลการดำเนินงานในภาพรวม", value="83.20", fiscal_year=2563, meta=meta(D0))
    p.report_figure(figure_id="F2", label="ความก้าวหน้า", value=50, strategy_number=2, agenda_item=3, meta=meta(D0))
    p.lock_period(date(2020, 12, 2), "9/2563", "1/2564", meta(D0))
    return p


def busy_key_result() -> KeyResult:
    k = KeyResult.define(
        plan_id=uuid4(),
        activity_id=uuid4(),
        strategy_number=3,
        fiscal_year=2564,
        title="จำนวนผู้ผ่านการอบรม",
        unit="PERSONS",
        unit_label=None,
        baseline=0,
        target=100,
        direction="INCREASE",
        due_on=None,
        frequency="PER_MEETING",
        meta=meta(D0),
    )
    k.measure(20, "รายงานหน่วยงาน", None, meta(D1))
    k.measure("45.5", None, "ตามรายงาน", meta(D2))
    k.retarget(120, None, meta(D2, reason="เพิ่มกลุ่มเป้าหมาย"))
    k.correct(3, {"value": Decimal("40")}, False, meta(D3, reason="นับซ้ำ"))
    k.retire(meta(D3, reason="รวมกับตัวชี้วัดอื่น"))
    return k


def busy_meeting() -> Meeting:
    earlier = Meeting.schedule(body="อ.ก.ก. วิสามัญ", code="9/2563", on=date(2020, 12, 2), meta=meta(date(2020, 12, 2)))
    m = Meeting.schedule(
        body="อ.ก.ก. วิสามัญ",
        code="1/2564",
        on=D0,
        starts_at=time(9, 30),
        venue="ห้องนพรัตน์",
        mode="IN_PERSON",
        plan_id=uuid4(),
        by_reference=True,
        meta=meta(D0),
    )
    m.record_times(time(9, 30), time(11, 40), None, "HYBRID", meta(D0))
    m.state_kind(True, meta(D0))
    m.record_attendance(
        [
            Attendee("ประธาน", "รองปลัดกรุงเทพมหานคร", "CHAIR", "IN_ROOM"),
            Attendee("นาย ข", "", "MEMBER", "ONLINE"),
            Attendee("นาง ค", "ผู้อำนวยการกอง", "SECRETARY", "IN_ROOM", roles=("MEMBER", "SECRETARY")),
            Attendee("นาย ง", "", "MEMBER", "ABSENT", absence_reason="ติดราชการ", absence_note="ตติราชการ"),
        ],
        meta(D0),
    )
    m.add_agenda_item(1, "เรื่องที่ประธานแจ้งให้ที่ประชุมทราบ", meta(D0), text="๑. ก.ก. ได้มีมติ ...")
    m.add_agenda_item(2, "รับรองรายงานการประชุม ครั้งที่ 9/2563", meta(D0))
    m.add_agenda_item(3, "เรื่องเพื่อพิจารณา", meta(D0))
    m.adopt_resolution(
        resolution_id="R3",
        agenda_item=3,
        kind="ASSIGNED",
        text="มอบหมายสำนักงาน ก.ก. รายงาน ก.ก.",
        action_items=[
            ActionItem("A1", "รายงาน ก.ก. เดือนมกราคม", "สำนักงาน ก.ก.", due_on=date(2021, 1, 31)),
            ActionItem("A2", "รายงานความก้าวหน้าเป็นระยะ", "สำนักงาน ก.ก.", due_meeting="2/2564"),
        ],
        meta=meta(D0),
    )
    m.adopt_resolution(resolution_id="R2", agenda_item=2, kind="APPROVED", text="รับรอง", action_items=[], meta=meta(D0))
    m.approve_minutes(earlier, [MinutesCorrection("หน้า ๑๑ ข้อ ๖", "ส่วนราชการ", "หน่วยงาน")], meta(D0))
    m.record_comment(1, "ควรกำหนด milestone และ output ของแต่ละกิจกรรม", meta(D0))
    m.record_comment(2, "ยุทธศาสตร์ที่ ๒ ... ยุทธศาสตร์ที่ ๑", meta(D0), strategy_numbers=[2, 1])
    m.announce_membership_change("1/2564:1.1", meta(D0))
    m.set_next_meeting("2/2564", D1, time(9, 30), meta(D0))
    m.complete_action_item("A1", date(2021, 1, 28), meta(D1))
    m.correct(2, {"venue": "ห้องนพรัตน์ ชั้น ๕"}, False, meta(D0, reason="ชื่อห้องไม่ครบ"))
    return m


BUILDERS: dict[type[Ledger[Any]], Callable[[], Any]] = {
    Activity: busy_activity,
    Plan: busy_plan,
    Meeting: busy_meeting,
    KeyResult: busy_key_result,
}


def fact_classes(aggregate: type[Ledger[Any]]) -> list[type[Fact]]:
    declared = [v for v in vars(aggregate).values() if isinstance(v, type) and issubclass(v, Fact)]
    return [*declared, Corrected]


EVERY_FACT_CLASS = [(agg, cls) for agg in BUILDERS for cls in fact_classes(agg)]


def rebuild(events: list[Any]) -> Any:
    rebuilt = None
    for event in events:
        rebuilt = event.mutate(rebuilt)
    return rebuilt


def mapper() -> Mapper[Any]:
    transcoder = JSONTranscoder()
    for transcoding in [UUIDAsHex(), DecimalAsStr(), DatetimeAsISO(), *domain_transcodings()]:
        transcoder.register(transcoding)
    return Mapper(transcoder=transcoder)


# -- replay -------------------------------------------------------------------------------------


@pytest.mark.parametrize("aggregate", BUILDERS, ids=lambda a: a.__name__)
def test_the_busy_aggregates_have_seen_every_kind_of_fact(aggregate: type[Ledger[Any]]) -> None:
    events = BUILDERS[aggregate]().collect_events()
    assert {type(e) for e in events} == set(fact_classes(aggregate))


@pytest.mark.parametrize("aggregate", BUILDERS, ids=lambda a: a.__name__)
def test_replaying_the_events_rebuilds_the_same_aggregate(aggregate: type[Ledger[Any]]) -> None:
    original = BUILDERS[aggregate]()
    events = original.collect_events()

    rebuilt = rebuild(events)

    assert type(rebuilt) is aggregate
    assert rebuilt.id == original.id
    assert rebuilt.version == original.version == len(events)
    assert rebuilt.facts == original.facts
    assert rebuilt.state == original.state
    assert rebuilt.pending_events == []


@pytest.mark.parametrize("aggregate", BUILDERS, ids=lambda a: a.__name__)
def test_the_state_is_the_fold_of_the_facts(aggregate: type[Ledger[Any]]) -> None:
    """The incrementally kept state equals a fold from scratch, however facts arrived."""
    original = BUILDERS[aggregate]()
    assert original.state == original.state_as_of(date(2200, 12, 31))


@pytest.mark.parametrize("aggregate", BUILDERS, ids=lambda a: a.__name__)
def test_a_replayed_aggregate_answers_past_questions_the_same_way(aggregate: type[Ledger[Any]]) -> None:
    original = BUILDERS[aggregate]()
    rebuilt = rebuild(original.collect_events())
    for on in (D0 - timedelta(days=1), D0, D1, D2, D3):
        assert rebuilt.state_as_of(on) == original.state_as_of(on)
    for fact in original.facts:
        assert rebuilt.state_as_of(known_at=fact.timestamp) == original.state_as_of(known_at=fact.timestamp)


def test_a_replayed_activity_keeps_what_the_facts_said() -> None:
    state = rebuild(busy_activity().collect_events()).state
    assert state.status is ActivityStatus.IN_PROGRESS
    assert state.progress == Decimal(60)
    assert state.responsible_units == ["สำนักงาน ก.ก.", "สำนักการศึกษา"]
    assert state.milestones["M1"].achieved_on == date(2021, 3, 1)
    assert state.milestones["M1"].reschedules[0].reason == "COVID-19"
    assert state.risks["R1"].status is RiskStatus.MITIGATING
    assert state.risks["R1"].score == 20
    assert state.risks["R2"].closed_on == D2


# -- the stored (JSON) form ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("aggregate", "fact_class"), EVERY_FACT_CLASS, ids=lambda x: getattr(x, "__qualname__", str(x))
)
def test_every_fact_survives_the_json_round_trip(aggregate: type[Ledger[Any]], fact_class: type[Fact]) -> None:
    events = [e for e in BUILDERS[aggregate]().collect_events() if type(e) is fact_class]
    assert events, f"no {fact_class.__qualname__} was recorded"
    the_mapper = mapper()
    for event in events:
        stored = the_mapper.to_stored_event(event)
        restored = the_mapper.to_domain_event(stored)
        assert type(restored) is fact_class
        assert restored == event
        assert restored.payload() == event.payload()


@pytest.mark.parametrize("aggregate", BUILDERS, ids=lambda a: a.__name__)
def test_an_aggregate_rebuilt_from_stored_events_has_the_same_state(aggregate: type[Ledger[Any]]) -> None:
    original = BUILDERS[aggregate]()
    the_mapper = mapper()
    stored = [the_mapper.to_stored_event(e) for e in original.collect_events()]

    rebuilt = rebuild([the_mapper.to_domain_event(s) for s in stored])

    assert rebuilt.state == original.state
    assert rebuilt.facts == original.facts


def test_stored_values_keep_their_types() -> None:
    the_mapper = mapper()
    restored = [the_mapper.to_domain_event(the_mapper.to_stored_event(e)) for e in busy_meeting().collect_events()]
    resolution = next(e for e in restored if isinstance(e, Meeting.ResolutionAdopted) and e.action_items)
    assert all(isinstance(i, ActionItem) for i in resolution.action_items)
    assert isinstance(resolution.action_items[0].due_on, date)
    held = next(e for e in restored if isinstance(e, Meeting.Held))
    assert held.starts_at == time(9, 30)
    progress = [
        e
        for e in (the_mapper.to_domain_event(the_mapper.to_stored_event(x)) for x in busy_activity().collect_events())
        if isinstance(e, Activity.ProgressReported)
    ]
    assert all(isinstance(e.progress, Decimal) for e in progress)
    assert progress[0].progress == Decimal("35.50")


# -- corrections --------------------------------------------------------------------------------


def with_progress(value: int | str = 50, on: date = D1) -> Activity:
    activity = register()
    activity.report_progress(value, meta(on))  # version 2
    return activity


def test_a_correction_replaces_what_the_fact_said() -> None:
    activity = with_progress(50)
    activity.correct(2, {"progress": Decimal(55)}, False, meta(D2, reason="ตัวเลขพิมพ์ผิด"))

    assert activity.state.progress == Decimal(55)
    correction = activity.facts[-1]
    assert isinstance(correction, Corrected)
    assert (correction.corrects, correction.changes, correction.void) == (2, {"progress": Decimal(55)}, False)
    assert correction.reason == "ตัวเลขพิมพ์ผิด"
    assert correction.actor == "secretariat"
    assert activity.version == 3


def test_the_original_fact_stays_after_a_correction() -> None:
    activity = with_progress(50)
    original = activity.facts[1]
    activity.correct(2, {"progress": Decimal(55)}, False, meta(D2, reason="พิมพ์ผิด"))

    assert activity.facts[1] is original
    assert isinstance(original, Activity.ProgressReported)
    assert original.progress == Decimal(50)
    assert len(activity.facts) == 3


def test_the_latest_correction_of_a_fact_wins() -> None:
    activity = with_progress(50)
    activity.correct(2, {"progress": Decimal(55)}, False, meta(D2, reason="พิมพ์ผิด"))
    activity.correct(2, {"progress": Decimal(57)}, False, meta(D2, reason="พิมพ์ผิดอีก"))
    assert activity.state.progress == Decimal(57)


def test_correcting_a_fact_among_later_ones_keeps_the_later_ones() -> None:
    activity = with_progress(50, on=D1)
    activity.report_progress(70, meta(D2))
    activity.correct(2, {"progress": Decimal(45)}, False, meta(D3, reason="พิมพ์ผิด"))
    assert activity.state.progress == Decimal(70)
    assert activity.state_as_of(D1).progress == Decimal(45)


def test_a_correction_may_move_a_fact_to_another_effective_date() -> None:
    activity = with_progress(50, on=D2)
    activity.correct(2, {"effective_on": D1}, False, meta(D3, reason="รายงานต่อที่ประชุม 2/2564"))
    assert activity.state_as_of(D1).progress == Decimal(50)
    assert activity.facts[-1].effective_on == D1


def test_a_correction_cannot_move_a_fact_before_the_aggregate_existed() -> None:
    activity = with_progress(50)
    with pytest.raises(ValidationError) as error:
        activity.correct(2, {"effective_on": D0 - timedelta(days=1)}, False, meta(D3, reason="x"))
    assert error.value.field == "changes.effective_on"
    assert "before the activity existed" in error.value.message


def test_correcting_the_creation_may_fix_its_payload() -> None:
    activity = register()
    activity.correct(1, {"title": "ชื่อที่ถูกต้อง", "strategy_number": 4}, False, meta(D1, reason="x"))
    assert (activity.state.title, activity.state.strategy_number) == ("ชื่อที่ถูกต้อง", 4)


def test_correcting_the_creation_cannot_move_it_after_later_facts() -> None:
    activity = with_progress(50, on=D1)
    with pytest.raises(ValidationError) as error:
        activity.correct(1, {"effective_on": D2}, False, meta(D3, reason="x"))
    assert error.value.field == "changes.effective_on"
    assert "precede the creation" in error.value.message


@pytest.mark.parametrize("reason", [None, ""], ids=["none", "empty"])
def test_a_correction_must_say_why(reason: str | None) -> None:
    activity = with_progress(50)
    with pytest.raises(ValidationError) as error:
        activity.correct(2, {"progress": Decimal(55)}, False, meta(D2, reason=reason))
    assert error.value.field == "reason"
    assert "must say why" in error.value.message
    assert activity.version == 2


@pytest.mark.parametrize(
    ("bad_meta", "field"),
    [
        (meta(D2, reason="   "), "reason"),
        (meta(D2, reason="พิมพ์ผิด", actor="  "), "actor"),
    ],
    ids=["blank-reason", "blank-actor"],
)
def test_a_correction_checks_its_meta_like_any_command(bad_meta: Meta, field: str) -> None:
    activity = with_progress(50)
    with pytest.raises(ValidationError) as error:
        activity.correct(2, {"progress": Decimal(55)}, False, bad_meta)
    assert error.value.field == field
    assert activity.version == 2


@pytest.mark.parametrize(
    ("version", "changes", "says"),
    [
        (2, {"colour": "red"}, "colour cannot be corrected"),
        (2, {"actor": "someone else"}, "actor cannot be corrected"),
        (2, {"reason": "x"}, "reason cannot be corrected"),
        (2, {"meeting_id": "1/2564"}, "meeting_id cannot be corrected"),
        (2, {"originator_version": 9}, "originator_version cannot be corrected"),
        (1, {"plan_id": "another plan"}, "plan_id cannot be corrected"),
    ],
    ids=["unknown", "actor", "reason", "meeting", "version", "fixed-plan-id"],
)
def test_only_the_payload_a_fact_may_change_can_be_corrected(version: int, changes: dict[str, Any], says: str) -> None:
    activity = with_progress(50)
    with pytest.raises(ValidationError) as error:
        activity.correct(version, changes, False, meta(D2, reason="x"))
    assert error.value.field == "changes"
    assert says in error.value.message
    assert "allowed:" in error.value.message


def test_a_fixed_identifier_cannot_be_corrected() -> None:
    activity = register()
    activity.plan_milestone("M1", "ร่าง TOR", date(2021, 3, 31), meta(D1))
    with pytest.raises(ValidationError, match="milestone_id cannot be corrected"):
        activity.correct(2, {"milestone_id": "M2"}, False, meta(D2, reason="x"))
    activity.correct(2, {"due_on": date(2021, 4, 30)}, False, meta(D2, reason="x"))
    assert activity.state.milestones["M1"].original_due_on == date(2021, 4, 30)


@pytest.mark.parametrize(
    ("setup", "changes", "field"),
    [
        (lambda a: a.report_progress(50, meta(D1)), {"progress": 150}, "progress"),
        (lambda a: a.report_progress(50, meta(D1)), {"progress": "1.234"}, "progress"),
        (lambda a: a.change_status("IN_PROGRESS", meta(D1)), {"status": "DONE"}, "status"),
        (lambda a: a.record_outcome("x", meta(D1)), {"outcome": "  "}, "outcome"),
        (
            lambda a: a.note_risk(
                risk_id="R1",
                title="t",
                likelihood=1,
                impact=1,
                owner="o",
                mitigation=None,
                review_on=None,
                meta=meta(D1),
            ),
            {"likelihood": 6},
            "likelihood",
        ),
        (lambda a: a.plan_milestone("M1", "t", D2, meta(D1)), {"due_on": "soon"}, "dueOn"),
        (lambda a: a.retitle("ชื่อใหม่", meta(D1)), {"effective_on": date(1800, 1, 1)}, "changes.effective_on"),
    ],
    ids=["progress-150", "progress-3-decimals", "status", "outcome", "likelihood", "due-on", "effective-1800"],
)
def test_a_correction_that_would_make_the_fact_invalid_is_refused(
    setup: Callable[[Activity], None], changes: dict[str, Any], field: str
) -> None:
    activity = register()
    setup(activity)
    before = copy.deepcopy(activity.state)
    with pytest.raises(ValidationError) as error:
        activity.correct(2, changes, False, meta(D2, reason="x"))
    assert error.value.field == field
    assert activity.version == 2
    assert activity.state == before


def test_a_correction_of_the_creation_is_checked_too() -> None:
    with pytest.raises(ValidationError) as error:
        register().correct(1, {"fiscal_year": 2021}, False, meta(D1, reason="x"))
    assert error.value.field == "fiscalYear"


def test_a_plan_period_correction_is_checked() -> None:
    plan = busy_plan()
    with pytest.raises(ValidationError) as error:
        plan.correct(1, {"period_end": date(2017, 1, 1)}, False, meta(D1, reason="x"))
    assert error.value.field == "periodEnd"


def test_a_meeting_time_correction_is_checked() -> None:
    meeting = busy_meeting()
    with pytest.raises(ValidationError) as error:
        meeting.correct(2, {"ends_at": time(9, 0)}, False, meta(D1, reason="x"))
    assert error.value.field == "endsAt"


def test_voiding_a_fact_removes_it_from_the_state_but_not_from_the_facts() -> None:
    activity = with_progress(30, on=D1)
    activity.report_progress(80, meta(D2))
    activity.correct(3, {}, True, meta(D3, reason="รายงานซ้ำกับกิจกรรมอื่น"))

    assert activity.state.progress == Decimal(30)
    assert activity.state_as_of(D2).progress == Decimal(30)
    assert isinstance(activity.facts[2], Activity.ProgressReported)
    assert activity.facts[-1].void is True


def test_voiding_a_milestone_plan_removes_the_milestone() -> None:
    activity = register()
    activity.plan_milestone("M1", "ร่าง TOR", date(2021, 3, 31), meta(D1))
    activity.correct(2, {}, True, meta(D2, reason="บันทึกผิดกิจกรรม"))
    assert activity.state.milestones == {}


def test_a_voided_fact_takes_no_changes() -> None:
    with pytest.raises(ValidationError) as error:
        with_progress(50).correct(2, {"progress": Decimal(1)}, True, meta(D2, reason="x"))
    assert error.value.field == "changes"
    assert "takes no changes" in error.value.message


def test_a_correction_must_say_what_the_fact_should_have_said() -> None:
    with pytest.raises(ValidationError) as error:
        with_progress(50).correct(2, {}, False, meta(D2, reason="x"))
    assert error.value.field == "changes"


@pytest.mark.parametrize("aggregate", BUILDERS, ids=lambda a: a.__name__)
def test_the_creation_cannot_be_voided(aggregate: type[Ledger[Any]]) -> None:
    ledger = BUILDERS[aggregate]()
    version = ledger.version
    with pytest.raises(InvalidTransition) as error:
        ledger.correct(1, {}, True, meta(D3, reason="x"))
    assert f"creation of this {ledger.KIND} cannot be voided" in error.value.message
    assert ledger.version == version


def test_a_correction_cannot_itself_be_corrected_or_voided() -> None:
    activity = with_progress(50)
    activity.correct(2, {"progress": Decimal(55)}, False, meta(D2, reason="x"))
    for changes, void in (({"progress": Decimal(56)}, False), ({}, True)):
        with pytest.raises(InvalidTransition) as error:
            activity.correct(3, changes, void, meta(D2, reason="x"))
        assert "event 3 is itself a correction; correct event 2" in error.value.message
    assert activity.version == 3


@pytest.mark.parametrize("version", [0, 3, -1])
def test_correcting_a_fact_that_does_not_exist_is_not_found(version: int) -> None:
    activity = with_progress(50)
    with pytest.raises(NotFound) as error:
        activity.correct(version, {"progress": Decimal(1)}, False, meta(D2, reason="x"))
    assert error.value.kind == "event"
    assert error.value.key == f"{activity.id}@{version}"


def test_corrected_values_are_normalised_like_command_values() -> None:
    activity = with_progress(50)
    activity.correct(2, {"progress": "55.5"}, False, meta(D2, reason="x"))
    assert activity.state.progress == Decimal("55.5")
    assert isinstance(activity.state.progress, Decimal)


def test_a_corrected_attendance_is_checked() -> None:
    meeting = busy_meeting()
    bad = [Attendee(name="", position="", role="KING", presence="HOME")]
    with pytest.raises(ValidationError):
        meeting.correct(3, {"attendees": bad}, False, meta(D1, reason="x"))


def test_a_correction_that_cannot_be_folded_records_nothing() -> None:
    meeting = busy_meeting()
    meeting.collect_events()
    version, facts = meeting.version, len(meeting.facts)
    with pytest.raises(ValidationError):
        meeting.correct(3, {"attendees": ["นาย ก"]}, False, meta(D1, reason="x"))
    assert (meeting.version, len(meeting.facts), meeting.pending_events) == (version, facts, [])


# -- bitemporal questions -----------------------------------------------------------------------


def test_before_a_correction_was_recorded_the_old_belief_stands() -> None:
    activity = with_progress(50, on=D1)
    original = activity.facts[1]
    activity.correct(2, {"progress": Decimal(55)}, False, meta(D2, reason="พิมพ์ผิด"))
    correction = activity.facts[2]
    assert correction.timestamp > original.timestamp

    assert activity.state_as_of(D1, known_at=original.timestamp).progress == Decimal(50)
    assert activity.state_as_of(D1, known_at=correction.timestamp).progress == Decimal(55)
    assert activity.state_as_of(known_at=original.timestamp).progress == Decimal(50)
    assert activity.state_as_of(D1).progress == Decimal(55)


def test_before_a_void_was_recorded_the_voided_fact_stands() -> None:
    activity = with_progress(50, on=D1)
    activity.correct(2, {}, True, meta(D2, reason="ไม่ได้รายงานจริง"))
    assert activity.state_as_of(D1, known_at=activity.facts[1].timestamp).progress == Decimal(50)
    assert activity.state_as_of(D1).progress is None  # voided: never reported, unknown


def test_before_anything_was_recorded_nothing_existed() -> None:
    activity = with_progress(50)
    before = activity.facts[0].timestamp - timedelta(microseconds=1)
    assert not activity.state_as_of(D3, known_at=before).exists


def test_a_backdated_fact_changes_the_past_only_from_when_it_was_recorded() -> None:
    activity = with_progress(80, on=D2)
    activity.report_progress(40, meta(D1))  # backdated
    backdated = activity.facts[2]
    recorded_before = activity.facts[1].timestamp

    assert activity.state_as_of(D1).progress == Decimal(40)
    assert activity.state_as_of(D1 - timedelta(days=1)).progress is None
    assert activity.state_as_of(D2).progress == Decimal(80)
    assert activity.state_as_of(D1, known_at=recorded_before).progress is None
    assert activity.state_as_of(D1, known_at=backdated.timestamp).progress == Decimal(40)


def test_state_as_of_with_no_question_is_the_current_state() -> None:
    activity = busy_activity()
    assert activity.state_as_of() is activity.state


# -- a failed command records nothing -----------------------------------------------------------


FAILING_COMMANDS: dict[str, Callable[[Activity], None]] = {
    "forbidden-transition": lambda a: a.change_status("PLANNED", meta(D3)),
    "missing-reason": lambda a: a.change_status("ON_HOLD", meta(D3)),
    "bad-progress": lambda a: a.report_progress(150, meta(D3)),
    "blank-outcome": lambda a: a.record_outcome(" ", meta(D3)),
    "duplicate-milestone": lambda a: a.plan_milestone("M1", "t", D3, meta(D3)),
    "reschedule-without-reason": lambda a: a.reschedule_milestone("M2", D3, meta(D3)),
    "achieve-achieved": lambda a: a.achieve_milestone("M1", D3, meta(D3)),
    "unknown-risk": lambda a: a.close_risk("R9", meta(D3)),
    "closed-risk": lambda a: a.reassess_risk(risk_id="R2", likelihood=1, meta=meta(D3)),
    "before-existence": lambda a: a.report_progress(1, meta(D0 - timedelta(days=1))),
    "blank-actor": lambda a: a.report_progress(1, meta(D3, actor="")),
    "correction-without-reason": lambda a: a.correct(5, {"progress": Decimal(1)}, False, meta(D3)),
    "correction-out-of-range": lambda a: a.correct(5, {"progress": 150}, False, meta(D3, reason="x")),
    "void-creation": lambda a: a.correct(1, {}, True, meta(D3, reason="x")),
}


@pytest.mark.parametrize("command", FAILING_COMMANDS.values(), ids=FAILING_COMMANDS.keys())
def test_a_failed_command_records_nothing(command: Callable[[Activity], None]) -> None:
    activity = busy_activity()
    activity.collect_events()
    version, facts, state = activity.version, list(activity.facts), copy.deepcopy(activity.state)

    with pytest.raises((ValidationError, InvalidTransition, NotFound)):
        command(activity)

    assert activity.version == version
    assert activity.pending_events == []
    assert activity.facts == facts
    assert activity.state == state


def _mutable_parts(value: Any) -> Iterator[Any]:
    """Every dict, list, set and non-frozen dataclass instance inside `value`, itself included."""
    params = getattr(type(value), "__dataclass_params__", None)
    if isinstance(value, (dict, list, set)) or (params is not None and not params.frozen):
        yield value
    if isinstance(value, dict):
        for item in value.values():
            yield from _mutable_parts(item)
    elif isinstance(value, (list, set, tuple)):
        for item in value:
            yield from _mutable_parts(item)
    elif params is not None:
        for item in vars(value).values():
            yield from _mutable_parts(item)


def _shared_parts(one: Any, other: Any) -> set[int]:
    return {id(part) for part in _mutable_parts(one)} & {id(part) for part in _mutable_parts(other)}


@pytest.mark.parametrize("aggregate", BUILDERS, ids=lambda a: a.__name__)
def test_a_copy_of_a_busy_aggregate_shares_its_state_until_a_fact_changes_it(
    aggregate: type[Ledger[Any]],
) -> None:
    """The cache hands each command a copy (`Ledger.__deepcopy__`): equal to the original, its
    state shared until a fact changes it (copy on write); before a fact that may change anything
    (TOUCHES None) it makes the whole state its own: then no dict, list, set or mutable dataclass
    of it is the original's, and the original's state is what it was."""
    original = BUILDERS[aggregate]()
    original.collect_events()
    before = plain_copy(original.state)
    clone = copy.deepcopy(original)
    assert clone.state == original.state == before
    assert clone.facts == original.facts and clone.facts is not original.facts
    clone._own_state(None)
    assert clone.state == before and not _shared_parts(original.state, clone.state)
    assert sum(1 for _ in _mutable_parts(original.state)) > 3  # (the busy aggregate has some to copy)
    original._own_state(None)  # (the original knows it was shared too: it copies before it changes)
    assert original.state == before


def test_commands_on_copies_of_copies_never_change_what_they_were_copied_from() -> None:
    """A progress report (TOUCHES: nothing in place) gives the copy its own state object and
    leaves the milestones and risks shared; a fact that changes those copies them first; a copy
    of the copy (the next command on a busy activity, decided before the first commits) the same."""
    original = busy_activity()
    original.collect_events()
    snapshot = plain_copy(original.state)
    first = copy.deepcopy(original)
    first.report_progress(Decimal(77), meta(D3))
    assert first.state is not original.state and first.state.milestones is original.state.milestones
    assert first.state.progress == Decimal(77) and original.state == snapshot
    second = copy.deepcopy(first)
    second.plan_milestone("M9", "new", D3 + timedelta(days=30), meta(D3))
    second.note_risk(risk_id="R9", title="new", likelihood=2, impact=3, meta=meta(D3))
    assert "M9" in second.state.milestones and "M9" not in first.state.milestones
    assert "R9" in second.state.risks and "R9" not in first.state.risks
    first.achieve_milestone("M2", D3, meta(D3))
    assert second.state.milestones["M2"].achieved_on is None and original.state == snapshot
    assert first.state.milestones["M2"].achieved_on == D3
    assert not _shared_parts(second.state, original.state) and not _shared_parts(first.state.milestones, original.state)
