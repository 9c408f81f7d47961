"""Who may do what: every role against every mutation, and a unit only on its own activities."""

from __future__ import annotations

from typing import Any

import pytest

from service.api.context import Context, Reader
from service.application.access import ALLOWED, NOBODY, Principal
from service.application.catalogue import BY_NAME
from service.application.roles import Role
from tests.integration.graphql_support import Api

ROLES = list(Role)
UNIT = "HR office"


async def world(api: Api) -> dict[str, Any]:
    """A plan, an activity of the unit, one of another unit, and two meetings (as the admin)."""
    plan = (
        await api.ok(
            "createPlan",
            {
                "code": "P",
                "title": "P",
                "periodStart": "2018-01-01",
                "periodEnd": "2030-12-31",
                "effectiveOn": "2018-01-01",
            },
        )
    )["streamId"]
    await api.ok("addStrategy", {"planId": plan, "number": 1, "title": "S1", "effectiveOn": "2018-01-01"})
    mine, theirs = [
        (
            await api.ok(
                "registerActivity",
                {
                    "planId": plan,
                    "strategyNumber": 1,
                    "fiscalYear": 2564,
                    "kind": "ONE_YEAR",
                    "title": title,
                    "responsibleUnits": [unit],
                    "effectiveOn": "2020-10-01",
                },
            )
        )["streamId"]
        for title, unit in (("Ours", UNIT), ("Theirs", "Legal"))
    ]
    await api.ok("reportProgress", {"activityId": mine, "progress": 5, "effectiveOn": "2020-10-15"})  # version 2
    earlier = (await api.ok("scheduleMeeting", {"body": "C", "code": "1/2564", "date": "2021-01-10", "planId": plan}))[
        "streamId"
    ]
    meeting = (await api.ok("scheduleMeeting", {"body": "C", "code": "2/2564", "date": "2021-02-10", "planId": plan}))[
        "streamId"
    ]
    key_results = {
        activity: (
            await api.ok(
                "defineKeyResult",
                {"activityId": activity, "title": "K", "baseline": 0, "target": 10, "effectiveOn": "2020-10-01"},
            )
        )["streamId"]
        for activity in (mine, theirs)
    }
    return {
        "plan": plan,
        "mine": mine,
        "theirs": theirs,
        "earlier": earlier,
        "meeting": meeting,
        "key_results": key_results,
    }


