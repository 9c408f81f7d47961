"""Bitemporal time travel from the read models equals a plain fold of the events."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import asyncpg
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from domain import commands as c
from domain.activity import ActivityState
from domain.errors import DomainError
from domain.facts import fold
from domain.plan import PlanState
from projections import queries as q
from projections.projector import Projector
from service.application.ledger import PlanLedger
from service.config import ServerAddress
from tests.integration.test_projection_support import (
    meta,
    new_activity,
    new_plan,
    project,
    run,
    with_conn,
)

BASE = date(2021, 1, 1)
STATUSES = ["NOT_STARTED", "IN_PROGRESS", "COMPLETED", "NOT_IMPLEMENTED", "ON_HOLD", "CANCELLED"]


@pytest.fixture
def app(database: ServerAddress) -> Iterator[PlanLedger]:
    ledger = PlanLedger.connect(database)
    yield ledger
    ledger.close()


# -- the reference: plain folds, normalised to what the queries return -------------------------


def norm_activity(state: ActivityState) -> dict[str, Any] | None:
    if not state.exists:
        return None
    return {
        "status": state.status.value,
        "progress": state.progress,  # None until reported
        "outcome": state.outcome,
        "title": state.title,
        "units": list(state.responsible_units),
        "strategy_number": state.strategy_number,
        "milestones": {
            m.id: (
                m.title,
                m.original_due_on,
                m.due_on,
                len(m.reschedules),
                m.achieved_on,
                m.dropped_on,
                m.status.value,
                m.slip_days,
            )
            for m in state.milestones.values()
        },
        "risks": {
            r.id: (
                r.likelihood,
                r.impact,
                r.score,
                r.level and r.level.value,
                r.status.value,
                r.closed_on,
                r.owner,
                r.mitigation,
                r.review_on,
            )
            for r in state.risks.values()
        },
    }


def norm_activity_row(row: dict[str, Any] | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {
        "status": row["status"],
        "progress": None if row["progress"] is None else Decimal(row["progress"]),
        "outcome": row["outcome"],
        "title": row["title"],
        "units": list(row["units"]),
        "strategy_number": row["strategy_number"],
        "milestones": {
            m["milestone_id"]: (
                m["title"],
                m["original_due_on"],
                m["due_on"],
                m["reschedule_count"],
                m["achieved_on"],
                m["dropped_on"],
                m["status"],
                m["slip_days"],
            )
            for m in row["milestones"]
        },
        "risks": {
            r["risk_id"]: (
                r["likelihood"],
                r["impact"],
                r["score"],
                r["level"],
                r["status"],
                r["closed_on"],
                r["owner"],
                r["mitigation"],
                r["review_on"],
            )
            for r in row["risks"]
        },
    }


def norm_plan(state: PlanState) -> dict[str, Any] | None:
    if not state.exists:
        return None
    strategies = {n: s.title for n, s in state.strategies.items()}
    return {"title": state.title, "vision": state.vision, "strategies": strategies}


def norm_plan_row(row: dict[str, Any] | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {
        "title": row["title"],
        "vision": row["vision"],
        "strategies": {s["number"]: s["title"] for s in row["strategies"]},
    }


# -- random command sequences -----------------------------------------------------------------

KINDS = [
    "status",
    "progress",
    "outcome",
    "retitle",
    "milestone",
    "reschedule",
    "achieve",
    "drop",
    "risk",
    "reassess",
    "close_risk",
    "strategy",
    "vision",
    "correct",
    "correct",
    "correct",
    "project",
]
OPS = st.tuples(st.sampled_from(KINDS), *[st.integers(0, 40)] * 4)
VOID_DATE_PAYLOAD = ["void", "date", "payload"]


def decode_op(raw: tuple[Any, ...]) -> tuple[Any, ...]:
    """(kind, four numbers 0..40) -> the op `apply` takes."""
    kind, a, b, x, y = raw
    if kind == "status":
        return (kind, a, STATUSES[b % len(STATUSES)])
    if kind == "progress":
        return (kind, a, min(100, b * 3))
    if kind in ("outcome", "retitle", "vision"):
        return (kind, a, ["done", "half", "none"][b % 3])
    if kind in ("milestone", "drop", "close_risk"):
        return (kind, a, b % 4 if kind != "milestone" else b)
    if kind == "reschedule":
        return (kind, a, b % 4, x)
    if kind == "achieve":
        return (kind, a, b % 4, x % 6)
    if kind == "risk":  # now and then one not yet assessed
        return (kind, a, 1 + b % 5, 1 + x % 5) if y % 4 else (kind, a, None, None)
    if kind == "reassess":
        return (kind, a, b % 4, 1 + x % 5, 1 + y % 5)
    if kind == "strategy":
        return (kind, a, 3 + b % 4)
    if kind == "correct":
        return (kind, a % 3 != 0, 1 + b, VOID_DATE_PAYLOAD[x % 3], y)
    return (kind, a % 2 == 0)


def apply(
    app: PlanLedger,
    plan_id: UUID,
    activity_id: UUID,
    op: tuple[Any, ...],
    projector: list[Projector],
    address: ServerAddress,
) -> None:
    kind = op[0]
    if kind == "project":
        if op[1]:
            projector[0] = Projector(address.asyncpg_args())
        run(projector[0].catch_up())
        return
    on = BASE + timedelta(days=op[1]) if kind != "correct" else BASE + timedelta(days=op[4])
    m = meta(on, reason="because")
    milestones = sorted(app.repository.get(activity_id).state.milestones)
    risks = sorted(app.repository.get(activity_id).state.risks)
    command: c.Command
    if kind == "status":
        command = c.ChangeActivityStatus(activity_id=activity_id, status=op[2])
    elif kind == "progress":
        command = c.ReportProgress(activity_id=activity_id, progress=Decimal(op[2]))
    elif kind == "outcome":
        command = c.RecordOutcome(activity_id=activity_id, outcome=op[2])
    elif kind == "retitle":
        command = c.RetitleActivity(activity_id=activity_id, title=op[2])
    elif kind == "milestone":
        command = c.PlanMilestone(
            activity_id=activity_id, title="M", due_on=BASE + timedelta(days=op[2]), milestone_id=f"m{len(milestones)}"
        )
    elif kind in ("reschedule", "achieve", "drop"):
        if not milestones:
            return
        mid = milestones[op[2] % len(milestones)]
        if kind == "reschedule":
            command = c.RescheduleMilestone(
                activity_id=activity_id, milestone_id=mid, due_on=BASE + timedelta(days=op[3])
            )
        elif kind == "achieve":
            command = c.AchieveMilestone(
                activity_id=activity_id, milestone_id=mid, achieved_on=on - timedelta(days=op[3])
            )
        else:
            command = c.DropMilestone(activity_id=activity_id, milestone_id=mid)
    elif kind == "risk":
        command = c.NoteRisk(
            activity_id=activity_id, title="R", likelihood=op[2], impact=op[3], owner="HR", risk_id=f"r{len(risks)}"
        )
    elif kind in ("reassess", "close_risk"):
        if not risks:
            return
        rid = risks[op[2] % len(risks)]
        if kind == "reassess":
            command = c.ReassessRisk(activity_id=activity_id, risk_id=rid, likelihood=op[3], impact=op[4])
        else:
            command = c.CloseRisk(activity_id=activity_id, risk_id=rid)
    elif kind == "strategy":
        command = c.AddStrategy(plan_id=plan_id, number=op[2], title=f"S{op[2]}")
    elif kind == "vision":
        command = c.StateVision(plan_id=plan_id, vision=op[2])
    else:
        stream = activity_id if op[1] else plan_id
        aggregate = app.repository.get(stream)
        version = 1 + (op[2] - 1) % aggregate.version
        fact = aggregate.facts[version - 1]
        changes: dict[str, Any] = {}
        void = op[3] == "void"
        if op[3] == "date" or (op[3] == "payload" and not hasattr(fact, "progress") and not hasattr(fact, "status")):
            changes = {"effective_on": on}
        elif op[3] == "payload":
            changes = {"progress": Decimal(op[4])} if hasattr(fact, "progress") else {"status": "IN_PROGRESS"}
        command = c.CorrectEvent(stream_id=stream, version=version, changes=changes, void=void)
    try:
        app.execute(command, m)
    except DomainError as error:
        event(f"rejected {kind}: {type(error).__name__} {str(error)[:40]}")
        return
    event(f"recorded {kind}")


def points(app: PlanLedger, plan_id: UUID, activity_id: UUID) -> tuple[list[date | None], list[datetime | None]]:
    facts = [*app.repository.get(plan_id).facts, *app.repository.get(activity_id).facts]
    stamps: list[datetime | None] = [None]
    for f in facts:
        stamps += [f.timestamp, f.timestamp - timedelta(microseconds=1), f.timestamp + timedelta(microseconds=1)]
    dates: list[date | None] = [None, *(BASE + timedelta(days=n) for n in range(-32, 44, 1))]
    return dates, stamps


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(ops=st.lists(OPS, min_size=10, max_size=40), data=st.data())
def test_as_of_equals_a_plain_fold(
    app: PlanLedger, database: ServerAddress, ops: list[tuple[Any, ...]], data: st.DataObject
) -> None:
    plan_id = new_plan(app, f"P-{uuid.uuid4().hex[:10]}", strategies=2)
    activity_id = new_activity(app, plan_id, BASE - timedelta(days=31))
    projector = [Projector(database.asyncpg_args())]
    for raw in ops:
        op = decode_op(raw)
        apply(app, plan_id, activity_id, op, projector, database)
    run(projector[0].catch_up())
    dates, stamps = points(app, plan_id, activity_id)
    asks = data.draw(st.lists(st.tuples(st.sampled_from(dates), st.sampled_from(stamps)), min_size=10, max_size=25))
    plan_facts = app.repository.get(plan_id).facts
    activity_facts = app.repository.get(activity_id).facts

    async def check(conn: asyncpg.Connection) -> None:
        for on, known_at in asks:
            expected_activity = norm_activity(fold(activity_facts, ActivityState, on, known_at))
            got_activity = norm_activity_row(await q.activity_as_of(conn, activity_id, on, known_at))
            assert got_activity == expected_activity, (on, known_at)
            expected_plan = norm_plan(fold(plan_facts, PlanState, on, known_at))
            plan = await q.plan_as_of(conn, plan_id, on, known_at)
            assert norm_plan_row(plan) == expected_plan, (on, known_at)
            if plan is not None:
                listed = {a["id"]: a["status"] for a in plan["activities"]}
                wanted = {} if expected_activity is None else {activity_id: expected_activity["status"]}
                assert listed == wanted, (on, known_at)

    run(with_conn(database, check))


# -- explicit cases ---------------------------------------------------------------------------


async def test_a_backdated_event_changes_the_past_only_from_when_it_was_recorded(
    app: PlanLedger, database: ServerAddress
) -> None:
    plan_id = new_plan(app, "HR-1")
    activity_id = new_activity(app, plan_id, date(2020, 10, 1))
    app.execute(c.ChangeActivityStatus(activity_id=activity_id, status="IN_PROGRESS"), meta(date(2021, 1, 6)))
    await project(database)
    before = app.repository.get(activity_id).facts[-1].timestamp
    # learnt later: progress reported effective on an earlier date
    app.execute(c.ReportProgress(activity_id=activity_id, progress=Decimal("40")), meta(date(2020, 12, 2)))
    await project(database)

    async def check(conn: asyncpg.Connection) -> None:
        now = await q.activity_as_of(conn, activity_id, on=date(2020, 12, 15))
        assert now is not None and now["progress"] == Decimal("40") and now["status"] == "PLANNED"
        then = await q.activity_as_of(conn, activity_id, on=date(2020, 12, 15), known_at=before)
        assert then is not None and then["progress"] is None  # not reported yet, as known then
        latest = await q.activity_as_of(conn, activity_id)
        assert latest is not None and latest["status"] == "IN_PROGRESS" and latest["progress"] == Decimal("40")

    await with_conn(database, check)


async def test_a_correction_shows_the_old_belief_before_and_the_new_after(
    app: PlanLedger, database: ServerAddress
) -> None:
    plan_id = new_plan(app, "HR-2")
    activity_id = new_activity(app, plan_id, date(2020, 10, 1))
    receipt = app.execute(c.ReportProgress(activity_id=activity_id, progress=Decimal("80")), meta(date(2021, 1, 6)))
    await project(database)
    believed = app.repository.get(activity_id).facts[-1].timestamp
    app.execute(
        c.CorrectEvent(stream_id=activity_id, version=receipt.version, changes={"progress": Decimal("60")}),
        meta(date(2021, 2, 3), reason="typo in the minutes"),
    )
    await project(database)

    async def check(conn: asyncpg.Connection) -> None:
        old = await q.activity_as_of(conn, activity_id, on=date(2021, 1, 31), known_at=believed)
        new = await q.activity_as_of(conn, activity_id, on=date(2021, 1, 31))
        assert old is not None and old["progress"] == Decimal("80")
        assert new is not None and new["progress"] == Decimal("60")
        history = await q.events(conn, filter={"stream_id": activity_id, "type": "Corrected"})
        assert len(history) == 1 and history[0]["corrects"] == receipt.version

    await with_conn(database, check)


async def test_a_meeting_stands_for_its_date_and_changes_between_two_meetings(
    app: PlanLedger, database: ServerAddress
) -> None:
    plan_id = new_plan(app, "HR-3")
    first = app.execute(
        c.ScheduleMeeting(body="HR sub-committee", code="9/2563", on=date(2020, 12, 2), plan_id=plan_id),
        meta(date(2020, 11, 1)),
    )
    second = app.execute(
        c.ScheduleMeeting(body="HR sub-committee", code="1/2564", on=date(2021, 1, 6), plan_id=plan_id),
        meta(date(2020, 12, 2)),
    )
    activity_id = new_activity(app, plan_id, date(2020, 10, 1))
    app.execute(c.ChangeActivityStatus(activity_id=activity_id, status="IN_PROGRESS"), meta(date(2020, 11, 15)))
    app.execute(
        c.PlanMilestone(activity_id=activity_id, title="Draft", due_on=date(2020, 12, 20), milestone_id="m1"),
        meta(date(2020, 11, 15)),
    )
    app.execute(
        c.NoteRisk(activity_id=activity_id, title="Budget", likelihood=2, impact=2, owner="HR", risk_id="r1"),
        meta(date(2020, 11, 20)),
    )
    app.execute(
        c.RescheduleMilestone(activity_id=activity_id, milestone_id="m1", due_on=date(2021, 2, 1)),
        meta(date(2020, 12, 20), reason="COVID-19"),
    )
    app.execute(c.ReassessRisk(activity_id=activity_id, risk_id="r1", likelihood=4, impact=4), meta(date(2021, 1, 6)))
    app.execute(
        c.NoteRisk(activity_id=activity_id, title="Staff", likelihood=1, impact=1, owner="HR", risk_id="r2"),
        meta(date(2021, 1, 6)),
    )
    app.execute(c.ReportProgress(activity_id=activity_id, progress=Decimal("50")), meta(date(2021, 1, 6)))
    app.execute(
        c.AdoptResolution(meeting_id=second.stream_id, kind="APPROVED", text="Approve FY 2564", resolution_id="x1"),
        meta(date(2021, 1, 6)),
    )
    await project(database)

    async def check(conn: asyncpg.Connection) -> None:
        assert await q.date_of_meeting(conn, "9/2563") == date(2020, 12, 2)
        assert await q.date_of_meeting(conn, first.stream_id) == date(2020, 12, 2)
        at_first = await q.at_meeting(conn, "9/2563")
        at_second = await q.at_meeting(conn, "1/2564")
        plan = await q.plan_as_of(conn, plan_id, on=at_first.on)
        assert plan is not None and plan["rollup"].by_status == {"IN_PROGRESS": 1}
        diff = await q.changes(conn, plan_id, at_first, at_second)
        assert [a["changed"] for a in diff.activities] == [["progress"]]
        assert [m["milestone_id"] for m in diff.milestones_slipped] == ["m1"]
        assert [r["risk_id"] for r in diff.risks_noted] == ["r2"]
        assert [(r["risk_id"], r["score_before"], r["score"]) for r in diff.risks_rescored] == [("r1", 4, 16)]
        assert [r["resolution_id"] for r in diff.resolutions_passed] == ["x1"]
        assert diff.milestones_met == [] and diff.risks_closed == []

    await with_conn(database, check)
