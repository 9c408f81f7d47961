"""Unknown is unknown (issue 20, point 4): a value nobody reported or stated is null on the read
side, never a guess (progress 0, a risk scored 3 × 3, a meeting in person, a plan period from
1 January to 31 December); summaries leave the unknown out and say how many they counted.
Reported figures (point 5): what the minutes report is kept beside what we compute."""

from __future__ import annotations

from typing import Any

import pytest

from domain.plan import plan_id_for
from service.minutes.importer import import_minutes, plan_code
from service.minutes.model import ParsedMinutes
from service.minutes.parser import parse_minutes
from tests.integration.graphql_support import Api
from tests.paths import SAMPLE_MINUTES

RISK = "id title likelihood impact score level levelLabel owner mitigation status"
SUMMARY = "summary { total meanProgress progressKnown }"


async def a_plan_with_two_activities(api: Api) -> tuple[str, list[str]]:
    plan = (
        await api.ok(
            "createPlan",
            {
                "code": "U",
                "title": "Unknowns",
                "periodStart": "2018-01-01",
                "periodEnd": "2022-12-31",
                "effectiveOn": "2018-01-01",
            },
        )
    )["streamId"]
    await api.ok("addStrategy", {"planId": plan, "number": 1, "title": "People", "effectiveOn": "2018-01-01"})
    activities = []
    for title in ("Course", "Survey"):
        registered = await api.ok(
            "registerActivity",
            {
                "planId": plan,
                "strategyNumber": 1,
                "fiscalYear": 2564,
                "kind": "ONE_YEAR",
                "title": title,
                "effectiveOn": "2020-10-01",
            },
        )
        activities.append(registered["streamId"])
    return plan, activities


async def test_progress_is_null_until_reported_and_the_mean_leaves_the_unknown_out(api: Api) -> None:
    plan, (course, survey) = await a_plan_with_two_activities(api)
    query = f"query($id: ID!) {{ plan(id: $id) {{ {SUMMARY} strategies {{ {SUMMARY} }} activities {{ progress }} }} }}"

    found = (await api.run(query, {"id": plan}))["plan"]
    assert [a["progress"] for a in found["activities"]] == [None, None]
    assert found["summary"] == {"total": 2, "meanProgress": None, "progressKnown": 0}

    await api.ok("reportProgress", {"activityId": course, "progress": 40, "effectiveOn": "2021-01-06"})
    found = (await api.run(query, {"id": plan}))["plan"]
    assert sorted(a["progress"] is None for a in found["activities"]) == [False, True]
    # the mean of what is known (40), not 40 and an invented 0 (20)
    assert found["summary"] == {"total": 2, "meanProgress": 40.0, "progressKnown": 1}
    assert found["strategies"][0]["summary"] == found["summary"]
    # before the report, as of a date: unknown again
    before = await api.run(
        'query($id: ID!) { plan(id: $id, asOf: { date: "2021-01-05" }) { summary { meanProgress progressKnown } } }',
        {"id": plan},
    )
    assert before["plan"]["summary"] == {"meanProgress": None, "progressKnown": 0}
    assert survey


