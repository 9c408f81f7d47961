"""Facts of one stream -> bitemporal row versions (pure; no database here).

`StreamTimeline` holds, for the facts known so far, the valid-time timeline: the state's rows at
each distinct effective date. Each fact that arrives is a new point in transaction time: the
timeline is updated (cheaply when the fact is in order, by a re-fold when it is backdated or a
correction), and every entity whose run of equal values changed has its believed row versions
closed (`recorded_to = T`) and new ones opened (`recorded_from = T`).

The semantics are exactly those of `domain.facts.fold(facts, State, on=D, known_at=T)`: the row
versions with `valid_from <= D < valid_to` and `recorded_from <= T < recorded_to` are the rows of
that fold. T of a fact is its `timestamp` (made non-decreasing within a stream, which it is
whenever the writers' clocks are).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from domain.facts import Corrected, Fact
from projections.extract import Rows, Snapshot, StreamKind, Values
from projections.schema import END_DATE, END_TIME

FamilyKey = tuple[str, Any]
Span = tuple[date, date]
EMPTY: Rows = {}


#: one finished row of a family table (a plain tuple: a rebuild makes one or two per fact):
#: (family, stream_id, key, values, valid_from, valid_to, recorded_from, recorded_to)
RowVersion = tuple[str, UUID, Any, Values, date, date, datetime, datetime]


@dataclass(slots=True)
class Closing:
    """A row already in the database that stops being believed at `recorded_to`."""

    family: str
    stream_id: UUID
    key: Any
    valid_from: date
    valid_to: date
    recorded_to: datetime


#: a believed row version: [values, recorded_from, fresh] (fresh: not in the database yet). A list,
#: not a class: made for nearly every change of a row, and cheaper to make.
OpenRow = list[Any]
VALUES, RECORDED_FROM, FRESH = 0, 1, 2


@dataclass
class Flushed:
    """What to write for one stream: rows to insert and stored rows to close."""

    rows: list[RowVersion]
    closings: list[Closing]


class StreamTimeline:
    """The bitemporal history of one stream, grown one fact at a time."""

    def __init__(self, stream_id: UUID, kind: StreamKind) -> None:
        self.stream_id = stream_id
        self.kind = kind
        self.facts: list[Fact] = []
        self.tip: Any = kind.state_type()
        self.dates: list[date] = []
        self.snapshots: list[Snapshot] = []
        self.open: dict[FamilyKey, dict[Span, OpenRow]] = {}
        self.recorded: datetime | None = None
        self.finished: list[RowVersion] = []
        self.closings: list[Closing] = []

    # -- building -------------------------------------------------------------------------

    def prime(self, facts: list[Fact]) -> None:
        """Start from facts already projected (their rows are in the database)."""
        self.facts = list(facts)
        self._refold()
        for fact in facts:
            self.recorded = fact.timestamp if self.recorded is None else max(self.recorded, fact.timestamp)
        stamp = self.recorded or END_TIME
        for family_key in self._all_keys():
            self.open[family_key] = {
                span: [values, stamp, False] for span, values in self._segments(family_key).items()
            }

    def add(self, fact: Fact) -> datetime:
        """Take one more fact; returns the transaction time it was taken at."""
        stamp = fact.timestamp if self.recorded is None else max(self.recorded, fact.timestamp)
        self.recorded = stamp
        self.facts.append(fact)
        dates = self.dates
        on = fact.effective_on
        if not isinstance(fact, Corrected) and (not dates or on >= dates[-1]):
            # in effective order (the usual case): only the tail of the timeline changes
            old: Snapshot = self.snapshots[-1] if self.snapshots else {}
            fact.evolve(self.tip)
            extractors = self.kind.extractors
            kind_of_fact = type(fact).__name__
            entity = self.kind.entities.get(kind_of_fact) if old else None
            new: Snapshot = dict(old)
            changes: list[tuple[FamilyKey, Values | None]] = []
            if entity is not None:  # one row of one family can change
                name, field, row_of = entity
                key = getattr(fact, field)
                before = old.get(name, EMPTY)
                values = row_of(self.tip, key)
                if values != before.get(key):
                    rows = dict(before)
                    if values is None:
                        del rows[key]
                    else:
                        rows[key] = values
                    new[name] = rows
                    changes.append(((name, key), values))
            else:
                families = self.kind.touches.get(kind_of_fact) if old else None
                for name in families or extractors:
                    rows = extractors[name](self.tip)
                    new[name] = rows
                    before = old.get(name, EMPTY)
                    if rows == before:
                        continue
                    for key, values in rows.items():
                        if before.get(key) != values:
                            changes.append(((name, key), values))
                    for key in before:
                        if key not in rows:
                            changes.append(((name, key), None))
            same_day = bool(dates) and dates[-1] == on
            if same_day:
                self.snapshots[-1] = new
            else:
                dates.append(on)
                self.snapshots.append(new)
            for family_key, now in changes:
                self._retail(family_key, now, on, same_day, stamp)
        else:
            changed = self._all_keys()
            self._refold()
            changed |= self._all_keys()
            for family_key in changed:
                self._resegment(family_key, stamp)
        return stamp

    def flush(self) -> Flushed:
        """Rows to insert and stored rows to close since the last flush; all rows become stored."""
        rows = self.finished
        for (name, key), spans in self.open.items():
            for (valid_from, valid_to), row in spans.items():
                if row[FRESH]:
                    rows.append(
                        (name, self.stream_id, key, row[VALUES], valid_from, valid_to, row[RECORDED_FROM], END_TIME)
                    )
                    row[FRESH] = False
        flushed = Flushed(rows, self.closings)
        self.finished, self.closings = [], []
        return flushed

    # -- internals ------------------------------------------------------------------------

    def _refold(self) -> None:
        corrections = {f.corrects: f for f in self.facts if isinstance(f, Corrected)}
        effective: list[Fact] = []
        for fact in self.facts:
            if isinstance(fact, Corrected):
                continue
            correction = corrections.get(fact.originator_version)
            if correction is not None:
                if correction.void:
                    continue
                fact = dataclasses.replace(fact, **correction.changes)
            effective.append(fact)
        effective.sort(key=lambda f: (f.effective_on, f.originator_version))
        state = self.kind.state_type()
        self.dates, self.snapshots = [], []
        for index, fact in enumerate(effective):
            fact.evolve(state)
            if index + 1 == len(effective) or effective[index + 1].effective_on != fact.effective_on:
                self.dates.append(fact.effective_on)
                self.snapshots.append(self.kind.snapshot(state))
        self.tip = state

    def _all_keys(self) -> set[FamilyKey]:
        keys: set[FamilyKey] = set(self.open)
        for snapshot in self.snapshots:
            for name, rows in snapshot.items():
                keys.update((name, key) for key in rows)
        return keys

    def _segments(self, family_key: FamilyKey) -> dict[Span, Values]:
        name, key = family_key
        segments: dict[Span, Values] = {}
        current: Values | None = None
        start = END_DATE
        for on, snapshot in zip(self.dates, self.snapshots, strict=True):
            values = snapshot.get(name, EMPTY).get(key)
            if values != current:
                if current is not None:
                    segments[(start, on)] = current
                current, start = values, on
        if current is not None:
            segments[(start, END_DATE)] = current
        return segments

    def _retail(self, family_key: FamilyKey, values: Values | None, on: date, same_day: bool, stamp: datetime) -> None:
        """What `_resegment` does, for a change of one entity at the last effective date `on` (a
        fact in effective order): the believed segments are those of the timeline before the fact,
        so only the one reaching END_DATE can end, and a new last one may continue the one before."""
        believed = self.open.setdefault(family_key, {})
        tail = next((span for span in believed if span[1] == END_DATE), None)
        start = on
        if tail is not None:
            row = believed.pop(tail)
            self._close(family_key, tail, row, stamp)
            if tail[0] < on:
                believed[(tail[0], on)] = [row[VALUES], stamp, True]
                values_from = None  # the new last segment follows a different value
            else:
                values_from = tail[0]
        else:
            values_from = on
        if values is not None:
            if same_day and values_from is not None:
                merge = next(
                    (span for span, r in believed.items() if span[1] == values_from and r[VALUES] == values), None
                )
                if merge is not None:
                    merged = believed.pop(merge)
                    self._close(family_key, merge, merged, stamp)
                    start, values = merge[0], merged[VALUES]
            believed[(start, END_DATE)] = [values, stamp, True]
        if not believed:
            del self.open[family_key]

    def _resegment(self, family_key: FamilyKey, stamp: datetime) -> None:
        wanted = self._segments(family_key)
        believed = self.open.setdefault(family_key, {})
        for span, row in list(believed.items()):
            if wanted.get(span) != row[VALUES]:
                self._close(family_key, span, row, stamp)
                del believed[span]
        for span, values in wanted.items():
            if span not in believed:
                believed[span] = [values, stamp, True]
        if not believed:
            del self.open[family_key]

    def _close(self, family_key: FamilyKey, span: Span, row: OpenRow, stamp: datetime) -> None:
        name, key = family_key
        if row[FRESH]:
            if row[RECORDED_FROM] < stamp:
                self.finished.append(
                    (name, self.stream_id, key, row[VALUES], span[0], span[1], row[RECORDED_FROM], stamp)
                )
        else:
            self.closings.append(Closing(name, self.stream_id, key, span[0], span[1], stamp))
