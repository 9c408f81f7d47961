"""Which error a response carries does not depend on which query finished first
(service/api/execution/ordered.py)."""

from __future__ import annotations

import asyncio

import pytest
from graphql.execution import executor as graphql_executor

from service.api.execution.ordered import gather_in_order


async def _fail_after(seconds: float, message: str) -> None:
    await asyncio.sleep(seconds)
    raise ValueError(message)


async def _value_after(seconds: float, value: int) -> int:
    await asyncio.sleep(seconds)
    return value


async def test_the_first_failure_in_order_is_raised_not_the_first_in_time() -> None:
    with pytest.raises(ValueError, match="first"):
        await gather_in_order(_fail_after(0.05, "first"), _fail_after(0.0, "second"))


async def test_every_sibling_settles_before_the_failure_propagates() -> None:
    finished: list[str] = []

    async def slow() -> str:
        await asyncio.sleep(0.05)
        finished.append("slow")
        return "slow"

    with pytest.raises(ValueError, match="fast"):
        await gather_in_order(_fail_after(0.0, "fast"), slow())
    assert finished == ["slow"]


async def test_values_come_back_in_order() -> None:
    assert await gather_in_order(_value_after(0.03, 1), _value_after(0.0, 2), _value_after(0.01, 3)) == [1, 2, 3]


def test_the_executor_gathers_in_order() -> None:
    assert graphql_executor.gather_with_cancel is gather_in_order
