"""Late reports through the API: a fact effective inside a period closed by approved minutes and
told after that period's meeting is accepted, flagged (`lateReport`, `late { closedBy approvedAt
reportedOn reason }`) on the event, the activity's history and `changes`, and listed under the next
meeting's `progressReport { lateReports }`; what is still refused gets PeriodLockedError naming
the meeting; nothing else is late.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from tests.integration.graphql_support import Api
from tests.integration.test_key_results import BODY, meeting_id, setup

LATE = "lateReport late { closedBy { code date } approvedAt { code date } reportedOn reason }"
HISTORY = f"""
query($id: ID!) {{ activity(id: $id) {{ history(first: 100) {{ edges {{ node {{
  type version effectiveOn reportedOn meeting {LATE} }} }} }} }} }}
"""
CHANGES = f"""
query($plan: ID!, $from: AsOf!, $to: AsOf!) {{ changes(planId: $plan, from: $from, to: $to) {{
  activities {{ activityId changed effectiveOn heardAt {LATE} }} }} }}
"""
REPORT = f"""
query($plan: ID!, $m: String!) {{ progressReport(planId: $plan, meeting: $m) {{
  meeting {{ code }} previousMeeting {{ code }} lateReports {{ type streamId version effectiveOn {LATE} }} }} }}