async def test_a_risk_noted_without_a_score_is_not_yet_assessed_until_reassessed(api: Api) -> None:
    plan, (course, _) = await a_plan_with_two_activities(api)
    on = {"effectiveOn": "2021-01-06"}
    await api.ok("noteRisk", {"activityId": course, "title": "Budget cut", "riskId": "cause", **on})
    await api.ok(
        "noteRisk",
        {"activityId": course, "title": "Staff leave", "likelihood": 1, "impact": 2, "owner": "HR", "riskId": "low"},
    )
    register = f"query($id: ID!, $level: RiskLevel) {{ risks(planId: $id, minLevel: $level) {{ {RISK} }} }}"

    risks = (await api.run(register, {"id": plan}))["risks"]
    assert [r["id"] for r in risks] == ["low", "cause"]  # assessed first, highest score first; then the rest
    unassessed = risks[1]
    unknown = ("likelihood", "impact", "score", "level", "levelLabel", "owner")
    assert {k: unassessed[k] for k in unknown} == dict.fromkeys(unknown)
    assert unassessed["mitigation"] is None and unassessed["status"] == "OPEN"
    # any minLevel, the lowest too, leaves a risk out until it is assessed
    assert [r["id"] for r in (await api.run(register, {"id": plan, "level": "LOW"}))["risks"]] == ["low"]

    half = await api.refused(
        "reassessRisk",
        {"activityId": course, "riskId": "cause", "likelihood": 4, "effectiveOn": "2021-02-03"},
        "... on ValidationError { field }",
    )
    assert half["field"] == "impact"
    assess = {"activityId": course, "riskId": "cause", "likelihood": 4, "impact": 3, "effectiveOn": "2021-02-03"}
    await api.ok("reassessRisk", assess)
    assessed = (await api.run(register, {"id": plan, "level": "HIGH"}))["risks"]
    assert [(r["id"], r["score"], r["level"]) for r in assessed] == [("cause", 12, "HIGH")]
    history = await api.run(
        "query($id: ID!) { risks(planId: $id) { id history { score level validFrom validTo recordedTo } } }",
        {"id": plan},
    )
    [cause] = [r for r in history["risks"] if r["id"] == "cause"]
    believed = [(v["score"], v["level"], v["validFrom"], v["validTo"]) for v in cause["history"] if not v["recordedTo"]]
    assert sorted(believed, key=lambda v: v[2]) == [
        (None, None, "2021-01-06", "2021-02-03"),  # before the assessment: still unknown, not re-scored after the fact
        (12, "HIGH", "2021-02-03", None),
    ]
    changes = await api.run(
        'query($id: ID!) { changes(planId: $id, from: { date: "2021-01-06" }, to: { date: "2021-02-03" }) '
        "{ risksRescored { risk { id level } scoreBefore levelBefore } } }",
        {"id": plan},
    )
    assert changes["changes"]["risksRescored"] == [
        {"risk": {"id": "cause", "level": "HIGH"}, "scoreBefore": None, "levelBefore": None}
    ]


async def test_half_an_assessment_is_refused(api: Api) -> None:
    _, (course, _) = await a_plan_with_two_activities(api)
    error: dict[str, Any] = await api.refused(
        "noteRisk",
        {"activityId": course, "title": "Budget cut", "likelihood": 3, "effectiveOn": "2021-01-06"},
        "... on ValidationError { field }",
    )
    assert (error["code"], error["field"]) == ("VALIDATION", "impact")


# -- the sample minutes, imported ----------------------------------------------------------------


@pytest.fixture(scope="module")
def seed() -> ParsedMinutes:
    return parse_minutes(SAMPLE_MINUTES.read_text(encoding="utf-8"), source="seed")


async def imported(api: Api, minutes: ParsedMinutes) -> str:
    report = await import_minutes(api.ledger, minutes, "secretariat")
    assert report.refused == []
    return str(plan_id_for(plan_code(minutes)))


SAMPLE = """query($id: ID!) { plan(id: $id) {
  periodStart periodEnd periodStartYear periodEndYear
  summary { total completed meanProgress progressKnown }
  activities { title status progress risks { likelihood impact score level owner mitigation } }
} risks(planId: $id) { title likelihood impact score level levelLabel } }"""


async def test_the_sample_leaves_unknown_what_its_minutes_do_not_say(api: Api, seed: ParsedMinutes) -> None:
    plan_id = await imported(api, seed)
    found = await api.run(SAMPLE, {"id": plan_id})
    plan = found["plan"]
    activities = plan["activities"]
    assert len(activities) == 31
    # no activity's progress is reported, the 19 completed ones' neither: unknown, not 0
    assert [a["progress"] for a in activities] == [None] * 31
    assert plan["summary"] == {"total": 31, "completed": 19, "meanProgress": None, "progressKnown": 0}
    # the risks noted from stated causes are not yet assessed, and have no owner or mitigation made up
    assert len(found["risks"]) >= 3
    assert all(r[k] is None for r in found["risks"] for k in ("likelihood", "impact", "score", "level", "levelLabel"))
    noted = [r for a in activities for r in a["risks"]]
    assert noted and all(r == dict.fromkeys(r) for r in noted)
    # the title states the years 2561 - 2565, no first or last day
    assert (plan["periodStart"], plan["periodEnd"]) == (None, None)
    assert (plan["periodStartYear"], plan["periodEndYear"]) == (2561, 2565)


