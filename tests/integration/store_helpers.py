"""Small builders for store tests: a plan with a strategy and an activity, through the app."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from datetime import date
from typing import Any, TypeVar
from uuid import UUID

from domain import commands as c
from domain.facts import Meta
from service.application.ledger import PlanLedger
from service.config import ServerAddress

T = TypeVar("T")
MEETING_DAY = date(2021, 1, 6)


def meta(on: date = MEETING_DAY, actor: str = "secretariat", reason: str | None = None) -> Meta:
    return Meta(effective_on=on, actor=actor, reason=reason)


def plan_with_activity(app: PlanLedger, code: str = "HR-2561") -> tuple[UUID, UUID]:
    plan = app.execute(
        c.CreatePlan(code=code, title="HR strategy", period_start=date(2018, 1, 1), period_end=date(2022, 12, 31)),
        meta(date(2018, 1, 1)),
    )
    app.execute(c.AddStrategy(plan_id=plan.stream_id, number=1, title="Leaders"), meta(date(2018, 1, 1)))
    activity = app.execute(
        c.RegisterActivity(
            plan_id=plan.stream_id,
            strategy_number=1,
            fiscal_year=2563,
            kind="ONE_YEAR",
            title="Leadership course",
            responsible_units=("HR office",),
        ),
        meta(date(2019, 10, 1)),
    )
    return plan.stream_id, activity.stream_id


def activities_in_one_plan(app: PlanLedger, count: int) -> list[UUID]:
    """`count` activities under one new plan (the first from `plan_with_activity`)."""
    plan_id, first = plan_with_activity(app)
    more = [
        app.execute(
            c.RegisterActivity(
                plan_id=plan_id,
                strategy_number=1,
                fiscal_year=2563,
                kind="ONE_YEAR",
                title=f"Course {n}",
                responsible_units=("HR office",),
            ),
            meta(date(2019, 10, 1)),
        ).stream_id
        for n in range(count - 1)
    ]
    return [first, *more]


def log_position(app: PlanLedger) -> int:
    return int(app.recorder.max_notification_id() or 0)


def event_count(app: PlanLedger) -> int:
    """Rows in the log. (Not the max position: a rolled-back insert leaves a gap in the ids.)"""
    datastore = app.recorder.datastore  # type: ignore[attr-defined]
    with datastore.transaction(commit=False) as cursor:
        cursor.execute("SELECT count(*) AS n FROM planledger_events")
        return int(cursor.fetchone()["n"])


@contextlib.asynccontextmanager
async def ledger_on_loop(database: ServerAddress) -> AsyncIterator[PlanLedger]:
    """A ledger with an appender on the running loop (commands decided and saved there)."""
    ledger = PlanLedger.connect(database)
    ledger.appender = ledger.appender_on(database)
    try:
        yield ledger
    finally:
        await ledger.appender.close()
        ledger.close()


class NoMeetings:
    """`run_command`'s meetings, for commands that name none."""

    async def ids_by_code(self, code: str) -> list[UUID]:
        return []

    async def date_of(self, meeting_id: UUID) -> Any:
        return None


def from_another_process(database: ServerAddress, run: Callable[[PlanLedger], T]) -> T:
    """What `run` gives on a ledger of its own (another process's view of the store: no cache shared)."""
    other = PlanLedger.connect(database)
    try:
        return run(other)
    finally:
        other.close()