"""


def _by_version(history: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {e["node"]["version"]: e["node"] for e in history["activity"]["history"]["edges"]}


async def test_a_fact_learned_after_its_period_closed_is_a_late_report(api: Api) -> None:
    plan, activity = await setup(api)  # meetings 1/2564 (6 Jan), 2/2564 (3 Feb), 3/2564 (3 Mar 2021)
    upcoming = date.today() + timedelta(days=30)
    await api.ok("scheduleMeeting", {"body": BODY, "code": "9/2599", "date": upcoming.isoformat(), "planId": plan})
    on_time = await api.ok("reportProgress", {"activityId": activity, "progress": 10, "meeting": "1/2564"})
    # before any approval nothing is closed: a live update effective back in December is not late (yet)
    early = await api.ok("reportProgress", {"activityId": activity, "progress": 12, "effectiveOn": "2020-12-20"})
    assert _by_version(await api.run(HISTORY, {"id": activity}))[early["version"]]["lateReport"] is False

    await api.ok(
        "approveMinutes",
        {"meetingId": await meeting_id(api, "2/2564"), "ofMeetingId": await meeting_id(api, "1/2564")},
    )
    # still refused: a new fact reported at the closed meeting, the lock naming it
    locked = await api.refused(
        "reportProgress",
        {"activityId": activity, "progress": 15, "meeting": "1/2564", "effectiveOn": "2021-01-05"},
        "... on PeriodLockedError { meeting approvedAt }",
    )
    assert (locked["code"], locked["meeting"], locked["approvedAt"]) == ("PERIOD_LOCKED", "1/2564", "2/2564")
    # accepted as late reports: one heard at 3/2564, one a live update with its reason
    at_meeting = await api.ok(
        "changeActivityStatus",
        {"activityId": activity, "status": "IN_PROGRESS", "meeting": "3/2564", "effectiveOn": "2020-12-31"},
    )
    live = await api.ok(
        "reportProgress",
        {"activityId": activity, "progress": 20, "effectiveOn": "2021-01-05", "reason": "หน่วยงานส่งรายงานช้า"},
    )
    # effective after 1/2564, in a period no approval has closed yet (2/2564's minutes): not late
    open_period = await api.ok("recordOutcome", {"activityId": activity, "outcome": "อบรม", "meeting": "3/2564"})

    events = _by_version(await api.run(HISTORY, {"id": activity}))
    closed = {"code": "1/2564", "date": "2021-01-06"}
    approved = {"code": "2/2564", "date": "2021-02-03"}
    assert events[at_meeting["version"]]["late"] == {
        "closedBy": closed,
        "approvedAt": approved,
        "reportedOn": "2021-03-03",
        "reason": None,
    }
    assert events[live["version"]]["lateReport"] is True
    assert events[live["version"]]["late"]["reason"] == "หน่วยงานส่งรายงานช้า"
    assert events[live["version"]]["late"]["reportedOn"] == events[live["version"]]["reportedOn"]
    # the live update of December is now late too (the closing reaches it, whenever it was recorded)
    assert events[early["version"]]["late"]["closedBy"] == closed
    for fact in (on_time, open_period):
        assert (events[fact["version"]]["lateReport"], events[fact["version"]]["late"]) == (False, None)
    assert events[1]["lateReport"] is False  # the registration: never a report

    # the same flag on a change: between 2/2564 and 3/2564 the latest fact told is the outcome (not
    # late); in the world as of 31 Jan 2021 against 2/2564's knowledge, the live progress (late)
    between = await api.run(CHANGES, {"plan": plan, "from": {"meeting": "2/2564"}, "to": {"meeting": "3/2564"}})
    [change] = between["changes"]["activities"]
    assert (change["heardAt"], change["lateReport"], change["late"]) == ("3/2564", False, None)
    world = await api.run(CHANGES, {"plan": plan, "from": {"meeting": "2/2564"}, "to": {"date": "2021-01-31"}})
    [change] = world["changes"]["activities"]
    assert (change["effectiveOn"], change["heardAt"], change["lateReport"]) == ("2021-01-05", None, True)
    assert change["late"]["closedBy"] == closed and change["late"]["reason"] == "หน่วยงานส่งรายงานช้า"

    # listed under late reports: at 3/2564 the one it heard; at the next meeting the live updates
    at_three = (await api.run(REPORT, {"plan": plan, "m": "3/2564"}))["progressReport"]
    assert [(e["version"], e["late"]["closedBy"]["code"]) for e in at_three["lateReports"]] == [
        (at_meeting["version"], "1/2564")
    ]
    nxt = (await api.run(REPORT, {"plan": plan, "m": "9/2599"}))["progressReport"]
    assert nxt["previousMeeting"] == {"code": "3/2564"}
    assert sorted(e["version"] for e in nxt["lateReports"]) == sorted([early["version"], live["version"]])
    assert all(e["lateReport"] and e["late"]["approvedAt"] == approved for e in nxt["lateReports"])
    at_two = (await api.run(REPORT, {"plan": plan, "m": "2/2564"}))["progressReport"]
    assert at_two["lateReports"] == []


async def test_the_sample_results_heard_at_1_2564_are_late_on_9_2563(api: Api) -> None:
    """The FY 2563 results as at 30 Sep 2020 were told at 1/2564 (6 Jan 2021), after 9/2563 (2 Dec
    2020), whose minutes 1/2564 approved: late reports on 9/2563, listed in 1/2564's report."""
    from domain.plan import plan_id_for
    from service.minutes.importer import import_minutes, plan_code
    from service.minutes.parser import parse_minutes
    from tests.paths import SAMPLE_MINUTES

    seed = parse_minutes(SAMPLE_MINUTES.read_text(encoding="utf-8"), source="seed")
    assert (await import_minutes(api.ledger, seed, "secretariat")).refused == []
    plan = str(plan_id_for(plan_code(seed)))
    report = (await api.run(REPORT, {"plan": plan, "m": "1/2564"}))["progressReport"]
    statuses = [e for e in report["lateReports"] if e["type"].endswith("StatusChanged")]
    assert len(statuses) == 31
    # each on the first meeting that could have heard it (the meetings the minutes cite are closed
    # with 9/2563), all closed by 1/2564's approval of 9/2563's minutes
    assert {e["late"]["approvedAt"]["code"] for e in statuses} == {"1/2564"}
    assert all(e["effectiveOn"] <= e["late"]["closedBy"]["date"] <= "2020-12-02" for e in statuses)
    assert {e["late"]["closedBy"]["code"] for e in statuses if e["effectiveOn"] == "2020-09-30"} <= {"8/2563", "9/2563"}
    assert all(e["late"]["reportedOn"] == "2021-01-06" for e in statuses)