async def test_a_meeting_has_a_mode_only_where_its_minutes_state_one(api: Api, seed: ParsedMinutes) -> None:
    await imported(api, seed)
    found = await api.run("{ meetings(first: 100) { edges { node { code body byReference mode modeLabel } } } }")
    meetings = [e["node"] for e in found["meetings"]["edges"]]
    cited = [m for m in meetings if m["byReference"]]
    assert len(cited) >= 10
    assert all(m["mode"] is None and m["modeLabel"] is None for m in cited)  # cited by reference: never stated
    [held] = [m for m in meetings if m["code"] == "1/2564" and m["body"] == seed.body]
    assert held["mode"] == "HYBRID"  # "ผ่านสื่ออิเล็กทรอนิกส์ และห้องนพรัตน์ ..."
    [announced] = [m for m in meetings if m["code"] == "2/2564" and m["body"] == seed.body]
    assert announced["mode"] is None  # the next meeting's room is announced, not how it will sit


# -- reported figures (issue 20, point 5) -------------------------------------------------------

FIGURES = """query($id: ID!, $asOf: AsOf) { plan(id: $id, asOf: $asOf) {
  summary { meanProgress shareCompleted }
  reportedFigures { label value unit kind fiscalYear agendaItem reportedOn meeting { code } }
  strategies { number summary { shareCompleted } reportedFigures { label value unit meeting { code } } }
} }"""


async def test_the_samples_reported_figures_stand_beside_the_computed_ones(api: Api, seed: ParsedMinutes) -> None:
    plan_id = await imported(api, seed)
    plan = (await api.run(FIGURES, {"id": plan_id}))["plan"]
    overall = [(f["value"], f["unit"], f["kind"], f["meeting"]["code"]) for f in plan["reportedFigures"]]
    assert overall == [
        (83.2, "PERCENT", None, "1/2564"),
        (95.68, "PERCENT", "ONE_YEAR", "1/2564"),
        (70.71, "PERCENT", "CONTINUING", "1/2564"),
    ]
    assert {(f["fiscalYear"], f["agendaItem"], f["reportedOn"]) for f in plan["reportedFigures"]} == {
        (2563, 3, "2021-01-06")
    }
    assert plan["reportedFigures"][0]["label"].startswith("ผลการดำเนินงานในภาพรวม")
    by_strategy = {s["number"]: s["reportedFigures"] for s in plan["strategies"]}
    assert [(f["value"], f["label"], f["meeting"]["code"]) for f in by_strategy[5]] == [
        (100.0, "ผลการดำเนินงาน", "1/2564")
    ]
    assert [(f["value"], f["label"]) for f in by_strategy[2]] == [(50.0, "ความก้าวหน้า")]
    assert by_strategy[1] == by_strategy[3] == by_strategy[4] == []
    # nothing we compute replaces them: the summary says its own (no progress known: null)
    assert plan["summary"]["meanProgress"] is None
    assert plan["summary"]["shareCompleted"] != 0.832
    # as of before the meeting, nothing was reported yet
    before = (await api.run(FIGURES, {"id": plan_id, "asOf": {"date": "2021-01-05"}}))["plan"]
    assert before["reportedFigures"] == [] and all(s["reportedFigures"] == [] for s in before["strategies"])
    # importing again records nothing new
    again = await import_minutes(api.ledger, seed, "secretariat")
    assert again.recorded == 0 and again.refused == []
    assert (await api.run(FIGURES, {"id": plan_id}))["plan"] == plan


async def test_a_figure_reported_through_the_api_about_an_activity(api: Api) -> None:
    plan, (course, _) = await a_plan_with_two_activities(api)
    await api.ok(
        "reportFigure",
        {"planId": plan, "activityId": course, "label": "ความก้าวหน้า", "value": 60.5, "effectiveOn": "2021-01-06"},
    )
    found = await api.run(
        "query($id: ID!) { activity(id: $id) { progress "
        "reportedFigures { label value unit activityId meeting { code } } plan { reportedFigures { value } } } }",
        {"id": course},
    )
    activity = found["activity"]
    assert activity["progress"] is None  # a figure is a figure: the progress stays as reported (none)
    assert activity["reportedFigures"] == [
        {"label": "ความก้าวหน้า", "value": 60.5, "unit": "PERCENT", "activityId": course, "meeting": None}
    ]
    assert activity["plan"]["reportedFigures"] == []
