"""Mutation inputs: one per domain command, each declaring the command it builds (`command`)
and turning itself into it (`to_command`); the mutation for it is the catalogue's entry for that
command (service/application/catalogue.py).

Every input also says when the fact takes effect (`effectiveOn`, default: the meeting's date when
a meeting is named, else today), at which meeting and why, and may carry `expectedVersion`,
`idempotencyKey` and `consistency`. Values a person can get wrong come back as the typed
validation error naming the field; nothing is recorded.
"""

from __future__ import annotations

import datetime
import hashlib
from datetime import date, time
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar
from uuid import UUID, uuid4

import strawberry
from strawberry.scalars import JSON

from domain import commands as c
from domain.errors import ValidationError
from domain.values import ActionItem, Attendee, EvaluationRule, MinutesCorrection
from service.api import enums as e
from service.application.handlers import new_id
from service.application.meta import MetaRequest


def as_id(field: str, value: Any) -> UUID:
    try:
        return UUID(str(value).strip())
    except ValueError:
        raise ValidationError(field, f"{value!r} is not an ID") from None


def sub_id(given: str | None, key: str | None, salt: str) -> str:
    """The id of a milestone, risk, resolution or action item: given, else derived from the
    idempotency key (so a retry asks for the same thing), else new."""
    if given is not None:
        return given
    if key is not None:
        return hashlib.sha256(f"{salt}:{key}".encode()).hexdigest()[:12]
    return new_id()


@strawberry.input(description="What every mutation may say besides its payload.")
class CommandInput:
    effective_on: date | None = strawberry.field(
        default=None,
        description="When the fact takes effect. Default: the meeting's date if a meeting is named, else today.",
    )
    meeting: str | None = strawberry.field(
        default=None, description='The meeting that decided it: an ID or a code such as "1/2564".'
    )
    reason: str | None = strawberry.field(default=None, description="Why (required for some status changes).")
    expected_version: int | None = strawberry.field(
        default=None, description="Refuse with a version conflict unless the stream is at this version."
    )
    idempotency_key: str | None = strawberry.field(
        default=None, description="Retrying with the same key records once and returns the first result."
    )
    consistency: e.Consistency = strawberry.field(
        default=e.Consistency.EVENTUAL,
        description="READ_YOUR_WRITES: answer once the read models include this write.",
    )
    #: the command this input asks for (its mutation is the catalogue's entry for that command)
    command: ClassVar[type[c.Command]]

    def to_command(self) -> c.Command:
        """The command, or ValidationError naming the input field that is wrong."""
        raise NotImplementedError

    def default_effective_on(self) -> date | None:
        """When the fact takes effect if the caller names neither a date nor a meeting."""
        return None

    def meta_request(self) -> MetaRequest:
        """What the input says besides its payload, for the application to resolve."""
        return MetaRequest(
            effective_on=self.effective_on,
            meeting=self.meeting,
            reason=self.reason,
            expected_version=self.expected_version,
            idempotency_key=self.idempotency_key,
            default_on=self.default_effective_on(),
        )


@strawberry.input
class CreatePlanInput(CommandInput):
    command = c.CreatePlan

    code: str = strawberry.field(description="The plan's code, e.g. HR-2561: unique.")
    title: str = strawberry.field(description="The plan's title.")
    period_start: date | None = strawberry.field(default=None, description="The first day, where it is stated.")
    period_end: date | None = strawberry.field(default=None, description="The last day, where it is stated.")
    vision: str | None = strawberry.field(default=None, description="The plan's vision, if stated already.")
    period_start_year: int | None = strawberry.field(
        default=None, description="The first year (Buddhist Era), where only the years are stated."
    )
    period_end_year: int | None = strawberry.field(default=None, description="The last year (Buddhist Era).")

    def to_command(self) -> c.Command:
        return c.CreatePlan(
            self.code,
            self.title,
            self.period_start,
            self.period_end,
            self.vision,
            self.period_start_year,
            self.period_end_year,
        )


@strawberry.input
class AddStrategyInput(CommandInput):
    command = c.AddStrategy

    plan_id: strawberry.ID = strawberry.field(description="The ID of the plan.")
    number: int = strawberry.field(description="The strategy's number in the plan: unique there.")
    title: str = strawberry.field(description="The strategy's title.")
    goal: str | None = strawberry.field(default=None, description="What the strategy aims at.")

    def to_command(self) -> c.Command:
        return c.AddStrategy(as_id("planId", self.plan_id), self.number, self.title, self.goal)