def inputs(w: dict[str, Any], role: Role, activity: str) -> dict[str, dict[str, Any]]:
    """A valid input for every mutation (ids made unique per role so the calls do not collide)."""
    a = {"activityId": activity, "effectiveOn": "2021-03-01"}
    m = {"meetingId": w["meeting"]}
    k = {"keyResultId": w["key_results"][activity], "effectiveOn": "2021-03-01"}
    return {
        "createPlan": {"code": f"P-{role}", "title": "P", "periodStart": "2018-01-01", "periodEnd": "2030-12-31"},
        "addStrategy": {"planId": w["plan"], "number": 2 + ROLES.index(role), "title": "S"},
        "stateVision": {"planId": w["plan"], "vision": "V"},
        "approveActionPlan": {"planId": w["plan"], "fiscalYear": 2564},
        "recordProposal": {"planId": w["plan"], "fiscalYear": 2565, "strategyNumber": 1, "source": "u", "text": "t"},
        "reportFigure": {"planId": w["plan"], "label": "overall", "value": 83.2, "figureId": f"f-{role}"},
        "stateProposalUnits": {"planId": w["plan"], "fiscalYear": 2565, "strategyNumber": 1, "units": [f"U {role}"]},
        "registerActivity": {
            "planId": w["plan"],
            "strategyNumber": 1,
            "fiscalYear": 2564,
            "kind": "ONE_YEAR",
            "title": f"New {role}",
        },
        "retitleActivity": {**a, "title": f"Ours {role}"},
        "assignUnits": {**a, "responsibleUnits": [UNIT, "Legal"]},
        "changeActivityStatus": {**a, "status": "IN_PROGRESS", "effectiveOn": "2020-11-01"},
        "reportProgress": {**a, "progress": 10},
        "recordOutcome": {**a, "outcome": "o"},
        "planMilestone": {**a, "title": "m", "dueOn": "2021-06-01", "milestoneId": f"m-{role}"},
        "rescheduleMilestone": {**a, "milestoneId": "m0", "dueOn": "2021-07-01", "reason": "r"},
        "achieveMilestone": {**a, "milestoneId": "m0", "achievedOn": "2021-03-01"},
        "dropMilestone": {**a, "milestoneId": "m0", "reason": "r"},
        "noteRisk": {**a, "title": "r", "likelihood": 2, "impact": 2, "owner": "o", "riskId": f"r-{role}"},
        "reassessRisk": {**a, "riskId": "r0", "likelihood": 3},
        "closeRisk": {**a, "riskId": "r0"},
        "scheduleMeeting": {"body": "C", "code": f"{3 + ROLES.index(role)}/2564", "date": "2021-05-10"},
        "recordMeetingTimes": {**m, "startsAt": "09:00:00", "endsAt": "10:00:00"},
        "stateMeetingKind": {**m, "extraordinary": ROLES.index(role) % 2 == 0},
        "recordAttendance": {**m, "attendees": [{"name": "A", "role": "CHAIR", "presence": "IN_ROOM"}]},
        "addAgendaItem": {**m, "number": 1 + ROLES.index(role), "title": "t"},
        "adoptResolution": {**m, "kind": "ACKNOWLEDGED", "text": "t"},
        "completeActionItem": {**m, "actionItemId": "nope", "doneOn": "2021-02-11"},
        "approveMinutes": {**m, "ofMeetingId": w["earlier"]},
        "recordComment": {**m, "number": 1 + ROLES.index(role), "text": "c"},
        "setNextMeeting": {**m, "code": "9/2564", "date": "2021-09-10"},
        "recordMembershipChange": {**m, "left": "A", "joined": f"B {role}", "changeId": f"c-{role}"},
        "correctEvent": {"streamId": activity, "version": 2, "changes": {"progress": "6"}, "reason": "typo"},
        "defineKeyResult": {**a, "title": f"K {role}", "baseline": 0, "target": 10},
        "retargetKeyResult": {**k, "target": 20 + ROLES.index(role), "reason": "r"},
        "retireKeyResult": {**k, "reason": "r", "effectiveOn": "2021-09-01"},
        "recordMeasurement": {**k, "value": 1 + ROLES.index(role)},
        "setEvaluationRules": {
            "planId": w["plan"],
            "rules": [{"health": "ON_TRACK", "atLeast": 1 - ROLES.index(role) / 10}],
        },
    }


async def test_every_role_against_every_mutation(api: Api) -> None:
    w = await world(api)
    assert set(inputs(w, Role.ADMIN, w["mine"])) == set(BY_NAME)  # the matrix covers every mutation
    outcomes: dict[tuple[Role, str], str] = {}
    for role in ROLES:
        as_role = api.as_(Principal(name=f"{role}-person", role=role, unit=UNIT if role == Role.UNIT else None))
        for mutation, given in inputs(w, role, w["mine"]).items():
            data = await as_role.run(
                f"mutation($i: {mutation[0].upper()}{mutation[1:]}Input!) {{ r: {mutation}(input: $i) "
                "{ __typename ... on UserError { message } } }",
                {"i": given},
                project=False,
            )
            outcomes[(role, mutation)] = data["r"]["__typename"]
    wrong = []
    for (role, mutation), typename in sorted(outcomes.items()):
        allowed = BY_NAME[mutation].command in ALLOWED[role]
        if allowed == (typename == "ForbiddenError"):
            wrong.append((role, mutation, typename))
    assert not wrong, wrong
    # What the matrix means, spelled out for a few cells.
    assert outcomes[(Role.READER, "reportProgress")] == "ForbiddenError"
    assert outcomes[(Role.UNIT, "reportProgress")] == "ActivityRecorded"
    assert outcomes[(Role.UNIT, "registerActivity")] == "ForbiddenError"
    assert outcomes[(Role.COMMITTEE, "adoptResolution")] == "MeetingRecorded"
    assert outcomes[(Role.COMMITTEE, "reportProgress")] == "ForbiddenError"
    assert outcomes[(Role.SECRETARIAT, "correctEvent")] == "EventCorrected"
    assert outcomes[(Role.UNIT, "recordMeasurement")] == "KeyResultRecorded"
    assert outcomes[(Role.UNIT, "defineKeyResult")] == "ForbiddenError"


