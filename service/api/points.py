"""Points in time: `AsOf` (a date or a meeting, and when known) turned into a read-model point
(`projections.queries.Point`), and the point a view answers for as the API shows it (`PointShown`,
the GraphQL type `Point`)."""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, date, datetime
from typing import Annotated, NewType
from uuid import UUID

import strawberry
from graphql import GraphQLError

from domain.facts import EARLIEST, LATEST
from projections import queries as q
from projections.projector import log_position
from service.api.context import Context

Cursor = NewType("Cursor", str)
#: the largest event position (a PostgreSQL bigint)
MAX_POSITION = 2**63 - 1
#: the GraphQL side of `Cursor` (given to the schema's scalar_map)
CURSOR_SCALAR = strawberry.scalar(
    name="Cursor", description="Opaque; event cursors order like the event log.", serialize=str, parse_value=str
)


class BadInput(GraphQLError):
    """An argument a person can fix: says which and why."""

    def __init__(self, argument: str, message: str) -> None:
        super().__init__(f"{argument}: {message}", extensions={"code": "BAD_USER_INPUT", "argument": argument})


class Missing(GraphQLError):
    def __init__(self, what: str, key: str) -> None:
        super().__init__(f"no {what} with id or code {key!r}", extensions={"code": "NOT_FOUND"})


@strawberry.input(description='A point in time. date XOR meeting (an ID or a code such as "1/2564"); knownAt optional.')
class AsOf:
    date: date | None = strawberry.field(default=None, description="Effective date (valid time).")
    meeting: str | None = strawberry.field(
        default=None,
        description='A meeting ID or code such as "1/2564": what the committee had been told by that '
        "meeting (facts reported at it or at an earlier meeting, and live updates recorded by its date), "
        "as they stood on its date.",
    )
    known_at: datetime | None = strawberry.field(
        default=None, description="As the ledger knew it at this time (transaction time). Default: now."
    )


#: the `asOf` argument of the reads
AsOfArgument = Annotated[
    AsOf | None,
    strawberry.argument(
        description="The point in time to answer for: a date or a meeting, and when known "
        "(default: now, all that is recorded)."
    ),
]


@strawberry.type(name="Point", description="The point a view answers for.")
class PointShown:
    date: date | None = strawberry.field(description="Effective date; null for the latest of everything.")
    known_at: datetime | None = strawberry.field(description="As known at; null for everything recorded.")


def shown(point: q.Point) -> PointShown:
    return PointShown(date=point.on, known_at=point.known_at)


def parse_id(argument: str, value: str) -> UUID:
    try:
        return UUID(str(value).strip())
    except ValueError:
        raise BadInput(argument, f"{value!r} is not an ID") from None


async def meeting_id(context: Context, id_or_code: str, argument: str = "meeting") -> UUID:
    """A meeting's ID from an ID or a code such as "1/2564" (refused when the code is ambiguous)."""
    text = (id_or_code or "").strip()
    if not text:
        raise BadInput(argument, "give a meeting ID or a code such as 1/2564")
    try:
        return UUID(text)
    except ValueError:
        pass
    found = await meetings_with_code(context, text)
    if not found:
        raise Missing("meeting", text)
    if len(found) > 1:
        raise BadInput(argument, f"several meetings have the code {text!r}; give the meeting's ID")
    return found[0]


def in_range(value: date | None, argument: str) -> date | None:
    """A date argument, refused outside the dates the ledger records (EARLIEST..LATEST, as every
    command's dates are): the read models' open end (9999-12-31, "no end") is not a date to read at."""
    if value is not None and not EARLIEST <= value <= LATEST:
        raise BadInput(argument, f"{value.isoformat()} is outside {EARLIEST}..{LATEST}, the dates the ledger records")
    return value


async def meetings_with_code(context: Context, code: str) -> list[UUID]:
    """The meetings with this code in the read models; none found, looked for again once the read
    models hold the log (it may have been scheduled a moment ago)."""
    found = await context.read(lambda conn: q.meeting_ids_by_code(conn, code))
    if not found and context.wait_projected is not None:
        end = await context.read(log_position)
        if await context.wait_projected(end, 5.0):
            found = await context.read(lambda conn: q.meeting_ids_by_code(conn, code))
    return found


def aware(value: datetime | None, argument: str) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise BadInput(argument, "give the time with its offset, e.g. 2021-03-01T10:00:00+07:00")
    try:
        return value.astimezone(UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00+07:00 is in the year 0 in UTC
        raise BadInput(argument, f"{value.isoformat()} is out of range") from None


async def resolve(context: Context, as_of: AsOf | None, argument: str = "asOf") -> q.Point:
    """The read-model point for an `AsOf` (None: the latest of everything)."""
    if as_of is None:
        return q.Point()
    known_at = aware(as_of.known_at, f"{argument}.knownAt")
    if as_of.date is not None and as_of.meeting is not None:
        raise BadInput(argument, "give a date or a meeting, not both")
    if as_of.meeting is not None:
        mid = await meeting_id(context, as_of.meeting, f"{argument}.meeting")
        held_on = await context.read(lambda conn: q.date_of_meeting(conn, mid, known_at))
        if held_on is None:
            raise Missing("meeting", as_of.meeting)
        return q.Point(held_on, known_at, reported=held_on)
    return q.Point(in_range(as_of.date, f"{argument}.date"), known_at)


# -- cursors ----------------------------------------------------------------------------------


def _encode(kind: str, text: str) -> str:
    return base64.urlsafe_b64encode(f"{kind}:{text}".encode()).decode().rstrip("=")


def _decode(kind: str, cursor: str, argument: str) -> str:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadInput(argument, "not a cursor this API gave out") from None
    found, _, text = raw.partition(":")
    if "\x00" in raw:
        raise BadInput(argument, "not a cursor this API gave out")
    if found != kind:
        raise BadInput(argument, "not a cursor of this list")
    return text


def event_cursor(position: int) -> Cursor:
    return Cursor(_encode("e", str(position)))


def event_position(cursor: str | None, argument: str = "after") -> int:
    if cursor is None:
        return 0
    text = _decode("e", cursor, argument)
    # ASCII digits only ("²".isdigit() holds too), and within PostgreSQL's bigint
    if not (text.isascii() and text.isdigit() and len(text) <= 19) or int(text) > MAX_POSITION:
        raise BadInput(argument, "not a cursor this API gave out")
    return int(text)


def meeting_cursor(row: dict[str, object]) -> Cursor:
    return Cursor(_encode("m", f"{row['meeting_on']}|{row['id']}|{row['code']}"))


def meeting_key(cursor: str, argument: str = "after") -> tuple[date, str, UUID]:
    text = _decode("m", cursor, argument)
    try:
        on, stream_id, code = text.split("|", 2)
        return date.fromisoformat(on), code, UUID(stream_id)
    except ValueError:
        raise BadInput(argument, "not a cursor this API gave out") from None
