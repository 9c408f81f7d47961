"""Every command, declared once: the use case that handles it, the kind of stream it records on,
who may run it, and what its mutation is called and says.

Dispatch (`PlanLedger.execute`), access (`access.ALLOWED`) and the GraphQL mutations
(`service/api/mutations.py`, one field per entry, in this order) are read off this table, so a
new command is: its dataclass (domain/commands.py), the domain method, one handler
(handlers.py), one entry here, one input class declaring the command it builds
(service/api/inputs.py), and `./run schema`. tests/unit/test_handlers.py fails when a command
lacks any of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from domain import commands as c
from domain.activity import Activity
from domain.facts import Ledger
from domain.keyresult import KeyResult
from domain.meeting import Meeting
from domain.plan import Plan
from service.application import handlers as h
from service.application.handlers import Handler
from service.application.roles import Role

#: plans, activities and key results set up, corrections: the secretariat (and the admin)
PLANNING = frozenset({Role.ADMIN, Role.SECRETARIAT})
#: what a unit reports on activities it is responsible for (access.py checks the unit)
REPORTING = PLANNING | {Role.UNIT}
#: meetings, resolutions, action items and minutes: the committee too
MEETINGS = PLANNING | {Role.COMMITTEE}


@dataclass(frozen=True)
class Entry:
    command: type[c.Command]
    handler: Handler
    #: the kind of stream the command records on (`Ledger`: any stream, for a correction); the
    #: mutation's success payload follows from it
    stream: type[Ledger[Any]]
    roles: frozenset[Role]
    #: the mutation's description in the schema
    description: str
    #: it starts a new stream: nothing to load first, no version to expect
    creates: bool = False

    @property
    def target(self) -> type[Ledger[Any]] | None:
        """The kind of stream loaded as the command's target (None: a command that creates one)."""
        return None if self.creates else self.stream

    @property
    def name(self) -> str:
        """The mutation's name: the command's, in lower camel case (`CreatePlan` -> `createPlan`)."""
        name = self.command.__name__
        return name[0].lower() + name[1:]


def creates(
    command: type[c.Command], handler: Handler, stream: type[Ledger[Any]], roles: frozenset[Role], description: str
) -> Entry:
    return Entry(command, handler, stream, roles, description, creates=True)


def changes(
    command: type[c.Command], handler: Handler, stream: type[Ledger[Any]], roles: frozenset[Role], description: str
) -> Entry:
    return Entry(command, handler, stream, roles, description)


