"""The GraphQL API in process and over HTTP to a real server, on real PostgreSQL: every mutation,
the views, time travel, typed errors, and DataLoaders keeping a whole-plan query to a fixed number of statements."""

from __future__ import annotations

from datetime import UTC, datetime

from service.api.context import Context, Reader
from service.api.schema import schema
from tests.integration.graphql_support import ADMIN, Api, Runner

PLAN = {"code": "HR-2561", "title": "HR strategy", "periodStart": "2018-01-01", "periodEnd": "2022-12-31"}


async def plan_with_activities(api: Runner, count: int, code: str = "HR-2561") -> tuple[str, list[str]]:
    plan = await api.ok("createPlan", {**PLAN, "code": code, "effectiveOn": "2018-01-01"})
    plan_id = plan["streamId"]
    for n in (1, 2):
        await api.ok("addStrategy", {"planId": plan_id, "number": n, "title": f"S{n}", "effectiveOn": "2018-01-01"})
    ids = []
    for n in range(count):
        a = await api.ok(
            "registerActivity",
            {
                "planId": plan_id,
                "strategyNumber": 1 + n % 2,
                "fiscalYear": 2564,
                "kind": "ONE_YEAR",
                "title": f"Activity {n:03d}",
                "responsibleUnits": ["HR office"],
                "effectiveOn": "2020-10-01",
            },
        )
        ids.append(a["streamId"])
    return plan_id, ids


WHOLE_PLAN = """
query($id: ID!, $asOf: AsOf) {
  plan(id: $id, asOf: $asOf) {
    id code title asOf { date knownAt }
    summary { total completed shareCompleted meanProgress byStatus { status statusLabel count } }
    strategies { number title summary { total } activities { id title status } }
    activities {
      id title status statusLabel kind kindLabel progress outcome responsibleUnits version
      strategy { number }
      milestones { id title dueOn originalDueOn status slipDays overdue reschedules { from to reason } }
      risks { id title score level levelLabel status history { score validFrom recordedFrom } }
      history(first: 3) { edges { cursor node { type version } } pageInfo { hasNextPage endCursor } }
    }
  }
}
"""


