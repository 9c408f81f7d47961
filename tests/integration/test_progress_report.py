"""The report before each meeting, over the real minutes (1/2564) and the later meeting's (2/2564).

Every section is checked item by item against what the ledger's own facts say (aggregates folded
from the event store), not against the read models the report is computed from.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from domain.activity import Activity
from domain.meeting import Meeting, meeting_id_for
from domain.plan import plan_id_for
from service.minutes.importer import import_minutes, plan_code
from service.minutes.parser import parse_minutes
from tests.integration.graphql_support import Api
from tests.paths import LATER_MINUTES, SAMPLE_MINUTES

LATER = LATER_MINUTES
REPORT = """
query($plan: ID!, $meeting: String!) {
  progressReport(planId: $plan, meeting: $meeting) {
    meeting { code date } previousMeeting { code date }
    changedActivities { activityId changed after { status progress outcome } }
    measurements { keyResultId measurementId value measuredOn }
    notUpdated { unit activities { id } keyResults { id } }
    milestonesDue { id activityId dueOn status }
    milestonesOverdue { id activityId dueOn }
    keyResultsOffTrack { id health attainment }
    risksNoted { id activityId }
    risksRaised { risk { id } scoreBefore }
    openActionItems { id meetingCode dueMeeting dueOn state }
  }
}
"""
SETTLED = {"COMPLETED", "CANCELLED"}


def _state(activity: Activity, on: date, known_at: datetime | None = None) -> dict[str, Any]:
    state = activity.state_as_of(on, known_at)
    progress = None if state.progress is None else float(state.progress)
    return {"status": state.status.value, "progress": progress, "outcome": state.outcome}


async def test_the_report_for_1_2564_and_2_2564_lists_exactly_what_the_facts_say(api: Api) -> None:
    seed = parse_minutes(SAMPLE_MINUTES.read_text(encoding="utf-8"), source="seed")
    later = parse_minutes(LATER.read_text(encoding="utf-8"), source="2/2564")
    assert (await import_minutes(api.ledger, seed, "secretariat")).refused == []
    plan_id = str(plan_id_for(plan_code(seed)))
    activities = (await api.run("query($id: ID!) { plan(id: $id) { activities { id status } } }", {"id": plan_id}))[
        "plan"
    ]["activities"]
    ongoing = next(a["id"] for a in activities if a["status"] == "IN_PROGRESS")
    # what the minutes do not have: a milestone due between the meetings, and a key result
    await api.ok(
        "planMilestone",
        {
            "activityId": ongoing,
            "title": "ร่าง TOR",
            "dueOn": "2020-12-20",
            "milestoneId": "TOR",
            "effectiveOn": "2020-12-10",
        },
    )
    kr = (
        await api.ok(
            "defineKeyResult",
            {"activityId": ongoing, "title": "ผู้ผ่านการอบรม", "baseline": 0, "target": 100, "effectiveOn": "2020-12-10"},
        )
    )["streamId"]
    measured = await api.ok("recordMeasurement", {"keyResultId": kr, "value": 5, "meeting": "1/2564"})
    assert (await import_minutes(api.ledger, later, "secretariat")).refused == []

    meetings = {"9/2563": date(2020, 12, 2), "1/2564": date(2021, 1, 6), "2/2564": date(2021, 2, 3)}
    loaded = {a["id"]: api.ledger.load(Activity, UUID(a["id"])) for a in activities}
    for code, previous in (("1/2564", "9/2563"), ("2/2564", "1/2564")):
        on, since = meetings[code], meetings[previous]
        report = (await api.run(REPORT, {"plan": plan_id, "meeting": code}))["progressReport"]
        assert report["meeting"] == {"code": code, "date": on.isoformat()}
        assert report["previousMeeting"] == {"code": previous, "date": since.isoformat()}

        # what the meeting heard: the plan as of the previous meeting before this one's reports
        # were recorded, against after them (whatever date the reports take effect on)
        meeting_uuid = str(meeting_id_for(seed.body, code))
        heard = [f for a in loaded.values() for f in a.facts if f.meeting_id == meeting_uuid]
        cut = min(f.timestamp for f in heard if type(f).__name__ != "Registered") - timedelta(microseconds=1)
        reported = {str(f.originator_id) for f in heard}
        changed = {}
        for activity_id, activity in loaded.items():
            if activity_id not in reported:
                continue
            before, after = _state(activity, since, cut), _state(activity, on)
            fields = [f for f in ("status", "progress", "outcome") if before[f] != after[f]]
            if fields:
                changed[activity_id] = (fields, {f: after[f] for f in fields})
        found = {
            c["activityId"]: (c["changed"], {f: c["after"][f] for f in c["changed"]})
            for c in report["changedActivities"]
        }
        assert found == changed
        assert len(changed) >= 3

        stale = set()
        for activity_id, activity in loaded.items():
            state = activity.state_as_of(on)
            if state.status.value not in SETTLED and activity_id not in reported:
                stale |= {(unit, activity_id) for unit in state.responsible_units or [None]}
        listed = {(c["unit"], a["id"]) for c in report["notUpdated"] for a in c["activities"]}
        assert listed == stale
        stale_krs = {k["id"] for c in report["notUpdated"] for k in c["keyResults"]}
        assert stale_krs == (set() if code == "1/2564" else {kr})  # measured at 1/2564, not since

        if code == "1/2564":
            assert report["measurements"] == [
                {"keyResultId": kr, "measurementId": measured["createdId"], "value": 5.0, "measuredOn": "2021-01-06"}
            ]
            assert report["milestonesDue"] == [
                {"id": "TOR", "activityId": ongoing, "dueOn": "2020-12-20", "status": "PLANNED"}
            ]
            # 5 of 100 when 97/364 of the year had passed: off track
            assert report["keyResultsOffTrack"] == [{"id": kr, "health": "OFF_TRACK", "attainment": 0.05}]
        else:
            assert report["measurements"] == [] and report["milestonesDue"] == []
            assert report["keyResultsOffTrack"] == []  # no data since 1/2564: not judged off track
        assert report["milestonesOverdue"] == [{"id": "TOR", "activityId": ongoing, "dueOn": "2020-12-20"}]

        noted, raised = set(), set()
        for activity_id, activity in loaded.items():
            then, now = activity.state_as_of(since, cut).risks, activity.state_as_of(on).risks
            noted |= {(activity_id, r) for r in now if r not in then}
            raised |= {r for r in now if r in then and (then[r].score or 99) < (now[r].score or 0)}  # both scored
        assert {(r["activityId"], r["id"]) for r in report["risksNoted"]} == noted
        assert {r["risk"]["id"] for r in report["risksRaised"]} == raised
        if code == "1/2564":
            assert noted  # the activities not implemented came with their risks

        items = set()
        for earlier_code, held in meetings.items():
            if held >= on:
                continue
            meeting = api.ledger.load(Meeting, meeting_id_for(seed.body, earlier_code)).state_as_of(on)
            for resolution in meeting.resolutions.values():
                items |= {i.id for i in resolution.action_items if i.done_on is None or i.done_on > on}
        assert {i["id"] for i in report["openActionItems"]} == items
        assert all(i["meetingCode"] != code for i in report["openActionItems"])
        if code == "2/2564":
            assert items  # 1/2564 assigned work


async def test_due_updates_list_what_a_unit_still_has_to_report(api: Api) -> None:
    seed = parse_minutes(SAMPLE_MINUTES.read_text(encoding="utf-8"), source="seed")
    assert (await import_minutes(api.ledger, seed, "secretariat")).refused == []
    plan_id = str(plan_id_for(plan_code(seed)))
    plan = (
        await api.run(
            "query($id: ID!) { plan(id: $id) { activities { id status responsibleUnits } } }", {"id": plan_id}
        )
    )["plan"]
    ongoing = [a["id"] for a in plan["activities"] if a["status"] == "IN_PROGRESS"][:2]
    unit = "กองทดสอบระบบ"
    for activity_id in ongoing:  # at 1/2564: not an update since that meeting
        await api.ok("assignUnits", {"activityId": activity_id, "responsibleUnits": [unit], "meeting": "1/2564"})
    await api.ok(
        "planMilestone",
        {"activityId": ongoing[0], "title": "สรุปผล", "dueOn": "2021-01-30", "milestoneId": "SUM", "meeting": "1/2564"},
    )
    await api.ok("reportProgress", {"activityId": ongoing[0], "progress": 60, "effectiveOn": "2021-01-20"})
    query = """
    query($plan: ID!, $unit: String!, $on: Date) {
      dueUpdates(planId: $plan, unit: $unit, on: $on) {
        unit on lastMeeting { code } nextMeeting { code date }
        activities { id } milestones { id dueOn } actionItems { id owner }
      }
    }
    """
    due = (await api.run(query, {"plan": plan_id, "unit": unit, "on": "2021-01-25"}))["dueUpdates"]
    assert due["lastMeeting"] == {"code": "1/2564"} and due["nextMeeting"] == {"code": "2/2564", "date": "2021-02-03"}
    assert [a["id"] for a in due["activities"]] == [ongoing[1]]  # the other was updated on 2021-01-20
    assert due["milestones"] == [{"id": "SUM", "dueOn": "2021-01-30"}]
    assert all(unit in i["owner"] for i in due["actionItems"])
    bad = await api.raw(query, {"plan": plan_id, "unit": "  "})
    assert bad.errors and "unit" in bad.errors[0].message