@strawberry.input
class StateVisionInput(CommandInput):
    command = c.StateVision

    plan_id: strawberry.ID = strawberry.field(description="The ID of the plan.")
    vision: str = strawberry.field(description="The plan's vision.")

    def to_command(self) -> c.Command:
        return c.StateVision(as_id("planId", self.plan_id), self.vision)


@strawberry.input
class ApproveActionPlanInput(CommandInput):
    command = c.ApproveActionPlan

    plan_id: strawberry.ID = strawberry.field(description="The ID of the plan.")
    fiscal_year: int = strawberry.field(description="Buddhist Era fiscal year, e.g. 2564.")

    def to_command(self) -> c.Command:
        return c.ApproveActionPlan(as_id("planId", self.plan_id), self.fiscal_year)


@strawberry.input
class RecordProposalInput(CommandInput):
    command = c.RecordProposal

    plan_id: strawberry.ID = strawberry.field(description="The ID of the plan.")
    fiscal_year: int = strawberry.field(description="The Buddhist Era fiscal year of the action plan, e.g. 2564.")
    strategy_number: int = strawberry.field(description="The strategy it falls under.")
    source: str = strawberry.field(description="Who proposes it.")
    text: str = strawberry.field(description="The proposal.")
    responsible_units: list[str] = strawberry.field(default_factory=list, description="The units responsible, by name.")

    def to_command(self) -> c.Command:
        return c.RecordProposal(
            as_id("planId", self.plan_id),
            self.fiscal_year,
            self.strategy_number,
            self.source,
            self.text,
            tuple(self.responsible_units),
        )


@strawberry.input
class StateProposalUnitsInput(CommandInput):
    command = c.StateProposalUnits

    plan_id: strawberry.ID = strawberry.field(description="The ID of the plan.")
    fiscal_year: int = strawberry.field(description="The Buddhist Era fiscal year of the action plan, e.g. 2564.")
    strategy_number: int = strawberry.field(description="The strategy whose proposals they are.")
    units: list[str] = strawberry.field(description="The units, by name, as the minutes list them for the strategy.")

    def to_command(self) -> c.Command:
        return c.StateProposalUnits(
            as_id("planId", self.plan_id), self.fiscal_year, self.strategy_number, tuple(self.units)
        )


@strawberry.input
class ReportFigureInput(CommandInput):
    command = c.ReportFigure

    plan_id: strawberry.ID
    label: str = strawberry.field(description="What the figure is, in the report's own words.")
    value: float = strawberry.field(description="As reported (at most four decimals).")
    unit: e.MeasureUnit = e.MeasureUnit.PERCENT
    unit_label: str | None = strawberry.field(default=None, description="The unit's name, for OTHER.")
    strategy_number: int | None = strawberry.field(default=None, description="A figure about one strategy.")
    kind: e.ActivityKind | None = strawberry.field(default=None, description="A figure about one kind of activity.")
    activity_id: strawberry.ID | None = strawberry.field(default=None, description="A figure about one activity.")
    fiscal_year: int | None = strawberry.field(default=None, description="The fiscal year it is for, where said.")
    agenda_item: int | None = strawberry.field(default=None, description="The agenda item that reported it.")
    figure_id: str | None = strawberry.field(default=None, description="Default: a new id.")

    def to_command(self) -> c.Command:
        try:
            value = Decimal(repr(self.value))
        except InvalidOperation:
            raise ValidationError("value", f"{self.value!r} is not a number") from None
        return c.ReportFigure(
            plan_id=as_id("planId", self.plan_id),
            label=self.label,
            value=value,
            unit=self.unit.value,
            unit_label=self.unit_label,
            strategy_number=self.strategy_number,
            kind=None if self.kind is None else self.kind.value,
            activity_id=None if self.activity_id is None else as_id("activityId", self.activity_id),
            fiscal_year=self.fiscal_year,
            agenda_item=self.agenda_item,
            figure_id=sub_id(self.figure_id, self.idempotency_key, "figure"),
        )


