"""Every fact the sample minutes give has a place and a query (issue 18, point 3): imported into a
real store, projected into real PostgreSQL, read through the GraphQL schema."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from domain import commands as c
from domain.facts import Meta
from domain.plan import Plan, plan_id_for
from service.minutes.importer import import_minutes, plan_code
from service.minutes.model import ParsedMinutes
from service.minutes.parser import parse_minutes
from tests.integration.graphql_support import Api
from tests.paths import SAMPLE_MINUTES

MEETING = """
query($code: String!) {
  meeting(id: $code) {
    attendance { name role roles presence absenceReason absenceNote }
    agenda { number text }
    comments { number strategyNumbers strategies { number title } }
  }
}
"""
ACTION_ITEMS = """
query($on: Date!) { actionItems(on: $on) { id dueOn dueMeeting periodic state } }
"""
RESOLUTIONS = """
query($code: String!) { meeting(id: $code) { resolutions { id actionItems { id dueOn periodic state } } } }
"""


@pytest.fixture(scope="module")
def seed() -> ParsedMinutes:
    return parse_minutes(SAMPLE_MINUTES.read_text(encoding="utf-8"), source="seed")


async def imported(api: Api, seed: ParsedMinutes) -> None:
    assert (await import_minutes(api.ledger, seed, "secretariat")).refused == []


async def test_attendance_agenda_and_comments_carry_what_the_minutes_say(api: Api, seed: ParsedMinutes) -> None:
    await imported(api, seed)
    meeting = (await api.run(MEETING, {"code": "1/2564"}))["meeting"]

    absent = [a for a in meeting["attendance"] if a["presence"] == "ABSENT"]
    assert [(a["absenceReason"], a["absenceNote"]) for a in absent] == [
        ("ติดราชการ", "ตติราชการ"),
        ("ติดภารกิจ", "ตติการกิจ"),
        ("ติดราชการ", "ตติราชการ"),
    ]
    assert all(a["absenceReason"] is None for a in meeting["attendance"] if a["presence"] != "ABSENT")
    secretary = next(a for a in meeting["attendance"] if a["name"] == "นางสาวอติภา พูลสวัสดิ์")
    assert (secretary["role"], secretary["roles"]) == ("SECRETARY", ["MEMBER", "SECRETARY"])
    chair = next(a for a in meeting["attendance"] if a["role"] == "CHAIR")
    assert chair["roles"] == ["CHAIR"]

    text = {item["number"]: item["text"] for item in meeting["agenda"]}
    assert "ก.ก. ได้มีมติครั้งที่ ๑๒/๒๕๖๓" in text[1] and "Contingency Plan" in text[1] and "Cisco" in text[1]
    assert "สาระสำคัญของเรื่อง" in text[3]
    assert "Workplace Safety" in text[4] and "ผู้ใต้บังคับบัญชา" in text[4]

    named = {c["number"]: c["strategyNumbers"] for c in meeting["comments"]}
    assert named == {1: [5], 2: [1, 2, 3, 4, 5], 3: [1], 4: [], 5: [1], 6: [2, 1], 7: [3], 8: [4], 9: []}
    # linked: each number is the plan's strategy of that number
    titles = {s.number: s.title for s in seed.plan.strategies} if seed.plan else {}
    for comment in meeting["comments"]:
        assert [(s["number"], s["title"]) for s in comment["strategies"]] == [
            (n, titles[n]) for n in comment["strategyNumbers"]
        ]


def by_id(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {i["id"]: i for i in items}


async def test_action_items_are_due_when_the_words_say_and_overdue_after(api: Api, seed: ParsedMinutes) -> None:
    await imported(api, seed)
    before = by_id((await api.run(ACTION_ITEMS, {"on": "2021-01-15"}))["actionItems"])
    after = by_id((await api.run(ACTION_ITEMS, {"on": "2021-03-01"}))["actionItems"])
    to_kk, periodic, contingency = "1/2564-3.2-1", "1/2564-3.3-1", "1/2564-4.1-1"
    assert set(before) == set(after) == {to_kk, periodic, contingency}

    # ก.ก.'s meeting "in January 2564": by the last day of that month
    for item in (to_kk, contingency):
        assert before[item]["dueOn"] == after[item]["dueOn"] == "2021-01-31"
        assert before[item]["dueMeeting"] == "การประชุม ก.ก. เดือนมกราคม 2564"
        assert (before[item]["state"], after[item]["state"]) == ("OPEN", "OVERDUE")
    # periodically: due at this body's next meeting (2/2564, 3 February 2021, as the minutes set it);
    # after it no later meeting is known: no date, still open, never overdue
    assert before[periodic]["periodic"] and after[periodic]["periodic"]
    assert (before[periodic]["dueOn"], before[periodic]["state"]) == ("2021-02-03", "OPEN")
    assert (after[periodic]["dueOn"], after[periodic]["state"]) == (None, "OPEN")
    assert not before[to_kk]["periodic"]

    overdue = (await api.run('{ actionItems(on: "2021-03-01", state: OVERDUE) { id } }'))["actionItems"]
    assert sorted(i["id"] for i in overdue) == [to_kk, contingency]


async def test_a_meeting_s_resolutions_judge_action_items_the_same_way(api: Api, seed: ParsedMinutes) -> None:
    await imported(api, seed)
    meeting = (await api.run(RESOLUTIONS, {"code": "1/2564"}))["meeting"]
    items = by_id([i for r in meeting["resolutions"] for i in r["actionItems"]])
    assert items["1/2564-3.2-1"]["dueOn"] == "2021-01-31"
    assert items["1/2564-3.3-1"]["periodic"] is True


PROPOSALS = """
query($plan: ID!, $year: Int) {
  proposals(planId: $plan, fiscalYear: $year) { fiscalYear strategy { number } text source units }
}
"""


async def test_the_fy_2564_proposals_are_served_with_their_strategy_s_units(api: Api, seed: ParsedMinutes) -> None:
    await imported(api, seed)
    plan = str(plan_id_for(plan_code(seed)))
    proposals = (await api.run(PROPOSALS, {"plan": plan, "year": 2564}))["proposals"]
    assert len(proposals) == len(seed.proposals) == 31
    assert {p["fiscalYear"] for p in proposals} == {2564}
    assert [p["strategy"]["number"] for p in proposals] == sorted(p.strategy_number for p in seed.proposals)
    assert {p["source"] for p in proposals} == {"SUBCOMMITTEE", "SEMINAR", "UNIVERSITY_STUDY"}
    assert all(p["text"] for p in proposals)
    by_strategy: dict[int, list[list[str]]] = {}
    for p in proposals:
        by_strategy.setdefault(p["strategy"]["number"], []).append(p["units"])
    # one list per strategy, the one the minutes give for it (every proposal of it shows that list)
    assert all(len({tuple(u) for u in lists}) == 1 for lists in by_strategy.values())
    units = {number: lists[0] for number, lists in by_strategy.items()}
    assert units[5] == ["กองพัฒนาระบบราชการ กรุงเทพมหานคร สำนักงาน ก.ก.", "สำนักการศึกษา"]  # not "สำนักงานศึกษา"
    assert "กองวินัยและเสริมสร้างจริยธรรม สำนักงาน ก.ก." in units[2] and units[4]
    every = {u for us in units.values() for u in us}
    assert "สำนักงานศึกษา" not in every and "กองวินัยและ เสริมสร้างจริยธรรม สำนักงาน ก.ก." not in every
    assert (await api.run(PROPOSALS, {"plan": plan, "year": 2563}))["proposals"] == []
    # the units are stated once per strategy, not copied onto each proposal
    stated = [
        f for f in api.ledger.load(Plan, plan_id_for(plan_code(seed))).facts if isinstance(f, Plan.ProposalUnitsStated)
    ]
    assert sorted(f.strategy_number for f in stated) == [1, 2, 3, 4, 5]


CHANGES = """
query($code: String!, $body: String) {
  meeting(id: $code) {
    membershipChanges { id left joined kind resolutionBody resolutionCode resolutionOn takesEffectOn text recordedOn }
  }
  membershipChanges(body: $body) { id body meetingId }
}
"""


async def test_the_chair_s_announcement_is_a_membership_change_of_the_committee(api: Api, seed: ParsedMinutes) -> None:
    await imported(api, seed)
    data = await api.run(CHANGES, {"code": "1/2564", "body": seed.body})
    changes = data["meeting"]["membershipChanges"]
    assert [(m["left"], m["joined"], m["kind"]) for m in changes] == [
        ("ผู้ช่วยศาสตราจารย์ สุณี เวชประสิทธิ์", "ผู้ช่วยศาสตราจารย์สุภารัตน์ หงวนเสียม", "PERSON"),
        (
            "ผู้ช่วย หัวหน้าสำนักงาน ก.ก. สังกัดกรมการพัฒนาระบบราชการกรุงเทพมหานคร",
            "ผู้ช่วย หัวหน้าสำนักงาน ก.ก. ที่หัวหน้าสำนักงาน ก.ก. มอบหมาย",
            "POSITION",
        ),
    ]
    for change in changes:
        assert (change["resolutionBody"], change["resolutionCode"], change["resolutionOn"]) == (
            "ก.ก.",
            "12/2563",
            "2020-12-17",
        )
        assert change["takesEffectOn"] is None  # the minutes do not say: unknown
        assert change["recordedOn"] == "2021-01-06" and "จาก" in change["text"]
    committee = data["membershipChanges"]
    assert [m["id"] for m in committee] == [m["id"] for m in changes]
    assert {m["body"] for m in committee} == {seed.body}
    meeting_id = (await api.run('{ meeting(id: "1/2564") { id } }'))["meeting"]["id"]
    assert {m["meetingId"] for m in committee} == {meeting_id}
    # recorded on the committee's stream, once: importing again records nothing more
    again = await import_minutes(api.ledger, seed, "secretariat")
    assert again.recorded == 0 and again.refused == []
    assert len((await api.run(CHANGES, {"code": "1/2564", "body": seed.body}))["membershipChanges"]) == 2


REASONS = """
query($plan: ID!) {
  plan(id: $plan) { activities(fiscalYear: 2563) { title status statusReason statusReasons risks { title } } }
}
"""


async def test_numbered_reasons_are_kept_one_by_one(api: Api, seed: ParsedMinutes) -> None:
    await imported(api, seed)
    plan = str(plan_id_for(plan_code(seed)))
    activities = (await api.run(REASONS, {"plan": plan}))["plan"]["activities"]
    architecture = next(a for a in activities if a["title"].startswith("โครงการสร้างสถาปัตยกรรมองค์กร"))
    assert architecture["status"] == "NOT_IMPLEMENTED"
    assert len(architecture["statusReasons"]) == 2
    assert architecture["statusReasons"][0] == "ไม่ได้รับจัดสรรงบประมาณจึงไม่มีการดำเนินการ"
    assert architecture["statusReasons"][1].startswith("โครงการนี้ต้องดำเนินการภายหลัง")
    assert sorted(r["title"] for r in architecture["risks"]) == sorted(architecture["statusReasons"])
    internship = next(a for a in activities if a["title"].startswith("ฝึกงานกับกรุงเทพมหานคร"))
    assert internship["statusReasons"] == [internship["statusReason"]]  # one reason: itself
    completed = [a for a in activities if a["status"] == "COMPLETED"]
    assert completed and all(a["statusReasons"] == [] and a["statusReason"] is None for a in completed)


async def test_work_due_at_a_meeting_named_by_code_is_due_on_its_day_once_that_is_known(api: Api) -> None:
    text = SAMPLE_MINUTES.read_text(encoding="utf-8").replace(
        "ให้ที่ประชุมทราบเป็นระยะ\n", "ให้ที่ประชุมทราบในการประชุมครั้งที่ ๓/๒๕๖๔\n"
    )
    minutes = parse_minutes(text, source="3/2564 named")
    await imported(api, minutes)
    item = "1/2564-3.3-1"
    unknown = by_id((await api.run(ACTION_ITEMS, {"on": "2021-01-15"}))["actionItems"])[item]
    assert (unknown["dueOn"], unknown["periodic"], unknown["state"]) == (None, False, "OPEN")  # no day given yet
    assert unknown["dueMeeting"] == f"{minutes.body} ครั้งที่ 3/2564"
    api.ledger.execute(
        c.ScheduleMeeting(body=minutes.body, code="3/2564", on=date(2021, 3, 3)), Meta(date(2021, 2, 3), "secretariat")
    )
    before = by_id((await api.run(ACTION_ITEMS, {"on": "2021-03-01"}))["actionItems"])[item]
    after = by_id((await api.run(ACTION_ITEMS, {"on": "2021-03-10"}))["actionItems"])[item]
    assert (before["dueOn"], before["state"]) == ("2021-03-03", "OPEN")
    assert (after["dueOn"], after["state"]) == ("2021-03-03", "OVERDUE")