async def test_every_activity_mutation_and_the_views(client: Runner) -> None:
    api = client
    plan_id, (activity,) = await plan_with_activities(api, 1)
    base = {"activityId": activity}
    await api.ok("changeActivityStatus", {**base, "status": "IN_PROGRESS", "effectiveOn": "2020-11-01"})
    await api.ok("reportProgress", {**base, "progress": 40.5, "effectiveOn": "2020-12-01"})
    await api.ok("retitleActivity", {**base, "title": "Training course", "effectiveOn": "2020-12-02"})
    await api.ok("assignUnits", {**base, "responsibleUnits": ["HR office", "Legal"], "effectiveOn": "2020-12-02"})
    m = await api.ok("planMilestone", {**base, "title": "Syllabus", "dueOn": "2021-01-31", "effectiveOn": "2020-11-01"})
    milestone = m["createdId"]
    assert milestone
    await api.ok(
        "rescheduleMilestone",
        {**base, "milestoneId": milestone, "dueOn": "2021-03-31", "reason": "late", "effectiveOn": "2021-01-15"},
    )
    await api.ok("achieveMilestone", {**base, "milestoneId": milestone, "achievedOn": "2021-03-20"})
    m2 = await api.ok("planMilestone", {**base, "title": "Spare", "dueOn": "2021-06-30", "effectiveOn": "2020-11-01"})
    await api.ok(
        "dropMilestone", {**base, "milestoneId": m2["createdId"], "effectiveOn": "2021-02-01", "reason": "merged"}
    )
    r = await api.ok(
        "noteRisk",
        {**base, "title": "Budget cut", "likelihood": 4, "impact": 4, "owner": "HR", "effectiveOn": "2020-11-15"},
    )
    risk = r["createdId"]
    await api.ok("reassessRisk", {**base, "riskId": risk, "likelihood": 2, "effectiveOn": "2021-01-10"})
    await api.ok("closeRisk", {**base, "riskId": risk, "effectiveOn": "2021-04-01"})
    await api.ok("changeActivityStatus", {**base, "status": "COMPLETED", "effectiveOn": "2021-09-01"})
    done = await api.ok(
        "recordOutcome",
        {**base, "outcome": "120 trained", "effectiveOn": "2021-09-02", "consistency": "READ_YOUR_WRITES"},
        "... on ActivityRecorded { activity { outcome status } }",
    )
    assert done["projected"] is True
    assert done["activity"] == {"outcome": "120 trained", "status": "COMPLETED"}

    data = await api.run(WHOLE_PLAN, {"id": plan_id})
    plan = data["plan"]
    assert plan["summary"]["total"] == 1 and plan["summary"]["completed"] == 1
    assert plan["summary"]["shareCompleted"] == 1.0
    counts = {s["status"]: s["count"] for s in plan["summary"]["byStatus"]}
    assert counts["COMPLETED"] == 1 and sum(counts.values()) == 1
    (a,) = plan["activities"]
    assert a["title"] == "Training course" and a["responsibleUnits"] == ["HR office", "Legal"]
    assert a["statusLabel"] == "แล้วเสร็จ" and a["kindLabel"] == "ดำเนินการ ๑ ปี"
    assert a["progress"] == 40.5 and a["strategy"] == {"number": 1}
    kept = next(x for x in a["milestones"] if x["id"] == milestone)
    assert kept["status"] == "ACHIEVED" and kept["originalDueOn"] == "2021-01-31" and kept["dueOn"] == "2021-03-31"
    assert kept["reschedules"] == [{"from": "2021-01-31", "to": "2021-03-31", "reason": "late"}]
    (noted,) = a["risks"]
    assert noted["status"] == "CLOSED" and noted["score"] == 8
    assert [h["score"] for h in noted["history"]][:1] == [16]
    assert a["history"]["pageInfo"]["hasNextPage"] is True and len(a["history"]["edges"]) == 3
    assert a["version"] >= 14

    # As of a past date: the risk was still scored 16, nothing completed yet.
    data = await api.run(WHOLE_PLAN, {"id": plan_id, "asOf": {"date": "2020-12-31"}})
    (a,) = data["plan"]["activities"]
    assert a["status"] == "IN_PROGRESS" and a["progress"] == 40.5
    assert a["risks"][0]["score"] == 16 and a["risks"][0]["level"] in {"HIGH", "VERY_HIGH"}
    assert data["plan"]["asOf"]["date"] == "2020-12-31"
    # Before the activity existed.
    data = await api.run(WHOLE_PLAN, {"id": plan_id, "asOf": {"date": "2019-01-01"}})
    assert data["plan"]["activities"] == []

    # The history continues from its cursor.
    end = (await api.run(WHOLE_PLAN, {"id": plan_id}))["plan"]["activities"][0]["history"]["pageInfo"]["endCursor"]
    page = await api.run(
        "query($id: ID!, $after: Cursor) { activity(id: $id) { history(first: 100, after: $after) "
        "{ edges { node { version } } } } }",
        {"id": activity, "after": end},
    )
    assert page["activity"]["history"]["edges"][0]["node"]["version"] == 4


