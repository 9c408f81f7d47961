"""Shared builders for the projection tests (no tests here)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any, TypeVar
from uuid import UUID

import asyncpg

from domain import commands as c
from domain.facts import Meta
from projections.projector import Projector
from service.application.ledger import PlanLedger
from service.config import ServerAddress

T = TypeVar("T")


def meta(on: date, reason: str | None = None, meeting: str | None = None, actor: str = "secretariat") -> Meta:
    return Meta(effective_on=on, actor=actor, meeting_id=meeting, reason=reason)


def new_plan(app: PlanLedger, code: str, on: date = date(2018, 1, 1), strategies: int = 2) -> UUID:
    plan = app.execute(
        c.CreatePlan(code=code, title="HR strategy", period_start=date(2018, 1, 1), period_end=date(2022, 12, 31)),
        meta(on),
    )
    for n in range(1, strategies + 1):
        app.execute(c.AddStrategy(plan_id=plan.stream_id, number=n, title=f"Strategy {n}"), meta(on))
    return plan.stream_id


def new_activity(app: PlanLedger, plan_id: UUID, on: date, strategy: int = 1, title: str = "Course") -> UUID:
    receipt = app.execute(
        c.RegisterActivity(
            plan_id=plan_id,
            strategy_number=strategy,
            fiscal_year=2564,
            kind="ONE_YEAR",
            title=title,
            responsible_units=("HR office",),
        ),
        meta(on),
    )
    return receipt.stream_id


async def project(address: ServerAddress) -> int:
    return await Projector(address.asyncpg_args()).catch_up()


async def with_conn(address: ServerAddress, work: Callable[[asyncpg.Connection], Awaitable[T]]) -> T:
    conn = await asyncpg.connect(**address.asyncpg_args())
    try:
        return await work(conn)
    finally:
        await conn.close()


def run(coro: Awaitable[T]) -> T:
    async def wrapper() -> T:
        return await coro

    return asyncio.run(wrapper())


def count_events(address: ServerAddress) -> Any:
    async def work(conn: asyncpg.Connection) -> Any:
        return await conn.fetchval("SELECT count(*) FROM planledger_events WHERE topic LIKE 'domain.%'")

    return run(with_conn(address, work))
