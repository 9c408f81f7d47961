"""The Query root: current views, history, time travel and baseline comparison."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from projections import queries as q
from projections import report as r
from projections.projector import log_position
from service.api import enums as e
from service.api.context import Context
from service.api.points import (
    AsOf,
    BadInput,
    Cursor,
    Missing,
    aware,
    in_range,
    meeting_id,
    meeting_key,
    parse_id,
    resolve,
)
from service.api.types.change import PlanChanges
from service.api.types.event import EventConnection, EventFilter, events_page, page_size
from service.api.types.keyresult import KeyResult, key_result_at, key_results_of_plan
from service.api.types.meeting import ActionItem, Meeting, MeetingConnection, meeting_by_id
from service.api.types.plan import Activity, Milestone, Plan, Risk, activity_at, plan_at, risk_rows
from service.api.types.report import DueUpdates, ProgressReport

Ctx = Info[Context, None]


@strawberry.type
class Query:
    @strawberry.field(description="Every plan, by code (as of a point if given).")
    async def plans(self, info: Ctx, as_of: AsOf | None = None) -> list[Plan]:
        point = await resolve(info.context, as_of)
        rows = await info.context.read(lambda conn: q.all_plans(conn, point))
        return [Plan.from_row(r, point) for r in rows]

    @strawberry.field(description="One plan by ID, as of a point (default: now). Null if it did not exist then.")
    async def plan(self, info: Ctx, id: strawberry.ID, as_of: AsOf | None = None) -> Plan | None:
        plan_id = parse_id("id", id)
        return await plan_at(info.context, plan_id, await resolve(info.context, as_of))

    @strawberry.field(description="One activity by ID, as of a point (default: now). Null if it did not exist then.")
    async def activity(self, info: Ctx, id: strawberry.ID, as_of: AsOf | None = None) -> Activity | None:
        activity_id = parse_id("id", id)
        return await activity_at(info.context, activity_id, await resolve(info.context, as_of))

    @strawberry.field(description='One meeting by ID or by code such as "1/2564".')
    async def meeting(self, info: Ctx, id: str) -> Meeting | None:
        try:
            found = await meeting_id(info.context, id, "id")
        except Missing:  # a code nobody used is simply no meeting
            return None
        return await meeting_by_id(info.context, found)

    @strawberry.field(description="Meetings in date order, a page at a time.")
    async def meetings(
        self,
        info: Ctx,
        plan_id: strawberry.ID | None = None,
        first: int = 20,
        after: Cursor | None = None,
    ) -> MeetingConnection:
        size = page_size(first)
        plan = None if plan_id is None else parse_id("planId", plan_id)
        key = meeting_key(after)
        rows = await info.context.read(lambda conn: q.meeting_page(conn, plan, size + 1, key))
        return MeetingConnection.of(rows, size)

    @strawberry.field(description="The risk register as of a point, highest score first.")
    async def risks(
        self,
        info: Ctx,
        plan_id: strawberry.ID | None = None,
        as_of: AsOf | None = None,
        min_level: e.RiskLevel | None = None,
        status: list[e.RiskStatus] | None = None,
    ) -> list[Risk]:
        plan = None if plan_id is None else parse_id("planId", plan_id)
        point = await resolve(info.context, as_of)
        rows = await risk_rows(info.context, plan, point, min_level, status)
        return [Risk.from_row(r, point) for r in rows]

    @strawberry.field(description="Milestone timelines as of a point; `overdueOnly` keeps those overdue then.")
    async def milestones(
        self,
        info: Ctx,
        plan_id: strawberry.ID | None = None,
        as_of: AsOf | None = None,
        overdue_only: bool = False,
    ) -> list[Milestone]:
        plan = None if plan_id is None else parse_id("planId", plan_id)
        point = await resolve(info.context, as_of)
        rows = await info.context.read(
            lambda conn: q.milestones(
                conn, plan, None, point.on, point.known_at, only_overdue=overdue_only, reported=point.reported
            )
        )
        return [Milestone.from_row(r, point) for r in rows]

    @strawberry.field(description="Action items assigned by resolutions; `state` judged on `on` (default today).")
    async def action_items(
        self,
        info: Ctx,
        plan_id: strawberry.ID | None = None,
        owner: str | None = None,
        state: e.ActionItemState | None = None,
        on: date | None = None,
    ) -> list[ActionItem]:
        plan = None if plan_id is None else parse_id("planId", plan_id)
        in_range(on, "on")
        rows = await info.context.read(
            lambda conn: q.action_items(conn, plan, owner, state.value if state else None, on)
        )
        return [
            ActionItem(
                id=r["item_id"],
                description=r["description"],
                owner=r["owner"],
                due_on=r["due_on"],
                due_meeting=r["due_meeting"],
                done_on=r["done_on"],
                state=e.ActionItemState[r["state"]],
            )
            for r in rows
        ]

    @strawberry.field(description="Events in log order, filtered, a page at a time.")
    async def events(
        self,
        info: Ctx,
        first: int = 50,
        after: Cursor | None = None,
        filter: EventFilter | None = None,
    ) -> EventConnection:
        return await events_page(info.context, first, after, filter)

    @strawberry.field(description="What changed in a plan between two points.")
    async def changes(
        self, info: Ctx, plan_id: strawberry.ID, from_: Annotated[AsOf, strawberry.argument(name="from")], to: AsOf
    ) -> PlanChanges:
        plan = parse_id("planId", plan_id)
        start = await resolve(info.context, from_, "from")
        end = await resolve(info.context, to, "to")
        found = await info.context.read(lambda conn: q.changes(conn, plan, start, end))
        return PlanChanges.of(found, start, end)

    @strawberry.field(description="One key result by ID, judged on a point's day (default: today).")
    async def key_result(self, info: Ctx, id: strawberry.ID, as_of: AsOf | None = None) -> KeyResult | None:
        key_result_id = parse_id("id", id)
        return await key_result_at(info.context, key_result_id, await resolve(info.context, as_of))

    @strawberry.field(description="A plan's key results with attainment and health on a point's day (default today).")
    async def key_results(
        self,
        info: Ctx,
        plan_id: strawberry.ID,
        as_of: AsOf | None = None,
        health: list[e.Health] | None = None,
        activity_id: strawberry.ID | None = None,
    ) -> list[KeyResult]:
        plan = parse_id("planId", plan_id)
        activity = None if activity_id is None else strawberry.ID(str(parse_id("activityId", activity_id)))
        found = await key_results_of_plan(info.context, plan, await resolve(info.context, as_of))
        wanted = {h.value for h in health} if health else None
        return [
            k
            for k in found
            if (wanted is None or (k.health is not None and k.health.value in wanted))
            and (activity is None or k.activity_id == activity)
        ]

    @strawberry.field(
        description='What the secretariat prepares before a meeting (an ID or a code such as "1/2564"): '
        "the period since the committee's previous meeting, as known at `knownAt` (default: now)."
    )
    async def progress_report(
        self, info: Ctx, plan_id: strawberry.ID, meeting: str, known_at: datetime | None = None
    ) -> ProgressReport | None:
        plan = parse_id("planId", plan_id)
        ours = await info.context.read(lambda conn: r.meeting_ids_of_plan(conn, plan, meeting))
        found_meeting = ours[0] if len(ours) == 1 else await meeting_id(info.context, meeting, "meeting")
        when = aware(known_at, "knownAt")
        found = await info.context.read(lambda conn: r.progress_report(conn, plan, found_meeting, when))
        return None if found is None else ProgressReport.of(found)

    @strawberry.field(description="What a unit still has to report before the committee's next meeting.")
    async def due_updates(
        self,
        info: Ctx,
        plan_id: strawberry.ID,
        unit: str,
        on: date | None = None,
        known_at: datetime | None = None,
    ) -> DueUpdates:
        plan = parse_id("planId", plan_id)
        if not unit.strip():
            raise BadInput("unit", "name the responsible unit, as the activities name it")
        in_range(on, "on")
        when = aware(known_at, "knownAt")
        found = await info.context.read(lambda conn: r.due_updates(conn, plan, unit.strip(), on, when))
        return DueUpdates.of(found)

    @strawberry.field(description="The planledger version serving this API.")
    def version(self) -> str:
        from importlib.metadata import version

        return version("planledger")

    @strawberry.field(description="Position of the newest event in the log (0 when empty).")
    async def log_position(self, info: Ctx) -> int:
        return await info.context.read(log_position)
