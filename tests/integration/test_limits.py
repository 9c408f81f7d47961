"""Documents over a limit are refused before they run, with an error naming the limit."""

from __future__ import annotations

import pytest

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
