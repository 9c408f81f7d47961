"""The Mutation root: one mutation per domain command, each answering with a union of a success
payload and typed errors (data, not GraphQL errors) with a message a person can act on."""

from __future__ import annotations

import asyncio
import re
import threading
from datetime import date
from typing import Annotated, Any, Union
from uuid import UUID

import strawberry
from graphql import GraphQLError
from strawberry.types import Info

from domain import commands as c
from domain import errors as de
from domain.ledger import Meta
from projections import queries as q
from service.api import inputs as i
from service.api.context import Context
from service.api.keyresult_types import KeyResult, key_result_at
from service.api.meeting_types import Meeting, meeting_by_id
from service.api.plan_types import Activity, Plan, activity_at, plan_at
from service.api.points import Cursor, event_cursor, meeting_id
from service.ledger import Receipt, StoreUnavailable

#: how long READ_YOUR_WRITES (and a success payload's view of what it wrote) waits for projection
WAIT_SECONDS = 5.0
#: seconds a command waits for the event store: a database that stopped answering (frozen, not
#: gone: no error ever comes) held the request for as long. The write may still be recorded when
#: it answers again (StoreUnavailable says so); a command not started by then never runs.
WRITE_TIMEOUT = 7.0


# -- errors -----------------------------------------------------------------------------------


@strawberry.interface(description="A command was refused; nothing was recorded.")
class UserError:
    message: str
    code: str


@strawberry.type(description="Something the command names does not exist.")
class NotFoundError(UserError):
    kind: str
    key: str


@strawberry.type(description="The thing is not in a state that allows this change.")
class InvalidTransitionError(UserError):
    current: str | None
    requested: str | None


@strawberry.type(description="The stream moved on since the caller read it: reload and try again.")
class VersionConflictError(UserError):
    expected: int
    actual: int


@strawberry.type(name="ValidationError", description="A value is out of range, malformed or missing.")
class ValidationFailed(UserError):
    field: str | None = strawberry.field(description="The input field that is wrong, e.g. progress.")


@strawberry.type(description="The caller may not do this.")
class ForbiddenError(UserError):
    pass


@strawberry.type(description="Something with this code already exists.")
class DuplicateError(UserError):
    kind: str
    key: str


@strawberry.type(description="The idempotency key was used before for a different command.")
class IdempotencyKeyReusedError(UserError):
    key: str


@strawberry.type(description="The fact would take effect inside a period locked by approved minutes.")
class PeriodLockedError(UserError):
    effective_on: date
    locked_through: date = strawberry.field(description="Facts effective on or before this date are locked.")
    meeting: str = strawberry.field(description="The meeting whose approved minutes locked the period.")
    approved_at: str = strawberry.field(description="The meeting at which those minutes were approved.")


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def user_error(error: de.DomainError) -> UserError:
    message, code = error.message, error.code
    if isinstance(error, de.ValidationError):
        return ValidationFailed(message=message, code=code, field=_camel(error.field))
    if isinstance(error, de.NotFound):
        return NotFoundError(message=message, code=code, kind=error.kind, key=error.key)
    if isinstance(error, de.InvalidTransition):
        return InvalidTransitionError(
            message=message, code=code, current=error.current or None, requested=error.requested or None
        )
    if isinstance(error, de.VersionConflict):
        return VersionConflictError(message=message, code=code, expected=error.expected, actual=error.actual)
    if isinstance(error, de.Forbidden):
        return ForbiddenError(message=message, code=code)
    if isinstance(error, de.DuplicateCode):
        return DuplicateError(message=message, code=code, kind=error.kind, key=error.key)
    if isinstance(error, de.PeriodLocked):
        return PeriodLockedError(
            message=message,
            code=code,
            effective_on=date.fromisoformat(error.effective_on),
            locked_through=date.fromisoformat(error.locked_through),
            meeting=error.meeting_code,
            approved_at=error.approved_at,
        )
    if isinstance(error, de.IdempotencyKeyReused):
        return IdempotencyKeyReusedError(message=message, code=code, key=error.key)
    return ValidationFailed(message=message, code=code, field=None)


ERRORS = (
    NotFoundError,
    InvalidTransitionError,
    VersionConflictError,
    ValidationFailed,
    ForbiddenError,
    DuplicateError,
    IdempotencyKeyReusedError,
    PeriodLockedError,
)


# -- success payloads -------------------------------------------------------------------------


@strawberry.interface(description="A command was recorded as one new fact.")
class Recorded:
    stream_id: strawberry.ID
    version: int = strawberry.field(description="The stream's new version (use it as the next expectedVersion).")
    cursor: Cursor
    position: int = strawberry.field(description="The event's place in the log.")
    replayed: bool = strawberry.field(
        description="True when an earlier call with the same idempotency key recorded it."
    )
    created_id: str | None = strawberry.field(
        description="The id of the milestone, risk, resolution or measurement the command created, if any."
    )
    projected: bool = strawberry.field(description="The read models include this write already.")

    async def _visible(self, info: Info[Context, None]) -> None:
        if not self.projected and info.context.wait_projected is not None:
            await info.context.wait_projected(self.position, WAIT_SECONDS)


