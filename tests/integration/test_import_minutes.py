"""Importing the real minutes (and a later meeting's) into a real store."""

from __future__ import annotations

from collections import Counter
from datetime import date, time

import pytest

from domain import commands as c
from domain.activity import Activity, ActivityState
from domain.errors import PeriodLocked
from domain.facts import Meta
from domain.meeting import Meeting, meeting_id_for
from domain.plan import Plan, plan_id_for
from domain.values import Attendee
from service.application.ledger import PlanLedger
from service.config import ServerAddress
from service.minutes.importer import activity_id_for, import_minutes, plan_code
from service.minutes.model import ParsedMinutes
from service.minutes.parser import parse_minutes
from tests.integration.store_helpers import event_count
from tests.paths import LATER_MINUTES, SAMPLE_MINUTES

LATER = LATER_MINUTES


@pytest.fixture(scope="module")
def seed() -> ParsedMinutes:
    return parse_minutes(SAMPLE_MINUTES.read_text(encoding="utf-8"), source="seed")


@pytest.fixture(scope="module")
def later() -> ParsedMinutes:
    return parse_minutes(LATER.read_text(encoding="utf-8"), source="2/2564")


@pytest.fixture
def app(database: ServerAddress) -> PlanLedger:
    ledger = PlanLedger.connect(database)
    yield ledger
    ledger.close()


def activities(app: PlanLedger, minutes: ParsedMinutes) -> list[Activity]:
    plan_id = plan_id_for(plan_code(minutes))
    return [app.load(Activity, activity_id_for(plan_id, r.fiscal_year_be, r.title)) for r in minutes.activity_results]


async def test_the_seed_imports_to_what_the_minutes_say(app: PlanLedger, seed: ParsedMinutes) -> None:
    report = await import_minutes(app, seed, "secretariat")
    assert report.refused == []

    plan = app.load(Plan, plan_id_for(plan_code(seed))).state
    assert len(plan.strategies) == 5 and all(s.goal for s in plan.strategies.values())
    assert sorted(plan.action_plans) == [2563, 2564]

    fy2563 = [a.state for a in activities(app, seed) if a.state.fiscal_year == 2563]
    assert len(fy2563) == 31
    assert Counter(a.status.value for a in fy2563) == {"COMPLETED": 19, "IN_PROGRESS": 10, "NOT_IMPLEMENTED": 2}
    assert all(a.outcome for a in fy2563)
    not_implemented = [a for a in fy2563 if a.status.value == "NOT_IMPLEMENTED"]
    assert all(a.status_reason and a.risks for a in not_implemented)

    meeting = app.load(Meeting, meeting_id_for(seed.body, "1/2564")).state
    assert (meeting.on, meeting.starts_at, meeting.ends_at) == (date(2021, 1, 6), time(9, 30), time(11, 40))
    assert sorted(meeting.agenda) == [1, 2, 3, 4, 5]
    # the subject under an item's heading: what "matters for consideration" and "other business" were
    assert meeting.agenda[3].subject == "แผนปฏิบัติราชการ (Action Plan) ประจำปี พ.ศ. ๒๕๖๔"
    assert meeting.agenda[4].subject == "การจัดทำแผนสำรองเพื่อรองรับสถานการณ์ฉุกเฉิน (Contingency Plan)"
    assert meeting.agenda[1].subject is None
    assert len(meeting.resolutions) == sum(len(item.resolutions) for item in seed.agenda) >= 5
    assert any(r.action_items for r in meeting.resolutions.values())
    [adoption] = meeting.minutes_approvals
    assert adoption.of_code == "9/2563" and len(adoption.corrections) == 3
    assert meeting.next_meeting is not None
    assert (meeting.next_meeting.on, meeting.next_meeting.starts_at) == (date(2021, 2, 3), time(9, 30))
    assert len(meeting.comments) == 9

    earlier = app.load(Meeting, meeting_id_for(seed.body, "9/2563")).state
    assert earlier.by_reference and earlier.on == date(2020, 12, 2)


STRATEGY_COUNTS_FY2563 = {1: (5, 1, 0), 2: (0, 2, 1), 3: (2, 5, 1), 4: (7, 2, 0), 5: (5, 0, 0)}


def counts_by_strategy(states: list[ActivityState]) -> dict[int, tuple[int, int, int]]:
    """completed / in progress / not implemented, per strategy"""
    counts: dict[int, Counter[str]] = {}
    for state in states:
        counts.setdefault(state.strategy_number, Counter())[state.status.value] += 1
    return {n: (c["COMPLETED"], c["IN_PROGRESS"], c["NOT_IMPLEMENTED"]) for n, c in sorted(counts.items())}


