"""What people ask the ledger to do: one small frozen dataclass per command.

A command names its payload only; who asks, when it takes effect, at which meeting and why
travel beside it as `Meta`. `target` is the stream a command changes (None when it creates one),
which is what an `expectedVersion` is checked against.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal
from typing import Any
from uuid import UUID

from domain.values import ADDED_LATER as ADDED_LATER  # a field a command gained after its release
from domain.values import ActionItem, Attendee, EvaluationRule, MinutesCorrection


@dataclass(frozen=True)
class Command:
    @property
    def target(self) -> UUID | None:
        return None


@dataclass(frozen=True)
class PlanCommand(Command):
    plan_id: UUID

    @property
    def target(self) -> UUID | None:
        return self.plan_id


@dataclass(frozen=True)
class ActivityCommand(Command):
    activity_id: UUID

    @property
    def target(self) -> UUID | None:
        return self.activity_id


@dataclass(frozen=True)
class MeetingCommand(Command):
    meeting_id: UUID

    @property
    def target(self) -> UUID | None:
        return self.meeting_id


@dataclass(frozen=True)
class CreatePlan(Command):
    """A plan with its period as stated: first and last day, and/or the Buddhist Era years."""

    code: str
    title: str
    period_start: date | None = None
    period_end: date | None = None
    vision: str | None = None
    period_start_year: int | None = field(default=None, metadata={ADDED_LATER: True})
    period_end_year: int | None = field(default=None, metadata={ADDED_LATER: True})


@dataclass(frozen=True)
class AddStrategy(PlanCommand):
    number: int
    title: str
    goal: str | None = None


@dataclass(frozen=True)
class StateVision(PlanCommand):
    vision: str


@dataclass(frozen=True)
class ApproveActionPlan(PlanCommand):
    fiscal_year: int


@dataclass(frozen=True)
class RecordProposal(PlanCommand):
    fiscal_year: int
    strategy_number: int
    source: str
    text: str
    responsible_units: tuple[str, ...] = ()


@dataclass(frozen=True)
class StateProposalUnits(PlanCommand):
    """The units concerned with one strategy's proposals for a fiscal year, listed once."""

    fiscal_year: int
    strategy_number: int
    units: tuple[str, ...]


@dataclass(frozen=True)
class ReportFigure(PlanCommand):
    """A figure as reported (by the minutes, say): about the whole plan, a kind of activity
    (`kind`), a strategy (`strategy_number`, with or without a kind) or an activity."""

    label: str
    value: Decimal
    unit: str = "PERCENT"
    unit_label: str | None = None
    strategy_number: int | None = None
    kind: str | None = None
    activity_id: UUID | None = None
    fiscal_year: int | None = None
    agenda_item: int | None = None
    figure_id: str | None = None


@dataclass(frozen=True)
class RegisterActivity(Command):
    plan_id: UUID
    strategy_number: int
    fiscal_year: int
    kind: str
    title: str
    responsible_units: tuple[str, ...] = ()
    activity_id: UUID | None = None


@dataclass(frozen=True)
class RetitleActivity(ActivityCommand):
    title: str


@dataclass(frozen=True)
class AssignUnits(ActivityCommand):
    responsible_units: tuple[str, ...]


@dataclass(frozen=True)
class ChangeActivityStatus(ActivityCommand):
    status: str
    #: the reasons one by one where the source numbers several (the meta's reason holds them together)
    reasons: tuple[str, ...] = field(default=(), metadata={ADDED_LATER: True})


@dataclass(frozen=True)
class ReportProgress(ActivityCommand):
    progress: Decimal


@dataclass(frozen=True)
class RecordOutcome(ActivityCommand):
    outcome: str


@dataclass(frozen=True)
class PlanMilestone(ActivityCommand):
    title: str
    due_on: date
    milestone_id: str | None = None


@dataclass(frozen=True)
class RescheduleMilestone(ActivityCommand):
    milestone_id: str
    due_on: date


@dataclass(frozen=True)
class AchieveMilestone(ActivityCommand):
    milestone_id: str
    achieved_on: date


@dataclass(frozen=True)
class DropMilestone(ActivityCommand):
    milestone_id: str


@dataclass(frozen=True)
class NoteRisk(ActivityCommand):
    """Without likelihood and impact the risk is noted not yet assessed (ReassessRisk assesses it)."""

    title: str
    likelihood: int | None = None
    impact: int | None = None
    owner: str | None = None
    mitigation: str | None = None
    review_on: date | None = None
    risk_id: str | None = None


