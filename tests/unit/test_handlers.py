"""The use cases (service/application/handlers.py) run through the catalogue on an in-memory
loader: no database, the way cosmicpython tests its service layer with a fake unit of work.
Then the catalogue itself: every command has exactly one entry, with a handler, roles and an
input.
"""

from __future__ import annotations

import copy
import inspect
import typing
from datetime import date, time
from decimal import Decimal
from typing import Any, TypeVar
from uuid import UUID, uuid4

import pytest

from domain import commands as c
from domain.activity import Activity
from domain.committee import Committee
from domain.errors import InvalidTransition, NotFound, ValidationError
from domain.facts import Ledger, Meta
from domain.keyresult import KeyResult
from domain.meeting import Meeting
from domain.plan import Plan
from domain.values import ActionItem, Attendee, EvaluationRule, MinutesCorrection
from service.api.inputs import by_command
from service.application import catalogue
from service.application.access import ALLOWED
from service.application.catalogue import ENTRIES, entry_for
from service.application.roles import Role

L = TypeVar("L", bound=Ledger[Any])
PLAN_ON = date(2018, 2, 1)
FY2564 = date(2020, 10, 1)
MEETING_ON = date(2021, 1, 6)


def meta(on: date = MEETING_ON, reason: str | None = None) -> Meta:
    return Meta(effective_on=on, actor="secretariat", reason=reason)


class InMemoryLedger:
    """What PlanLedger.execute does with a command, minus the store: the catalogue's handler runs
    on the target loaded as the catalogue's kind; every stream it hands back is saved."""

    def __init__(self) -> None:
        self.streams: dict[UUID, Ledger[Any]] = {}
        #: the streams handed out to be read only, during the command running now
        self.read: list[Ledger[Any]] = []

    def load(self, kind: type[L], stream_id: UUID, *, read_only: bool = False) -> L:
        found = self.streams.get(stream_id)
        if not isinstance(found, kind):
            raise NotFound(kind.KIND, str(stream_id))
        if read_only:  # the stored stream itself, as the ledger hands out its cached one
            self.read.append(found)
            return found
        return copy.deepcopy(found)  # as the ledger's cache hands out: unsaved changes stay unsaved

    def run(self, command: c.Command, at: Meta | None = None) -> tuple[Ledger[Any], ...]:
        entry = entry_for(type(command))
        target = None
        if entry.target is not None and command.target is not None:
            target = self.load(entry.target, command.target)
        self.read = []
        try:
            changed = entry.handler(self, command, at or meta(), target)
        finally:
            # a stream loaded to be read only is the cache's own: a fact taken on it would be
            # visible to every later command without ever being saved
            assert not [s for s in self.read if s._pending_events], "a handler changed a stream it loaded to read"
        streams = changed if isinstance(changed, tuple) else (changed,)
        for stream in streams:
            stream.collect_events()
            self.streams[stream.id] = stream
        return streams

    def one(self, command: c.Command, at: Meta | None = None) -> Any:
        [stream] = self.run(command, at)
        return stream


@pytest.fixture
def ledger() -> InMemoryLedger:
    return InMemoryLedger()


def a_plan(ledger: InMemoryLedger) -> UUID:
    plan = ledger.one(c.CreatePlan("HR", "HR plan", date(2018, 1, 1), date(2022, 12, 31)), meta(PLAN_ON))
    ledger.run(c.AddStrategy(plan.id, 1, "Leaders"), meta(PLAN_ON))
    return UUID(str(plan.id))


def an_activity(ledger: InMemoryLedger, plan_id: UUID, units: tuple[str, ...] = ("HR office",)) -> UUID:
    activity = ledger.one(c.RegisterActivity(plan_id, 1, 2564, "ONE_YEAR", "Training", units), meta(FY2564))
    return UUID(str(activity.id))


def a_meeting(ledger: InMemoryLedger, code: str, on: date, plan_id: UUID | None) -> UUID:
    return UUID(str(ledger.one(c.ScheduleMeeting("Committee", code, on, plan_id=plan_id), meta(on)).id))


# -- plans ------------------------------------------------------------------------------------


