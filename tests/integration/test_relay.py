"""Relay's conventions, as Relay clients (and GraphiQL, Apollo, urql …) expect them, on real
PostgreSQL: Global Object Identification (`node(id:)` and the `Node` interface, with the IDs the
API already gives out), connections paged both ways (`first`/`after`, `last`/`before`) with
`totalCount` and a full PageInfo, and `plan(id:)` taking a plan's code as the reports do."""

from __future__ import annotations

from typing import Any

from tests.integration.graphql_support import Api
from tests.integration.test_key_results import setup

NODE = """
query($id: ID!) {
  node(id: $id) {
    __typename id
    ... on Plan { code }
    ... on Activity { title }
    ... on Meeting { code }
    ... on KeyResult { title }
  }
}
"""
PAGE = "edges { cursor node { position } } pageInfo { hasPreviousPage hasNextPage startCursor endCursor } totalCount"
EVENTS = f"query($f: Int, $a: Cursor, $l: Int, $b: Cursor, $filter: EventFilter) {{ events(first: $f, after: $a, last: $l, before: $b, filter: $filter) {{ {PAGE} }} }}"  # noqa: E501
HISTORY = f"query($id: ID!, $f: Int, $a: Cursor, $l: Int, $b: Cursor) {{ activity(id: $id) {{ history(first: $f, after: $a, last: $l, before: $b) {{ {PAGE} }} }} }}"  # noqa: E501
MEETINGS = """query($plan: ID, $f: Int, $a: Cursor, $l: Int, $b: Cursor) { meetings(planId: $plan, first: $f, after: $a,
  last: $l, before: $b) { edges { cursor node { code } } pageInfo { hasPreviousPage hasNextPage startCursor endCursor }
  totalCount } }"""


async def a_ledger(api: Api) -> dict[str, Any]:
    plan, activity = await setup(api)
    key_result = await api.ok(
        "defineKeyResult", {"activityId": activity, "title": "Trained", "baseline": 0, "target": 100}
    )
    for progress in (10, 20, 30, 40, 50):
        await api.ok("reportProgress", {"activityId": activity, "progress": progress, "effectiveOn": "2020-11-01"})
    data = await api.run(
        "query($id: ID!) { plan(id: $id) { id activities { id } keyResults { id } } "
        "meetings(planId: $id) { edges { node { id } } } }",
        {"id": plan},
    )
    return {
        "plan": plan,
        "activity": activity,
        "key_result": key_result["streamId"],
        "ids": {
            "Plan": [data["plan"]["id"]],
            "Activity": [a["id"] for a in data["plan"]["activities"]],
            "KeyResult": [k["id"] for k in data["plan"]["keyResults"]],
            "Meeting": [e["node"]["id"] for e in data["meetings"]["edges"]],
        },
    }


async def test_node_finds_every_object_by_the_id_it_shows(api: Api) -> None:
    found = await a_ledger(api)
    assert found["ids"]["KeyResult"] == [found["key_result"]] and len(found["ids"]["Meeting"]) == 3
    for typename, ids in found["ids"].items():
        for given in ids:
            node = (await api.run(NODE, {"id": given}))["node"]
            assert node["__typename"] == typename and node["id"] == given
    plan = (await api.run(NODE, {"id": found["plan"]}))["node"]
    assert plan["code"] == "HR"
    meeting = (await api.run(NODE, {"id": found["ids"]["Meeting"][0]}))["node"]
    assert meeting["code"] == "1/2564"
    # the Node interface in fragments: on the root field and below a plan
    data = await api.run(
        "query($id: ID!) { plan(id: $id) { ... on Node { id } activities { ... on Node { id } } } }",
        {"id": found["plan"]},
    )
    assert data["plan"]["id"] == found["plan"] and data["plan"]["activities"] == [{"id": found["activity"]}]
    # an ID nobody gave out is no node; something that is no ID is an error naming the argument
    assert (await api.run(NODE, {"id": "00000000-0000-0000-0000-000000000001"}))["node"] is None
    result = await api.raw(NODE, {"id": "HR"})
    assert result.errors and result.errors[0].message.startswith("id:"), result.errors
    assert result.errors[0].extensions["code"] == "BAD_USER_INPUT"


async def test_plan_takes_a_plans_code_as_the_reports_do(api: Api) -> None:
    found = await a_ledger(api)
    query = "query($id: ID!) { plan(id: $id) { id code title activities { id } } }"
    by_id = await api.run(query, {"id": found["plan"]})
    assert await api.run(query, {"id": "HR"}) == by_id
    assert await api.run(query, {"id": "  HR "}) == by_id
    as_of = await api.run('{ plan(id: "HR", asOf: { date: "2019-01-01" }) { code activities { id } } }')
    assert as_of == {"plan": {"code": "HR", "activities": []}}
    for unknown in ("NOPE", ""):
        result = await api.raw(query, {"id": unknown})
        assert result.errors and result.errors[0].message.startswith("id:"), result.errors
        assert "neither an ID nor the code of a plan" in result.errors[0].message