@strawberry.input
class RegisterActivityInput(CommandInput):
    command = c.RegisterActivity

    plan_id: strawberry.ID = strawberry.field(description="The ID of the plan.")
    strategy_number: int = strawberry.field(description="The strategy it serves.")
    fiscal_year: int = strawberry.field(description="The Buddhist Era fiscal year, e.g. 2564.")
    kind: e.ActivityKind = strawberry.field(description="One fiscal year, or continuing across fiscal years.")
    title: str = strawberry.field(description="The activity's title.")
    responsible_units: list[str] = strawberry.field(default_factory=list, description="The units responsible, by name.")
    activity_id: strawberry.ID | None = strawberry.field(default=None, description="Default: a new ID.")

    def to_command(self) -> c.Command:
        return c.RegisterActivity(
            plan_id=as_id("planId", self.plan_id),
            strategy_number=self.strategy_number,
            fiscal_year=self.fiscal_year,
            kind=self.kind.value,
            title=self.title,
            responsible_units=tuple(self.responsible_units),
            activity_id=None if self.activity_id is None else as_id("activityId", self.activity_id),
        )


@strawberry.input
class RetitleActivityInput(CommandInput):
    command = c.RetitleActivity

    activity_id: strawberry.ID = strawberry.field(description="The ID of the activity.")
    title: str = strawberry.field(description="The new title.")

    def to_command(self) -> c.Command:
        return c.RetitleActivity(as_id("activityId", self.activity_id), self.title)


@strawberry.input
class AssignUnitsInput(CommandInput):
    command = c.AssignUnits

    activity_id: strawberry.ID = strawberry.field(description="The ID of the activity.")
    responsible_units: list[str] = strawberry.field(description="The units responsible from now on (all of them).")

    def to_command(self) -> c.Command:
        return c.AssignUnits(as_id("activityId", self.activity_id), tuple(self.responsible_units))


@strawberry.input
class ChangeActivityStatusInput(CommandInput):
    command = c.ChangeActivityStatus

    activity_id: strawberry.ID = strawberry.field(description="The ID of the activity.")
    status: e.ActivityStatus = strawberry.field(description="The status to move to.")
    reasons: list[str] | None = strawberry.field(
        default=None,
        description="The reasons one by one, where there are several (the meta's `reason` holds them together).",
    )

    def to_command(self) -> c.Command:
        reasons = tuple(self.reasons or ())
        return c.ChangeActivityStatus(as_id("activityId", self.activity_id), self.status.value, reasons)


@strawberry.input
class ReportProgressInput(CommandInput):
    command = c.ReportProgress

    activity_id: strawberry.ID = strawberry.field(description="The ID of the activity.")
    progress: float = strawberry.field(description="Percent, 0 to 100, at most two decimals.")

    def to_command(self) -> c.Command:
        try:
            progress = Decimal(repr(self.progress))
        except InvalidOperation:
            raise ValidationError("progress", f"{self.progress!r} is not a number") from None
        return c.ReportProgress(as_id("activityId", self.activity_id), progress)


@strawberry.input
class RecordOutcomeInput(CommandInput):
    command = c.RecordOutcome

    activity_id: strawberry.ID = strawberry.field(description="The ID of the activity.")
    outcome: str = strawberry.field(description="What the activity achieved.")

    def to_command(self) -> c.Command:
        return c.RecordOutcome(as_id("activityId", self.activity_id), self.outcome)


@strawberry.input
class PlanMilestoneInput(CommandInput):
    command = c.PlanMilestone

    activity_id: strawberry.ID = strawberry.field(description="The ID of the activity.")
    title: str = strawberry.field(description="What is to be reached.")
    due_on: date = strawberry.field(description="When it is due.")
    milestone_id: str | None = strawberry.field(default=None, description="Default: a new id.")

    def to_command(self) -> c.Command:
        return c.PlanMilestone(
            as_id("activityId", self.activity_id),
            self.title,
            self.due_on,
            sub_id(self.milestone_id, self.idempotency_key, "milestone"),
        )


@strawberry.input
class RescheduleMilestoneInput(CommandInput):
    command = c.RescheduleMilestone

    activity_id: strawberry.ID = strawberry.field(description="The ID of the activity.")
    milestone_id: str = strawberry.field(
        description="The milestone's id within the activity (a success payload's createdId)."
    )
    due_on: date = strawberry.field(description="The new due date.")

    def to_command(self) -> c.Command:
        return c.RescheduleMilestone(as_id("activityId", self.activity_id), self.milestone_id, self.due_on)