def test_plan_commands_build_the_plan(ledger: InMemoryLedger) -> None:
    plan_id = a_plan(ledger)
    ledger.run(c.StateVision(plan_id, "A happy city"), meta(PLAN_ON))
    ledger.run(c.ApproveActionPlan(plan_id, 2564), meta(FY2564))
    ledger.run(c.RecordProposal(plan_id, 2565, 1, "unit", "More training", ("HR office",)))
    rules = (EvaluationRule("ON_TRACK", Decimal("0.9")), EvaluationRule("AT_RISK", Decimal("0.6")))
    plan = ledger.one(c.SetEvaluationRules(plan_id, rules))
    state = plan.state
    assert isinstance(plan, Plan) and state.code == "HR" and state.vision == "A happy city"
    assert [s.title for s in state.strategies.values()] == ["Leaders"]
    assert list(state.action_plans) == [2564]
    assert [p.text for p in state.proposals] == ["More training"]
    assert [r.health for r in state.evaluation_rules] == ["ON_TRACK", "AT_RISK"]
    assert plan.version == 6


def test_reported_figures_are_kept_as_reported(ledger: InMemoryLedger) -> None:
    plan_id = a_plan(ledger)
    activity_id = an_activity(ledger, plan_id)
    ledger.run(c.ReportFigure(plan_id, "ผลการดำเนินงานในภาพรวม", Decimal("83.20"), fiscal_year=2563, figure_id="p"))
    ledger.run(c.ReportFigure(plan_id, "โครงการต่อเนื่อง", Decimal("70.71"), kind="CONTINUING", figure_id="k"))
    ledger.run(c.ReportFigure(plan_id, "ผลการดำเนินงาน", Decimal(100), strategy_number=1, figure_id="s"))
    plan = ledger.one(c.ReportFigure(plan_id, "ความก้าวหน้า", Decimal(60), activity_id=activity_id, figure_id="a"))
    figures = plan.state.figures
    assert [(f.id, f.value, f.strategy_number, f.kind, f.activity_id) for f in figures.values()] == [
        ("p", Decimal("83.20"), None, None, None),  # as written: 83.20, not 83.2
        ("k", Decimal("70.71"), None, "CONTINUING", None),
        ("s", Decimal(100), 1, None, None),
        ("a", Decimal(60), None, None, str(activity_id)),
    ]
    assert {f.unit.value for f in figures.values()} == {"PERCENT"} and figures["p"].fiscal_year == 2563
    with pytest.raises(ValidationError) as error:
        ledger.run(c.ReportFigure(plan_id, "x", Decimal(1), strategy_number=2))
    assert error.value.field == "strategyNumber"
    with pytest.raises(ValidationError) as error:
        ledger.run(c.ReportFigure(plan_id, "x", Decimal(1), strategy_number=2, activity_id=activity_id))
    assert error.value.field == "strategyNumber"
    other = a_plan_coded(ledger, "OTHER")
    with pytest.raises(ValidationError) as error:
        ledger.run(c.ReportFigure(other, "x", Decimal(1), activity_id=activity_id))
    assert error.value.field == "activityId"
    with pytest.raises(ValidationError) as error:
        ledger.run(c.ReportFigure(plan_id, "again", Decimal(1), figure_id="p"))
    assert error.value.field == "figureId"


def a_plan_coded(ledger: InMemoryLedger, code: str) -> UUID:
    return UUID(str(ledger.one(c.CreatePlan(code, "Another"), meta(PLAN_ON)).id))


def test_a_plan_command_on_a_stream_of_another_kind_is_not_found(ledger: InMemoryLedger) -> None:
    activity_id = an_activity(ledger, a_plan(ledger))
    with pytest.raises(NotFound) as error:
        ledger.run(c.AddStrategy(activity_id, 2, "Structure"))
    assert error.value.kind == "plan"


# -- activities -------------------------------------------------------------------------------


def test_an_activity_is_registered_under_a_strategy_of_its_plan(ledger: InMemoryLedger) -> None:
    plan_id = a_plan(ledger)
    activity = ledger.streams[an_activity(ledger, plan_id)]
    assert isinstance(activity, Activity)
    assert (activity.state.plan_id, activity.state.strategy_number) == (str(plan_id), 1)
    with pytest.raises(NotFound):
        ledger.run(c.RegisterActivity(uuid4(), 1, 2564, "ONE_YEAR", "Orphan"), meta(FY2564))
    with pytest.raises(ValidationError) as error:
        ledger.run(c.RegisterActivity(plan_id, 1, 2564, "ONE_YEAR", "Too early"), meta(date(2017, 1, 1)))
    assert error.value.field == "effectiveOn"


