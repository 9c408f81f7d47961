"""The timeline fold on three axes, over random histories: every (effective date, reported date,
known at) answer of the row versions is the fold of the facts reported by then, known then, on that
date; and rows written fact by fact (the projector), all at once (a rebuild) and after a restart
(primed from the facts already projected) are the same rows."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import uuid4

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.activity import Activity, ActivityState
from domain.facts import Fact, Meta, fold
from projections.extract import KINDS
from projections.schema import END_TIME
from projections.timeline import RowVersion, StreamTimeline

KIND = KINDS["activity"]
DAYS = [date(2020, 10, 1) + timedelta(days=7 * n) for n in range(8)]

#: one step of a history: (what, effective day index, reported day index, value)
step = st.tuples(
    st.sampled_from(["progress", "outcome", "correct", "void"]),
    st.integers(0, len(DAYS) - 1),
    st.integers(0, len(DAYS) - 1),
    st.integers(0, 100),
)


def history(steps: list[tuple[str, int, int, int]]) -> tuple[list[Fact], list[date]]:
    activity = Activity.register(
        plan_id=uuid4(),
        strategy_number=1,
        fiscal_year=2564,
        kind="ONE_YEAR",
        title="t",
        responsible_units=["u"],
        meta=Meta(DAYS[0], "a"),
    )
    reported = [DAYS[0]]
    for what, on, told, value in steps:
        meta = Meta(DAYS[on], "a", reason="r")
        corrigible = [f.originator_version for f in activity.facts[1:] if type(f).__name__ == "ProgressReported"]
        if what == "progress":
            activity.report_progress(Decimal(value), meta)
        elif what == "outcome":
            activity.record_outcome(f"o{value}", meta)
        elif corrigible:
            version = corrigible[value % len(corrigible)]
            changes = {} if what == "void" else {"progress": Decimal((value * 7) % 101)}
            try:
                activity.correct(version, changes, what == "void", meta)
            except Exception:  # e.g. a version already corrected: not a fact
                continue
        else:
            continue
        reported.append(DAYS[told])
    return list(activity.collect_events()), reported


class Table:
    """A family table as the database holds it: inserts, and closings that set recorded_to."""

    def __init__(self) -> None:
        self.rows: list[list[Any]] = []

    def write(self, timeline: StreamTimeline) -> None:
        flushed = timeline.flush()
        for c in flushed.closings:
            matches = [
                r
                for r in self.rows
                if (r[0], r[2], r[4], r[5], r[6], r[7])
                == (c.family, c.key, c.valid_from, c.valid_to, c.reported_from, c.reported_to)
                and r[9] == END_TIME
            ]
            assert len(matches) == 1, c
            matches[0][9] = c.recorded_to
        self.rows += [list(r) for r in flushed.rows]

    def bag(self) -> Counter[str]:
        return Counter(repr((r[0], r[2], r[3], *r[4:])) for r in self.rows)

    def at(self, on: date, told: date, known_at: datetime) -> dict[str, dict[Any, Any]]:
        out: dict[str, dict[Any, Any]] = {}
        for r in self.rows:
            row: RowVersion = tuple(r)  # type: ignore[assignment]
            if row[4] <= on < row[5] and row[6] <= told < row[7] and row[8] <= known_at < row[9]:
                family = out.setdefault(row[0], {})
                assert row[2] not in family, ("two rows at one point", row)
                family[row[2]] = row[3]
        return out


def expected(facts: list[Fact], reported: list[date], on: date, told: date, known_at: datetime) -> dict[str, Any]:
    state: ActivityState = fold(
        [f for f, r in zip(facts, reported, strict=True) if r <= told], ActivityState, on, known_at
    )
    if not state.exists:
        return {}
    return {name: rows for name, rows in KIND.snapshot(state).items() if rows}


@settings(max_examples=150, deadline=None)
@given(st.lists(step, min_size=1, max_size=12), st.integers(1, 12))
def test_rows_on_three_axes_are_the_fold_and_every_way_of_writing_them_agrees(
    steps: list[tuple[str, int, int, int]], restart_at: int
) -> None:
    facts, reported = history(steps)
    stream = facts[0].originator_id

    live = Table()  # the projector: one fact at a time
    timeline = StreamTimeline(stream, KIND)
    for fact, told in zip(facts, reported, strict=True):
        timeline.add(fact, told)
        live.write(timeline)

    built = Table()  # a rebuild: every fact, one flush
    timeline = StreamTimeline(stream, KIND)
    for fact, told in zip(facts, reported, strict=True):
        timeline.add(fact, told)
    built.write(timeline)

    restarted = Table()  # a projector restarted after `cut` facts: primed from them
    cut = min(restart_at, len(facts))
    first = StreamTimeline(stream, KIND)
    for fact, told in zip(facts[:cut], reported[:cut], strict=True):
        first.add(fact, told)
    restarted.write(first)
    second = StreamTimeline(stream, KIND)
    second.prime(facts[:cut], reported[:cut])
    for fact, told in zip(facts[cut:], reported[cut:], strict=True):
        second.add(fact, told)
        restarted.write(second)

    assert live.bag() == built.bag() == restarted.bag()

    times = sorted({f.timestamp for f in facts})
    for known_at in [*times, times[-1] + timedelta(days=1)]:
        for told in DAYS:
            for on in DAYS:
                assert live.at(on, told, known_at) == expected(facts, reported, on, told, known_at), (
                    on,
                    told,
                    known_at,
                )