@strawberry.input
class AchieveMilestoneInput(CommandInput):
    command = c.AchieveMilestone

    activity_id: strawberry.ID = strawberry.field(description="The ID of the activity.")
    milestone_id: str = strawberry.field(
        description="The milestone's id within the activity (a success payload's createdId)."
    )
    achieved_on: date = strawberry.field(description="When it was achieved.")

    def to_command(self) -> c.Command:
        return c.AchieveMilestone(as_id("activityId", self.activity_id), self.milestone_id, self.achieved_on)


@strawberry.input
class DropMilestoneInput(CommandInput):
    command = c.DropMilestone

    activity_id: strawberry.ID = strawberry.field(description="The ID of the activity.")
    milestone_id: str = strawberry.field(
        description="The milestone's id within the activity (a success payload's createdId)."
    )

    def to_command(self) -> c.Command:
        return c.DropMilestone(as_id("activityId", self.activity_id), self.milestone_id)


@strawberry.input
class NoteRiskInput(CommandInput):
    command = c.NoteRisk

    activity_id: strawberry.ID = strawberry.field(description="The ID of the activity.")
    title: str = strawberry.field(description="What could go wrong.")
    likelihood: int | None = strawberry.field(
        default=None, description="1 to 5; with impact, or neither: the risk is then not yet assessed."
    )
    impact: int | None = strawberry.field(default=None, description="1 to 5; with likelihood, or neither.")
    owner: str | None = strawberry.field(default=None, description="Who manages it; null: nobody named yet.")
    mitigation: str | None = strawberry.field(default=None, description="What is done about it.")
    review_on: date | None = strawberry.field(default=None, description="When it is to be reviewed next.")
    risk_id: str | None = strawberry.field(default=None, description="Default: a new id.")

    def to_command(self) -> c.Command:
        return c.NoteRisk(
            activity_id=as_id("activityId", self.activity_id),
            title=self.title,
            likelihood=self.likelihood,
            impact=self.impact,
            owner=self.owner,
            mitigation=self.mitigation,
            review_on=self.review_on,
            risk_id=sub_id(self.risk_id, self.idempotency_key, "risk"),
        )


@strawberry.input
class ReassessRiskInput(CommandInput):
    command = c.ReassessRisk

    activity_id: strawberry.ID = strawberry.field(description="The ID of the activity.")
    risk_id: str = strawberry.field(description="The risk's id within the activity (a success payload's createdId).")
    likelihood: int | None = strawberry.field(
        default=None,
        description="The new likelihood, 1 to 5 (default: unchanged); a risk not yet assessed is assessed with "
        "likelihood and impact together.",
    )
    impact: int | None = strawberry.field(default=None, description="The new impact, 1 to 5 (default: unchanged).")
    status: e.RiskStatus | None = strawberry.field(
        default=None, description="OPEN or MITIGATING; close a risk with closeRisk."
    )
    mitigation: str | None = strawberry.field(default=None, description="The new mitigation (default: unchanged).")
    review_on: date | None = strawberry.field(default=None, description="The next review date (default: unchanged).")

    def to_command(self) -> c.Command:
        return c.ReassessRisk(
            activity_id=as_id("activityId", self.activity_id),
            risk_id=self.risk_id,
            likelihood=self.likelihood,
            impact=self.impact,
            status=None if self.status is None else self.status.value,
            mitigation=self.mitigation,
            review_on=self.review_on,
        )


@strawberry.input
class CloseRiskInput(CommandInput):
    command = c.CloseRisk

    activity_id: strawberry.ID = strawberry.field(description="The ID of the activity.")
    risk_id: str = strawberry.field(description="The risk's id within the activity (a success payload's createdId).")

    def to_command(self) -> c.Command:
        return c.CloseRisk(as_id("activityId", self.activity_id), self.risk_id)


