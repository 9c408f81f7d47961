"""A command's meta — when it takes effect, at which meeting, why, and who records it — from
what the caller said.

A meeting may be named by its ID or by its code ("1/2564"); named, it also gives the effective
date when the caller gives none. This is a rule of the application, the same for a GraphQL
mutation and the minutes importer, so it lives here and reads meetings through a small port
(`Meetings`): the API answers from the read models, the importer from the event store.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol
from uuid import UUID

from domain.errors import NotFound, ValidationError
from domain.facts import Meta
from domain.meeting import Meeting
from service.application.handlers import Loader


@dataclass(frozen=True)
class MetaRequest:
    """What a caller says besides the command's payload."""

    effective_on: date | None = None
    #: the meeting that decided it: an ID or a code such as "1/2564"
    meeting: str | None = None
    reason: str | None = None
    expected_version: int | None = None
    idempotency_key: str | None = None
    #: when the fact takes effect if the caller names neither a date nor a meeting (None: today)
    default_on: date | None = None
    #: the minutes importer only: the meeting whose own minutes are being recorded (see `Meta`)
    minutes_of: str | None = None


class Meetings(Protocol):
    """What the meta needs to know of meetings."""

    async def ids_by_code(self, code: str) -> Sequence[UUID]:
        """The meetings with this code (several bodies may use one)."""
        ...

    async def date_of(self, meeting_id: UUID) -> date | None:
        """The date the meeting is held on (None when it is not known)."""
        ...


async def meeting_of(reference: str, meetings: Meetings) -> UUID:
    """A meeting's ID from an ID or a code (refused, naming the field, when the code names none or
    several)."""
    text = (reference or "").strip()
    if not text:
        raise ValidationError("meeting", "give a meeting ID or a code such as 1/2564")
    try:
        return UUID(text)
    except ValueError:
        pass
    found = await meetings.ids_by_code(text)
    if not found:
        raise ValidationError("meeting", f"no meeting with id or code {text!r}")
    if len(found) > 1:
        raise ValidationError("meeting", f"several meetings have the code {text!r}; give the meeting's ID")
    return found[0]


async def resolve(actor: str, request: MetaRequest, meetings: Meetings) -> Meta:
    """The meta a command is recorded with: the effective date given, else the named meeting's
    date, else the command's default, else today."""
    meeting: str | None = None
    effective_on = request.effective_on
    if request.meeting is not None:
        found = await meeting_of(request.meeting, meetings)
        meeting = str(found)
        if effective_on is None:
            effective_on = await meetings.date_of(found)
    effective_on = effective_on or request.default_on or date.today()
    return Meta(
        effective_on=effective_on,
        actor=actor,
        meeting_id=meeting,
        reason=request.reason,
        minutes_of=request.minutes_of,
    )


class StoredMeetings:
    """Meetings as the event store knows them, for callers without the read models (the minutes
    importer). The store keeps no index of codes: here a meeting is named by its ID."""

    def __init__(self, loader: Loader) -> None:
        self.loader = loader

    async def ids_by_code(self, code: str) -> Sequence[UUID]:
        raise ValidationError("meeting", f"give the meeting's ID, not its code {code!r}")

    async def date_of(self, meeting_id: UUID) -> date | None:
        try:
            meeting = await asyncio.to_thread(lambda: self.loader.load(Meeting, meeting_id, read_only=True))
        except NotFound:
            return None
        return meeting.state.on