async def test_meeting_mutations_and_meeting_views(client: Runner) -> None:
    api = client
    plan_id, _ = await plan_with_activities(api, 1)
    first = await api.ok(
        "scheduleMeeting",
        {
            "body": "HR committee",
            "code": "9/2563",
            "date": "2020-12-10",
            "planId": plan_id,
            "effectiveOn": "2020-12-10",
        },
    )
    m = await api.ok(
        "scheduleMeeting",
        {
            "body": "HR committee",
            "code": "1/2564",
            "date": "2021-01-20",
            "planId": plan_id,
            "effectiveOn": "2021-01-20",
        },
    )
    meeting = m["streamId"]
    base = {"meetingId": meeting, "meeting": "1/2564"}
    await api.ok("recordMeetingTimes", {**base, "startsAt": "09:30:00", "endsAt": "12:00:00", "venue": "Room 1"})
    await api.ok(
        "recordAttendance",
        {
            **base,
            "attendees": [
                {"name": "Somchai", "position": "Director", "role": "CHAIR", "presence": "IN_ROOM"},
                {"name": "Suda", "role": "MEMBER", "presence": "ONLINE"},
            ],
        },
    )
    await api.ok("addAgendaItem", {**base, "number": 1, "title": "Progress"})
    await api.ok("addAgendaItem", {**base, "number": 2, "title": "For consideration", "subject": "The FY 2564 plan"})
    res = await api.ok(
        "adoptResolution",
        {
            **base,
            "kind": "ASSIGNED",
            "text": "Report again next meeting",
            "agendaItem": 1,
            "actionItems": [{"description": "Report progress", "owner": "HR office", "dueOn": "2021-02-20"}],
        },
    )
    assert res["createdId"]
    await api.ok(
        "approveMinutes",
        {**base, "ofMeetingId": first["streamId"], "corrections": [{"where": "p.2", "from": "10", "to": "12"}]},
    )
    await api.ok("recordComment", {**base, "number": 1, "text": "Speed up"})
    await api.ok("setNextMeeting", {**base, "code": "2/2564", "date": "2021-02-20"})
    data = await api.run(
        """query { meeting(id: "1/2564") { id code date startsAt venue modeLabel
             attendance { name role roleLabel presence presenceLabel }
             agenda { number title subject } comments { text } nextMeeting { code date }
             minutesApprovals { ofCode corrections { where from to } }
             resolutions { kind kindLabel text agendaItem actionItems { id owner dueOn state } meeting { code } }
             plan { code } } }"""
    )
    got = data["meeting"]
    assert got["id"] == meeting and got["date"] == "2021-01-20" and got["startsAt"] == "09:30:00"
    assert got["agenda"] == [
        {"number": 1, "title": "Progress", "subject": None},
        {"number": 2, "title": "For consideration", "subject": "The FY 2564 plan"},
    ]
    assert got["attendance"][0] == {
        "name": "Somchai",
        "role": "CHAIR",
        "roleLabel": "ประธาน",
        "presence": "IN_ROOM",
        "presenceLabel": "มาประชุม ณ ห้องประชุม",
    }
    assert got["minutesApprovals"] == [
        {"ofCode": "9/2563", "corrections": [{"where": "p.2", "from": "10", "to": "12"}]}
    ]
    (resolution,) = got["resolutions"]
    assert resolution["kindLabel"] == "มอบหมาย" and resolution["meeting"] == {"code": "1/2564"}
    item = resolution["actionItems"][0]
    await api.ok("completeActionItem", {**base, "actionItemId": item["id"], "doneOn": "2021-02-15"})
    data = await api.run('query { meeting(id: "1/2564") { resolutions { actionItems { state doneOn } } } }')
    assert data["meeting"]["resolutions"][0]["actionItems"] == [{"state": "DONE", "doneOn": "2021-02-15"}]
    # the register across meetings: each item names the meeting and resolution that assigned it
    register = await api.run(
        "query($plan: ID) { actionItems(planId: $plan) { id meetingId meetingCode resolutionId state } }",
        {"plan": plan_id},
    )
    nested = await api.run('query { meeting(id: "1/2564") { resolutions { id actionItems { meetingCode } } } }')
    assert register["actionItems"] == [
        {
            "id": item["id"],
            "meetingId": meeting,
            "meetingCode": "1/2564",
            "resolutionId": nested["meeting"]["resolutions"][0]["id"],
            "state": "DONE",
        }
    ]
    assert nested["meeting"]["resolutions"][0]["actionItems"] == [{"meetingCode": "1/2564"}]
    # Effective date defaults to the meeting's date when a meeting is named.
    events = await api.run(
        'query { events(first: 100, filter: { meeting: "1/2564", type: "CommentRecorded" }) '
        "{ edges { node { effectiveOn meeting actor } } } }"
    )
    assert events["events"]["edges"][0]["node"] == {"effectiveOn": "2021-01-20", "meeting": meeting, "actor": "api"}
    # Meetings page by page, and as-of a meeting.
    page1 = await api.run(
        "query { meetings(first: 1) { edges { cursor node { code } } pageInfo { hasNextPage endCursor } } }"
    )
    assert page1["meetings"]["edges"][0]["node"]["code"] == "9/2563"
    assert page1["meetings"]["pageInfo"]["hasNextPage"] is True
    page2 = await api.run(
        "query($after: Cursor) { meetings(first: 5, after: $after) "
        "{ edges { node { code } } pageInfo { hasNextPage } } }",
        {"after": page1["meetings"]["pageInfo"]["endCursor"]},
    )
    assert [e["node"]["code"] for e in page2["meetings"]["edges"]] == ["1/2564"]
    assert page2["meetings"]["pageInfo"]["hasNextPage"] is False
    at = await api.run(
        'query($id: ID!) { plan(id: $id, asOf: { meeting: "9/2563" }) { asOf { date } } }', {"id": plan_id}
    )
    assert at["plan"]["asOf"]["date"] == "2020-12-10"