async def test_a_unit_may_not_measure_a_key_result_of_a_strategy(api: Api) -> None:
    w = await world(api)
    on_strategy = await api.ok(
        "defineKeyResult",
        {"planId": w["plan"], "strategyNumber": 1, "fiscalYear": 2564, "title": "S", "baseline": 0, "target": 1},
    )
    unit = api.as_(Principal(name="Somsri", role=Role.UNIT, unit=UNIT))
    refused = await unit.refused("recordMeasurement", {"keyResultId": on_strategy["streamId"], "value": 1})
    assert refused["__typename"] == "ForbiddenError" and "strategy" in refused["message"]


@pytest.mark.parametrize(
    "mutation", ["reportProgress", "noteRisk", "changeActivityStatus", "planMilestone", "recordMeasurement"]
)
async def test_a_unit_updates_only_activities_it_is_responsible_for(api: Api, mutation: str) -> None:
    w = await world(api)
    unit = api.as_(Principal(name="Somsri", role=Role.UNIT, unit=UNIT))
    theirs = inputs(w, Role.UNIT, w["theirs"])[mutation]
    refused = await unit.refused(mutation, theirs)
    assert refused["__typename"] == "ForbiddenError" and "Legal" in refused["message"]
    ours = await unit.ok(mutation, inputs(w, Role.UNIT, w["mine"])[mutation])
    events = await api.run(
        'query($s: ID!) { events(first: 100, filter: {streamId: $s, actor: "Somsri"}) { edges { node { version } } } }',
        {"s": w["key_results"][w["mine"]] if mutation == "recordMeasurement" else w["mine"]},
    )
    assert [e["node"]["version"] for e in events["events"]["edges"]] == [
        ours["version"]
    ]  # the token's owner is the actor


def test_a_context_names_its_principal_there_is_no_default(api: Api) -> None:
    """No anonymous admin anywhere: a context cannot be made without saying who asks."""
    with pytest.raises(TypeError, match="principal"):
        Context(pool=api.pool, ledger=api.ledger, reader=Reader(api.pool))  # type: ignore[call-arg]


async def test_a_context_without_a_principal_yet_cannot_mutate(api: Api) -> None:
    """A WebSocket before its token is NOBODY: every mutation it sends is refused, nothing recorded."""
    w = await world(api)
    last = "SELECT max(notification_id) FROM planledger_events"
    before = await api.pool.fetchval(last)
    nobody = api.as_(NOBODY)
    for mutation, given in inputs(w, "admin", w["mine"]).items():
        refused = await nobody.refused(mutation, given)
        assert refused["__typename"] == "ForbiddenError", (mutation, refused)
    assert await api.pool.fetchval(last) == before


async def test_access_is_decided_before_the_command_is_validated(api: Api) -> None:
    """A role that may not correct is told so, not which field of its correction is malformed."""
    w = await world(api)
    malformed = {"streamId": w["mine"], "version": 2, "changes": ["progress", "6"], "reason": "typo"}
    for role in (Role.READER, Role.UNIT, Role.COMMITTEE):
        caller = api.as_(Principal(name=f"{role}-person", role=role, unit=UNIT if role == Role.UNIT else None))
        refused = await caller.refused("correctEvent", malformed)
        assert refused["__typename"] == "ForbiddenError", (role, refused)
        assert f"the {role} role may not correctEvent" in refused["message"]
    # the same input from a role that may correct: the malformed field is named
    invalid = await api.refused("correctEvent", malformed, "... on ValidationError { field }")
    assert invalid["__typename"] == "ValidationError" and invalid["field"] == "changes"
