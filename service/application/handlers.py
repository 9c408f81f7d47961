"""One use case per command: load what it needs, ask the domain, hand back what changed.

A handler gets the loader (the ledger, or an in-memory one in tests/unit/test_handlers.py), the
command, its meta and the target the application loaded (None for a command that creates a
stream). Which handler runs for which command, and what its target is, the catalogue says
(catalogue.py): a handler here is only the decision.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, Protocol, TypeVar
from uuid import UUID, uuid4

from domain import commands as c
from domain.activity import Activity
from domain.calendar import fiscal_year_of
from domain.committee import Committee, committee_id_for
from domain.corrections import approval_reason, corrections_of_record
from domain.errors import NotFound, ValidationError
from domain.facts import Ledger, Meta
from domain.keyresult import KeyResult
from domain.meeting import Meeting
from domain.plan import Plan
from domain.report_dates import REPORTED_STATUSES, check_report_date, plan_began
from domain.vocabulary import ActivityStatus

L = TypeVar("L", bound=Ledger[Any])


class Loader(Protocol):
    """Where a handler reads the other streams it needs (NotFound when there is none of that kind).

    `read_only`: the caller only reads the stream, so it may be handed the loader's own copy (the
    ledger's cached aggregate) instead of a private one. Copying a plan or a meeting for a check
    that only reads it was a fifth of the sample import's recording time (124 copies, for the
    report-date check of 62 status and outcome commands)."""

    def load(self, kind: type[L], stream_id: UUID, *, read_only: bool = False) -> L: ...


#: a handler hands back the stream it changed, or that stream and others changed with it (saved
#: together, in one transaction)
Changed = Ledger[Any] | tuple[Ledger[Any], ...]
Handler = Callable[[Loader, Any, Meta, Any], Changed]


def new_id() -> str:
    return uuid4().hex[:12]


def _as(kind: type[L], target: Ledger[Any]) -> L:
    """The target as the kind the command is about (the application loaded it as that kind)."""
    if not isinstance(target, kind):
        raise NotFound(kind.KIND, str(target.id))
    return target


def create_plan(store: Loader, cmd: c.CreatePlan, meta: Meta, _: None) -> Ledger[Any]:
    return Plan.create(
        code=cmd.code,
        title=cmd.title,
        period_start=cmd.period_start,
        period_end=cmd.period_end,
        vision=cmd.vision,
        period_start_year=cmd.period_start_year,
        period_end_year=cmd.period_end_year,
        meta=meta,
    )


def add_strategy(store: Loader, cmd: c.AddStrategy, meta: Meta, plan: Ledger[Any]) -> Ledger[Any]:
    _as(Plan, plan).add_strategy(cmd.number, cmd.title, cmd.goal, meta)
    return plan


def state_vision(store: Loader, cmd: c.StateVision, meta: Meta, plan: Ledger[Any]) -> Ledger[Any]:
    _as(Plan, plan).state_vision(cmd.vision, meta)
    return plan


def approve_action_plan(store: Loader, cmd: c.ApproveActionPlan, meta: Meta, plan: Ledger[Any]) -> Ledger[Any]:
    _as(Plan, plan).approve_action_plan(cmd.fiscal_year, meta)
    return plan


def record_proposal(store: Loader, cmd: c.RecordProposal, meta: Meta, plan: Ledger[Any]) -> Ledger[Any]:
    _as(Plan, plan).record_proposal(
        cmd.fiscal_year, cmd.strategy_number, cmd.source, cmd.text, list(cmd.responsible_units), meta
    )
    return plan


def state_proposal_units(store: Loader, cmd: c.StateProposalUnits, meta: Meta, plan: Ledger[Any]) -> Ledger[Any]:
    _as(Plan, plan).state_proposal_units(cmd.fiscal_year, cmd.strategy_number, list(cmd.units), meta)
    return plan


def report_figure(store: Loader, cmd: c.ReportFigure, meta: Meta, plan: Ledger[Any]) -> Ledger[Any]:
    """A figure as reported; one about an activity names an activity of this plan (its strategy,
    if given too, the activity's)."""
    strategy = cmd.strategy_number
    if cmd.activity_id is not None:
        activity = store.load(Activity, cmd.activity_id, read_only=True).state
        if activity.plan_id != str(plan.id):
            raise ValidationError("activityId", f"activity {cmd.activity_id} belongs to plan {activity.plan_id}")
        if strategy is not None and strategy != activity.strategy_number:
            raise ValidationError("strategyNumber", f"the activity is under strategy {activity.strategy_number}")
    _as(Plan, plan).report_figure(
        figure_id=cmd.figure_id or new_id(),
        label=cmd.label,
        value=cmd.value,
        unit=cmd.unit,
        unit_label=cmd.unit_label,
        strategy_number=strategy,
        kind=cmd.kind,
        activity_id=None if cmd.activity_id is None else str(cmd.activity_id),
        fiscal_year=cmd.fiscal_year,
        agenda_item=cmd.agenda_item,
        meta=meta,
    )
    return plan


def register_activity(store: Loader, cmd: c.RegisterActivity, meta: Meta, _: None) -> Ledger[Any]:
    plan = store.load(Plan, cmd.plan_id, read_only=True)
    plan.require_strategy(cmd.strategy_number)
    if meta.effective_on < plan.effective_from:
        raise ValidationError("effectiveOn", f"{meta.effective_on} is before the plan existed ({plan.effective_from})")
    return Activity.register(
        plan_id=cmd.plan_id,
        strategy_number=cmd.strategy_number,
        fiscal_year=cmd.fiscal_year,
        kind=cmd.kind,
        title=cmd.title,
        responsible_units=list(cmd.responsible_units),
        meta=meta,
        id=cmd.activity_id,
    )


def retitle_activity(store: Loader, cmd: c.RetitleActivity, meta: Meta, activity: Ledger[Any]) -> Ledger[Any]:
    _as(Activity, activity).retitle(cmd.title, meta)
    return activity


def assign_units(store: Loader, cmd: c.AssignUnits, meta: Meta, activity: Ledger[Any]) -> Ledger[Any]:
    _as(Activity, activity).assign_units(list(cmd.responsible_units), meta)
    return activity


def change_activity_status(
    store: Loader, cmd: c.ChangeActivityStatus, meta: Meta, activity: Ledger[Any]
) -> Ledger[Any]:
    wanted = ActivityStatus.parse(cmd.status, "status")
    if wanted in REPORTED_STATUSES:
        _check_reported(store, _as(Activity, activity), meta, f"status {wanted.value}")
    _as(Activity, activity).change_status(cmd.status, meta, cmd.reasons)
    return activity


def report_progress(store: Loader, cmd: c.ReportProgress, meta: Meta, activity: Ledger[Any]) -> Ledger[Any]:
    _check_reported(store, _as(Activity, activity), meta, "progress")
    _as(Activity, activity).report_progress(cmd.progress, meta)
    return activity


def record_outcome(store: Loader, cmd: c.RecordOutcome, meta: Meta, activity: Ledger[Any]) -> Ledger[Any]:
    _check_reported(store, _as(Activity, activity), meta, "outcome")
    _as(Activity, activity).record_outcome(cmd.outcome, meta)
    return activity


def _check_reported(store: Loader, activity: Activity, meta: Meta, what: str) -> None:
    """A report about `activity` takes effect neither after the meeting that heard it nor before
    its plan began (`domain.report_dates`)."""
    heard_at = None
    if meta.meeting_id:
        try:
            held = store.load(Meeting, UUID(meta.meeting_id), read_only=True).state
        except (ValueError, NotFound):
            held = None
        if held is not None and held.exists:
            heard_at = (held.code, held.on)
    began = None
    try:
        plan = store.load(Plan, UUID(activity.state.plan_id), read_only=True)
    except (ValueError, NotFound):
        plan = None
    if plan is not None:
        began = plan_began(plan.state, plan.effective_from)
    check_report_date(what, meta.effective_on, heard_at, began)


def plan_milestone(store: Loader, cmd: c.PlanMilestone, meta: Meta, activity: Ledger[Any]) -> Ledger[Any]:
    _as(Activity, activity).plan_milestone(cmd.milestone_id or new_id(), cmd.title, cmd.due_on, meta)
    return activity


def reschedule_milestone(store: Loader, cmd: c.RescheduleMilestone, meta: Meta, activity: Ledger[Any]) -> Ledger[Any]:
    _as(Activity, activity).reschedule_milestone(cmd.milestone_id, cmd.due_on, meta)
    return activity


def achieve_milestone(store: Loader, cmd: c.AchieveMilestone, meta: Meta, activity: Ledger[Any]) -> Ledger[Any]:
    _as(Activity, activity).achieve_milestone(cmd.milestone_id, cmd.achieved_on, meta)
    return activity


def drop_milestone(store: Loader, cmd: c.DropMilestone, meta: Meta, activity: Ledger[Any]) -> Ledger[Any]:
    _as(Activity, activity).drop_milestone(cmd.milestone_id, meta)
    return activity


def note_risk(store: Loader, cmd: c.NoteRisk, meta: Meta, activity: Ledger[Any]) -> Ledger[Any]:
    _as(Activity, activity).note_risk(
        risk_id=cmd.risk_id or new_id(),
        title=cmd.title,
        likelihood=cmd.likelihood,
        impact=cmd.impact,
        owner=cmd.owner,
        mitigation=cmd.mitigation,
        review_on=cmd.review_on,
        meta=meta,
    )
    return activity


def reassess_risk(store: Loader, cmd: c.ReassessRisk, meta: Meta, activity: Ledger[Any]) -> Ledger[Any]:
    _as(Activity, activity).reassess_risk(
        risk_id=cmd.risk_id,
        likelihood=cmd.likelihood,
        impact=cmd.impact,
        status=cmd.status,
        mitigation=cmd.mitigation,
        review_on=cmd.review_on,
        meta=meta,
    )
    return activity


def close_risk(store: Loader, cmd: c.CloseRisk, meta: Meta, activity: Ledger[Any]) -> Ledger[Any]:
    _as(Activity, activity).close_risk(cmd.risk_id, meta)
    return activity


def schedule_meeting(store: Loader, cmd: c.ScheduleMeeting, meta: Meta, _: None) -> Ledger[Any]:
    if cmd.plan_id is not None:
        store.load(Plan, cmd.plan_id, read_only=True)
    return Meeting.schedule(
        body=cmd.body,
        code=cmd.code,
        on=cmd.on,
        starts_at=cmd.starts_at,
        ends_at=cmd.ends_at,
        venue=cmd.venue,
        mode=cmd.mode,
        plan_id=cmd.plan_id,
        by_reference=cmd.by_reference,
        meta=meta,
    )


def record_meeting_times(store: Loader, cmd: c.RecordMeetingTimes, meta: Meta, meeting: Ledger[Any]) -> Ledger[Any]:
    _as(Meeting, meeting).record_times(cmd.starts_at, cmd.ends_at, cmd.venue, cmd.mode, meta)
    return meeting


def state_meeting_kind(store: Loader, cmd: c.StateMeetingKind, meta: Meta, meeting: Ledger[Any]) -> Ledger[Any]:
    _as(Meeting, meeting).state_kind(cmd.extraordinary, meta)
    return meeting


def record_attendance(store: Loader, cmd: c.RecordAttendance, meta: Meta, meeting: Ledger[Any]) -> Ledger[Any]:
    _as(Meeting, meeting).record_attendance(list(cmd.attendees), meta)
    return meeting


def add_agenda_item(store: Loader, cmd: c.AddAgendaItem, meta: Meta, meeting: Ledger[Any]) -> Ledger[Any]:
    _as(Meeting, meeting).add_agenda_item(cmd.number, cmd.title, meta, subject=cmd.subject, text=cmd.text)
    return meeting


def adopt_resolution(store: Loader, cmd: c.AdoptResolution, meta: Meta, meeting: Ledger[Any]) -> Ledger[Any]:
    _as(Meeting, meeting).adopt_resolution(
        resolution_id=cmd.resolution_id or new_id(),
        agenda_item=cmd.agenda_item,
        kind=cmd.kind,
        text=cmd.text,
        action_items=list(cmd.action_items),
        meta=meta,
    )
    return meeting


def complete_action_item(store: Loader, cmd: c.CompleteActionItem, meta: Meta, meeting: Ledger[Any]) -> Ledger[Any]:
    _as(Meeting, meeting).complete_action_item(cmd.action_item_id, cmd.done_on, meta)
    return meeting


def approve_minutes(store: Loader, cmd: c.ApproveMinutes, meta: Meta, meeting: Ledger[Any]) -> Changed:
    """Adopt the minutes, close the earlier meeting (and those before it) for reporting in its
    body, and lock, in the plan the meetings belong to, the period through its date. The
    corrections adopted with them correct what the earlier meeting's record says (each fact whose
    text holds a corrected passage, by a correction naming this approval: domain/corrections.py),
    whether the desk or the importer records the approval."""
    earlier = store.load(Meeting, cmd.of_meeting_id, read_only=True)
    at = _as(Meeting, meeting)
    at.approve_minutes(earlier, list(cmd.corrections), meta)
    of_record = corrections_of_record(earlier.facts, cmd.corrections, approved_at=str(at.id))
    corrected: list[Ledger[Any]] = []
    if of_record:
        earlier = store.load(Meeting, cmd.of_meeting_id)
        because = dataclasses.replace(
            meta, meeting_id=str(at.id), reason=approval_reason(at.state.code, cmd.corrections)
        )
        for version, changes in of_record:
            earlier.correct(version, changes, False, because)
        corrected.append(earlier)
    try:
        committee = store.load(Committee, committee_id_for(earlier.state.body))
    except NotFound:
        committee = Committee.form(earlier.state.body, meta)
    committee.close(earlier.state.on, earlier.state.code, at.state.code, meta)
    changed: list[Ledger[Any]] = [meeting, committee]
    plan_id = at.state.plan_id or earlier.state.plan_id
    if plan_id:
        plan = store.load(Plan, UUID(plan_id))
        # the lock in force when these minutes were approved: minutes approved later may already
        # be recorded (imported first), and their lock says nothing of this approval's
        lock = plan.state_as_of(meta.effective_on).lock
        if lock is None or lock.through < earlier.state.on:
            plan.lock_period(earlier.state.on, earlier.state.code, at.state.code, meta)
            changed.append(plan)
    return (*changed, *corrected)


def record_membership_change(store: Loader, cmd: c.RecordMembershipChange, meta: Meta, meeting: Ledger[Any]) -> Changed:
    """A membership change is the committee's fact (the body the meeting belongs to), and its
    announcement the meeting's: the committee is formed on its first fact, as when minutes are
    first approved."""
    at = _as(Meeting, meeting)
    try:
        committee = store.load(Committee, committee_id_for(at.state.body))
    except NotFound:
        committee = Committee.form(at.state.body, meta)
    change_id = cmd.change_id or new_id()
    at.announce_membership_change(change_id, meta)
    committee.change_membership(
        change_id=change_id,
        left=cmd.left,
        joined=cmd.joined,
        kind=cmd.kind,
        resolution_body=cmd.resolution_body,
        resolution_code=cmd.resolution_code,
        resolution_on=cmd.resolution_on,
        takes_effect_on=cmd.takes_effect_on,
        text=cmd.text,
        meta=meta,
    )
    return (meeting, committee)


def define_key_result(store: Loader, cmd: c.DefineKeyResult, meta: Meta, _: None) -> Ledger[Any]:
    if cmd.activity_id is not None:
        loaded = store.load(Activity, cmd.activity_id, read_only=True)
        activity = loaded.state
        if cmd.plan_id is not None and str(cmd.plan_id) != activity.plan_id:
            raise ValidationError("planId", f"activity {cmd.activity_id} belongs to plan {activity.plan_id}")
        if cmd.strategy_number is not None and cmd.strategy_number != activity.strategy_number:
            raise ValidationError("strategyNumber", f"the activity is under strategy {activity.strategy_number}")
        if cmd.fiscal_year is not None and cmd.fiscal_year != activity.fiscal_year:
            raise ValidationError("fiscalYear", f"the activity belongs to fiscal year {activity.fiscal_year}")
        plan_id, strategy, fiscal_year = UUID(activity.plan_id), activity.strategy_number, activity.fiscal_year
        existed_from = loaded.effective_from
    else:
        if cmd.plan_id is None or cmd.strategy_number is None:
            raise ValidationError("activityId", "name an activity, or a plan and one of its strategies")
        plan = store.load(Plan, cmd.plan_id, read_only=True)
        plan.require_strategy(cmd.strategy_number)
        plan_id, strategy, existed_from = cmd.plan_id, cmd.strategy_number, plan.effective_from
        fiscal_year = cmd.fiscal_year if cmd.fiscal_year is not None else _fiscal_year_of(cmd.due_on)
    if meta.effective_on < existed_from:
        raise ValidationError("effectiveOn", f"{meta.effective_on} is before what it measures existed ({existed_from})")
    return KeyResult.define(
        plan_id=plan_id,
        activity_id=cmd.activity_id,
        strategy_number=strategy,
        fiscal_year=fiscal_year,
        title=cmd.title,
        unit=cmd.unit,
        unit_label=cmd.unit_label,
        baseline=cmd.baseline,
        target=cmd.target_value,
        direction=cmd.direction,
        due_on=cmd.due_on,
        frequency=cmd.frequency,
        meta=meta,
        id=cmd.key_result_id,
    )


def _fiscal_year_of(due_on: Any) -> int:
    """The Thai fiscal year (BE) a due date falls in."""
    if due_on is None:
        raise ValidationError("fiscalYear", "a key result on a strategy needs a fiscal year or a due date")
    return fiscal_year_of(due_on)


def retarget_key_result(store: Loader, cmd: c.RetargetKeyResult, meta: Meta, key_result: Ledger[Any]) -> Ledger[Any]:
    _as(KeyResult, key_result).retarget(cmd.target_value, cmd.due_on, meta)
    return key_result


def retire_key_result(store: Loader, cmd: c.RetireKeyResult, meta: Meta, key_result: Ledger[Any]) -> Ledger[Any]:
    _as(KeyResult, key_result).retire(meta)
    return key_result


def record_measurement(store: Loader, cmd: c.RecordMeasurement, meta: Meta, key_result: Ledger[Any]) -> Ledger[Any]:
    _as(KeyResult, key_result).measure(cmd.value, cmd.source, cmd.note, meta)
    return key_result


def set_evaluation_rules(store: Loader, cmd: c.SetEvaluationRules, meta: Meta, plan: Ledger[Any]) -> Ledger[Any]:
    _as(Plan, plan).set_evaluation_rules(list(cmd.rules), meta)
    return plan


def record_comment(store: Loader, cmd: c.RecordComment, meta: Meta, meeting: Ledger[Any]) -> Ledger[Any]:
    _as(Meeting, meeting).record_comment(cmd.number, cmd.text, meta, cmd.strategy_numbers)
    return meeting


def set_next_meeting(store: Loader, cmd: c.SetNextMeeting, meta: Meta, meeting: Ledger[Any]) -> Ledger[Any]:
    _as(Meeting, meeting).set_next_meeting(cmd.code, cmd.on, cmd.starts_at, meta)
    return meeting


def correct_event(store: Loader, cmd: c.CorrectEvent, meta: Meta, target: Ledger[Any]) -> Ledger[Any]:
    target.correct(cmd.version, dict(cmd.changes), cmd.void, meta)
    return target
