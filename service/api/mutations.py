"""The Mutation root: one mutation per entry of the command catalogue
(service/application/catalogue.py), each answering with a union of a success payload and typed
errors (data, not GraphQL errors) with a message a person can act on."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Annotated, Any, Union
from uuid import UUID

import strawberry
from strawberry.types import Info

from domain import activity as da
from domain import commands as c
from domain import errors as de
from domain import keyresult as dk
from domain import meeting as dm
from domain import plan as dp
from domain.facts import Ledger
from projections import queries as q
from service.api import inputs as i
from service.api.context import Context
from service.api.points import Cursor, event_cursor, meetings_with_code
from service.api.text import MESSAGE, find_lone_surrogate
from service.api.types.keyresult import KeyResult, key_result_at
from service.api.types.meeting import Meeting, meeting_by_id
from service.api.types.plan import Activity, Plan, activity_at, plan_at
from service.application.catalogue import ENTRIES, Entry
from service.application.ledger import Receipt
from service.application.run import Draft, run_command

#: how long READ_YOUR_WRITES (and a success payload's view of what it wrote) waits for projection
WAIT_SECONDS = 5.0
#: seconds a command waits for the event store: a database that stopped answering (frozen, not
#: gone: no error ever comes) held the request for as long. The write may still be recorded when
#: it answers again (StoreUnavailable says so); a command not started by then never runs.
WRITE_TIMEOUT = 7.0


# -- errors -----------------------------------------------------------------------------------


@strawberry.interface(description="A command was refused; nothing was recorded.")
class UserError:
    message: str = strawberry.field(description="What went wrong, in words a person can act on.")
    code: str = strawberry.field(
        description="What kind of refusal, for programs: NOT_FOUND, VALIDATION, VERSION_CONFLICT, FORBIDDEN …"
    )


@strawberry.type(description="Something the command names does not exist.")
class NotFoundError(UserError):
    kind: str = strawberry.field(description="What was looked for, e.g. activity, meeting.")
    key: str = strawberry.field(description="The ID or code looked for.")


@strawberry.type(description="The thing is not in a state that allows this change.")
class InvalidTransitionError(UserError):
    current: str | None = strawberry.field(description="The state it is in, if it has one.")
    requested: str | None = strawberry.field(description="The state asked for, if any.")


@strawberry.type(description="The stream moved on since the caller read it: reload and try again.")
class VersionConflictError(UserError):
    expected: int = strawberry.field(description="The version the caller expected (expectedVersion).")
    actual: int = strawberry.field(description="The stream's version now.")


@strawberry.type(name="ValidationError", description="A value is out of range, malformed or missing.")
class ValidationFailed(UserError):
    field: str | None = strawberry.field(description="The input field that is wrong, e.g. progress.")


@strawberry.type(description="The caller may not do this.")
class ForbiddenError(UserError):
    pass


@strawberry.type(description="Something with this code already exists.")
class DuplicateError(UserError):
    kind: str = strawberry.field(description="What already exists, e.g. plan.")
    key: str = strawberry.field(description="Its code.")


@strawberry.type(description="The idempotency key was used before for a different command.")
class IdempotencyKeyReusedError(UserError):
    key: str = strawberry.field(description="The idempotency key.")


@strawberry.type(description="The fact would take effect inside a period locked by approved minutes.")
class PeriodLockedError(UserError):
    effective_on: date = strawberry.field(description="When the fact would have taken effect.")
    locked_through: date = strawberry.field(description="Facts effective on or before this date are locked.")
    meeting: str = strawberry.field(description="The meeting whose approved minutes locked the period.")
    approved_at: str = strawberry.field(description="The meeting at which those minutes were approved.")


@strawberry.type(
    description="A report would take effect after the meeting that heard it (code REPORT_AFTER_MEETING: a report "
    "cannot describe the future) or before the plan began (code REPORT_BEFORE_PLAN)."
)
class ReportDateError(UserError):
    effective_on: date = strawberry.field(description="When the report said it took effect.")
    limit: date = strawberry.field(
        description="The date it may not pass: the meeting's date (after it is refused) or the plan's first day "
        "(before it is refused)."
    )
    meeting: str | None = strawberry.field(description="The meeting that heard the report, when that is the limit.")


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
    if isinstance(error, de.ReportDateOutOfRange):
        return ReportDateError(
            message=message,
            code=code,
            effective_on=date.fromisoformat(error.effective_on),
            limit=date.fromisoformat(error.limit),
            meeting=error.meeting_code,
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
    ReportDateError,
)


# -- success payloads -------------------------------------------------------------------------


@strawberry.interface(description="A command was recorded as one new fact.")
class Recorded:
    stream_id: strawberry.ID = strawberry.field(
        description="The ID of the stream the fact was recorded on (the new one's, for a command that creates one)."
    )
    version: int = strawberry.field(description="The stream's new version (use it as the next expectedVersion).")
    cursor: Cursor = strawberry.field(description="The event's cursor (for `events(after:)` and subscriptions).")
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


class ReadModelMeetings:
    """The application's `Meetings` port over this request's read models: a code just scheduled
    is looked for again once the read models hold the log."""

    def __init__(self, context: Context) -> None:
        self.context = context

    async def ids_by_code(self, code: str) -> list[UUID]:
        return await meetings_with_code(self.context, code)

    async def date_of(self, meeting_id: UUID) -> date | None:
        return await self.context.read(lambda conn: q.date_of_meeting(conn, meeting_id))


def _created_id(command: c.Command, receipt: Receipt) -> str | None:
    if isinstance(command, c.RecordMeasurement):
        return f"m{receipt.version}"
    for name in ("milestone_id", "risk_id", "resolution_id"):
        value = getattr(command, name, None)
        if isinstance(value, str):
            return value
    return None


def _built(given: i.CommandInput, clean: bool = False) -> c.Command:
    """The input's command, once the role may run it: text that cannot be stored (a lone surrogate
    in any field or the idempotency key) is refused first, naming the field (unless the request's
    variables are known to be `clean`: Context.clean_texts)."""
    lone = None if clean else find_lone_surrogate(given)
    if lone is not None:
        raise de.ValidationError(lone[0], MESSAGE.format(code=lone[1]))
    return given.to_command()


async def run(context: Context, given: i.CommandInput, success: type[Recorded]) -> Any:
    """A mutation: its input as a command drafted for the application's one path (access, meta,
    the ledger), then the typed payload or error."""
    try:
        ran = await run_command(
            context.principal,
            Draft(given.command, lambda: _built(given, context.clean_texts)),
            given.meta_request(),
            ledger=context.ledger,
            meetings=ReadModelMeetings(context),
            write_timeout=WRITE_TIMEOUT,
        )
    except de.DomainError as error:
        refused = user_error(error)
        if context.metrics is not None:
            kind = "ValidationError" if isinstance(refused, ValidationFailed) else type(refused).__name__
            context.metrics.errors.labels(kind=kind).inc()
        return refused
    receipt = ran.receipt
    if context.metrics is not None:
        context.metrics.count_command(type(given).__name__.removesuffix("Input"))
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
        created_id=_created_id(ran.command, receipt),
        projected=projected,
    )


# -- the Mutation type, one field per command -------------------------------------------------

#: the success payload of a command, by the kind of stream it records on
PAYLOADS: dict[type[Ledger[Any]], type[Recorded]] = {
    dp.Plan: PlanRecorded,
    da.Activity: ActivityRecorded,
    dm.Meeting: MeetingRecorded,
    dk.KeyResult: KeyResultRecorded,
    Ledger: EventCorrected,
}
INPUTS = i.by_command()
#: each command mutation's resolver without its `info`, by its name (service/api/execution/direct_mutations.py)
RUNS: dict[str, Callable[[Context, Any], Awaitable[Any]]] = {}


def _field(entry: Entry) -> Any:
    """The mutation for a catalogue entry: its input (the one declaring the entry's command), its
    result union (the payload of its kind of stream, and the errors) and its description."""
    input_type = INPUTS.get(entry.command)
    if input_type is None:
        raise LookupError(f"{entry.command.__name__} has no input in service/api/inputs.py")
    name, success = entry.name, PAYLOADS[entry.stream]
    title = name[0].upper() + name[1:]
    members: Any = (success, *ERRORS)
    answer = (
        f"What `{name}` answers: {success.__name__} when the fact was recorded, else a typed error (nothing recorded)."
    )
    result: Any = Annotated[Union[members], strawberry.union(f"{title}Result", description=answer)]  # noqa: UP007
    definition = input_type.__strawberry_definition__  # type: ignore[attr-defined]
    if definition.description is None:  # an input says more of itself where it has more to say
        definition.description = f"What `{name}` takes: {entry.description}"
    argument = strawberry.argument(
        description="The command's payload, and when, at which meeting and why (with what every command may say)."
    )

    async def resolve(info: Info[Context, None], input: Any) -> Any:
        return await run(info.context, input, success)

    async def run_direct(context: Context, input: Any) -> Any:
        return await run(context, input, success)

    RUNS[name] = run_direct

    resolve.__annotations__ = {
        "info": Info[Context, None],
        "input": Annotated[input_type, argument],
        "return": result,
    }
    resolve.__name__ = name
    return strawberry.mutation(resolver=resolve, name=name, description=entry.description)


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


Mutation = strawberry.type(
    type("Mutation", (), {_snake(entry.name): _field(entry) for entry in ENTRIES}),
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
