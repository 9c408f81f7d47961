"""Facts of one stream -> bitemporal row versions (pure; no database here).

`StreamTimeline` holds, for the facts known so far, the valid-time timeline: the state's rows at
each distinct effective date. Each fact that arrives is a new point in transaction time: the
timeline is updated (cheaply when the fact is in order, by a re-fold when it is backdated or a
correction), and every entity whose run of equal values changed has its believed row versions
closed (`recorded_to = T`) and new ones opened (`recorded_from = T`).

A third axis, the reporting axis, says what the committee had been told: each fact comes with the
date it was reported (`projections/reported.py`: its meeting's date, else its recorded date), and
a row version holds for reporting dates `reported_from <= R < reported_to`. At each transaction
time the believed rows are a partition of (valid date x reporting date): for each distinct
reporting date (an epoch) the valid-time segments of the fold of the facts reported by then,
and a segment that stays the same over consecutive epochs is one row (its canonical form; the
in-order path below keeps it, a backdated fact or a correction re-folds every epoch).

The semantics are exactly those of `domain.facts.fold([f for f in facts if reported(f) <= R],
State, on=D, known_at=T)`: the row versions with `valid_from <= D < valid_to`,
`reported_from <= R < reported_to` and `recorded_from <= T < recorded_to` are the rows of that
fold. T of a fact is its `timestamp` (made non-decreasing within a stream, which it is whenever
the writers' clocks are).
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
#: (valid_from, valid_to, reported_from, reported_to)
Box = tuple[date, date, date, date]
EMPTY: Rows = {}


#: one finished row of a family table (a plain tuple: a rebuild makes one or two per fact):
#: (family, stream_id, key, values, valid_from, valid_to, reported_from, reported_to,
#:  recorded_from, recorded_to)
RowVersion = tuple[str, UUID, Any, Values, date, date, date, date, datetime, datetime]


@dataclass(slots=True)
class Closing:
    """A row already in the database that stops being believed at `recorded_to`."""

    family: str
    stream_id: UUID
    key: Any
    valid_from: date
    valid_to: date
    reported_from: date
    reported_to: date
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
        self.reported: list[date] = []
        self.last_reported: date | None = None
        self.epochs: list[tuple[date, list[date], list[Snapshot]]] = []
        self.tip: Any = kind.state_type()
        self.dates: list[date] = []
        self.snapshots: list[Snapshot] = []
        self.open: dict[FamilyKey, dict[Box, OpenRow]] = {}
        self.recorded: datetime | None = None
        self.finished: list[RowVersion] = []
        self.closings: list[Closing] = []
        #: the facts taken before `facts` were let go (`drop_history`): a fact that needs the whole
        #: history (out of order, a correction: `needs_history`) is not taken by this timeline
        self.history_dropped = False

    # -- building -------------------------------------------------------------------------

    def prime(self, facts: list[Fact], reported: list[date]) -> None:
        """Start from facts already projected (their rows are in the database), each with the date
        it was reported (as it was when it was projected)."""
        self.facts = list(facts)
        self.reported = list(reported)
        self.last_reported = max(reported, default=None)
        self._refold()
        for fact in facts:
            self.recorded = fact.timestamp if self.recorded is None else max(self.recorded, fact.timestamp)
        stamp = self.recorded or END_TIME
        for family_key in self._all_keys():
            self.open[family_key] = {box: [values, stamp, False] for box, values in self._boxes(family_key).items()}
        self.epochs = []

    def drop_history(self) -> int:
        """Let go of the facts taken so far (they are in the log), keeping what the in-order path
        needs: the tip, the timeline's dates and snapshots, the believed rows. A projector's cached
        timelines otherwise held every fact of every busy stream (its process grew +100 MB over 40 s
        of 16 writers). Returns how many were let go."""
        dropped = len(self.facts)
        self.facts, self.reported = [], []
        self.history_dropped = True
        return dropped

    def needs_history(self, taking: list[tuple[Fact, date]]) -> bool:
        """Whether taking these facts (with their reported dates), in order, would re-fold the
        history this timeline let go of: then it must be primed again from the log."""
        if not self.history_dropped:
            return False
        last_on = self.dates[-1] if self.dates else None
        last_reported = self.last_reported
        for fact, reported in taking:
            if isinstance(fact, Corrected) or (last_reported is not None and reported < last_reported):
                return True
            if last_on is not None and fact.effective_on < last_on:
                return True
            last_on, last_reported = fact.effective_on, reported
        return False

    def add(self, fact: Fact, reported: date) -> datetime:
        """Take one more fact, reported on `reported`; returns the transaction time it was taken at."""
        stamp = fact.timestamp if self.recorded is None else max(self.recorded, fact.timestamp)
        self.recorded = stamp
        self.facts.append(fact)
        self.reported.append(reported)
        last_reported = self.last_reported
        in_report_order = last_reported is None or reported >= last_reported
        if in_report_order:
            self.last_reported = reported
        dates = self.dates
        on = fact.effective_on
        if not isinstance(fact, Corrected) and in_report_order and (not dates or on >= dates[-1]):
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
                self._retail(family_key, now, on, same_day, stamp, reported)
        else:
            if self.history_dropped:
                raise RuntimeError("a timeline without its history cannot re-fold it: prime it again from the log")
            changed = self._all_keys()
            self._refold()
            changed |= self._all_keys()
            for family_key in changed:
                self._resegment(family_key, stamp)
            self.epochs = []
        return stamp

    def flush(self) -> Flushed:
        """Rows to insert and stored rows to close since the last flush; all rows become stored."""
        rows = self.finished
        for (name, key), boxes in self.open.items():
            for (valid_from, valid_to, reported_from, reported_to), row in boxes.items():
                if row[FRESH]:
                    rows.append(
                        (
                            name,
                            self.stream_id,
                            key,
                            row[VALUES],
                            valid_from,
                            valid_to,
                            reported_from,
                            reported_to,
                            row[RECORDED_FROM],
                            END_TIME,
                        )
                    )
                    row[FRESH] = False
        flushed = Flushed(rows, self.closings)
        self.finished, self.closings = [], []
        return flushed

    # -- internals ------------------------------------------------------------------------

    def _fold(self, facts: list[Fact]) -> tuple[Any, list[date], list[Snapshot]]:
        corrections = {f.corrects: f for f in facts if isinstance(f, Corrected)}
        effective: list[Fact] = []
        for fact in facts:
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
        dates: list[date] = []
        snapshots: list[Snapshot] = []
        for index, fact in enumerate(effective):
            fact.evolve(state)
            if index + 1 == len(effective) or effective[index + 1].effective_on != fact.effective_on:
                dates.append(fact.effective_on)
                snapshots.append(self.kind.snapshot(state))
        return state, dates, snapshots

    def _refold(self) -> None:
        """Every epoch's timeline (the facts reported by its date), the last one the tip's."""
        epochs = sorted(set(self.reported))
        self.epochs = []
        for index, epoch in enumerate(epochs):
            if index + 1 == len(epochs):
                facts = self.facts
            else:
                facts = [f for f, r in zip(self.facts, self.reported, strict=True) if r <= epoch]
            state, dates, snapshots = self._fold(facts)
            self.epochs.append((epoch, dates, snapshots))
        if epochs:
            self.tip, self.dates, self.snapshots = state, dates, snapshots
        else:
            self.tip, self.dates, self.snapshots = self.kind.state_type(), [], []

    def _all_keys(self) -> set[FamilyKey]:
        keys: set[FamilyKey] = set(self.open)
        for _, _, snapshots in self.epochs or [(END_DATE, self.dates, self.snapshots)]:
            for snapshot in snapshots:
                for name, rows in snapshot.items():
                    keys.update((name, key) for key in rows)
        return keys

    def _boxes(self, family_key: FamilyKey) -> dict[Box, Values]:
        """The canonical rows of one entity over (valid date x reporting date), from the epochs."""
        out: dict[Box, Values] = {}
        running: dict[Span, tuple[date, Values]] = {}
        for epoch, dates, snapshots in self.epochs:
            segments = self._segments(family_key, dates, snapshots)
            for span, (since, values) in list(running.items()):
                if segments.get(span) != values:
                    out[(span[0], span[1], since, epoch)] = values
                    del running[span]
            for span, values in segments.items():
                if span not in running:
                    running[span] = (epoch, values)
        for span, (since, values) in running.items():
            out[(span[0], span[1], since, END_DATE)] = values
        return out

    @staticmethod
    def _segments(family_key: FamilyKey, dates: list[date], snapshots: list[Snapshot]) -> dict[Span, Values]:
        name, key = family_key
        segments: dict[Span, Values] = {}
        current: Values | None = None
        start = END_DATE
        for on, snapshot in zip(dates, snapshots, strict=True):
            values = snapshot.get(name, EMPTY).get(key)
            if values != current:
                if current is not None:
                    segments[(start, on)] = current
                current, start = values, on
        if current is not None:
            segments[(start, END_DATE)] = current
        return segments

    def _retail(
        self, family_key: FamilyKey, values: Values | None, on: date, same_day: bool, stamp: datetime, reported: date
    ) -> None:
        """What `_resegment` does, for a change of one entity at the last effective date `on` by a
        fact reported at or after every earlier one: the rows reaching END_DATE on the reporting axis
        are the last epoch's segments; of those only the one reaching END_DATE in valid time can
        end, and a new last one may continue the one before. The epoch from `reported` on takes
        the new segments: a row that changes keeps its earlier epochs (up to `reported`), a new
        one continues an equal one that ended at `reported`."""
        believed = self.open.setdefault(family_key, {})
        current: dict[Span, tuple[Box, OpenRow]] = {
            (box[0], box[1]): (box, row) for box, row in believed.items() if box[3] == END_DATE
        }
        segments: dict[Span, Values] = {span: row[VALUES] for span, (_, row) in current.items()}
        tail = next((span for span in segments if span[1] == END_DATE), None)
        start = on
        if tail is not None:
            tail_values = segments.pop(tail)
            if tail[0] < on:
                segments[(tail[0], on)] = tail_values
                values_from = None  # the new last segment follows a different value
            else:
                values_from = tail[0]
        else:
            values_from = on
        if values is not None:
            if same_day and values_from is not None:
                merge = next((span for span, v in segments.items() if span[1] == values_from and v == values), None)
                if merge is not None:
                    del segments[merge]
                    start = merge[0]
            segments[(start, END_DATE)] = values
        for span, (box, row) in current.items():
            if segments.get(span) != row[VALUES]:
                del believed[box]
                self._close(family_key, box, row, stamp)
                if box[2] < reported:
                    believed[(box[0], box[1], box[2], reported)] = [row[VALUES], stamp, True]
        for span, new in segments.items():
            old = current.get(span)
            if old is not None and old[1][VALUES] == new:
                continue
            since = reported
            wanted = (span[0], span[1])
            before = next(
                (b for b, r in believed.items() if b[3] == reported and (b[0], b[1]) == wanted and r[VALUES] == new),
                None,
            )
            if before is not None:
                row = believed.pop(before)
                self._close(family_key, before, row, stamp)
                since = before[2]
            believed[(span[0], span[1], since, END_DATE)] = [new, stamp, True]
        if not believed:
            del self.open[family_key]

    def _resegment(self, family_key: FamilyKey, stamp: datetime) -> None:
        wanted = self._boxes(family_key)
        believed = self.open.setdefault(family_key, {})
        for box, row in list(believed.items()):
            if wanted.get(box) != row[VALUES]:
                self._close(family_key, box, row, stamp)
                del believed[box]
        for box, values in wanted.items():
            if box not in believed:
                believed[box] = [values, stamp, True]
        if not believed:
            del self.open[family_key]

    def _close(self, family_key: FamilyKey, box: Box, row: OpenRow, stamp: datetime) -> None:
        name, key = family_key
        if row[FRESH]:
            if row[RECORDED_FROM] < stamp:
                self.finished.append(
                    (name, self.stream_id, key, row[VALUES], box[0], box[1], box[2], box[3], row[RECORDED_FROM], stamp)
                )
        else:
            self.closings.append(Closing(name, self.stream_id, key, box[0], box[1], box[2], box[3], stamp))
