"""Key results, health, locked periods and the reporting cycle, through the API on real PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from tests.integration.graphql_support import Api, Runner

START = date(2020, 10, 1)  # fiscal year 2564 runs 2020-10-01 .. 2021-09-30
DUE = date(2021, 9, 30)
MEETINGS = {"1/2564": "2021-01-06", "2/2564": "2021-02-03", "3/2564": "2021-03-03"}
BODY = "อ.ก.ก. วิสามัญเกี่ยวกับการพัฒนาระบบบริหารงานบุคคล"

KR_FIELDS = """
  id title baseline target latestValue lastMeasuredOn measurementCount attainment expectedAttainment
  health healthLabel dueOn startsOn retiredOn measurements { id value measuredOn meetingId }
"""
KR_AT = f"query($id: ID!, $asOf: AsOf) {{ keyResult(id: $id, asOf: $asOf) {{ {KR_FIELDS} }} }}"
PLAN_HEALTH = """
query($id: ID!, $asOf: AsOf) {
  plan(id: $id, asOf: $asOf) {
    health { on total notEvaluated byHealth { health count } }
    strategies { number health { total byHealth { health count } } }
    activities { id health healthLabel keyResults { id health } }
    evaluationRules { health atLeast }
    lock { through meetingCode approvedAt }
  }
}
"""


async def setup(api: Runner) -> tuple[str, str]:
    """A plan with one strategy, one FY2564 activity and three meetings; returns (plan, activity)."""
    plan = (
        await api.ok(
            "createPlan",
            {
                "code": "HR",
                "title": "HR",
                "periodStart": "2018-01-01",
                "periodEnd": "2022-12-31",
                "effectiveOn": "2018-01-01",
            },
        )
    )["streamId"]
    await api.ok("addStrategy", {"planId": plan, "number": 1, "title": "S1", "effectiveOn": "2018-01-01"})
    activity = (
        await api.ok(
            "registerActivity",
            {
                "planId": plan,
                "strategyNumber": 1,
                "fiscalYear": 2564,
                "kind": "ONE_YEAR",
                "title": "อบรมผู้บริหาร",
                "responsibleUnits": ["สำนักงาน ก.ก."],
                "effectiveOn": "2020-10-01",
            },
        )
    )["streamId"]
    for code, on in MEETINGS.items():
        await api.ok("scheduleMeeting", {"body": BODY, "code": code, "date": on, "planId": plan, "effectiveOn": on})
    return plan, activity


def expected(on: str) -> float:
    return round((date.fromisoformat(on) - START).days / (DUE - START).days, 4)


async def test_a_key_result_measured_at_three_meetings_as_of_each_and_as_known_before_and_after_a_correction(
    client: Runner,
) -> None:
    api = client
    plan, activity = await setup(api)
    kr = (
        await api.ok(
            "defineKeyResult",
            {
                "activityId": activity,
                "title": "ผู้ผ่านการอบรม",
                "unit": "PERSONS",
                "baseline": 0,
                "target": 100,
                "effectiveOn": "2020-10-01",
            },
        )
    )["streamId"]
    stale = (
        await api.ok(
            "defineKeyResult",
            {
                "activityId": activity,
                "title": "หลักสูตรที่จัด",
                "unit": "OTHER",
                "unitLabel": "หลักสูตร",
                "baseline": 0,
                "target": 10,
                "effectiveOn": "2020-10-01",
            },
        )
    )["streamId"]
    for code, value in (("1/2564", 27), ("2/2564", 32), ("3/2564", 35)):
        done = await api.ok("recordMeasurement", {"keyResultId": kr, "value": value, "meeting": code})
        assert done["createdId"] == f"m{done['version']}"
    await api.ok("recordMeasurement", {"keyResultId": stale, "value": 3, "meeting": "1/2564"})
    before_correction = datetime.now(UTC).isoformat()
    third = 4  # v1 defined, v2..v4 the three measurements
    await api.ok(
        "correctEvent",
        {"streamId": kr, "version": third, "changes": {"value": 40}, "reason": "นับซ้ำ", "meeting": "3/2564"},
    )

    async def at(meeting: str | None = None, day: str | None = None, known_at: str | None = None) -> dict[str, Any]:
        as_of = {"meeting": meeting} if meeting else {"date": day}
        if known_at:
            as_of["knownAt"] = known_at
        return (await api.run(KR_AT, {"id": kr, "asOf": as_of}))["keyResult"]

    first = await at("1/2564")
    assert (first["latestValue"], first["attainment"], first["expectedAttainment"]) == (
        27,
        0.27,
        expected("2021-01-06"),
    )
    assert first["health"] == "ON_TRACK" and first["dueOn"] == "2021-09-30" and first["startsOn"] == "2020-10-01"
    second = await at("2/2564")
    assert (second["latestValue"], second["attainment"], second["expectedAttainment"]) == (
        32,
        0.32,
        expected("2021-02-03"),
    )
    assert second["health"] == "AT_RISK"  # 0.32 < 0.3434 expected, but at least 90 % of it
    third_now = await at("3/2564")
    assert (third_now["latestValue"], third_now["attainment"]) == (40, 0.4)
    assert third_now["expectedAttainment"] == expected("2021-03-03") and third_now["health"] == "AT_RISK"
    assert [m["value"] for m in third_now["measurements"]] == [27, 32, 40]
    third_then = await at("3/2564", known_at=before_correction)
    assert (third_then["latestValue"], third_then["attainment"], third_then["health"]) == (35, 0.35, "OFF_TRACK")
    assert [m["value"] for m in third_then["measurements"]] == [27, 32, 35]
    nothing_yet = await at(day="2020-12-01")
    assert (nothing_yet["health"], nothing_yet["latestValue"], nothing_yet["attainment"]) == ("NO_DATA", None, None)
    assert nothing_yet["measurementCount"] == 0

    # the other key result was measured at 1/2564 only: no data once a period passes without a number
    plan_at = (await api.run(PLAN_HEALTH, {"id": plan, "asOf": {"meeting": "1/2564"}}))["plan"]
    assert {k["id"]: k["health"] for k in plan_at["activities"][0]["keyResults"]} == {kr: "ON_TRACK", stale: "ON_TRACK"}
    assert plan_at["activities"][0]["health"] == "ON_TRACK"
    plan_at = (await api.run(PLAN_HEALTH, {"id": plan, "asOf": {"meeting": "3/2564"}}))["plan"]
    assert {k["id"]: k["health"] for k in plan_at["activities"][0]["keyResults"]} == {kr: "AT_RISK", stale: "NO_DATA"}
    assert plan_at["activities"][0]["health"] == "AT_RISK"  # the worst of AT_RISK and NO_DATA
    counts = {c["health"]: c["count"] for c in plan_at["health"]["byHealth"]}
    assert counts == {"ON_TRACK": 0, "AT_RISK": 1, "OFF_TRACK": 0, "NO_DATA": 0}
    assert plan_at["strategies"][0]["health"]["total"] == 1
    then = await api.run(PLAN_HEALTH, {"id": plan, "asOf": {"meeting": "3/2564", "knownAt": before_correction}})
    assert then["plan"]["activities"][0]["health"] == "OFF_TRACK"

    # changing the rules is an event: from 3/2564 on, 80 % of expected is on track
    await api.ok(
        "setEvaluationRules",
        {
            "planId": plan,
            "rules": [{"health": "ON_TRACK", "atLeast": 0.8}, {"health": "AT_RISK", "atLeast": 0.5}],
            "meeting": "3/2564",
        },
    )
    assert (await at("3/2564"))["health"] == "ON_TRACK"  # 0.40 >= 0.8 × 0.4203
    assert (await at("2/2564"))["health"] == "AT_RISK"  # the old rules still judge 2/2564
    rules = (await api.run(PLAN_HEALTH, {"id": plan, "asOf": {"meeting": "3/2564"}}))["plan"]["evaluationRules"]
    assert rules == [{"health": "ON_TRACK", "atLeast": 0.8}, {"health": "AT_RISK", "atLeast": 0.5}]


async def test_retargeting_and_retiring_need_reasons_and_bad_values_are_typed_errors(api: Api) -> None:
    plan, activity = await setup(api)
    kr = (
        await api.ok(
            "defineKeyResult",
            {
                "activityId": activity,
                "title": "ร้อยละผู้ผ่าน",
                "unit": "PERCENT",
                "baseline": 50,
                "target": 80,
                "effectiveOn": "2020-10-01",
            },
        )
    )["streamId"]
    error = await api.refused(
        "retargetKeyResult", {"keyResultId": kr, "target": 90}, "... on ValidationError { field }"
    )
    assert error["field"] == "reason"
    await api.ok(
        "retargetKeyResult", {"keyResultId": kr, "target": 90, "reason": "ปรับตามนโยบาย", "effectiveOn": "2021-01-06"}
    )
    found = (await api.run(KR_AT, {"id": kr, "asOf": {"date": "2021-01-05"}}))["keyResult"]
    assert found["target"] == 80  # the old target before the re-target took effect
    found = (await api.run(KR_AT, {"id": kr, "asOf": {"date": "2021-01-06"}}))["keyResult"]
    assert found["target"] == 90
    for bad, field in (({"value": 1e20}, "value"), ({"value": 1.00001}, "value")):
        error = await api.refused("recordMeasurement", {"keyResultId": kr, **bad}, "... on ValidationError { field }")
        assert error["field"] == field
    error = await api.refused(
        "defineKeyResult",
        {"activityId": activity, "title": "x", "baseline": 10, "target": 5, "direction": "INCREASE"},
        "... on ValidationError { field }",
    )
    assert error["field"] == "target"
    error = await api.refused(
        "defineKeyResult", {"title": "x", "baseline": 0, "target": 5}, "... on ValidationError { field }"
    )
    assert error["field"] == "activityId"
    await api.ok("retireKeyResult", {"keyResultId": kr, "reason": "ยุบรวม", "effectiveOn": "2021-02-03"})
    error = await api.refused("recordMeasurement", {"keyResultId": kr, "value": 60, "effectiveOn": "2021-03-03"})
    assert error["code"] == "INVALID_TRANSITION" and "retired" in error["message"]
    retired = (await api.run(KR_AT, {"id": kr, "asOf": {"date": "2021-03-03"}}))["keyResult"]
    assert retired["retiredOn"] == "2021-02-03" and retired["health"] is None
    # a key result on a strategy, due by a date: its fiscal year follows from the date
    on_strategy = await api.ok(
        "defineKeyResult",
        {
            "planId": plan,
            "strategyNumber": 1,
            "title": "ระบบ HR",
            "baseline": 0,
            "target": 3,
            "dueOn": "2021-12-31",
            "effectiveOn": "2021-01-06",
        },
        "... on KeyResultRecorded { keyResult { startsOn dueOn activityId } }",
    )
    assert on_strategy["keyResult"] == {"startsOn": "2021-10-01", "dueOn": "2021-12-31", "activityId": None}


LOCK_ERROR = "... on PeriodLockedError { effectiveOn lockedThrough meeting approvedAt }"


async def test_approved_minutes_lock_their_period_corrections_pass_and_both_histories_answer(client: Runner) -> None:
    api = client
    plan, activity = await setup(api)
    kr = (
        await api.ok(
            "defineKeyResult",
            {"activityId": activity, "title": "ผู้ผ่าน", "baseline": 0, "target": 10, "effectiveOn": "2020-10-01"},
        )
    )["streamId"]
    reported = await api.ok("reportProgress", {"activityId": activity, "progress": 30, "meeting": "1/2564"})
    await api.ok(
        "reportProgress", {"activityId": activity, "progress": 35, "effectiveOn": "2021-01-04"}
    )  # backdated, open
    await api.ok(
        "approveMinutes",
        {
            "meetingId": await meeting_id(api, "2/2564"),
            "ofMeetingId": await meeting_id(api, "1/2564"),
            "meeting": "2/2564",
        },
    )
    lock = (await api.run(PLAN_HEALTH, {"id": plan}))["plan"]["lock"]
    assert lock == {"through": "2021-01-06", "meetingCode": "1/2564", "approvedAt": "2/2564"}

    error = await api.refused(
        "reportProgress",
        {"activityId": activity, "progress": 40, "effectiveOn": "2021-01-05", "meeting": "1/2564"},
        LOCK_ERROR,
    )
    assert error["code"] == "PERIOD_LOCKED"
    assert (error["effectiveOn"], error["lockedThrough"], error["meeting"], error["approvedAt"]) == (
        "2021-01-05",
        "2021-01-06",
        "1/2564",
        "2/2564",
    )
    assert "1/2564" in error["message"] and "correction" in error["message"]
    on_the_day = await api.refused(
        "changeActivityStatus", {"activityId": activity, "status": "IN_PROGRESS", "meeting": "1/2564"}
    )
    assert on_the_day["code"] == "PERIOD_LOCKED"
    await api.ok(
        "reportProgress", {"activityId": activity, "progress": 40, "effectiveOn": "2021-01-07"}
    )  # the open period

    before = datetime.now(UTC).isoformat()
    needs_reason = await api.refused(
        "correctEvent", {"streamId": activity, "version": reported["version"], "changes": {"progress": 32}}
    )
    assert needs_reason["code"] == "VALIDATION"
    await api.ok(
        "correctEvent",
        {"streamId": activity, "version": reported["version"], "changes": {"progress": 32}, "reason": "ตัวเลขผิด"},
    )
    query = "query($id: ID!, $asOf: AsOf) { activity(id: $id, asOf: $asOf) { progress } }"
    now = await api.run(query, {"id": activity, "asOf": {"date": "2021-01-06"}})
    then = await api.run(query, {"id": activity, "asOf": {"date": "2021-01-06", "knownAt": before}})
    assert (now["activity"]["progress"], then["activity"]["progress"]) == (32, 30)
    # a measurement reported at the closed meeting is refused too; the lock names its meeting
    error = await api.refused("recordMeasurement", {"keyResultId": kr, "value": 1, "meeting": "1/2564"}, LOCK_ERROR)
    assert error["meeting"] == "1/2564"
    # effective in the closed period but learned later: a late report, accepted
    await api.ok("recordMeasurement", {"keyResultId": kr, "value": 1, "effectiveOn": "2021-01-06"})
    await api.ok("reportProgress", {"activityId": activity, "progress": 41, "effectiveOn": "2021-01-05"})


async def meeting_id(api: Runner, code: str) -> str:
    found = await api.run("query($c: String!) { meeting(id: $c) { id } }", {"c": code})
    return str(found["meeting"]["id"])