@strawberry.input
class ScheduleMeetingInput(CommandInput):
    command = c.ScheduleMeeting

    body: str = strawberry.field(description="The committee that meets.")
    code: str = strawberry.field(description='Number/Buddhist Era year, e.g. "1/2564".')
    date: date = strawberry.field(description="The day it is (or was) held.")
    starts_at: time | None = strawberry.field(default=None, description="When it starts, if known.")
    ends_at: time | None = strawberry.field(default=None, description="When it ends, if known.")
    venue: str | None = strawberry.field(default=None, description="Where it sits.")
    mode: e.MeetingMode | None = strawberry.field(
        default=None, description="In the room, online or both, where stated; null: not stated."
    )
    plan_id: strawberry.ID | None = strawberry.field(
        default=None, description="The ID of the plan it oversees, if any."
    )
    by_reference: bool = strawberry.field(
        default=False, description="Known only because other minutes cite it (no minutes of its own here)."
    )

    def default_effective_on(self) -> datetime.date | None:
        # A meeting recorded after it sat exists from its date; one scheduled ahead, from today.
        return min(self.date, datetime.date.today())

    def to_command(self) -> c.Command:
        return c.ScheduleMeeting(
            body=self.body,
            code=self.code,
            on=self.date,
            starts_at=self.starts_at,
            ends_at=self.ends_at,
            venue=self.venue,
            mode=None if self.mode is None else self.mode.value,
            plan_id=None if self.plan_id is None else as_id("planId", self.plan_id),
            by_reference=self.by_reference,
        )


@strawberry.input
class RecordMeetingTimesInput(CommandInput):
    command = c.RecordMeetingTimes

    meeting_id: strawberry.ID = strawberry.field(description="The ID of the meeting.")
    starts_at: time = strawberry.field(description="When it started.")
    ends_at: time = strawberry.field(description="When it ended.")
    venue: str | None = strawberry.field(default=None, description="Where it sat.")
    mode: e.MeetingMode | None = strawberry.field(
        default=None, description="In the room, online or both, where stated; null: not stated (what was known stays)."
    )

    def to_command(self) -> c.Command:
        mode = None if self.mode is None else self.mode.value
        return c.RecordMeetingTimes(as_id("meetingId", self.meeting_id), self.starts_at, self.ends_at, self.venue, mode)


@strawberry.input
class StateMeetingKindInput(CommandInput):
    command = c.StateMeetingKind

    meeting_id: strawberry.ID = strawberry.field(description="The ID of the meeting.")
    extraordinary: bool = strawberry.field(
        description="True: an extraordinary meeting (วิสามัญ), outside the regular series; false: a regular one."
    )

    def to_command(self) -> c.Command:
        return c.StateMeetingKind(as_id("meetingId", self.meeting_id), self.extraordinary)


@strawberry.input(description="A person at (or absent from) a meeting, as the minutes list them.")
class AttendeeInput:
    name: str = strawberry.field(description="The person's name.")
    position: str = strawberry.field(default="", description="Their position, as the minutes give it.")
    role: e.MeetingRole = strawberry.field(default=e.MeetingRole.MEMBER, description="Their role at the meeting.")
    presence: e.Presence = strawberry.field(
        default=e.Presence.PRESENT, description="How they attended, or that they did not."
    )
    absence_reason: str | None = strawberry.field(
        default=None, description="Why an absent member did not come, in its usual word (e.g. ติดราชการ)."
    )
    absence_note: str | None = strawberry.field(
        default=None, description="The words after an absent member's name as the minutes write them."
    )
    roles: list[e.MeetingRole] | None = strawberry.field(
        default=None,
        description="Every role they held where more than one (a member who is also the secretary); `role` "
        "must be one of them.",
    )
    remark: str | None = strawberry.field(
        default=None,
        description="What the minutes add of the person, as written (came late, left early, presided).",
    )


@strawberry.input
class RecordAttendanceInput(CommandInput):
    command = c.RecordAttendance

    meeting_id: strawberry.ID = strawberry.field(description="The ID of the meeting.")
    attendees: list[AttendeeInput] = strawberry.field(description="Everyone the minutes list, present or not.")

    def to_command(self) -> c.Command:
        return c.RecordAttendance(
            as_id("meetingId", self.meeting_id),
            tuple(
                Attendee(
                    a.name,
                    a.position,
                    a.role.value,
                    a.presence.value,
                    a.absence_reason,
                    a.absence_note,
                    tuple(r.value for r in a.roles or ()),
                    a.remark,
                )
                for a in self.attendees
            ),
        )


@strawberry.input
class AddAgendaItemInput(CommandInput):
    command = c.AddAgendaItem

    meeting_id: strawberry.ID = strawberry.field(description="The ID of the meeting.")
    number: int = strawberry.field(description="The item's number: unique in the meeting.")
    title: str = strawberry.field(description="The item's heading.")
    subject: str | None = strawberry.field(
        default=None, description='What the item is about, as the minutes give it under the heading ("เรื่อง ...").'
    )
    text: str | None = strawberry.field(
        default=None, description="What the minutes say under the item (announcements, background, points)."
    )

    def to_command(self) -> c.Command:
        return c.AddAgendaItem(as_id("meetingId", self.meeting_id), self.number, self.title, self.subject, self.text)