async def test_plan_mutations_changes_and_corrections(client: Runner) -> None:
    api = client
    plan_id, (activity,) = await plan_with_activities(api, 1)
    await api.ok("stateVision", {"planId": plan_id, "vision": "A capable civil service", "effectiveOn": "2018-01-02"})
    await api.ok("approveActionPlan", {"planId": plan_id, "fiscalYear": 2564, "effectiveOn": "2020-09-01"})
    await api.ok(
        "recordProposal",
        {"planId": plan_id, "fiscalYear": 2564, "strategyNumber": 1, "source": "HR office", "text": "More courses"},
    )
    wrong = await api.ok("reportProgress", {"activityId": activity, "progress": 90, "effectiveOn": "2021-01-05"})
    before_fix = datetime.now(UTC).isoformat()
    await api.ok(
        "correctEvent",
        {"streamId": activity, "version": wrong["version"], "changes": {"progress": "9"}, "reason": "typo"},
    )
    data = await api.run(
        "query($id: ID!, $t: DateTime) { now: activity(id: $id) { progress } "
        "then: activity(id: $id, asOf: { knownAt: $t }) { progress } "
        "plans { code vision actionPlans { fiscalYear } } }",
        {"id": activity, "t": before_fix},
    )
    assert data["now"]["progress"] == 9 and data["then"]["progress"] == 90
    assert data["plans"] == [
        {"code": "HR-2561", "vision": "A capable civil service", "actionPlans": [{"fiscalYear": 2564}]}
    ]
    changes = await api.run(
        'query($id: ID!) { changes(planId: $id, from: { date: "2020-12-31" }, to: { date: "2021-02-01" }) '
        "{ from { date } to { date } activities { activityId changed before { progress } after { progress } } } }",
        {"id": plan_id},
    )
    (change,) = changes["changes"]["activities"]
    assert change["changed"] == ["progress"] and change["after"] == {"progress": 9.0}


