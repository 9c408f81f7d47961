"""Documents over a limit are refused before they run, with an error naming the limit."""

from __future__ import annotations

import pytest
from graphql import GraphQLError, parse, validate

from service.api import limits
from service.api.documents import MAX_SELECTIONS, check_shape
from service.api.schema import schema
from tests.integration.graphql_support import Api
from tests.integration.test_graphql_schema import WHOLE_PLAN

NEST = "{ plans " + "{ activities { plan " * 8 + "{ code }" + " } }" * 8 + " }"


@pytest.mark.parametrize(
    ("document", "says"),
    [
        (NEST, "exceeds maximum operation depth"),
        ("{ " + " ".join(f"a{n}: logPosition" for n in range(31)) + " }", "aliases"),
        ("{ " + "logPosition " * 5001 + "}", "token"),
        ("{ plans { activities { history(first: 500) { edges { node { payload } } } } } }", "estimated cost"),
        ("{ plans { activities { history(last: 500) { edges { node { payload } } } } } }", "estimated cost"),
        (
            "{ plans { activities { risks { activity { history(first: 100) { edges { node { payload } } } } } } } }",
            "estimated cost",
        ),
    ],
)
async def test_over_a_limit_is_refused_naming_it(api: Api, document: str, says: str) -> None:
    result = await api.raw(document)
    assert result.errors, document
    assert says in result.errors[0].message.lower() or says in result.errors[0].message, result.errors[0].message
    assert result.data is None


async def test_the_whole_plan_query_is_within_the_limits(api: Api) -> None:
    result = await api.raw(WHOLE_PLAN, {"id": "00000000-0000-0000-0000-000000000000"})
    assert not result.errors and result.data == {"plan": None}


# -- issue 17: a document's work is bounded before any rule walks it --------------------------------


def fragments_spreading_the_next_twice(levels: int, on: str = "Query", leaf: str = "logPosition") -> str:
    """`levels` fragments, each spreading the next one twice: 2^levels selections of `leaf`."""
    fragments = [f"fragment F{n} on {on} {{ ...F{n + 1} ...F{n + 1} }}" for n in range(levels)]
    return " ".join([f"fragment F{levels} on {on} {{ {leaf} }}", *fragments])


@pytest.mark.parametrize(
    ("document", "code"),
    [
        ("{ ...F0 } " + fragments_spreading_the_next_twice(40), "SAME_NAME_LIMIT"),
        ("{ plans { ...F0 } } " + fragments_spreading_the_next_twice(40, "Plan", "code"), "SAME_NAME_LIMIT"),
        ("{ " + "plans { code } " * 600 + "}", "SAME_NAME_LIMIT"),
        (
            "{ ...A } fragment A on Query { plans { ...B } } fragment B on Plan { activities { plan { ...B } } }",
            "FRAGMENT_CYCLE",
        ),
        (
            "{ plans { ...F0 } } "
            + " ".join(f"fragment F{n} on Plan {{ strategies {{ plan {{ ...F{n + 1} }} }} }}" for n in range(12))
            + " fragment F12 on Plan { code }",
            "DEPTH_LIMIT",
        ),
    ],
)
async def test_a_document_over_a_bound_is_refused_before_validation(api: Api, document: str, code: str) -> None:
    # strawberry's depth and alias limiters and the cost rule walked every spread: 2^40 steps
    result = await api.raw(document)
    assert result.data is None and result.errors, document[:200]
    assert [e.extensions["code"] for e in result.errors] == [code], result.errors


def test_the_expanded_size_is_bounded_with_every_name_distinct() -> None:
    # 16 aliased `plans` under each `strategies`, 4 levels deep: no name repeats, no level is deep,
    # but once expanded it selects 16^4 of them (the aliases are over their limit too; the size is
    # found first, while the fragments are measured)
    def level(n: int) -> str:
        fields = " ".join(f"a{k}: plans {{ ...F{n + 1} }}" for k in range(16))
        return f"fragment F{n} on Plan {{ strategies {{ {fields} }} }}"

    document = "{ plans { ...F0 } } " + " ".join(level(n) for n in range(4)) + " fragment F4 on Plan { code }"
    with pytest.raises(GraphQLError) as refused:
        check_shape(parse(document))
    assert refused.value.extensions == {"code": "SELECTION_LIMIT", "limit": MAX_SELECTIONS}


async def test_an_unknown_fragment_is_a_validation_error(api: Api) -> None:
    # strawberry's depth limiter raised KeyError on it: an internal error
    result = await api.raw("{ ...Nowhere }")
    assert [e.message for e in result.errors] == ["Unknown fragment 'Nowhere'."]


def test_the_cost_rule_counts_a_fragment_once() -> None:
    # the rule alone, without the bounds before it: it walked 2^40 spreads
    document = parse("{ plans { ...F0 } } " + fragments_spreading_the_next_twice(40, "Plan", "code"))
    errors = validate(schema._schema, document, [limits.CostLimit])
    assert [e.extensions["code"] for e in errors if e.extensions] == ["COST_LIMIT"]