@strawberry.input(description="Work a resolution assigns.")
class ActionItemInput:
    description: str = strawberry.field(description="The work to do.")
    owner: str = strawberry.field(description="Who is to do it.")
    due_on: date | None = strawberry.field(default=None, description="When it is due.")
    due_meeting: str | None = strawberry.field(default=None, description="Due at a meeting, e.g. the next one.")
    periodic: bool = strawberry.field(default=False, description="Report to the meeting periodically.")
    id: str | None = strawberry.field(default=None, description="Default: a new id.")


@strawberry.input
class AdoptResolutionInput(CommandInput):
    command = c.AdoptResolution

    meeting_id: strawberry.ID = strawberry.field(description="The ID of the meeting.")
    kind: e.ResolutionKind = strawberry.field(description="What the meeting resolved.")
    text: str = strawberry.field(description="The resolution's wording.")
    agenda_item: int | None = strawberry.field(default=None, description="The number of the agenda item it resolves.")
    action_items: list[ActionItemInput] = strawberry.field(default_factory=list, description="The work it assigns.")
    resolution_id: str | None = strawberry.field(default=None, description="Default: a new id.")

    def to_command(self) -> c.Command:
        key = self.idempotency_key
        return c.AdoptResolution(
            meeting_id=as_id("meetingId", self.meeting_id),
            kind=self.kind.value,
            text=self.text,
            agenda_item=self.agenda_item,
            action_items=tuple(
                ActionItem(
                    id=sub_id(a.id, key, f"action-item:{n}"),
                    description=a.description,
                    owner=a.owner,
                    due_on=a.due_on,
                    due_meeting=a.due_meeting,
                    periodic=a.periodic,
                )
                for n, a in enumerate(self.action_items)
            ),
            resolution_id=sub_id(self.resolution_id, key, "resolution"),
        )


@strawberry.input
class CompleteActionItemInput(CommandInput):
    command = c.CompleteActionItem

    meeting_id: strawberry.ID = strawberry.field(description="The ID of the meeting whose resolution assigned it.")
    action_item_id: str = strawberry.field(description="The action item's id within that meeting.")
    done_on: date = strawberry.field(description="When it was done.")

    def to_command(self) -> c.Command:
        return c.CompleteActionItem(as_id("meetingId", self.meeting_id), self.action_item_id, self.done_on)


@strawberry.input(description="One correction of earlier minutes.")
class CorrectionInput:
    where: str = strawberry.field(description="Where in the minutes, e.g. page 3, agenda item 4.")
    from_: str = strawberry.field(name="from", description="The text as the minutes had it.")
    to: str = strawberry.field(description="The text as corrected.")


@strawberry.input
class ApproveMinutesInput(CommandInput):
    command = c.ApproveMinutes

    meeting_id: strawberry.ID = strawberry.field(description="The meeting that adopts the minutes.")
    of_meeting_id: strawberry.ID = strawberry.field(description="The meeting whose minutes are adopted.")
    corrections: list[CorrectionInput] = strawberry.field(
        default_factory=list, description="The corrections made on adopting them."
    )

    def to_command(self) -> c.Command:
        return c.ApproveMinutes(
            as_id("meetingId", self.meeting_id),
            as_id("ofMeetingId", self.of_meeting_id),
            tuple(MinutesCorrection(x.where, x.from_, x.to) for x in self.corrections),
        )


@strawberry.input
class RecordCommentInput(CommandInput):
    command = c.RecordComment

    meeting_id: strawberry.ID = strawberry.field(description="The ID of the meeting.")
    number: int = strawberry.field(description="The comment's number: unique in the meeting.")
    text: str = strawberry.field(description="What was said.")
    strategy_numbers: list[int] | None = strawberry.field(
        default=None, description="The strategies the comment names, by number (none: it names none)."
    )

    def to_command(self) -> c.Command:
        numbers = tuple(self.strategy_numbers or ())
        return c.RecordComment(as_id("meetingId", self.meeting_id), self.number, self.text, numbers)


