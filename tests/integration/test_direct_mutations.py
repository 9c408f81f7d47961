"""Direct mutations (service/api/execution/direct_mutations.py) answer exactly as normal execution.

Each document runs normally on one activity, is compiled, then runs directly on a twin activity
in the same state; the two answers, as the HTTP layer writes them, must be the same but for the
values that name the activity or the event (its id, position, cursor). Documents the plan does not
take (a field with a resolver, a second variable) are not compiled; values it cannot coerce exactly
as normal execution does (a bad scalar, NUL in a text, an unknown field) are left to normal
execution, and nothing is recorded by the plan then."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID

import graphql
import pytest

from service.api.context import Context, Reader
from service.api.execution.direct_mutations import MutationPlans
from service.api.mutations import RUNS
from service.api.schema import masked, schema
from service.web.responses import dump_json
from tests.integration.graphql_support import Api
from tests.integration.store_helpers import activities_in_one_plan, log_position

SHORT = (  # the bench's
    "mutation P($input: ReportProgressInput!) { reportProgress(input: $input) { __typename"
    " ... on ActivityRecorded { position } ... on UserError { code message } } }"
)
EVERY = """
mutation R($in: ReportProgressInput!) {
  r: reportProgress(input: $in) {
    __typename
    ... on Recorded { streamId version cursor position replayed createdId projected }
    ... on ActivityRecorded { v: version __typename }
    ... on UserError { message code }
    ... on ValidationError { field message }
    ... on VersionConflictError { expected actual }
    ... on NotFoundError { kind key }
  }
}
"""
STATUS = """
mutation S($input: ChangeActivityStatusInput!) {
  changeActivityStatus(input: $input) {
    ... on InvalidTransitionError { current requested code message }
    ... on Recorded { version replayed }
    __typename
  }
}
"""
RISK = """
mutation N($input: NoteRiskInput!) {
  noteRisk(input: $input) { __typename ... on Recorded { createdId version } ... on UserError { code field: message } }
}
"""
WITH_RESOLVER = (
    "mutation A($input: ReportProgressInput!) { reportProgress(input: $input)"
    " { ... on ActivityRecorded { activity { title } } } }"
)
TWO_VARIABLES = (
    "mutation T($input: ReportProgressInput!, $skip: Boolean!) { reportProgress(input: $input)"
    " { ... on ActivityRecorded { position @skip(if: $skip) } } }"
)
VOLATILE = ("streamId", "cursor", "position", "key", "createdId")  # (createdId: a new risk's own id)


async def _answer(api: Api, document: str, variables: dict[str, Any], plans: MutationPlans | None) -> Any:
    context = Context(
        pool=api.pool, ledger=api.ledger, reader=Reader(api.pool, snapshot=False), principal=api.principal
    )
    try:
        plan = plans.plan(document, None) if plans is not None else None
        result = await plan.execute(context, variables) if plan is not None else None
        if plan is not None and result is None:
            return None  # left to normal execution
        if result is None:
            result = await schema.execute(document, variable_values=variables, context_value=context)
    finally:
        await context.reader.close()
    payload: dict[str, Any] = {"data": result.data}
    if result.errors:
        payload["errors"] = [dict(masked(e, context.request_id).formatted) for e in result.errors]
    return payload


def _bare(value: Any, ids: tuple[UUID, ...]) -> Any:
    """The answer with what names the activity or the event put aside."""
    if isinstance(value, dict):
        return {k: ("…" if k in VOLATILE and v is not None else _bare(v, ids)) for k, v in value.items()}
    if isinstance(value, list):
        return [_bare(v, ids) for v in value]
    if isinstance(value, str):
        for stream in ids:
            value = value.replace(str(stream), "<activity>")
    return value


async def _twins(api: Api) -> tuple[UUID, UUID]:
    first, second = await asyncio.to_thread(activities_in_one_plan, api.ledger, 2)
    return first, second


CASES = [
    (SHORT, lambda a: {"input": {"activityId": str(a), "progress": 12.5}}),
    (SHORT, lambda a: {"input": {"activityId": str(a), "progress": 101}}),
    (SHORT, lambda a: {"input": {"activityId": "00000000-0000-0000-0000-00000000beef", "progress": 1}}),
    (SHORT, lambda a: {"input": {"activityId": "not an id", "progress": 1}}),
    (EVERY, lambda a: {"in": {"activityId": str(a), "progress": 40, "reason": "on time", "effectiveOn": "2020-01-15"}}),
    (EVERY, lambda a: {"in": {"activityId": str(a), "progress": 41, "expectedVersion": 1}}),
    (EVERY, lambda a: {"in": {"activityId": str(a), "progress": 42, "consistency": "READ_YOUR_WRITES"}}),
    (EVERY, lambda a: {"in": {"activityId": str(a), "progress": 43, "meeting": "9/2599"}}),
    (EVERY, lambda a: {"in": {"activityId": str(a), "progress": 44, "reason": "lone \udc00 surrogate"}}),
    (STATUS, lambda a: {"input": {"activityId": str(a), "status": "IN_PROGRESS"}}),
    (STATUS, lambda a: {"input": {"activityId": str(a), "status": "IN_PROGRESS"}}),  # already: refused
    (STATUS, lambda a: {"input": {"activityId": str(a), "status": "COMPLETED", "reasons": ["one", "two"]}}),
    (RISK, lambda a: {"input": {"activityId": str(a), "title": "late supplier", "likelihood": 2, "impact": 3}}),
    (RISK, lambda a: {"input": {"activityId": str(a), "title": "half assessed", "likelihood": 2}}),
]


async def test_a_compiled_mutation_answers_as_normal_execution_does(api: Api) -> None:
    plans = MutationPlans(schema, RUNS, enabled=True)
    normal_on, direct_on = await _twins(api)
    for document, variables in CASES:
        normal = await _answer(api, document, variables(normal_on), None)
        plans.learn(document, None, graphql.parse(document))
        assert plans.plan(document, None) is not None, document
        direct = await _answer(api, document, variables(direct_on), plans)
        assert direct is not None, (document, variables(direct_on))
        assert dump_json(_bare(direct, (normal_on, direct_on))) == dump_json(_bare(normal, (normal_on, direct_on))), (
            document,
            variables(normal_on),
        )
    assert plans.counts["not compiled"] == 0


async def test_idempotency_keys_replay_the_same_way(api: Api) -> None:
    plans = MutationPlans(schema, RUNS, enabled=True)
    plans.learn(EVERY, None, graphql.parse(EVERY))
    normal_on, direct_on = await _twins(api)
    answers = []
    for activity, with_plans in ((normal_on, None), (direct_on, plans)):
        given = {"in": {"activityId": str(activity), "progress": 7, "idempotencyKey": f"k-{activity}"}}
        first = await _answer(api, EVERY, given, with_plans)
        again = await _answer(api, EVERY, given, with_plans)
        assert (
            again["data"]["r"]["replayed"] is True and again["data"]["r"]["position"] == first["data"]["r"]["position"]
        )
        answers.append(_bare([first, again], (normal_on, direct_on)))
    assert answers[0] == answers[1]


@pytest.mark.parametrize("document", [WITH_RESOLVER, TWO_VARIABLES, "mutation { __typename }"])
def test_a_document_of_another_shape_is_not_compiled(document: str) -> None:
    plans = MutationPlans(schema, RUNS, enabled=True)
    plans.learn(document, None, graphql.parse(document))
    assert plans.plan(document, None) is None
    assert plans.counts["not compiled"] == 1


@pytest.mark.parametrize(
    "variables",
    [
        {"input": {"activityId": "x", "progress": "forty"}},  # a Float the scalar refuses
        {"input": {"activityId": "x", "progress": 1, "colour": "red"}},  # a field the input does not have
        {"input": {"progress": 1}},  # a required field missing
        {"input": {"activityId": "x", "progress": 1, "reason": "nul \x00 inside"}},  # NUL: refused before running
        {},
    ],
)
async def test_a_value_the_plan_cannot_take_exactly_is_left_to_normal_execution(
    api: Api, variables: dict[str, Any]
) -> None:
    plans = MutationPlans(schema, RUNS, enabled=True)
    plans.learn(SHORT, None, graphql.parse(SHORT))
    (activity, _) = await _twins(api)
    if isinstance(variables.get("input"), dict) and "activityId" in variables["input"]:
        variables["input"]["activityId"] = str(activity)
    before = log_position(api.ledger)
    assert await _answer(api, SHORT, variables, plans) is None
    assert log_position(api.ledger) == before
    normal = await _answer(api, SHORT, variables, None)
    assert normal["errors"] and log_position(api.ledger) == before


async def test_a_variable_the_document_does_not_declare_is_left_to_normal_execution(api: Api) -> None:
    plans = MutationPlans(schema, RUNS, enabled=True)
    plans.learn(SHORT, None, graphql.parse(SHORT))
    (activity, _) = await _twins(api)
    variables = {"input": {"activityId": str(activity), "progress": 3}, "extra": 1}
    before = log_position(api.ledger)
    assert await _answer(api, SHORT, variables, plans) is None
    assert log_position(api.ledger) == before
    normal = await _answer(api, SHORT, variables, None)  # (graphql-core ignores it)
    assert normal["data"]["reportProgress"]["__typename"] == "ActivityRecorded"


def test_plans_are_bounded_and_off_when_direct_execution_is() -> None:
    plans = MutationPlans(schema, RUNS, enabled=True)
    for n in range(300):
        document = SHORT.replace("mutation P(", f"mutation P{n}(")
        plans.learn(document, None, graphql.parse(document))
    assert len(plans._plans) == 256
    off = MutationPlans(schema, RUNS, enabled=False)
    off.learn(SHORT, None, graphql.parse(SHORT))
    assert off.plan(SHORT, None) is None


def test_every_command_mutation_has_a_run() -> None:
    mutation = schema._schema.mutation_type
    assert mutation is not None
    token_admin = {name for name in mutation.fields if "oken" in name}
    assert set(RUNS) == set(mutation.fields) - token_admin


ATTENDANCE = {
    "meetingId": "00000000-0000-0000-0000-00000000abcd",
    "effectiveOn": "2021-01-06",
    "attendees": [
        {"name": "ก", "position": "ประธาน", "role": "CHAIR", "roles": ["CHAIR", "MEMBER"]},
        {"name": "ข", "presence": "ABSENT", "absenceReason": "ติดราชการ", "absenceNote": None},
        {"name": "ค"},
    ],
}


@pytest.mark.parametrize(
    ("name", "given"),
    [
        ("recordAttendance", ATTENDANCE),
        ("noteRisk", {"activityId": "a", "title": "t", "likelihood": 2, "impact": 3, "reviewOn": "2021-02-01"}),
        ("changeActivityStatus", {"activityId": "a", "status": "ON_HOLD", "reasons": ["x"], "reason": "x"}),
        ("reportProgress", {"activityId": "a", "progress": 1.5, "consistency": "READ_YOUR_WRITES"}),
    ],
)
def test_the_plan_s_conversion_of_an_input_is_strawberry_s(name: str, given: dict[str, Any]) -> None:
    """The plan converts an input with each field's name and type looked up once: the object it
    builds is the one strawberry's `convert_arguments` builds (nested inputs, enums, lists, dates)."""
    from graphql.utilities.coerce_input_value import coerce_input_value
    from strawberry.types.arguments import convert_arguments

    kind = schema._schema.mutation_type.fields[name].args["input"].type  # type: ignore[union-attr]
    document = f"mutation M($i: {kind}) {{ {name}(input: $i) {{ __typename }} }}"
    plans = MutationPlans(schema, RUNS, enabled=True)
    plans.learn(document, None, graphql.parse(document))
    plan = plans.plan(document, None)
    assert plan is not None
    coerced = coerce_input_value(given, kind)
    strawberry_s = convert_arguments(
        {"input": coerced}, plan.strawberry_field.arguments, plan.scalar_registry, plan.config
    )["input"]
    assert plan.convert(coerced) == strawberry_s
    assert repr(plan.convert(coerced)) == repr(strawberry_s)