@strawberry.type(description="A plan command was recorded.")
class PlanRecorded(Recorded):
    @strawberry.field(description="The plan as the read models now show it.")
    async def plan(self, info: Info[Context, None]) -> Plan | None:
        await self._visible(info)
        return await plan_at(info.context, UUID(str(self.stream_id)), q.Point())


@strawberry.type(description="An activity command was recorded.")
class ActivityRecorded(Recorded):
    @strawberry.field(description="The activity as the read models now show it.")
    async def activity(self, info: Info[Context, None]) -> Activity | None:
        await self._visible(info)
        return await activity_at(info.context, UUID(str(self.stream_id)), q.Point())


@strawberry.type(description="A meeting command was recorded.")
class MeetingRecorded(Recorded):
    @strawberry.field(description="The meeting as the read models now show it.")
    async def meeting(self, info: Info[Context, None]) -> Meeting | None:
        await self._visible(info)
        return await meeting_by_id(info.context, UUID(str(self.stream_id)))


@strawberry.type(description="A key-result command was recorded.")
class KeyResultRecorded(Recorded):
    @strawberry.field(description="The key result as the read models now show it (judged today).")
    async def key_result(self, info: Info[Context, None]) -> KeyResult | None:
        await self._visible(info)
        return await key_result_at(info.context, UUID(str(self.stream_id)), q.Point())


@strawberry.type(description="A correction of an earlier fact was recorded.")
class EventCorrected(Recorded):
    pass


# -- running a command ------------------------------------------------------------------------


async def _meta(context: Context, given: i.CommandInput) -> Meta:
    meeting: str | None = None
    effective_on = given.effective_on
    if given.meeting is not None:
        try:
            found = await meeting_id(context, given.meeting, "meeting")
        except GraphQLError as error:
            raise de.ValidationError("meeting", error.message.removeprefix("meeting: ")) from None
        meeting = str(found)
        if effective_on is None:
            effective_on = await context.read(lambda conn: q.date_of_meeting(conn, found))
    effective_on = effective_on or given.default_effective_on() or date.today()
    return Meta(effective_on=effective_on, actor=context.principal.name, meeting_id=meeting, reason=given.reason)


def _created_id(command: c.Command, receipt: Receipt) -> str | None:
    if isinstance(command, c.RecordMeasurement):
        return f"m{receipt.version}"
    for name in ("milestone_id", "risk_id", "resolution_id"):
        value = getattr(command, name, None)
        if isinstance(value, str):
            return value
    return None


async def _execute(context: Context, command: c.Command, meta: Meta, given: i.CommandInput) -> Receipt:
    """The command run by the ledger (in a thread), waited for WRITE_TIMEOUT seconds at most."""
    abandoned = threading.Event()

    def execute() -> Receipt:
        if abandoned.is_set():  # (queued behind writes stuck on the database: never started)
            raise StoreUnavailable("the event store did not answer; the command was not run")
        return context.ledger.execute(
            command, meta, expected_version=given.expected_version, idempotency_key=given.idempotency_key
        )

    try:
        return await asyncio.wait_for(asyncio.to_thread(execute), WRITE_TIMEOUT)
    except TimeoutError:
        abandoned.set()
        raise StoreUnavailable(
            f"the event store did not answer within {WRITE_TIMEOUT:g} s; the write may still be recorded: "
            "send it again with the same idempotency key"
        ) from None


async def run(context: Context, given: i.CommandInput, success: type[Recorded]) -> Any:
    try:
        command = given.to_command()
        meta = await _meta(context, given)
        check = context.authorize
        if check is not None:
            await check(command)
        receipt = await _execute(context, command, meta, given)
    except de.DomainError as error:
        refused = user_error(error)
        if context.metrics is not None:
            kind = "ValidationError" if isinstance(refused, ValidationFailed) else type(refused).__name__
            context.metrics.errors.labels(kind=kind).inc()
        return refused
    if context.metrics is not None:
        context.metrics.commands.labels(mutation=type(given).__name__.removesuffix("Input")).inc()
    context.written = max(context.written, receipt.cursor)
    projected = False
    if given.consistency.value == "READ_YOUR_WRITES" and context.wait_projected is not None:
        projected = await context.wait_projected(receipt.cursor, WAIT_SECONDS)
    return success(
        stream_id=strawberry.ID(str(receipt.stream_id)),
        version=receipt.version,
        cursor=event_cursor(receipt.cursor),
        position=receipt.cursor,
        replayed=receipt.replayed,
        created_id=_created_id(command, receipt),
        projected=projected,
    )


# -- the Mutation type, one field per command -------------------------------------------------