@strawberry.input
class RecordMembershipChangeInput(CommandInput):
    command = c.RecordMembershipChange

    meeting_id: strawberry.ID = strawberry.field(description="The ID of the meeting that announced it.")
    left: str = strawberry.field(description="Who left the committee (a person, or a seat by its position).")
    joined: str = strawberry.field(description="Who joined in their place.")
    kind: e.MembershipChangeKind = strawberry.field(
        default=e.MembershipChangeKind.PERSON, description="A named person, or a seat defined by a position."
    )
    resolution_body: str | None = strawberry.field(default=None, description="The body whose resolution made it.")
    resolution_code: str | None = strawberry.field(default=None, description="That resolution's code, e.g. 12/2563.")
    resolution_on: date | None = strawberry.field(default=None, description="The day of that resolution.")
    takes_effect_on: date | None = strawberry.field(
        default=None, description="The day the change takes effect, where stated."
    )
    text: str | None = strawberry.field(default=None, description="The words announcing it.")
    change_id: str | None = strawberry.field(default=None, description="Default: a new id.")

    def to_command(self) -> c.Command:
        return c.RecordMembershipChange(
            as_id("meetingId", self.meeting_id),
            self.left,
            self.joined,
            self.kind.name,
            self.resolution_body,
            self.resolution_code,
            self.resolution_on,
            self.takes_effect_on,
            self.text,
            self.change_id,
        )


@strawberry.input
class SetNextMeetingInput(CommandInput):
    command = c.SetNextMeeting

    meeting_id: strawberry.ID = strawberry.field(description="The ID of the meeting that sets the next one.")
    code: str = strawberry.field(description="The next meeting's code, e.g. 2/2564.")
    date: date = strawberry.field(description="The day it is to be held.")
    starts_at: time | None = strawberry.field(default=None, description="When it is to start.")

    def to_command(self) -> c.Command:
        return c.SetNextMeeting(as_id("meetingId", self.meeting_id), self.code, self.date, self.starts_at)


@strawberry.input
class CorrectEventInput(CommandInput):
    command = c.CorrectEvent

    stream_id: strawberry.ID = strawberry.field(
        description="The ID of the stream the fact is in (an event's streamId)."
    )
    version: int = strawberry.field(description="The version of the fact being corrected.")
    # nullable with no default rather than `JSON! = {}`: an object default is what graphql-js 16's
    # printSchema (and graphql-core's introspection) cannot print, and clients then fail on the schema
    changes: JSON | None = strawberry.field(
        default=None, description="What the fact should have said: its fields and their corrected values (none: {})."
    )
    void: bool = strawberry.field(default=False, description="The fact should not have been recorded at all.")

    def to_command(self) -> c.Command:
        changes: Any = {} if self.changes is None else self.changes
        if not isinstance(changes, dict):
            raise ValidationError("changes", "give an object of field names and their corrected values")
        return c.CorrectEvent(as_id("streamId", self.stream_id), self.version, dict(changes), self.void)


def _number(field: str, value: float) -> Decimal:
    try:
        return Decimal(repr(value))
    except InvalidOperation:
        raise ValidationError(field, f"{value!r} is not a number") from None


@strawberry.input(description="A key result on an activity (activityId), or on a strategy (planId and strategyNumber).")
class DefineKeyResultInput(CommandInput):
    command = c.DefineKeyResult

    title: str = strawberry.field(description="What is measured.")
    baseline: float = strawberry.field(description="The value at the start.")
    target: float = strawberry.field(description="The value to reach.")
    unit: e.MeasureUnit = strawberry.field(default=e.MeasureUnit.COUNT, description="What it counts.")
    unit_label: str | None = strawberry.field(default=None, description="The unit's name; required with OTHER.")
    direction: e.Direction = strawberry.field(
        default=e.Direction.INCREASE, description="Which way it should move, or the side of the target to keep to."
    )
    due_on: date | None = strawberry.field(
        default=None, description="Default: the end of the activity's (or the given) fiscal year."
    )
    frequency: e.Frequency = strawberry.field(
        default=e.Frequency.PER_MEETING, description="How often it is to be measured."
    )
    activity_id: strawberry.ID | None = strawberry.field(
        default=None, description="The ID of the activity measured (or give planId and strategyNumber)."
    )
    plan_id: strawberry.ID | None = strawberry.field(
        default=None, description="For a key result on a strategy: the ID of the plan."
    )
    strategy_number: int | None = strawberry.field(
        default=None, description="For a key result on a strategy: its number."
    )
    fiscal_year: int | None = strawberry.field(default=None, description="For a key result on a strategy.")
    key_result_id: strawberry.ID | None = strawberry.field(
        default=None, description="Default: derived from the idempotency key, else new."
    )

    def to_command(self) -> c.Command:
        if self.key_result_id is not None:
            key_result_id = as_id("keyResultId", self.key_result_id)
        elif self.idempotency_key is not None:
            key_result_id = UUID(hashlib.sha256(f"key-result:{self.idempotency_key}".encode()).hexdigest()[:32])
        else:
            key_result_id = uuid4()
        return c.DefineKeyResult(
            title=self.title,
            baseline=_number("baseline", self.baseline),
            target_value=_number("target", self.target),
            unit=self.unit.value,
            unit_label=self.unit_label,
            direction=self.direction.value,
            due_on=self.due_on,
            frequency=self.frequency.value,
            activity_id=None if self.activity_id is None else as_id("activityId", self.activity_id),
            plan_id=None if self.plan_id is None else as_id("planId", self.plan_id),
            strategy_number=self.strategy_number,
            fiscal_year=self.fiscal_year,
            key_result_id=key_result_id,
        )