def test_activity_updates_change_the_activity(ledger: InMemoryLedger) -> None:
    activity_id = an_activity(ledger, a_plan(ledger))
    ledger.run(c.RetitleActivity(activity_id, "Leadership training"))
    ledger.run(c.AssignUnits(activity_id, ("HR office", "Legal")))
    ledger.run(c.ChangeActivityStatus(activity_id, "IN_PROGRESS"))
    ledger.run(c.ReportProgress(activity_id, Decimal("40")))
    ledger.run(c.RecordOutcome(activity_id, "Two classes held"))
    ledger.run(c.PlanMilestone(activity_id, "Draft", date(2021, 3, 1), "m1"))
    ledger.run(c.PlanMilestone(activity_id, "Pilot", date(2021, 4, 1)))  # the handler gives it an id
    ledger.run(c.RescheduleMilestone(activity_id, "m1", date(2021, 3, 15)), meta(reason="late"))
    ledger.run(c.AchieveMilestone(activity_id, "m1", date(2021, 3, 10)), meta(date(2021, 3, 10)))
    ledger.run(c.NoteRisk(activity_id, "Budget", 3, 4, "Finance", risk_id="r1"))
    ledger.run(c.ReassessRisk(activity_id, "r1", likelihood=2, status="MITIGATING"))
    ledger.run(c.NoteRisk(activity_id, "Staff", 2, 2, "HR"))  # the handler gives it an id
    ledger.run(c.CloseRisk(activity_id, "r1"))
    [pilot] = [k for k, m in ledger.streams[activity_id].state.milestones.items() if m.title == "Pilot"]
    activity = ledger.one(c.DropMilestone(activity_id, pilot), meta(reason="not needed"))
    state = activity.state
    assert state.title == "Leadership training" and state.responsible_units == ["HR office", "Legal"]
    assert (state.status.value, state.progress, state.outcome) == ("IN_PROGRESS", Decimal("40"), "Two classes held")
    assert state.milestones["m1"].achieved_on == date(2021, 3, 10) and len(pilot) == 12
    assert state.risks["r1"].status.value == "CLOSED"
    assert sorted(r.title for r in state.risks.values()) == ["Budget", "Staff"]
    assert activity.version == 15


def test_a_rule_the_domain_keeps_reaches_the_caller(ledger: InMemoryLedger) -> None:
    activity_id = an_activity(ledger, a_plan(ledger))
    ledger.run(c.ChangeActivityStatus(activity_id, "CANCELLED"), meta(reason="no budget"))
    with pytest.raises(InvalidTransition):
        ledger.run(c.ReportProgress(activity_id, Decimal("10")))
    assert ledger.streams[activity_id].version == 2  # nothing saved


# -- meetings ---------------------------------------------------------------------------------


def test_meeting_commands_record_the_meeting(ledger: InMemoryLedger) -> None:
    plan_id = a_plan(ledger)
    meeting_id = a_meeting(ledger, "1/2564", MEETING_ON, plan_id)
    ledger.run(c.RecordMeetingTimes(meeting_id, time(9, 30), time(11, 40)))
    ledger.run(c.RecordAttendance(meeting_id, (Attendee("Somchai", "Director", "CHAIR", "IN_ROOM"),)))
    ledger.run(c.AddAgendaItem(meeting_id, 1, "Matters to report", "Progress"))
    action = ActionItem(id="a1", description="Report back", owner="HR office", due_meeting="2/2564")
    ledger.run(c.AdoptResolution(meeting_id, "ASSIGNED", "Report back", 1, (action,), "1/2564-1.1"))
    ledger.run(c.AdoptResolution(meeting_id, "ACKNOWLEDGED", "Noted"))  # the handler gives it an id
    ledger.run(c.CompleteActionItem(meeting_id, "a1", date(2021, 2, 1)), meta(date(2021, 2, 1)))
    ledger.run(c.RecordComment(meeting_id, 1, "Well done"))
    meeting = ledger.one(c.SetNextMeeting(meeting_id, "2/2564", date(2021, 2, 3)))
    state = meeting.state
    assert isinstance(meeting, Meeting) and (state.code, state.plan_id) == ("1/2564", str(plan_id))
    assert [a.name for a in state.attendance] == ["Somchai"] and state.agenda[1].subject == "Progress"
    assert len(state.resolutions) == 2 and "1/2564-1.1" in state.resolutions
    assert state.comments[1] == "Well done" and state.next_meeting is not None
    with pytest.raises(NotFound):
        ledger.run(c.ScheduleMeeting("Committee", "3/2564", date(2021, 3, 3), plan_id=uuid4()))


