"""The reporting axis: when the committee was told a fact.

A fact that names a meeting (or is recorded on a meeting's own stream) was reported at that
meeting: its reported date is the meeting's date. A fact naming no meeting is a live update: it
was reported on the day it was recorded (in Thai time, UTC+7, the committee's) — but for the frame
the reports are about: the plan's own stream (its strategies, vision, action plans, rules) and the
fact that brings a stream into being (an activity registered, a key result defined), and a
correction of that fact, count from the day they take effect; what is reported about activities
and key results counts from when it was told. A meeting's date is the date it was scheduled for
(`Meeting.Scheduled`), as the log held it at the fact's position. A fact naming a meeting the log
does not know (yet), such as the meeting that approved a plan long before the ledger began, counts
as reported on its effective date: it was told at a meeting, and that is the one date it gives.
Depending only on the log up to the fact, the rule gives the projector, the rebuild (which folds
stream by stream, in parallel) and verify the same dates.
"""

from __future__ import annotations

import bisect
from datetime import date, datetime, timedelta, timezone
from uuid import UUID

import asyncpg
from eventsourcing.utils import get_topic

from domain.facts import Corrected, Ledger
from domain.meeting import Meeting
from projections.decode import Decoded, Decoder
from projections.schema import EVENTS_TABLE

THAI_TIME = timezone(timedelta(hours=7))
SCHEDULED_TOPIC = get_topic(Meeting.Scheduled)
SELECT_SCHEDULED = (
    f"SELECT notification_id, originator_id, originator_version, topic, state FROM {EVENTS_TABLE} "
    "WHERE topic = $1 ORDER BY notification_id"
)


def recorded_day(stamp: datetime) -> date:
    """The day a fact was recorded, in Thai time."""
    return stamp.astimezone(THAI_TIME).date()


def _corrects_creation(fact: object) -> bool:
    """A correction of what brought a stream into being (its version 1): part of the frame, like
    the creation (minutes arriving out of order give an activity's registration as the earlier
    minutes spelled it, which the date order registered in the first place)."""
    return isinstance(fact, Corrected) and fact.corrects == 1


class MeetingDates:
    """Every meeting's date, by the log position it was set at."""

    def __init__(self) -> None:
        self._known: dict[str, tuple[list[int], list[date]]] = {}

    def observe(self, item: Decoded) -> None:
        """Take a meeting's date from its `Scheduled` fact (any other fact: nothing)."""
        fact = item.fact
        if isinstance(fact, Meeting.Scheduled):
            positions, dates = self._known.setdefault(str(item.stream_id), ([], []))
            if item.position not in positions:
                at = bisect.bisect(positions, item.position)
                positions.insert(at, item.position)
                dates.insert(at, fact.on)

    def date_of(self, meeting_id: str, position: int) -> date | None:
        """The meeting's date as the log held it at `position` (None: not known by then)."""
        known = self._known.get(meeting_id)
        if known is None:
            return None
        at = bisect.bisect(known[0], position)
        return known[1][at - 1] if at else None

    def reported_on(self, item: Decoded) -> date:
        """The date `item` was reported (the module's rule)."""
        fact = item.fact
        meeting_id = fact.meeting_id or (str(item.stream_id) if item.stream_kind == "meeting" else None)
        if meeting_id:
            on = self.date_of(_canonical(meeting_id), item.position)
            return fact.effective_on if on is None else on
        if isinstance(fact, Ledger.Created) or item.stream_kind == "plan" or _corrects_creation(fact):
            return fact.effective_on
        return recorded_day(fact.timestamp)

    async def load(self, conn: asyncpg.Connection, decoder: Decoder | None = None) -> None:
        """Every meeting's `Scheduled` fact in the log (lookups stay by position, so facts later in
        the log than the one asked about never count)."""
        decoder = decoder or Decoder()
        for r in await conn.fetch(SELECT_SCHEDULED, SCHEDULED_TOPIC):
            item = decoder.decode(r[0], r[1], r[2], r[3], r[4])
            if item is not None:
                self.observe(item)


def _canonical(meeting_id: str) -> str:
    try:
        return str(UUID(meeting_id))
    except ValueError:
        return meeting_id