@strawberry.input(description="A new target (and due date) for a key result; `reason` is required.")
class RetargetKeyResultInput(CommandInput):
    command = c.RetargetKeyResult

    key_result_id: strawberry.ID = strawberry.field(description="The ID of the key result.")
    target: float = strawberry.field(description="The new target.")
    due_on: date | None = strawberry.field(default=None, description="Default: the due date stays.")

    def to_command(self) -> c.Command:
        return c.RetargetKeyResult(
            as_id("keyResultId", self.key_result_id), _number("target", self.target), self.due_on
        )


@strawberry.input(description="Retire a key result; `reason` is required. Nothing is recorded on it afterwards.")
class RetireKeyResultInput(CommandInput):
    command = c.RetireKeyResult

    key_result_id: strawberry.ID = strawberry.field(description="The ID of the key result.")

    def to_command(self) -> c.Command:
        return c.RetireKeyResult(as_id("keyResultId", self.key_result_id))


@strawberry.input(description="A measured value, effective on `effectiveOn` (default: the meeting's date, else today).")
class RecordMeasurementInput(CommandInput):
    command = c.RecordMeasurement

    key_result_id: strawberry.ID = strawberry.field(description="The ID of the key result.")
    value: float = strawberry.field(description="The value measured, in the key result's unit.")
    source: str | None = strawberry.field(default=None, description="Where the number comes from.")
    note: str | None = strawberry.field(default=None, description="A note on it.")

    def to_command(self) -> c.Command:
        return c.RecordMeasurement(
            as_id("keyResultId", self.key_result_id), _number("value", self.value), self.source, self.note
        )


@strawberry.input(description="One rule: at least `atLeast` times the expected attainment gives `health`.")
class EvaluationRuleInput:
    health: e.Health = strawberry.field(description="The health this line gives.")
    at_least: float = strawberry.field(
        description="The least attainment, as a multiple of the expected attainment (e.g. 0.9)."
    )


@strawberry.input(description="The plan's evaluation rules, read top to bottom; meeting none is OFF_TRACK.")
class SetEvaluationRulesInput(CommandInput):
    command = c.SetEvaluationRules

    plan_id: strawberry.ID = strawberry.field(description="The ID of the plan.")
    rules: list[EvaluationRuleInput] = strawberry.field(
        description="The rules, top to bottom: the first one met decides."
    )

    def to_command(self) -> c.Command:
        rules = tuple(
            EvaluationRule(r.health.value, _number(f"rules[{n}].atLeast", r.at_least)) for n, r in enumerate(self.rules)
        )
        return c.SetEvaluationRules(as_id("planId", self.plan_id), rules)


def by_command() -> dict[type[c.Command], type[CommandInput]]:
    """Each command's input, as the inputs declare it (one input a command)."""
    found: dict[type[c.Command], type[CommandInput]] = {}
    for input_type in CommandInput.__subclasses__():
        command = getattr(input_type, "command", None)
        if command is None:
            raise TypeError(f"{input_type.__name__} does not say which command it builds (command = ...)")
        if command in found:
            raise TypeError(f"{found[command].__name__} and {input_type.__name__} both build {command.__name__}")
        found[command] = input_type
    return found