@dataclass(frozen=True)
class ReassessRisk(ActivityCommand):
    risk_id: str
    likelihood: int | None = None
    impact: int | None = None
    status: str | None = None
    mitigation: str | None = None
    review_on: date | None = None


@dataclass(frozen=True)
class CloseRisk(ActivityCommand):
    risk_id: str


@dataclass(frozen=True)
class ScheduleMeeting(Command):
    body: str
    code: str
    on: date
    starts_at: time | None = None
    ends_at: time | None = None
    venue: str | None = None
    #: how it sits, where stated (None: not stated)
    mode: str | None = None
    plan_id: UUID | None = None
    by_reference: bool = False


@dataclass(frozen=True)
class RecordMeetingTimes(MeetingCommand):
    starts_at: time
    ends_at: time
    venue: str | None = None
    mode: str | None = None


@dataclass(frozen=True)
class StateMeetingKind(MeetingCommand):
    """Whether the meeting was an extraordinary one (วิสามัญ), as its minutes call it."""

    extraordinary: bool


@dataclass(frozen=True)
class RecordAttendance(MeetingCommand):
    attendees: tuple[Attendee, ...]


@dataclass(frozen=True)
class AddAgendaItem(MeetingCommand):
    number: int
    title: str
    subject: str | None = field(default=None, metadata={ADDED_LATER: True})
    #: what the minutes say under the item (announcements, background, points): null if not given
    text: str | None = field(default=None, metadata={ADDED_LATER: True})


@dataclass(frozen=True)
class AdoptResolution(MeetingCommand):
    kind: str
    text: str
    agenda_item: int | None = None
    action_items: tuple[ActionItem, ...] = ()
    resolution_id: str | None = None


@dataclass(frozen=True)
class CompleteActionItem(MeetingCommand):
    action_item_id: str
    done_on: date


@dataclass(frozen=True)
class ApproveMinutes(MeetingCommand):
    """At meeting `meeting_id`, adopt the minutes of `of_meeting_id` with corrections."""

    of_meeting_id: UUID
    corrections: tuple[MinutesCorrection, ...] = ()


@dataclass(frozen=True)
class RecordComment(MeetingCommand):
    number: int
    text: str
    #: the strategies the comment names ("ยุทธศาสตร์ที่ ๒"), by number
    strategy_numbers: tuple[int, ...] = field(default=(), metadata={ADDED_LATER: True})


@dataclass(frozen=True)
class RecordMembershipChange(MeetingCommand):
    """A change of the committee's membership announced at this meeting: who left, who joined,
    the resolution that made it, when it takes effect (None: not stated)."""

    left: str
    joined: str
    kind: str = "PERSON"
    resolution_body: str | None = None
    resolution_code: str | None = None
    resolution_on: date | None = None
    takes_effect_on: date | None = None
    text: str | None = None
    change_id: str | None = None


@dataclass(frozen=True)
class SetNextMeeting(MeetingCommand):
    code: str
    on: date
    starts_at: time | None = None


@dataclass(frozen=True)
class KeyResultCommand(Command):
    key_result_id: UUID

    @property
    def target(self) -> UUID | None:
        return self.key_result_id


@dataclass(frozen=True)
class DefineKeyResult(Command):
    """A key result on an activity (`activity_id`), or on a strategy of a plan (`plan_id` and
    `strategy_number`, with a `fiscal_year` or a `due_on`)."""

    title: str
    baseline: Decimal
    target_value: Decimal
    unit: str = "COUNT"
    unit_label: str | None = None
    direction: str = "INCREASE"
    due_on: date | None = None
    frequency: str = "PER_MEETING"
    activity_id: UUID | None = None
    plan_id: UUID | None = None
    strategy_number: int | None = None
    fiscal_year: int | None = None
    key_result_id: UUID | None = None


@dataclass(frozen=True)
class RetargetKeyResult(KeyResultCommand):
    target_value: Decimal
    due_on: date | None = None


@dataclass(frozen=True)
class RetireKeyResult(KeyResultCommand):
    pass


@dataclass(frozen=True)
class RecordMeasurement(KeyResultCommand):
    value: Decimal
    source: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class SetEvaluationRules(PlanCommand):
    rules: tuple[EvaluationRule, ...]


@dataclass(frozen=True)
class CorrectEvent(Command):
    """The fact at `version` of stream `stream_id` should have said `changes` (or nothing)."""

    stream_id: UUID
    version: int
    changes: dict[str, Any] = field(default_factory=dict)
    void: bool = False

    @property
    def target(self) -> UUID | None:
        return self.stream_id
