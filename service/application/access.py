"""Who may do what. Every mutation is checked here before the ledger runs it.

| role | may record |
| --- | --- |
| admin | everything (and manages tokens) |
| secretariat | anything about plans, activities and meetings, and corrections |
| unit | status, progress, outcome, milestones, risks and measurements of activities its unit is responsible for |
| committee | meetings, resolutions, action items and minutes |
| reader | nothing (queries and subscriptions only) |
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from uuid import UUID

from domain import commands as c
from domain.activity import Activity
from domain.errors import Forbidden, NotFound
from domain.keyresult import KeyResult
from service.application.ledger import PlanLedger
from service.application.roles import Role


@dataclass(frozen=True)
class Principal:
    """Who is asking: a token's owner (the actor its events name), its role and, for the unit
    role, its unit."""

    name: str
    role: Role = Role.ADMIN
    unit: str | None = None


PLAN = frozenset(
    {c.CreatePlan, c.AddStrategy, c.StateVision, c.ApproveActionPlan, c.RecordProposal, c.SetEvaluationRules}
)
ACTIVITY_SETUP = frozenset(
    {
        c.RegisterActivity,
        c.RetitleActivity,
        c.AssignUnits,
        c.DefineKeyResult,
        c.RetargetKeyResult,
        c.RetireKeyResult,
    }
)
ACTIVITY_UPDATES = frozenset(
    {
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
)
MEETINGS = frozenset(
    {
        c.ScheduleMeeting,
        c.RecordMeetingTimes,
        c.RecordAttendance,
        c.AddAgendaItem,
        c.AdoptResolution,
        c.CompleteActionItem,
        c.ApproveMinutes,
        c.RecordComment,
        c.SetNextMeeting,
    }
)
CORRECTIONS = frozenset({c.CorrectEvent})
EVERYTHING = PLAN | ACTIVITY_SETUP | ACTIVITY_UPDATES | MEETINGS | CORRECTIONS

ALLOWED: dict[Role, frozenset[type[c.Command]]] = {
    Role.ADMIN: EVERYTHING,
    Role.SECRETARIAT: EVERYTHING,
    Role.UNIT: ACTIVITY_UPDATES,
    Role.COMMITTEE: MEETINGS,
    Role.READER: frozenset(),
}

#: the units responsible for an activity (None when there is no such activity)
UnitsOf = Callable[[UUID], Awaitable[tuple[str, ...] | None]]
#: the activity a key result measures (None when there is no such key result, "" when it is on a strategy)
ActivityOf = Callable[[UUID], Awaitable[str | None]]


def _name(command: c.Command) -> str:
    name = type(command).__name__
    return name[0].lower() + name[1:]


async def check(
    principal: Principal, command: c.Command, units_of: UnitsOf, activity_of: ActivityOf | None = None
) -> None:
    """Raises Forbidden (with what the caller may do instead) unless `principal` may run `command`."""
    allowed = ALLOWED.get(principal.role, frozenset())
    if type(command) not in allowed:
        raise Forbidden(f"the {principal.role} role may not {_name(command)}; ask someone with a role that may")
    if principal.role != Role.UNIT:
        return
    if isinstance(command, c.KeyResultCommand):
        found = None if activity_of is None else await activity_of(command.key_result_id)
        if found is None:
            return  # no such key result: the ledger answers not found
        if not found:
            raise Forbidden(
                f"key result {command.key_result_id} measures a strategy, not an activity of a unit; "
                "the secretariat records its measurements"
            )
        activity_id = UUID(found)
    else:
        assert isinstance(command, c.ActivityCommand)
        activity_id = command.activity_id
    units = await units_of(activity_id)
    if units is None:
        return  # no such activity: the ledger answers not found
    if principal.unit not in units:
        raise Forbidden(
            f"the unit {principal.unit!r} is not responsible for activity {activity_id} "
            f"(its units: {', '.join(units) or 'none'})"
        )


def authorizer(principal: Principal, ledger: PlanLedger) -> Callable[[c.Command], Awaitable[None]]:
    """The check a request's commands go through, with activities' units read from the ledger."""

    async def units_of(activity_id: UUID) -> tuple[str, ...] | None:
        try:
            activity = await asyncio.to_thread(ledger.load, Activity, activity_id)
        except NotFound:
            return None
        return tuple(activity.state.responsible_units)

    async def activity_of(key_result_id: UUID) -> str | None:
        try:
            key_result = await asyncio.to_thread(ledger.load, KeyResult, key_result_id)
        except NotFound:
            return None
        return key_result.state.activity_id or ""

    async def authorize(command: c.Command) -> None:
        await check(principal, command, units_of, activity_of)

    return authorize