ENTRIES: tuple[Entry, ...] = (
    creates(c.CreatePlan, h.create_plan, Plan, PLANNING, "Create a strategic plan with its code, title and period."),
    changes(c.AddStrategy, h.add_strategy, Plan, PLANNING, "Add a numbered strategy to a plan."),
    changes(c.StateVision, h.state_vision, Plan, PLANNING, "State (or restate) the plan's vision."),
    changes(c.ApproveActionPlan, h.approve_action_plan, Plan, PLANNING, "Approve a fiscal year's action plan."),
    changes(c.RecordProposal, h.record_proposal, Plan, PLANNING, "Record a proposal for a fiscal year's action plan."),
    changes(
        c.StateProposalUnits,
        h.state_proposal_units,
        Plan,
        PLANNING,
        "State the units concerned with a strategy's proposals for a fiscal year, as the minutes list them once.",
    ),
    changes(
        c.ReportFigure,
        h.report_figure,
        Plan,
        PLANNING,
        "Record a figure as reported (a percentage for the plan, a kind of activity, a strategy or an activity), "
        "kept beside what is computed, never replaced by it.",
    ),
    creates(c.RegisterActivity, h.register_activity, Activity, PLANNING, "Register an activity under a strategy."),
    changes(c.RetitleActivity, h.retitle_activity, Activity, PLANNING, "Change an activity's title."),
    changes(c.AssignUnits, h.assign_units, Activity, PLANNING, "Set the units responsible for an activity."),
    changes(
        c.ChangeActivityStatus, h.change_activity_status, Activity, REPORTING, "Move an activity to another status."
    ),
    changes(c.ReportProgress, h.report_progress, Activity, REPORTING, "Report an activity's progress in percent."),
    changes(c.RecordOutcome, h.record_outcome, Activity, REPORTING, "Record what an activity achieved."),
    changes(c.PlanMilestone, h.plan_milestone, Activity, REPORTING, "Plan a milestone with its due date."),
    changes(c.RescheduleMilestone, h.reschedule_milestone, Activity, REPORTING, "Move a milestone's due date."),
    changes(c.AchieveMilestone, h.achieve_milestone, Activity, REPORTING, "Record that a milestone was achieved."),
    changes(c.DropMilestone, h.drop_milestone, Activity, REPORTING, "Drop a milestone."),
    changes(
        c.NoteRisk, h.note_risk, Activity, REPORTING, "Note a risk on an activity (without a score: not yet assessed)."
    ),
    changes(
        c.ReassessRisk, h.reassess_risk, Activity, REPORTING, "Assess or re-score a risk, or change its mitigation."
    ),
    changes(c.CloseRisk, h.close_risk, Activity, REPORTING, "Close a risk."),
    creates(c.ScheduleMeeting, h.schedule_meeting, Meeting, MEETINGS, "Schedule (or record) a committee meeting."),
    changes(c.RecordMeetingTimes, h.record_meeting_times, Meeting, MEETINGS, "Record when and where a meeting sat."),
    changes(
        c.StateMeetingKind,
        h.state_meeting_kind,
        Meeting,
        MEETINGS,
        "Record whether a meeting was extraordinary (วิสามัญ) or regular, as its minutes say.",
    ),
    changes(c.RecordAttendance, h.record_attendance, Meeting, MEETINGS, "Record who attended a meeting and how."),
    changes(c.AddAgendaItem, h.add_agenda_item, Meeting, MEETINGS, "Add a numbered item to a meeting's agenda."),
    changes(c.AdoptResolution, h.adopt_resolution, Meeting, MEETINGS, "Record a resolution, with action items."),
    changes(c.CompleteActionItem, h.complete_action_item, Meeting, MEETINGS, "Record that an action item was done."),
    changes(c.ApproveMinutes, h.approve_minutes, Meeting, MEETINGS, "Adopt an earlier meeting's minutes, corrected."),
    changes(c.RecordComment, h.record_comment, Meeting, MEETINGS, "Record a numbered comment of the meeting."),
    changes(c.SetNextMeeting, h.set_next_meeting, Meeting, MEETINGS, "Set when the next meeting will be."),
    changes(
        c.RecordMembershipChange,
        h.record_membership_change,
        Meeting,
        MEETINGS,
        "Record a change of the committee's membership announced at a meeting: who left, who joined, by which "
        "resolution, effective when.",
    ),
    creates(c.DefineKeyResult, h.define_key_result, KeyResult, PLANNING, "Define a key result with its target."),
    changes(
        c.RetargetKeyResult, h.retarget_key_result, KeyResult, PLANNING, "Change a key result's target, with a reason."
    ),
    changes(c.RetireKeyResult, h.retire_key_result, KeyResult, PLANNING, "Retire a key result, with a reason."),
    changes(
        c.RecordMeasurement, h.record_measurement, KeyResult, REPORTING, "Record a measured value of a key result."
    ),
    changes(
        c.SetEvaluationRules, h.set_evaluation_rules, Plan, PLANNING, "Set the rules that decide key results' health."
    ),
    changes(
        c.CorrectEvent, h.correct_event, Ledger, PLANNING, "Correct (or void) an earlier fact; the original stays."
    ),
)


def _index(entries: tuple[Entry, ...]) -> dict[type[c.Command], Entry]:
    found: dict[type[c.Command], Entry] = {}
    for entry in entries:
        if entry.command in found:
            raise ValueError(f"{entry.command.__name__} is in the catalogue twice")
        found[entry.command] = entry
    return found


BY_COMMAND = _index(ENTRIES)
BY_NAME = {entry.name: entry for entry in ENTRIES}


def entry_for(command_type: type[c.Command]) -> Entry:
    """The catalogue's entry for a command class (LookupError naming it when there is none)."""
    try:
        return BY_COMMAND[command_type]
    except KeyError:
        raise LookupError(f"{command_type.__name__} is not in service/application/catalogue.py") from None