async def _walk(api: Api, query: str, variables: dict[str, Any], field: str, backward: bool) -> list[Any]:
    """Every edge of a connection, page by page (2 a page), forward with first/after or backward with
    last/before; checks PageInfo on the way. Returns the edges in list order."""
    edges: list[Any] = []
    cursor = None
    pages = 0
    while True:
        step = {"l": 2, "b": cursor} if backward else {"f": 2, "a": cursor}
        data = await api.run(query, {**variables, **step})
        connection = data[field] if field != "history" else data["activity"]["history"]
        info, got = connection["pageInfo"], connection["edges"]
        pages += 1
        assert len(got) <= 2
        if got:
            assert info["startCursor"] == got[0]["cursor"] and info["endCursor"] == got[-1]["cursor"]
        else:
            assert info["startCursor"] is None and info["endCursor"] is None
        more = info["hasPreviousPage"] if backward else info["hasNextPage"]
        assert not (info["hasNextPage"] if backward else info["hasPreviousPage"])
        edges = got + edges if backward else edges + got
        if not more:
            assert len(edges) == connection["totalCount"], (len(edges), connection["totalCount"])
            assert pages == max(1, -(-len(edges) // 2))
            return edges
        cursor = info["startCursor"] if backward else info["endCursor"]


async def test_connections_page_both_ways_and_count_the_whole_list(api: Api) -> None:
    found = await a_ledger(api)
    plan, activity = found["plan"], found["activity"]
    await api.project()
    cases = [
        (EVENTS, {}, "events"),
        (EVENTS, {"filter": {"streamId": activity}}, "events"),
        (EVENTS, {"filter": {"type": "ProgressReported"}}, "events"),
        (HISTORY, {"id": activity}, "history"),
        (MEETINGS, {"plan": plan}, "meetings"),
        (MEETINGS, {}, "meetings"),
    ]
    for query, variables, field in cases:
        forward = await _walk(api, query, variables, field, backward=False)
        backward = await _walk(api, query, variables, field, backward=True)
        assert forward == backward and len(forward) >= 3, (field, variables)
    history = await _walk(api, HISTORY, {"id": activity}, "history", backward=False)
    assert len(history) == 6  # registered and five progress reports (the key result is a stream of its own)
    positions = [e["node"]["position"] for e in history]
    assert positions == sorted(positions)
    # a page between two cursors, from either end
    cursors = [e["cursor"] for e in history]
    between = {"a": cursors[1], "b": cursors[5]}
    for size in ({"f": 2}, {"l": 2}):
        data = await api.run(HISTORY, {"id": activity, **between, **size})
        page = data["activity"]["history"]
        want = cursors[2:4] if "f" in size else cursors[3:5]
        assert [e["cursor"] for e in page["edges"]] == want
        assert page["pageInfo"]["hasNextPage" if "f" in size else "hasPreviousPage"] is True
        assert page["totalCount"] == 6
    data = await api.run(HISTORY, {"id": activity, **between, "f": 10})
    assert [e["cursor"] for e in data["activity"]["history"]["edges"]] == cursors[2:5]
    assert data["activity"]["history"]["pageInfo"]["hasNextPage"] is False
    # the defaults stay: 50 events, 50 of a history, 20 meetings
    data = await api.run("{ events { edges { cursor } pageInfo { hasNextPage } } }")
    assert len(data["events"]["edges"]) <= 50
    meetings = await api.run(MEETINGS, {"plan": plan})
    assert [e["node"]["code"] for e in meetings["meetings"]["edges"]] == ["1/2564", "2/2564", "3/2564"]


async def test_the_histories_of_many_activities_are_paged_and_counted_in_one_statement_each(api: Api) -> None:
    found = await a_ledger(api)
    for title in ("Second", "Third"):
        await api.ok(
            "registerActivity",
            {"planId": found["plan"], "strategyNumber": 1, "fiscalYear": 2564, "kind": "ONE_YEAR", "title": title},
        )
    await api.project()
    api.statements.clear()
    data = await api.run(
        "query($id: ID!) { plan(id: $id) { activities { title history(last: 1) { totalCount "
        "edges { node { type } } pageInfo { hasPreviousPage } } } } }",
        {"id": found["plan"]},
        project=False,
    )
    histories = {a["title"]: a["history"] for a in data["plan"]["activities"]}
    assert histories["อบรมผู้บริหาร"]["totalCount"] == 6
    assert histories["อบรมผู้บริหาร"]["edges"] == [{"node": {"type": "Activity.ProgressReported"}}]
    assert histories["อบรมผู้บริหาร"]["pageInfo"]["hasPreviousPage"] is True
    assert histories["Second"]["totalCount"] == 1 and histories["Second"]["pageInfo"]["hasPreviousPage"] is False
    event_reads = [s for s in api.statements if "FROM rm_event" in s]
    assert len(event_reads) == 2, event_reads  # one page of every history, one count of every history


async def test_page_arguments_a_person_can_get_wrong_are_errors_naming_them(api: Api) -> None:
    await a_ledger(api)
    history = (await api.run("{ events(first: 1) { edges { cursor } } }"))["events"]["edges"][0]["cursor"]
    meeting = (await api.run("{ meetings(first: 1) { edges { cursor } } }"))["meetings"]["edges"][0]["cursor"]
    for document, argument, says in [
        ("{ events(first: 1, last: 1) { totalCount } }", "last", "not both"),
        ("{ events(last: 501) { totalCount } }", "last", "at most 500"),
        ("{ events(last: -1) { totalCount } }", "last", "negative"),
        ('{ events(before: "garbage") { totalCount } }', "before", "cursor"),
        (f'{{ events(before: "{meeting}") {{ totalCount }} }}', "before", "not a cursor of this list"),
        (f'{{ meetings(last: 2, before: "{history}") {{ totalCount }} }}', "before", "not a cursor of this list"),
        ("{ meetings(first: 501) { totalCount } }", "first", "at most 500"),
    ]:
        result = await api.raw(document)
        assert result.errors, document
        message = result.errors[0].message
        assert message.startswith(f"{argument}:") and says in message, (document, message)