#: mutation name -> (input type, success type, description)
MUTATIONS: dict[str, tuple[type[i.CommandInput], type[Recorded], str]] = {
    "createPlan": (i.CreatePlanInput, PlanRecorded, "Create a strategic plan with its code, title and period."),
    "addStrategy": (i.AddStrategyInput, PlanRecorded, "Add a numbered strategy to a plan."),
    "stateVision": (i.StateVisionInput, PlanRecorded, "State (or restate) the plan's vision."),
    "approveActionPlan": (i.ApproveActionPlanInput, PlanRecorded, "Approve a fiscal year's action plan."),
    "recordProposal": (i.RecordProposalInput, PlanRecorded, "Record a proposal for a fiscal year's action plan."),
    "registerActivity": (i.RegisterActivityInput, ActivityRecorded, "Register an activity under a strategy."),
    "retitleActivity": (i.RetitleActivityInput, ActivityRecorded, "Change an activity's title."),
    "assignUnits": (i.AssignUnitsInput, ActivityRecorded, "Set the units responsible for an activity."),
    "changeActivityStatus": (i.ChangeActivityStatusInput, ActivityRecorded, "Move an activity to another status."),
    "reportProgress": (i.ReportProgressInput, ActivityRecorded, "Report an activity's progress in percent."),
    "recordOutcome": (i.RecordOutcomeInput, ActivityRecorded, "Record what an activity achieved."),
    "planMilestone": (i.PlanMilestoneInput, ActivityRecorded, "Plan a milestone with its due date."),
    "rescheduleMilestone": (i.RescheduleMilestoneInput, ActivityRecorded, "Move a milestone's due date."),
    "achieveMilestone": (i.AchieveMilestoneInput, ActivityRecorded, "Record that a milestone was achieved."),
    "dropMilestone": (i.DropMilestoneInput, ActivityRecorded, "Drop a milestone."),
    "noteRisk": (i.NoteRiskInput, ActivityRecorded, "Note a risk on an activity."),
    "reassessRisk": (i.ReassessRiskInput, ActivityRecorded, "Re-score a risk or change its mitigation."),
    "closeRisk": (i.CloseRiskInput, ActivityRecorded, "Close a risk."),
    "scheduleMeeting": (i.ScheduleMeetingInput, MeetingRecorded, "Schedule (or record) a committee meeting."),
    "recordMeetingTimes": (i.RecordMeetingTimesInput, MeetingRecorded, "Record when and where a meeting sat."),
    "recordAttendance": (i.RecordAttendanceInput, MeetingRecorded, "Record who attended a meeting and how."),
    "addAgendaItem": (i.AddAgendaItemInput, MeetingRecorded, "Add a numbered item to a meeting's agenda."),
    "adoptResolution": (i.AdoptResolutionInput, MeetingRecorded, "Record a resolution, with action items."),
    "completeActionItem": (i.CompleteActionItemInput, MeetingRecorded, "Record that an action item was done."),
    "approveMinutes": (i.ApproveMinutesInput, MeetingRecorded, "Adopt an earlier meeting's minutes, corrected."),
    "recordComment": (i.RecordCommentInput, MeetingRecorded, "Record a numbered comment of the meeting."),
    "setNextMeeting": (i.SetNextMeetingInput, MeetingRecorded, "Set when the next meeting will be."),
    "defineKeyResult": (i.DefineKeyResultInput, KeyResultRecorded, "Define a key result with its target."),
    "retargetKeyResult": (i.RetargetKeyResultInput, KeyResultRecorded, "Change a key result's target, with a reason."),
    "retireKeyResult": (i.RetireKeyResultInput, KeyResultRecorded, "Retire a key result, with a reason."),
    "recordMeasurement": (i.RecordMeasurementInput, KeyResultRecorded, "Record a measured value of a key result."),
    "setEvaluationRules": (i.SetEvaluationRulesInput, PlanRecorded, "Set the rules that decide key results' health."),
    "correctEvent": (i.CorrectEventInput, EventCorrected, "Correct (or void) an earlier fact; the original stays."),
}


def _field(name: str, input_type: type[i.CommandInput], success: type[Recorded], description: str) -> Any:
    title = name[0].upper() + name[1:]
    members: Any = (success, *ERRORS)
    result: Any = Annotated[Union[members], strawberry.union(f"{title}Result")]  # noqa: UP007

    async def resolve(info: Info[Context, None], input: Any) -> Any:
        return await run(info.context, input, success)

    resolve.__annotations__ = {"info": Info[Context, None], "input": input_type, "return": result}
    resolve.__name__ = name
    return strawberry.mutation(resolver=resolve, name=name, description=description)


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


Mutation = strawberry.type(
    type("Mutation", (), {_snake(name): _field(name, *spec) for name, spec in MUTATIONS.items()}),
    description="Every command of the ledger. Errors a person can fix come back as typed data.",
)

EXTRA_TYPES: tuple[type, ...] = (
    *ERRORS,
    PlanRecorded,
    ActivityRecorded,
    MeetingRecorded,
    KeyResultRecorded,
    EventCorrected,
)
