"""The read models: roll-ups, milestones, the risk register, meetings, the event index, rebuild/verify."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, time
from decimal import Decimal

import asyncpg
import psycopg
import pytest

from domain import commands as c
from domain.values import ActionItem, Attendee, MinutesCorrection
from projections import queries as q
from projections.queries.plans import _code_point_order
from projections.rebuild import Progress, rebuild, verify
from service.application.ledger import PlanLedger
from service.config import ServerAddress
from tests.integration.test_projection_support import meta, new_activity, new_plan, project

DAY = date(2021, 1, 6)


@pytest.fixture
def app(database: ServerAddress) -> Iterator[PlanLedger]:
    ledger = PlanLedger.connect(database)
    yield ledger
    ledger.close()


@pytest.fixture
async def conn(database: ServerAddress) -> asyncpg.Connection:
    connection = await asyncpg.connect(**database.asyncpg_args())
    yield connection
    await connection.close()


def three_activities(app: PlanLedger) -> tuple[object, list[object]]:
    plan_id = new_plan(app, "HR-2561")
    a = new_activity(app, plan_id, date(2020, 10, 1), strategy=1, title="A")
    b = new_activity(app, plan_id, date(2020, 10, 1), strategy=1, title="B")
    x = new_activity(app, plan_id, date(2020, 10, 1), strategy=2, title="X")
    app.execute(c.ChangeActivityStatus(activity_id=a, status="COMPLETED"), meta(DAY))
    app.execute(c.ReportProgress(activity_id=a, progress=Decimal("100")), meta(DAY))
    app.execute(c.ChangeActivityStatus(activity_id=b, status="IN_PROGRESS"), meta(DAY))
    app.execute(c.ReportProgress(activity_id=b, progress=Decimal("41.36")), meta(DAY))
    app.execute(c.ChangeActivityStatus(activity_id=x, status="NOT_IMPLEMENTED"), meta(DAY, reason="no budget"))
    return plan_id, [a, b, x]


async def test_rollups_per_strategy_and_plan(
    app: PlanLedger, database: ServerAddress, conn: asyncpg.Connection
) -> None:
    plan_id, _ = three_activities(app)
    await project(database)
    plan = await q.plan_as_of(conn, plan_id)
    assert plan is not None
    assert plan["rollup"].by_status == {"COMPLETED": 1, "IN_PROGRESS": 1, "NOT_IMPLEMENTED": 1}
    assert plan["rollup"].share_completed == Decimal("0.3333")
    # the mean of the progress reported (100 and 41.36); X reported none: unknown, not 0 (not 47.12)
    assert (plan["rollup"].mean_progress, plan["rollup"].progress_known) == (Decimal("70.68"), 2)
    first, second = plan["strategies"]
    assert (first["rollup"].total, first["rollup"].completed, first["rollup"].mean_progress) == (2, 1, Decimal("70.68"))
    assert second["rollup"].by_status == {"NOT_IMPLEMENTED": 1}
    assert (second["rollup"].mean_progress, second["rollup"].progress_known) == (None, 0)
    assert second["activities"][0]["status_reason"] == "no budget"
    before = await q.plan_as_of(conn, plan_id, on=date(2020, 12, 31))
    assert before is not None and before["rollup"].by_status == {"PLANNED": 3}


#: titles whose order differs between code points (C, C.UTF-8) and Thai or English collations
TITLES = ("ไก่ชน", "กาแฟ", "เกมส์", "ขนม", "Zeta", "alpha", "Beta")
BY_CODE_POINT = [t for n in (1, 2) for t in sorted(TITLES[n - 1 :: 2])]


async def titles_in_order(app: PlanLedger, database: ServerAddress, conn: asyncpg.Connection) -> list[str]:
    """plan_as_of lists activities by strategy, then title in the database's collation, whether the
    database sorts them (the first answer on a connection) or Python does (code point databases)."""
    plan_id = new_plan(app, "ORDER-1")
    for n, title in enumerate(TITLES):
        new_activity(app, plan_id, date(2020, 10, 1), strategy=1 + n % 2, title=title)
    await project(database)
    expected = await conn.fetch(
        "SELECT stream_id, strategy_number FROM rm_activity WHERE plan_id = $1 AND valid_to > $2 "
        "AND recorded_to > $3 ORDER BY strategy_number, title",
        plan_id,
        q.ALL_DATES,
        q.ALL_TIMES,
    )
    first = await q.plan_as_of(conn, plan_id)  # sorted by the database, which says how it orders text
    again = await q.plan_as_of(conn, plan_id)  # sorted by Python if that order is the database's
    assert first is not None and again is not None
    assert again == first
    assert [a["id"] for a in again["activities"]] == [r["stream_id"] for r in expected]
    for strategy in again["strategies"]:
        mine = [r["stream_id"] for r in expected if r["strategy_number"] == strategy["number"]]
        assert [a["id"] for a in strategy["activities"]] == mine
    return [a["title"] for a in again["activities"]]


async def test_plan_as_of_orders_titles_as_the_database_does(
    app: PlanLedger, database: ServerAddress, conn: asyncpg.Connection
) -> None:
    titles = await titles_in_order(app, database, conn)
    code_point = bool(await conn.fetchval(f"SELECT {q.CODE_POINT_ORDER}"))
    assert _code_point_order.get(conn) is code_point
    assert (titles == BY_CODE_POINT) is code_point


async def test_plan_as_of_orders_titles_by_a_thai_collation(server: ServerAddress) -> None:
    """In a database with ICU's Thai collation the order is the database's, not Python's."""
    name = f"t_th_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server.dsn(), autocommit=True) as admin:
        try:
            admin.execute(
                f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'th' "
                "LOCALE 'C.UTF-8'"
            )
        except psycopg.errors.FeatureNotSupported:
            pytest.skip("this PostgreSQL build has no ICU (the embedded one): no Thai collation to compare with")
    address = ServerAddress(server.host, server.port, server.user, server.password, name)
    ledger = PlanLedger.connect(address)
    conn = await asyncpg.connect(**address.asyncpg_args())
    try:
        titles = await titles_in_order(ledger, address, conn)
        assert _code_point_order.get(conn) is False
        assert titles != BY_CODE_POINT
    finally:
        await conn.close()
        ledger.close()
        with psycopg.connect(server.dsn(), autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


async def test_milestone_timeline_slip_and_overdue(
    app: PlanLedger, database: ServerAddress, conn: asyncpg.Connection
) -> None:
    plan_id = new_plan(app, "HR-M")
    activity = new_activity(app, plan_id, date(2020, 10, 1))
    plan_m = c.PlanMilestone
    app.execute(
        plan_m(activity_id=activity, title="Draft", due_on=date(2020, 12, 1), milestone_id="m1"),
        meta(date(2020, 10, 1)),
    )
    app.execute(
        plan_m(activity_id=activity, title="Pilot", due_on=date(2021, 1, 1), milestone_id="m2"), meta(date(2020, 10, 1))
    )
    app.execute(
        c.RescheduleMilestone(activity_id=activity, milestone_id="m1", due_on=date(2020, 12, 20)),
        meta(date(2020, 11, 25), reason="COVID-19"),
    )
    app.execute(
        c.RescheduleMilestone(activity_id=activity, milestone_id="m1", due_on=date(2021, 1, 10)),
        meta(date(2020, 12, 15), reason="waiting for approval"),
    )
    app.execute(c.AchieveMilestone(activity_id=activity, milestone_id="m1", achieved_on=date(2021, 1, 5)), meta(DAY))
    await project(database)
    rows = {m["milestone_id"]: m for m in await q.milestones(conn, plan_id=plan_id, overdue_on=DAY)}
    m1 = rows["m1"]
    assert m1["original_due_on"] == date(2020, 12, 1) and m1["achieved_on"] == date(2021, 1, 5)
    assert [(r["from"], r["to"], r["reason"]) for r in m1["reschedules"]] == [
        ("2020-12-01", "2020-12-20", "COVID-19"),
        ("2020-12-20", "2021-01-10", "waiting for approval"),
    ]
    assert m1["slip_days"] == 35 and not m1["overdue"]
    assert rows["m2"]["overdue"] and rows["m2"]["status"] == "PLANNED"
    overdue = await q.milestones(conn, plan_id=plan_id, overdue_on=DAY, only_overdue=True)
    assert [m["milestone_id"] for m in overdue] == ["m2"]
    then = {m["milestone_id"]: m for m in await q.milestones(conn, plan_id=plan_id, on=date(2020, 12, 1))}
    assert then["m1"]["due_on"] == date(2020, 12, 20) and then["m1"]["reschedule_count"] == 1


async def test_risk_register_levels_and_history(
    app: PlanLedger, database: ServerAddress, conn: asyncpg.Connection
) -> None:
    plan_id = new_plan(app, "HR-R")
    activity = new_activity(app, plan_id, date(2020, 10, 1))
    note = c.NoteRisk
    app.execute(
        note(
            activity_id=activity,
            title="Budget",
            likelihood=2,
            impact=2,
            owner="Finance",
            risk_id="r1",
            mitigation="ask early",
        ),
        meta(date(2020, 11, 1)),
    )
    app.execute(
        note(activity_id=activity, title="COVID", likelihood=4, impact=5, owner="HR", risk_id="r2"),
        meta(date(2020, 11, 1)),
    )
    app.execute(
        c.ReassessRisk(activity_id=activity, risk_id="r1", likelihood=3, impact=4, status="MITIGATING"),
        meta(date(2020, 12, 2)),
    )
    app.execute(c.CloseRisk(activity_id=activity, risk_id="r2"), meta(DAY))
    await project(database)
    register = await q.risks(conn, plan_id=plan_id)
    assert [(r["risk_id"], r["score"], r["level"], r["status"]) for r in register] == [
        ("r2", 20, "VERY_HIGH", "CLOSED"),
        ("r1", 12, "HIGH", "MITIGATING"),
    ]
    open_high = await q.risks(conn, plan_id=plan_id, min_level="HIGH", statuses=["OPEN", "MITIGATING"])
    assert [r["risk_id"] for r in open_high] == ["r1"]
    early = await q.risks(conn, plan_id=plan_id, on=date(2020, 11, 15))
    assert {r["risk_id"]: r["level"] for r in early} == {"r1": "LOW", "r2": "VERY_HIGH"}
    history = await q.risk_history(conn, activity, "r1")
    assert [(h["score"], h["valid_from"]) for h in history if h["recorded_to"].year == 9999] == [
        (4, date(2020, 11, 1)),
        (12, date(2020, 12, 2)),
    ]


async def test_meetings_attendance_agenda_resolutions_and_action_items(
    app: PlanLedger, database: ServerAddress, conn: asyncpg.Connection
) -> None:
    plan_id = new_plan(app, "HR-MEET")
    earlier = app.execute(
        c.ScheduleMeeting(body="HR sub-committee", code="9/2563", on=date(2020, 12, 2), plan_id=plan_id),
        meta(date(2020, 12, 2)),
    ).stream_id
    meeting_id = app.execute(
        c.ScheduleMeeting(
            body="HR sub-committee",
            code="1/2564",
            on=DAY,
            starts_at=time(9, 30),
            ends_at=time(11, 40),
            venue="ห้องนพรัตน์",
            mode="HYBRID",
            plan_id=plan_id,
        ),
        meta(date(2020, 12, 2)),
    ).stream_id
    app.execute(
        c.RecordAttendance(
            meeting_id=meeting_id,
            attendees=(
                Attendee("Chair person", "Deputy Governor", "CHAIR", "IN_ROOM"),
                Attendee("Member one", "Director", "MEMBER", "ONLINE"),
            ),
        ),
        meta(DAY),
    )
    app.execute(c.AddAgendaItem(meeting_id=meeting_id, number=2, title="Adopt minutes", subject="9/2563"), meta(DAY))
    app.execute(
        c.ApproveMinutes(
            meeting_id=meeting_id, of_meeting_id=earlier, corrections=(MinutesCorrection("page 11 item 6", "X", "Y"),)
        ),
        meta(DAY),
    )
    app.execute(
        c.AdoptResolution(
            meeting_id=meeting_id,
            kind="ASSIGNED",
            text="Report to ก.ก.",
            agenda_item=2,
            resolution_id="res1",
            action_items=(
                ActionItem("a1", "Report in January", "ก.ก. office", due_on=date(2021, 1, 31)),
                ActionItem("a2", "Report periodically", "ก.ก. office", due_on=date(2021, 12, 31)),
                ActionItem("a3", "Draft contingency plan", "HR unit", due_on=date(2021, 2, 28)),
            ),
        ),
        meta(DAY),
    )
    app.execute(
        c.CompleteActionItem(meeting_id=meeting_id, action_item_id="a3", done_on=date(2021, 2, 1)),
        meta(date(2021, 2, 1)),
    )
    await project(database)
    found = await q.meeting(conn, "1/2564")
    assert found is not None and found["id"] == meeting_id
    assert [a["name"] for a in found["attendance"]] == ["Chair person", "Member one"]
    assert found["agenda"] == [{"number": 2, "title": "Adopt minutes", "subject": "9/2563"}]
    assert found["minutes_approvals"][0]["of_code"] == "9/2563"
    assert found["minutes_approvals"][0]["corrections"] == [
        {"where": "page 11 item 6", "from_text": "X", "to_text": "Y"}
    ]
    (resolution,) = found["resolutions"]
    assert resolution["kind"] == "ASSIGNED" and len(resolution["action_items"]) == 3
    states = {i["item_id"]: i["state"] for i in await q.action_items(conn, plan_id=plan_id, as_of=date(2021, 3, 1))}
    assert states == {"a1": "OVERDUE", "a2": "OPEN", "a3": "DONE"}
    mine = await q.action_items(conn, owner="HR unit", state="DONE", as_of=date(2021, 3, 1))
    assert [i["item_id"] for i in mine] == ["a3"]
    listed = await q.meetings(conn, plan_id)
    assert [m["code"] for m in listed] == ["9/2563", "1/2564"]
    assert [m["code"] for m in await q.meetings(conn, plan_id, first=5, after=date(2020, 12, 2))] == ["1/2564"]


async def test_event_index_filters(app: PlanLedger, database: ServerAddress, conn: asyncpg.Connection) -> None:
    plan_id, activities = three_activities(app)
    await project(database)
    everything = await q.events(conn, first=100)
    assert [e["position"] for e in everything] == sorted(e["position"] for e in everything)
    assert all(e["plan_id"] == plan_id for e in everything)
    statuses = await q.events(conn, filter={"type": "Activity.StatusChanged"})
    assert len(statuses) == 3
    of_a = await q.events(conn, filter={"stream_id": activities[0]})
    assert [e["version"] for e in of_a] == [1, 2, 3]
    page = await q.events(conn, first=2, after=everything[1]["position"])
    assert [e["position"] for e in page] == [e["position"] for e in everything[2:4]]
    dated = await q.events(conn, filter={"effective_from": DAY, "actor": "secretariat"})
    assert len(dated) == 5


async def test_rebuild_equals_live_and_verify_reports_tampering(
    app: PlanLedger, database: ServerAddress, conn: asyncpg.Connection
) -> None:
    plan_id, activities = three_activities(app)
    receipt = app.execute(c.ReportProgress(activity_id=activities[1], progress=Decimal("60")), meta(date(2021, 2, 3)))
    app.execute(
        c.CorrectEvent(stream_id=activities[1], version=receipt.version, changes={"effective_on": date(2020, 12, 2)}),
        meta(date(2021, 2, 10), reason="reported at 9/2563"),
    )
    await project(database)
    assert await verify(database.asyncpg_args()) == []
    live = await q.plan_as_of(conn, plan_id, on=date(2021, 1, 1))
    counts = await conn.fetchval("SELECT count(*) FROM rm_activity")
    reports: list[Progress] = []
    done = await rebuild(database.asyncpg_args(), progress=reports.append)
    assert done >= 12 and reports and reports[-1].done == done
    assert await conn.fetchval("SELECT count(*) FROM rm_activity") == counts
    assert await q.plan_as_of(conn, plan_id, on=date(2021, 1, 1)) == live
    assert await verify(database.asyncpg_args()) == []
    await conn.execute(
        "UPDATE rm_activity SET progress = 99 WHERE stream_id = $1 AND recorded_to > now() AND valid_to > now() "
        "AND reported_to > '9999-12-30'",
        activities[0],
    )
    problems = await verify(database.asyncpg_args())
    assert len(problems) == 2
    assert any("rm_activity has a row the log does not give" in p and "progress=Decimal('99')" in p for p in problems)
    assert any("rm_activity lacks a row the log gives" in p for p in problems)