async def test_the_fiscal_year_s_results_take_effect_at_its_end_not_at_the_meeting(
    app: PlanLedger, seed: ParsedMinutes
) -> None:
    await import_minutes(app, seed, "secretariat")
    fy2563 = [a for a in activities(app, seed) if a.state.fiscal_year == 2563]
    at_year_end = [a.state_as_of(date(2020, 9, 30)) for a in fy2563]
    assert counts_by_strategy(at_year_end) == STRATEGY_COUNTS_FY2563
    # nothing changed in the world between 9/2563 and 1/2564: the minutes describe no change there
    for activity in fy2563:
        before, after = activity.state_as_of(date(2020, 12, 2)), activity.state_as_of(date(2021, 1, 6))
        assert (before.status, before.outcome) == (after.status, after.outcome)
    # a row whose text gives a date takes effect then ('… เมื่อวันที่ ๘ ก.ค. ๖๓ ขณะนี้อยู่ระหว่าง …')
    assert sorted({f.effective_on for a in fy2563 for f in a.facts if type(f).__name__ == "StatusChanged"}) == [
        date(2020, 3, 5),
        date(2020, 7, 8),
        date(2020, 9, 30),
    ]


async def test_importing_the_same_file_twice_records_nothing(app: PlanLedger, seed: ParsedMinutes) -> None:
    await import_minutes(app, seed, "secretariat")
    count = event_count(app)
    report = await import_minutes(app, seed, "secretariat")
    assert report.recorded == 0 and report.refused == []
    assert event_count(app) == count


async def test_a_later_meeting_adds_to_the_same_plan_and_time_travel_shows_both(
    app: PlanLedger, seed: ParsedMinutes, later: ParsedMinutes
) -> None:
    await import_minutes(app, seed, "secretariat")
    report = await import_minutes(app, later, "secretariat")
    assert report.refused == []
    changed = []
    plan_id = plan_id_for(plan_code(later))
    for result in later.activity_results:
        activity = app.load(Activity, activity_id_for(plan_id, result.fiscal_year_be, result.title))
        at_first = activity.state_as_of(date(2021, 1, 6)).status.value
        at_second = activity.state_as_of(date(2021, 2, 3)).status.value
        assert at_second == result.status
        if at_first != at_second:
            changed.append((at_first, at_second))
    # the later minutes move two activities to COMPLETED and one not-implemented one into progress
    assert sorted(changed) == sorted(
        [("IN_PROGRESS", "COMPLETED"), ("IN_PROGRESS", "COMPLETED"), ("NOT_IMPLEMENTED", "IN_PROGRESS")]
    )
    # the same 31 activities, not new ones: the later titles matched the seed's
    assert len({r.title for r in later.activity_results}) == len(later.activity_results)
    meeting = app.load(Meeting, meeting_id_for(later.body, "2/2564")).state
    assert not meeting.by_reference and meeting.ends_at == time(11, 0)
    assert [a.of_code for a in meeting.minutes_approvals] == ["1/2564"]


async def test_an_approved_meeting_without_a_plan_takes_nothing_new_but_its_own_minutes(
    app: PlanLedger, seed: ParsedMinutes, later: ParsedMinutes
) -> None:
    """Issue 17, defect 4: imported meetings carry no plan, and still their approval closes them."""
    await import_minutes(app, seed, "secretariat")
    await import_minutes(app, later, "secretariat")
    closed = meeting_id_for(seed.body, "9/2563")  # approved at 1/2564; known only by reference
    one = meeting_id_for(seed.body, "1/2564")  # approved at 2/2564
    attempts = [
        (c.AdoptResolution(meeting_id=closed, kind="ACKNOWLEDGED", text="ghost", agenda_item=None), None),
        (c.RecordAttendance(meeting_id=closed, attendees=(Attendee("ghost", "member", "MEMBER", "IN_ROOM"),)), closed),
        (c.RecordAttendance(meeting_id=closed, attendees=(Attendee("ghost", "member", "MEMBER", "IN_ROOM"),)), None),
        (c.AddAgendaItem(meeting_id=one, number=9, title="late item"), one),
        (c.RecordComment(meeting_id=one, number=99, text="late comment"), None),
    ]
    count = event_count(app)
    for command, named in attempts:
        meta = Meta(date(2021, 3, 1), "someone", None if named is None else str(named))
        with pytest.raises(PeriodLocked) as locked:
            app.execute(command, meta)
        assert locked.value.meeting_code in ("9/2563", "1/2564")
    # a status reported at the closed meeting is refused; the same learned later is a late report
    activity = activities(app, seed)[0]
    with pytest.raises(PeriodLocked) as refused:
        app.execute(c.ReportProgress(activity_id=activity.id, progress=10), Meta(date(2020, 11, 1), "u", str(closed)))
    assert refused.value.reported_at == "9/2563" and "9/2563" in refused.value.message
    assert event_count(app) == count
    app.execute(c.ReportProgress(activity_id=activity.id, progress=10), Meta(date(2020, 11, 1), "u"))
    # corrections still pass, with a reason
    meeting = app.load(Meeting, one)
    version = next(f.originator_version for f in meeting.facts if type(f).__name__ == "CommentRecorded")
    fixed = Meta(date(2021, 3, 1), "s", reason="typo")
    app.execute(c.CorrectEvent(stream_id=one, version=version, changes={"text": "แก้ไข"}), fixed)