async def test_typed_errors_record_nothing(client: Runner) -> None:
    api = client
    _, (activity,) = await plan_with_activities(api, 1)
    await api.ok("changeActivityStatus", {"activityId": activity, "status": "COMPLETED"})
    position = (await api.run("{ logPosition }"))["logPosition"]
    bad = await api.refused(
        "reportProgress", {"activityId": activity, "progress": 101}, "... on ValidationError { field }"
    )
    assert bad["__typename"] == "ValidationError" and bad["field"] == "progress"
    bad = await api.refused("reportProgress", {"activityId": "nope", "progress": 1}, "... on ValidationError { field }")
    assert bad["field"] == "activityId"
    missing = await api.refused(
        "reportProgress",
        {"activityId": "00000000-0000-0000-0000-000000000001", "progress": 1},
        "... on NotFoundError { kind }",
    )
    assert missing["__typename"] == "NotFoundError" and missing["kind"] == "activity"
    jump = await api.refused(
        "changeActivityStatus",
        {"activityId": activity, "status": "NOT_STARTED"},
        "... on InvalidTransitionError { current requested }",
    )
    assert jump["__typename"] == "InvalidTransitionError"
    stale = await api.refused(
        "recordOutcome",
        {"activityId": activity, "outcome": "x", "expectedVersion": 0},
        "... on VersionConflictError { expected actual }",
    )
    assert stale["expected"] == 0 and stale["actual"] == 2
    dup = await api.refused("createPlan", {**PLAN, "effectiveOn": "2018-01-01"}, "... on DuplicateError { key }")
    assert dup["__typename"] == "DuplicateError" and dup["key"] == "HR-2561"
    meeting = await api.refused("recordOutcome", {"activityId": activity, "outcome": "x", "meeting": "77/2599"})
    assert meeting["__typename"] == "ValidationError"
    assert (await api.run("{ logPosition }"))["logPosition"] == position
    # Idempotency: the same key twice records once; with another command it is refused.
    key = {"idempotencyKey": "k-1", "activityId": activity, "outcome": "done", "effectiveOn": "2021-01-01"}
    one = await api.ok("recordOutcome", key)
    two = await api.ok("recordOutcome", key)
    assert two["replayed"] is True and (two["version"], two["position"]) == (one["version"], one["position"])
    reused = await api.refused("recordOutcome", {**key, "outcome": "other"})
    assert reused["__typename"] == "IdempotencyKeyReusedError"
    # Bad arguments of queries are GraphQL errors naming the argument.
    result = await api.raw('{ plan(id: "x") { code } }')
    assert result.errors and "id" in result.errors[0].message
    result = await api.raw(
        '{ plan(id: "00000000-0000-0000-0000-000000000001", asOf: { date: "2020-01-01", meeting: "1/2564" }) { code } }'
    )
    assert result.errors and "not both" in result.errors[0].message
    result = await api.raw("{ events(first: 100000) { edges { cursor } } }")
    assert result.errors and "first" in result.errors[0].message
    result = await api.raw('{ events(after: "garbage") { edges { cursor } } }')
    assert result.errors and "cursor" in result.errors[0].message


async def test_whole_plan_query_takes_the_same_statements_for_3_or_30_activities(api: Api) -> None:
    counts: dict[int, int] = {}
    for n, code in ((3, "P-3"), (30, "P-30")):
        plan_id, ids = await plan_with_activities(api, n, code)
        for a in ids:
            await api.ok("noteRisk", {"activityId": a, "title": "r", "likelihood": 2, "impact": 3, "owner": "HR"})
            await api.ok("planMilestone", {"activityId": a, "title": "m", "dueOn": "2021-05-01"})
        await api.project()
        api.statements.clear()
        data = await api.run(WHOLE_PLAN, {"id": plan_id}, project=False)
        assert len(data["plan"]["activities"]) == n
        assert all(len(a["risks"]) == 1 and len(a["milestones"]) == 1 for a in data["plan"]["activities"])
        # reads of the read models (not the driver's own type introspection, nor the BEGIN that locks them)
        reads = [s for s in api.statements if "rm_" in s and not s.startswith("BEGIN")]
        counts[n] = len(reads)
    assert counts[3] == counts[30] == 8, counts


async def test_an_internal_error_reaches_the_client_as_a_request_id_only(api: Api) -> None:
    await api.pool.close()  # every read now fails inside the driver
    context = api_context(api)
    result = await schema.execute("{ plans { code } }", context_value=context)
    (error,) = result.errors or []
    assert error.message == "internal error; quote request id req-123"
    assert error.extensions == {"code": "INTERNAL", "requestId": "req-123"}


def api_context(api: Api) -> Context:
    return Context(pool=api.pool, ledger=api.ledger, reader=Reader(api.pool), principal=ADMIN, request_id="req-123")