def test_approving_minutes_locks_the_plan_in_the_same_change(ledger: InMemoryLedger) -> None:
    plan_id = a_plan(ledger)
    older = a_meeting(ledger, "8/2563", date(2020, 11, 4), plan_id)
    earlier = a_meeting(ledger, "9/2563", date(2020, 12, 2), plan_id)
    meeting_id = a_meeting(ledger, "1/2564", MEETING_ON, plan_id)
    correction = MinutesCorrection("page 3", "2562", "2563")
    meeting, committee, plan = ledger.run(c.ApproveMinutes(meeting_id, earlier, (correction,)))
    assert isinstance(meeting, Meeting) and isinstance(committee, Committee) and isinstance(plan, Plan)
    closing = committee.state.closing(date(2020, 11, 4))
    assert closing is not None and (closing.meeting_code, closing.approved_at) == ("9/2563", "1/2564")
    assert [a.of_code for a in meeting.state.minutes_approvals] == ["9/2563"]
    lock = plan.state.lock
    assert lock is not None and (lock.through, lock.meeting_code, lock.approved_at) == (
        date(2020, 12, 2),
        "9/2563",
        "1/2564",
    )
    # minutes of a meeting already inside the lock: the plan's lock stays as it was
    later = a_meeting(ledger, "2/2564", date(2021, 2, 3), None)
    assert [type(s) for s in ledger.run(c.ApproveMinutes(later, older), meta(date(2021, 2, 3)))] == [
        Meeting,
        Committee,
    ]


def test_minutes_of_meetings_without_a_plan_close_them_in_their_committee(ledger: InMemoryLedger) -> None:
    earlier = a_meeting(ledger, "9/2563", date(2020, 12, 2), None)
    meeting_id = a_meeting(ledger, "1/2564", MEETING_ON, None)
    changed = ledger.run(c.ApproveMinutes(meeting_id, earlier))
    assert [type(s) for s in changed] == [Meeting, Committee]
    committee = changed[1]
    assert isinstance(committee, Committee)
    assert committee.state.closing(date(2020, 12, 2)) is not None
    assert committee.state.closing(date(2020, 12, 3)) is None
    with pytest.raises(NotFound):
        ledger.run(c.ApproveMinutes(meeting_id, uuid4()))


# -- key results ------------------------------------------------------------------------------


def test_a_key_result_on_an_activity_takes_the_activity_s_place(ledger: InMemoryLedger) -> None:
    plan_id = a_plan(ledger)
    activity_id = an_activity(ledger, plan_id)
    defined = ledger.one(c.DefineKeyResult("Trained", Decimal(0), Decimal(100), activity_id=activity_id), meta(FY2564))
    key_result_id = UUID(str(defined.id))
    ledger.run(c.RecordMeasurement(key_result_id, Decimal(27), "unit report"))
    ledger.run(c.RetargetKeyResult(key_result_id, Decimal(120)), meta(reason="more demand"))
    retired = ledger.one(c.RetireKeyResult(key_result_id), meta(date(2021, 9, 1), reason="merged"))
    state = retired.state
    assert isinstance(retired, KeyResult)
    assert (state.plan_id, state.activity_id, state.strategy_number, state.fiscal_year) == (
        str(plan_id),
        str(activity_id),
        1,
        2564,
    )
    assert [m.value for m in state.measurements.values()] == [Decimal(27)]
    assert state.target == Decimal(120) and state.retired_on == date(2021, 9, 1)
    with pytest.raises(ValidationError) as error:
        ledger.run(c.DefineKeyResult("K", Decimal(0), Decimal(1), activity_id=activity_id, plan_id=uuid4()))
    assert error.value.field == "planId"


