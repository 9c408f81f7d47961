"""A property over the database (issue 20): random histories of an activity with all three times —
reports heard at meetings and live updates, backdated (late reports), corrections and voids, and
meetings closed by approved minutes (locks refusing what they must) — recorded through the
ledger on real PostgreSQL and projected. Then every `asOf: {date}`, `asOf: {meeting}` and
`knownAt` answer from the read models equals a fold of the stored facts in Python (each fact
counted from the day it was told: its meeting's date, else the day it was recorded), every late
flag equals the closings' rule worked out in Python, and the projector's rows equal a rebuild's
(`verify`). Bounded: 25 examples of up to 12 steps, well under a minute.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain import commands as c
from domain.activity import Activity, ActivityState
from domain.errors import DomainError
from domain.facts import Corrected, Fact, Ledger, Meta, fold
from projections.projector import Projector
from projections.queries import activity_as_of
from projections.queries.late import closings
from projections.rebuild import verify
from projections.reported import recorded_day
from projections.schema import create_tables
from service.application.ledger import PlanLedger
from service.config import ServerAddress
from tests.conftest import create_database, drop_database

MEETINGS = [date(2020, 11, 4), date(2020, 12, 2), date(2021, 1, 6), date(2021, 2, 3)]
DAYS = [date(2020, 10, 1), date(2020, 10, 20), date(2020, 11, 15), date(2020, 12, 1), date(2021, 1, 20)]
STATUSES = ["IN_PROGRESS", "COMPLETED", "NOT_IMPLEMENTED", "ON_HOLD"]

#: one step: (what, effective day, meeting that heard it (len(MEETINGS): a live update), value)
step = st.tuples(
    st.sampled_from(["progress", "progress", "status", "outcome", "correct", "void", "approve"]),
    st.integers(0, len(DAYS) - 1),
    st.integers(0, len(MEETINGS)),
    st.integers(0, 100),
)


@pytest.fixture(scope="module")
def store(server: ServerAddress) -> Iterator[tuple[ServerAddress, PlanLedger]]:
    address = create_database(server)
    ledger = PlanLedger.connect(address)

    async def tables() -> None:
        conn = await asyncpg.connect(**address.asyncpg_args())
        try:
            await create_tables(conn)
        finally:
            await conn.close()

    asyncio.run(tables())
    try:
        yield address, ledger
    finally:
        ledger.close()
        drop_database(server, address)


def _record(ledger: PlanLedger, steps: list[tuple[str, int, int, int]]) -> tuple[UUID, list[UUID], set[int]]:
    """The history, as far as the rules take it: (activity, meetings, approved meeting indexes)."""
    body = f"committee {uuid4().hex[:8]}"
    start = Meta(date(2018, 1, 1), "a")
    plan = ledger.execute(c.CreatePlan(f"P{uuid4().hex[:8]}", "plan", date(2018, 1, 1), date(2022, 12, 31)), start)
    ledger.execute(c.AddStrategy(plan.stream_id, 1, "s"), start)
    meetings = [
        ledger.execute(c.ScheduleMeeting(body, f"{n + 1}/2564", on, plan_id=plan.stream_id), Meta(on, "a")).stream_id
        for n, on in enumerate(MEETINGS)
    ]
    activity = ledger.execute(
        c.RegisterActivity(plan.stream_id, 1, 2564, "ONE_YEAR", "t", ("u",)), Meta(DAYS[0], "a")
    ).stream_id
    approved: set[int] = set()
    for what, on, heard, value in steps:
        meeting = None if heard == len(MEETINGS) else str(meetings[heard])
        meta = Meta(DAYS[on], "a", meeting, reason="r")
        if what == "approve":
            k = value % (len(MEETINGS) - 1)  # the minutes of meeting k, approved at k + 1
            command: c.Command = c.ApproveMinutes(meeting_id=meetings[k + 1], of_meeting_id=meetings[k])
            meta = Meta(MEETINGS[k + 1], "a", str(meetings[k + 1]))
        elif what == "progress":
            command = c.ReportProgress(activity, value)
        elif what == "status":
            command = c.ChangeActivityStatus(activity, STATUSES[value % len(STATUSES)])
        elif what == "outcome":
            command = c.RecordOutcome(activity, f"o{value}")
        else:
            facts = ledger.load(Activity, activity, fresh=True).facts
            corrigible = [
                f.originator_version for f in facts[1:] if type(f).__name__ in ("ProgressReported", "OutcomeRecorded")
            ]
            if not corrigible:
                continue
            version = corrigible[value % len(corrigible)]
            original = facts[version - 1]
            changes: dict[str, Any] = {}
            if what == "correct":
                changes = {"progress": (value * 7) % 101} if hasattr(original, "progress") else {"outcome": f"c{value}"}
            command = c.CorrectEvent(stream_id=activity, version=version, changes=changes, void=what == "void")
        try:
            ledger.execute(command, meta)
        except DomainError:  # refused by a rule (a lock, a report from the future, a transition): not a fact
            continue
        if what == "approve":
            approved.add(k)
    return activity, meetings, approved


def _told(fact: Fact, meeting_dates: dict[str, date]) -> date:
    """The day the committee was told (projections/reported.py's rule, for an activity's facts)."""
    if fact.meeting_id:
        return meeting_dates[fact.meeting_id]
    if isinstance(fact, Ledger.Created) or (isinstance(fact, Corrected) and fact.corrects == 1):
        return fact.effective_on
    return recorded_day(fact.timestamp)


def _expected(
    facts: list[Fact], told: list[date], on: date | None, reported: date | None, known_at: datetime | None
) -> Any:
    state: ActivityState = fold(
        [f for f, t in zip(facts, told, strict=True) if reported is None or t <= reported], ActivityState, on, known_at
    )
    if not state.exists:
        return None
    return (state.status.value, state.progress, state.outcome)


def _late(fact: Fact, told: date, approved: set[int]) -> str | None:
    """Which meeting the fact is a late report on: the first closed meeting held on or after it
    took effect and before it was told (a meeting is closed by the approval of its minutes or a
    later meeting's)."""
    closed_through = max((MEETINGS[k] for k in approved), default=None)
    if closed_through is None or type(fact).__name__ in ("Registered", "Corrected"):
        return None
    for n, held in enumerate(MEETINGS):
        if held <= closed_through and fact.effective_on <= held < told:
            return f"{n + 1}/2564"
    return None


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(st.lists(step, min_size=1, max_size=12))
def test_every_answer_on_three_axes_is_the_fold_of_the_events(
    store: tuple[ServerAddress, PlanLedger], steps: list[tuple[str, int, int, int]]
) -> None:
    address, ledger = store
    activity, meetings, approved = _record(ledger, steps)
    facts = ledger.load(Activity, activity, fresh=True).facts
    meeting_dates = {str(m): on for m, on in zip(meetings, MEETINGS, strict=True)}
    told = [_told(f, meeting_dates) for f in facts]
    times = sorted({f.timestamp for f in facts})
    known: list[datetime | None] = [None, times[0], times[len(times) // 2], times[-1] - timedelta(microseconds=1)]
    points: list[tuple[date | None, date | None]] = [(d, None) for d in [*DAYS, None]]
    points += [(m, m) for m in MEETINGS]  # asOf: {meeting}: as it stood on its date, as told by then

    async def check() -> None:
        await Projector(address.asyncpg_args()).catch_up()
        conn = await asyncpg.connect(**address.asyncpg_args())
        try:
            for known_at in known:
                for on, reported in points:
                    row = await activity_as_of(conn, activity, on, known_at, reported)
                    got = None if row is None else (row["status"], row["progress"], row["outcome"])
                    assert got == _expected(facts, told, on, reported, known_at), (on, reported, known_at, steps)
            events = await conn.fetch("SELECT * FROM rm_event WHERE stream_id = $1 ORDER BY version", activity)
            assert [e["reported_on"] for e in events] == told
            known_closings = await closings(conn)
            for event, fact, day in zip(events, facts, told, strict=True):
                late = known_closings.late_on(event)
                assert (None if late is None else late.code) == _late(fact, day, approved), (fact, day, approved)
        finally:
            await conn.close()
        assert await verify(address.asyncpg_args()) == []

    asyncio.run(check())
