"""The Query root: current views, history, time travel and baseline comparison."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Annotated
from uuid import UUID

import strawberry
from strawberry.types import Info

from projections import queries as q
from projections import report as r
from projections.projector import log_position
from service.api import enums as e
from service.api import limits
from service.api.context import Context
from service.api.points import (
    AsOf,
    AsOfArgument,
    BadInput,
    Missing,
    aware,
    in_range,
    meeting_id,
    meeting_key,
    parse_id,
    resolve,
)
from service.api.token_admin import ApiToken, list_tokens
from service.api.types.change import PlanChanges
from service.api.types.connection import After, Before, First, Last, page
from service.api.types.event import EventConnection, EventFilter, event_page, events_page
from service.api.types.keyresult import KeyResult, key_result_at, key_results_of_plan
from service.api.types.meeting import (
    ActionItem,
    Meeting,
    MeetingConnection,
    MembershipChange,
    meeting_by_id,
    meetings_page,
)
from service.api.types.node import Node
from service.api.types.plan import (
    Activity,
    Milestone,
    Plan,
    Proposal,
    Risk,
    activity_at,
    plan_at,
    plan_key,
    risk_rows,
)
from service.api.types.report import DueUpdates, ProgressReport
from service.api.types.viewer import Viewer

Ctx = Info[Context, None]


async def _meeting_now(context: Context, meeting_id: UUID, _point: q.Point) -> Meeting | None:
    return await meeting_by_id(context, meeting_id)


#: how `node` shows an object, by the kind of its stream (as the event index names it)
NODES: dict[str, Callable[[Context, UUID, q.Point], Awaitable[Node | None]]] = {
    "plan": plan_at,
    "activity": activity_at,
    "meeting": _meeting_now,
    "key_result": key_result_at,
}


@strawberry.type(
    description="What the ledger holds: plans as they stand or as of any point (a date or a meeting, as known at "
    "any time), history, meetings, changes between points, key results and the reporting cycle."
)
class Query:
    @strawberry.field(description="Every plan, by code (as of a point if given).")
    async def plans(self, info: Ctx, as_of: AsOfArgument = None) -> list[Plan]:
        point = await resolve(info.context, as_of)
        rows = await info.context.read(lambda conn: q.all_plans(conn, point))
        return [Plan.from_row(r, point) for r in rows]

    @strawberry.field(
        description="One plan by ID or by code (as the reports take it), as of a point (default: now). "
        "Null if it did not exist then."
    )
    async def plan(
        self,
        info: Ctx,
        id: Annotated[strawberry.ID, strawberry.argument(description="The plan's ID, or its code (e.g. HR-2561).")],
        as_of: AsOfArgument = None,
    ) -> Plan | None:
        plan_id = await plan_key(info.context, id, "id")
        return await plan_at(info.context, plan_id, await resolve(info.context, as_of))

    @strawberry.field(description="Changes of committees' membership, in the order they became known.")
    async def membership_changes(
        self,
        info: Ctx,
        body: Annotated[
            str | None, strawberry.argument(description="Only this committee's (its name, as its meetings give it).")
        ] = None,
    ) -> list[MembershipChange]:
        wanted = None if body is None else " ".join(body.split())
        rows = await info.context.read(lambda conn: q.membership_changes(conn, wanted))
        return [MembershipChange.from_row(r) for r in rows]

    @strawberry.field(description="The proposals for a plan's yearly action plans, by fiscal year and strategy.")
    async def proposals(
        self,
        info: Ctx,
        plan_id: Annotated[strawberry.ID, strawberry.argument(description="The plan's ID, or its code.")],
        fiscal_year: Annotated[
            int | None, strawberry.argument(description="Only those for this Buddhist Era fiscal year, e.g. 2564.")
        ] = None,
    ) -> list[Proposal]:
        plan = await plan_key(info.context, plan_id, "planId")
        rows = await info.context.read(lambda conn: q.proposals_of(conn, plan, fiscal_year, q.Point()))
        return [Proposal.from_row(r, plan) for r in rows]

    @strawberry.field(
        description="Any object with a global ID (a plan, activity, meeting or key result: Relay's Global Object "
        "Identification), as it stands now. Null if there is none."
    )
    async def node(
        self,
        info: Ctx,
        id: Annotated[
            strawberry.ID, strawberry.argument(description="The ID a plan, activity, meeting or key result shows.")
        ],
    ) -> Node | None:
        stream_id = parse_id("id", id)
        first = await info.context.read(lambda conn: q.events(conn, first=1, filter={"stream_id": stream_id}))
        show = NODES.get(first[0]["stream_kind"]) if first else None
        return None if show is None else await show(info.context, stream_id, q.Point())

    @strawberry.field(description="One activity by ID, as of a point (default: now). Null if it did not exist then.")
    async def activity(
        self,
        info: Ctx,
        id: Annotated[strawberry.ID, strawberry.argument(description="The activity's ID.")],
        as_of: AsOfArgument = None,
    ) -> Activity | None:
        activity_id = parse_id("id", id)
        return await activity_at(info.context, activity_id, await resolve(info.context, as_of))

    @strawberry.field(description='One meeting by ID or by code such as "1/2564".')
    async def meeting(
        self,
        info: Ctx,
        id: Annotated[str, strawberry.argument(description='The meeting\'s ID, or its code (e.g. "1/2564").')],
    ) -> Meeting | None:
        try:
            found = await meeting_id(info.context, id, "id")
        except Missing:  # a code nobody used is simply no meeting
            return None
        return await meeting_by_id(info.context, found)

    @strawberry.field(description="Meetings in date order, a page at a time.")
    async def meetings(
        self,
        info: Ctx,
        plan_id: Annotated[
            strawberry.ID | None, strawberry.argument(description="Only the meetings of this plan (its ID).")
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> MeetingConnection:
        plan = None if plan_id is None else parse_id("planId", plan_id)
        wanted = page(first, after, last, before, limits.PAGES["meetings"], meeting_key)
        return await meetings_page(info.context, plan, wanted)

    @strawberry.field(
        description="The risk register as of a point, highest score first, then risks not yet assessed (no "
        "score or level; `minLevel` leaves them out)."
    )
    async def risks(
        self,
        info: Ctx,
        plan_id: Annotated[
            strawberry.ID | None, strawberry.argument(description="Only the risks of this plan's activities (its ID).")
        ] = None,
        as_of: AsOfArgument = None,
        min_level: Annotated[
            e.RiskLevel | None, strawberry.argument(description="Only the risks at this level or above.")
        ] = None,
        status: Annotated[
            list[e.RiskStatus] | None, strawberry.argument(description="Only the risks at one of these statuses.")
        ] = None,
    ) -> list[Risk]:
        plan = None if plan_id is None else parse_id("planId", plan_id)
        point = await resolve(info.context, as_of)
        rows = await risk_rows(info.context, plan, point, min_level, status)
        return [Risk.from_row(r, point) for r in rows]

    @strawberry.field(description="Milestone timelines as of a point; `overdueOnly` keeps those overdue then.")
    async def milestones(
        self,
        info: Ctx,
        plan_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only the milestones of this plan's activities (its ID)."),
        ] = None,
        as_of: AsOfArgument = None,
        overdue_only: Annotated[
            bool,
            strawberry.argument(
                description="Only those still planned and past their due date on the point's date (or today)."
            ),
        ] = False,
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
        plan_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only those assigned by the meetings of this plan (its ID)."),
        ] = None,
        owner: Annotated[
            str | None,
            strawberry.argument(description="Only those this owner is to do (as the resolution names them)."),
        ] = None,
        state: Annotated[
            e.ActionItemState | None, strawberry.argument(description="Only those in this state on `on`.")
        ] = None,
        on: Annotated[
            date | None, strawberry.argument(description="The day to judge `state` on (default: today).")
        ] = None,
    ) -> list[ActionItem]:
        plan = None if plan_id is None else parse_id("planId", plan_id)
        in_range(on, "on")
        rows = await info.context.read(
            lambda conn: q.action_items(conn, plan, owner, state.name if state else None, on)
        )
        return [ActionItem.from_row(r) for r in rows]

    @strawberry.field(description="Events in log order, filtered, a page at a time.")
    async def events(
        self,
        info: Ctx,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        filter: Annotated[
            EventFilter | None, strawberry.argument(description="Which events: every condition given must hold.")
        ] = None,
    ) -> EventConnection:
        wanted = event_page(first, after, last, before, limits.PAGES["events"])
        return await events_page(info.context, wanted, filter)

    @strawberry.field(description="What changed in a plan between two points.")
    async def changes(
        self,
        info: Ctx,
        plan_id: Annotated[strawberry.ID, strawberry.argument(description="The ID of the plan.")],
        from_: Annotated[AsOf, strawberry.argument(description="The earlier point.", name="from")],
        to: Annotated[AsOf, strawberry.argument(description="The later point.")],
    ) -> PlanChanges:
        plan = parse_id("planId", plan_id)
        start = await resolve(info.context, from_, "from")
        end = await resolve(info.context, to, "to")
        found = await info.context.read(lambda conn: q.changes(conn, plan, start, end))
        return PlanChanges.of(found, start, end)

    @strawberry.field(description="One key result by ID, judged on a point's day (default: today).")
    async def key_result(
        self,
        info: Ctx,
        id: Annotated[strawberry.ID, strawberry.argument(description="The key result's ID.")],
        as_of: AsOfArgument = None,
    ) -> KeyResult | None:
        key_result_id = parse_id("id", id)
        return await key_result_at(info.context, key_result_id, await resolve(info.context, as_of))

    @strawberry.field(description="A plan's key results with attainment and health on a point's day (default today).")
    async def key_results(
        self,
        info: Ctx,
        plan_id: Annotated[strawberry.ID, strawberry.argument(description="The ID of the plan.")],
        as_of: AsOfArgument = None,
        health: Annotated[
            list[e.Health] | None, strawberry.argument(description="Only the key results of one of these healths.")
        ] = None,
        activity_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only the key results measured on this activity (its ID)."),
        ] = None,
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
        self,
        info: Ctx,
        plan_id: Annotated[strawberry.ID, strawberry.argument(description="The ID of the plan.")],
        meeting: Annotated[
            str, strawberry.argument(description='The meeting the report is for: its ID or code (e.g. "2/2564").')
        ],
        known_at: Annotated[
            datetime | None, strawberry.argument(description="As the ledger knew it at this time (default: now).")
        ] = None,
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
        plan_id: Annotated[strawberry.ID, strawberry.argument(description="The ID of the plan.")],
        unit: Annotated[str, strawberry.argument(description="The responsible unit, as the activities name it.")],
        on: Annotated[date | None, strawberry.argument(description="The day to judge on (default: today).")] = None,
        known_at: Annotated[
            datetime | None, strawberry.argument(description="As the ledger knew it at this time (default: now).")
        ] = None,
    ) -> DueUpdates:
        plan = parse_id("planId", plan_id)
        if not unit.strip():
            raise BadInput("unit", "name the responsible unit, as the activities name it")
        in_range(on, "on")
        when = aware(known_at, "knownAt")
        found = await info.context.read(lambda conn: r.due_updates(conn, plan, unit.strip(), on, when))
        return DueUpdates.of(found)

    @strawberry.field(description="Who the signed-in token is and which mutations it may run.")
    def viewer(self, info: Ctx) -> Viewer:
        return Viewer.of(info.context.principal)

    @strawberry.field(description="Every API token, revoked ones too (admin only; never their secrets).")
    async def tokens(self, info: Ctx) -> list[ApiToken]:
        return await list_tokens(info)

    @strawberry.field(description="The planledger version serving this API.")
    def version(self) -> str:
        from importlib.metadata import version

        return version("planledger")

    @strawberry.field(description="Position of the newest event in the log (0 when empty).")
    async def log_position(self, info: Ctx) -> int:
        return await info.context.read(log_position)