def test_a_key_result_on_a_strategy_needs_its_fiscal_year(ledger: InMemoryLedger) -> None:
    plan_id = a_plan(ledger)
    on_strategy = c.DefineKeyResult("K", Decimal(0), Decimal(1), plan_id=plan_id, strategy_number=1)
    with pytest.raises(ValidationError) as error:
        ledger.run(on_strategy, meta(FY2564))
    assert error.value.field == "fiscalYear"
    due = c.DefineKeyResult("K", Decimal(0), Decimal(1), due_on=date(2021, 9, 30), plan_id=plan_id, strategy_number=1)
    assert ledger.one(due, meta(FY2564)).state.fiscal_year == 2564
    with pytest.raises(ValidationError) as error:
        ledger.run(c.DefineKeyResult("K", Decimal(0), Decimal(1)), meta(FY2564))
    assert error.value.field == "activityId"


# -- corrections ------------------------------------------------------------------------------


def test_a_correction_goes_to_any_kind_of_stream(ledger: InMemoryLedger) -> None:
    plan_id = a_plan(ledger)
    activity_id = an_activity(ledger, plan_id)
    ledger.run(c.ReportProgress(activity_id, Decimal("40")))
    corrected = ledger.one(c.CorrectEvent(activity_id, 2, {"progress": "45"}), meta(reason="typo"))
    assert isinstance(corrected, Activity) and corrected.state.progress == Decimal("45")
    plan = ledger.one(c.CorrectEvent(plan_id, 2, {"title": "Leaders and managers"}), meta(reason="typo"))
    assert isinstance(plan, Plan) and plan.state.strategies[1].title == "Leaders and managers"
    with pytest.raises(NotFound):
        ledger.run(c.CorrectEvent(uuid4(), 1, void=True), meta(reason="gone"))


# -- the catalogue ----------------------------------------------------------------------------


def _commands() -> set[type[c.Command]]:
    """Every command a caller can send: the classes of domain/commands.py with no subclasses."""
    return {
        cls
        for _, cls in inspect.getmembers(c, inspect.isclass)
        if issubclass(cls, c.Command) and cls.__module__ == c.__name__ and not cls.__subclasses__()
    }


def test_every_command_has_exactly_one_entry() -> None:
    listed = [entry.command for entry in ENTRIES]
    assert len(listed) == len(set(listed))
    assert set(listed) == _commands()
    assert len({entry.name for entry in ENTRIES}) == len(ENTRIES)


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
def test_every_entry_has_its_own_handler_roles_and_description(entry: catalogue.Entry) -> None:
    assert typing.get_type_hints(entry.handler)["cmd"] is entry.command  # the handler of this command
    assert entry.roles and Role.ADMIN in entry.roles and Role.SECRETARIAT in entry.roles
    assert Role.READER not in entry.roles
    assert entry.description.endswith(".")


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
def test_every_entry_targets_the_stream_its_command_names(entry: catalogue.Entry) -> None:
    named_by = {
        c.PlanCommand: Plan,
        c.ActivityCommand: Activity,
        c.MeetingCommand: Meeting,
        c.KeyResultCommand: KeyResult,
        c.CorrectEvent: Ledger,
    }
    bases = [base for base in named_by if issubclass(entry.command, base)]
    assert entry.target == (named_by[bases[0]] if bases else None)
    assert entry.creates == (not bases)


def test_every_command_has_exactly_one_input_and_every_input_a_command() -> None:
    inputs = by_command()
    assert set(inputs) == {entry.command for entry in ENTRIES}
    assert all(input_type.__name__ == f"{command.__name__}Input" for command, input_type in inputs.items())


def test_what_each_role_may_run_is_read_off_the_catalogue() -> None:
    everything = _commands()
    assert ALLOWED[Role.ADMIN] == ALLOWED[Role.SECRETARIAT] == everything
    assert ALLOWED[Role.READER] == frozenset()
    assert ALLOWED[Role.UNIT] == {
        c.ChangeActivityStatus,
        c.ReportProgress,
        c.RecordOutcome,
        c.PlanMilestone,
        c.RescheduleMilestone,
        c.AchieveMilestone,
        c.DropMilestone,
        c.NoteRisk,
        c.ReassessRisk,
        c.CloseRisk,
        c.RecordMeasurement,
    }
    assert all(issubclass(command, c.MeetingCommand | c.ScheduleMeeting) for command in ALLOWED[Role.COMMITTEE])
    assert len(ALLOWED[Role.COMMITTEE]) == 11  # with recordMembershipChange and stateMeetingKind


def test_an_unknown_command_is_named() -> None:
    class Unlisted(c.Command):
        pass

    with pytest.raises(LookupError, match="Unlisted"):
        entry_for(Unlisted)
