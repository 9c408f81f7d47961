"""Plans, strategies, activities, milestones and risks as the API shows them.

Each object carries the point in time it was read at (`point`), so what hangs below it (an
activity's milestones, a risk's activity) is read at the same point, through the request's
DataLoaders: one statement per kind of row for a whole plan, however many activities it has.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from operator import itemgetter
from typing import TYPE_CHECKING, Annotated, Any, cast
from uuid import UUID

import strawberry
from strawberry.types import Info
from strawberry.types.nodes import SelectedField

from domain import vocabulary as v
from projections import keyresults as k
from projections import queries as q
from service.api import enums as e
from service.api import limits
from service.api.context import Context
from service.api.points import BadInput, PointShown, shown
from service.api.types import keyresult as kt
from service.api.types.connection import After, Before, First, Last
from service.api.types.node import Node
from service.api.types.refs import show, shows

if TYPE_CHECKING:
    from service.api.types.event import EventConnection
    from service.api.types.meeting import Meeting

EventConnectionRef = Annotated["EventConnection", strawberry.lazy("service.api.types.event")]
#: the arguments that keep some of a plan's (or a strategy's) activities
FiscalYear = Annotated[
    int | None, strawberry.argument(description="Only the activities of this Buddhist Era fiscal year, e.g. 2564.")
]
Statuses = Annotated[
    list[e.ActivityStatus] | None, strawberry.argument(description="Only the activities at one of these statuses.")
]
MeetingRef = Annotated["Meeting", strawberry.lazy("service.api.types.meeting")]


def _float(value: Decimal | float | None) -> float | None:
    return None if value is None else float(value)


@strawberry.type(description="How many activities stand at one status.")
class StatusCount:
    status: e.ActivityStatus = strawberry.field(description="The status.")
    status_label: str = strawberry.field(description="The status in Thai, as the minutes write it.")
    count: int = strawberry.field(description="How many of the activities stand at it.")


@strawberry.type(description="Roll-up of some activities: counts by status, share completed, mean progress.")
class Summary:
    total: int = strawberry.field(description="How many activities.")
    completed: int = strawberry.field(description="How many of them are completed.")
    share_completed: float | None = strawberry.field(description="Completed ÷ total, 0 to 1; null with none.")
    mean_progress: float | None = strawberry.field(
        description="Mean progress in percent of the activities with a progress reported (`progressKnown` of "
        "`total`); null when none has one. An activity with none is left out, never counted as 0."
    )
    progress_known: int = strawberry.field(
        description="How many of the activities have a progress reported (the rest: unknown, shown as —)."
    )
    by_status: list[StatusCount] = strawberry.field(description="Every status, including those with no activity.")

    @classmethod
    def of(cls, rows: list[dict[str, Any]]) -> Summary:
        return cls.of_rollup(q.Rollup.of(rows))

    @classmethod
    def of_rollup(cls, rollup: q.Rollup) -> Summary:
        return cls(
            total=rollup.total,
            completed=rollup.completed,
            share_completed=_float(rollup.share_completed),
            mean_progress=_float(rollup.mean_progress),
            progress_known=rollup.progress_known,
            by_status=[
                StatusCount(status=e.ActivityStatus[s.value], status_label=s.label, count=rollup.by_status.get(s, 0))
                for s in v.ActivityStatus
            ],
        )


@strawberry.type(
    description="A figure as reported (by a meeting's minutes, say), in its own words, beside what `summary` "
    "computes and never replaced by it: about the whole plan, a kind of activity, a strategy or an activity."
)
class ReportedFigure:
    id: str
    label: str = strawberry.field(description="What the figure is, as the report words it.")
    value: float = strawberry.field(description="As reported (83.2 for 'ร้อยละ ๘๓.๒๐').")
    unit: e.MeasureUnit
    unit_label: str | None = strawberry.field(description="The unit's name, for OTHER.")
    kind: e.ActivityKind | None = strawberry.field(description="Set for a figure about one kind of activity.")
    kind_label: str | None
    strategy_number: int | None = strawberry.field(description="Set for a figure about one strategy.")
    activity_id: strawberry.ID | None = strawberry.field(description="Set for a figure about one activity.")
    fiscal_year: int | None = strawberry.field(description="The fiscal year it is for, where the report says.")
    agenda_item: int | None = strawberry.field(description="The agenda item that reported it.")
    reported_on: date = strawberry.field(description="When it was reported (the fact's effective date).")
    meeting_id: strawberry.Private[str | None]
    point: strawberry.Private[q.Point]

    @classmethod
    def from_row(cls, row: dict[str, Any], point: q.Point) -> ReportedFigure:
        kind = row["kind"]
        return cls(
            id=row["figure_id"],
            label=row["label"],
            value=float(row["value"]),
            unit=e.MeasureUnit[row["unit"]],
            unit_label=row["unit_label"],
            kind=None if kind is None else e.ActivityKind[kind],
            kind_label=None if kind is None else v.ActivityKind(kind).label,
            strategy_number=row["strategy_number"],
            activity_id=None if row["activity_id"] is None else strawberry.ID(str(row["activity_id"])),
            fiscal_year=row["fiscal_year"],
            agenda_item=row["agenda_item"],
            reported_on=row["reported_on"],
            meeting_id=row["meeting_id"],
            point=point,
        )

    @strawberry.field(description="The meeting that reported it (null: none named).")
    async def meeting(self, info: Info[Context, None]) -> MeetingRef | None:
        try:
            meeting_id = UUID(str(self.meeting_id))
        except ValueError:
            return None
        found: Meeting | None = await show("Meeting", info.context, meeting_id, self.point)
        return found


def reported(rows: list[dict[str, Any]], point: q.Point, **about: Any) -> list[ReportedFigure]:
    """The figures among a plan's `rows` whose strategy_number and activity_id are as `about` says."""
    return [ReportedFigure.from_row(r, point) for r in rows if all(r[key] == value for key, value in about.items())]


@strawberry.type(description="A fiscal year's action plan, approved under the strategic plan.")
class ActionPlan:
    fiscal_year: int = strawberry.field(description="Buddhist Era fiscal year, e.g. 2564.")
    approved_on: date = strawberry.field(description="The day the year's action plan was approved.")
    meeting_id: str | None = strawberry.field(description="The ID of the meeting that approved it, if one is recorded.")


@strawberry.type(description="A five-year strategic plan with its strategies and activities.")
class Plan(Node):
    id: strawberry.ID = strawberry.field(description="Globally unique: the UUID of the plan's stream.")
    code: str = strawberry.field(
        description="The plan's code, e.g. HR-2561: unique; `plan(id:)` and the reports take it too."
    )
    title: str = strawberry.field(description="The plan's title.")
    period_start: date | None = strawberry.field(
        description="The period's first day; null unless it was stated (never made from the years)."
    )
    period_end: date | None = strawberry.field(description="The period's last day; null unless it was stated.")
    period_start_year: int | None = strawberry.field(
        description="The period's first year as stated, Buddhist Era (2561 of 'พ.ศ. ๒๕๖๑ - ๒๕๖๕'; calendar or "
        "fiscal, as the text leaves it); null unless stated."
    )
    period_end_year: int | None = strawberry.field(
        description="The period's last year as stated, Buddhist Era; null unless stated."
    )
    vision: str | None = strawberry.field(description="The plan's vision, as last stated; null if none was.")
    action_plans: list[ActionPlan] = strawberry.field(description="The fiscal years' action plans approved so far.")
    lock: kt.PeriodLock | None = strawberry.field(
        description="Facts effective by this date are locked (their minutes are approved); corrections only."
    )
    point: strawberry.Private[q.Point]
    rules: strawberry.Private[Any]

    @classmethod
    def from_row(cls, row: dict[str, Any], point: q.Point) -> Plan:
        lock = row.get("lock")
        return cls(
            lock=None
            if lock is None
            else kt.PeriodLock(
                through=date.fromisoformat(lock["through"]),
                meeting_code=lock["meeting_code"],
                approved_at=lock["approved_at"],
            ),
            rules=row.get("evaluation_rules"),
            id=strawberry.ID(str(row["id"])),
            code=row["code"],
            title=row["title"],
            period_start=row["period_start"],
            period_end=row["period_end"],
            period_start_year=row.get("period_start_year"),
            period_end_year=row.get("period_end_year"),
            vision=row["vision"],
            action_plans=[
                ActionPlan(
                    fiscal_year=a["fiscal_year"],
                    approved_on=date.fromisoformat(a["approved_on"]),
                    meeting_id=a.get("meeting_id"),
                )
                for a in row["action_plans"] or []
            ],
            point=point,
        )

    @property
    def uuid(self) -> UUID:
        return UUID(str(self.id))

    @strawberry.field(description="The point in time this view answers for.")
    def as_of(self) -> PointShown:
        return shown(self.point)

    @strawberry.field(description="Strategies by number.")
    async def strategies(self, info: Info[Context, None]) -> list[Strategy]:
        rows = await strategies_loader(info.context, self.point).load(self.uuid)
        return [Strategy.from_row(r, self.uuid, self.point) for r in rows]

    @strawberry.field(description="Activities by strategy and title; optionally of one fiscal year or status.")
    async def activities(
        self,
        info: Info[Context, None],
        fiscal_year: FiscalYear = None,
        status: Statuses = None,
    ) -> list[Activity]:
        rows = await activities_loader(info.context, self.point).load(self.uuid)
        return await activities_with_children(info, _only(rows, fiscal_year, status), self.point, self.uuid)

    @strawberry.field(description="Counts by status, share completed and mean progress of the plan's activities.")
    async def summary(self, info: Info[Context, None], fiscal_year: FiscalYear = None) -> Summary:
        rows = await activities_loader(info.context, self.point).load(self.uuid)
        return Summary.of(_only(rows, fiscal_year, None))

    @strawberry.field(
        description="Figures reported about the whole plan and its kinds of activity (one-year, continuing), "
        "as reported: beside `summary`, never computed."
    )
    async def reported_figures(self, info: Info[Context, None]) -> list[ReportedFigure]:
        rows = await figures_loader(info.context, self.point).load(self.uuid)
        return reported(rows, self.point, strategy_number=None, activity_id=None)

    @strawberry.field(description="The rules that decide key results' health, top to bottom (defaults if none set).")
    def evaluation_rules(self) -> list[kt.EvaluationRule]:
        return [kt.EvaluationRule.of(rule) for rule in k.parse_rules(self.rules)]

    @strawberry.field(description="Activities by health on the point's day (today for now).")
    async def health(self, info: Info[Context, None]) -> kt.HealthSummary:
        found = await kt.plan_health(info.context, self.uuid, self.point)
        return kt.HealthSummary.of(found.on, found.plan, found.not_evaluated.total())

    @strawberry.field(description="The plan's key results (on activities and on strategies), with health.")
    async def key_results(
        self,
        info: Info[Context, None],
        health: Annotated[
            list[e.Health] | None, strawberry.argument(description="Only the key results of one of these healths.")
        ] = None,
    ) -> list[kt.KeyResult]:
        found = await kt.key_results_of_plan(info.context, self.uuid, self.point)
        wanted = {h.value for h in health} if health else None
        return [r for r in found if wanted is None or (r.health is not None and r.health.value in wanted)]


def _only(rows: list[dict[str, Any]], fiscal_year: int | None, status: list[Any] | None) -> list[dict[str, Any]]:
    wanted = {s.value for s in status} if status else None
    return [
        r
        for r in rows
        if (fiscal_year is None or r["fiscal_year"] == fiscal_year) and (wanted is None or r["status"] in wanted)
    ]


@strawberry.type(description="One strategy of a plan.")
class Strategy:
    number: int = strawberry.field(description="The strategy's number in its plan (1, 2, …).")
    title: str = strawberry.field(description="The strategy's title.")
    goal: str | None = strawberry.field(description="What the strategy aims at, if stated.")
    plan_id: strawberry.Private[UUID]
    point: strawberry.Private[q.Point]

    @classmethod
    def from_row(cls, row: dict[str, Any], plan_id: UUID, point: q.Point) -> Strategy:
        return cls(**{name: f.read(row) for name, f in STRATEGY_FIELDS.items()}, plan_id=plan_id, point=point)

    @strawberry.field(description="The strategy's activities; optionally of one fiscal year or status.")
    async def activities(
        self,
        info: Info[Context, None],
        fiscal_year: FiscalYear = None,
        status: Statuses = None,
    ) -> list[Activity]:
        rows = await activities_loader(info.context, self.point).load(self.plan_id)
        mine = [r for r in rows if r["strategy_number"] == self.number]
        return await activities_with_children(info, _only(mine, fiscal_year, status), self.point, self.plan_id)

    @strawberry.field(description="Counts by status, share completed and mean progress of this strategy's activities.")
    async def summary(self, info: Info[Context, None], fiscal_year: FiscalYear = None) -> Summary:
        rows = await activities_loader(info.context, self.point).load(self.plan_id)
        return Summary.of(_only([r for r in rows if r["strategy_number"] == self.number], fiscal_year, None))

    @strawberry.field(description="Figures reported about this strategy, as reported: beside `summary`, not computed.")
    async def reported_figures(self, info: Info[Context, None]) -> list[ReportedFigure]:
        rows = await figures_loader(info.context, self.point).load(self.plan_id)
        return reported(rows, self.point, strategy_number=self.number, activity_id=None)

    @strawberry.field(description="This strategy's activities by health on the point's day (today for now).")
    async def health(self, info: Info[Context, None]) -> kt.HealthSummary:
        found = await kt.plan_health(info.context, self.plan_id, self.point)
        return kt.HealthSummary.of(found.on, found.strategies.get(self.number, {}), found.not_evaluated[self.number])

    @strawberry.field(description="Key results on this strategy and on its activities.")
    async def key_results(self, info: Info[Context, None]) -> list[kt.KeyResult]:
        found = await kt.key_results_of_plan(info.context, self.plan_id, self.point)
        return [r for r in found if r.strategy_number == self.number]


@strawberry.type(description="An activity of a yearly action plan, under one strategy.")
class Activity(Node):
    id: strawberry.ID = strawberry.field(description="Globally unique: the UUID of the activity's stream.")
    title: str = strawberry.field(description="The activity's title, as the minutes give it.")
    fiscal_year: int = strawberry.field(description="Buddhist Era fiscal year, e.g. 2564.")
    kind: e.ActivityKind = strawberry.field(description="One fiscal year, or continuing across fiscal years.")
    kind_label: str = strawberry.field(description="`kind` in Thai, as the minutes write it.")
    status: e.ActivityStatus = strawberry.field(description="Where the activity stands.")
    status_label: str = strawberry.field(description="`status` in Thai, as the minutes write it (แล้วเสร็จ …).")
    status_reason: str | None = strawberry.field(
        description="Why it stands there, when the status change gave a reason."
    )
    status_reasons: list[str] = strawberry.field(
        description="The same reasons one by one, where the source numbers several (๑. ... ๒. ...); one where it "
        "gives one; empty where none."
    )
    progress: float | None = strawberry.field(
        description="Reported progress in percent, 0 to 100; null until a progress is reported (unknown, not 0)."
    )
    outcome: str | None = strawberry.field(description="What the activity achieved, as last recorded.")
    responsible_units: list[str] = strawberry.field(description="The units responsible for it, by name.")
    strategy_number: int = strawberry.field(description="The number of the strategy it serves.")
    plan_id: strawberry.ID = strawberry.field(description="The ID of the plan it belongs to.")
    point: strawberry.Private[q.Point]
    #: the milestone and risk rows, when whoever made this read them for many activities at once
    milestone_rows: strawberry.Private[list[dict[str, Any]] | None] = None
    risk_rows: strawberry.Private[list[dict[str, Any]] | None] = None

    @classmethod
    def from_row(
        cls,
        row: dict[str, Any],
        point: q.Point,
        milestones: list[dict[str, Any]] | None = None,
        risks: list[dict[str, Any]] | None = None,
    ) -> Activity:
        return cls(
            **{name: f.read(row) for name, f in ACTIVITY_FIELDS.items()},
            point=point,
            milestone_rows=milestones,
            risk_rows=risks,
        )

    @property
    def uuid(self) -> UUID:
        return UUID(str(self.id))

    @strawberry.field(description="The point in time this view answers for.")
    def as_of(self) -> PointShown:
        return shown(self.point)

    @strawberry.field(description="The strategy the activity serves.")
    async def strategy(self, info: Info[Context, None]) -> Strategy | None:
        plan_id = UUID(str(self.plan_id))
        rows = await strategies_loader(info.context, self.point).load(plan_id)
        for r in rows:
            if r["number"] == self.strategy_number:
                return Strategy.from_row(r, plan_id, self.point)
        return None

    @strawberry.field(description="The plan the activity belongs to.")
    async def plan(self, info: Info[Context, None]) -> Plan | None:
        row = await plans_loader(info.context, self.point).load(UUID(str(self.plan_id)))
        return None if row is None else Plan.from_row(row, self.point)

    @strawberry.field(description="Figures reported about this activity, as reported (its progress is apart).")
    async def reported_figures(self, info: Info[Context, None]) -> list[ReportedFigure]:
        rows = await figures_loader(info.context, self.point).load(UUID(str(self.plan_id)))
        return [ReportedFigure.from_row(r, self.point) for r in rows if r["activity_id"] == self.uuid]

    @strawberry.field(description="Key results measured on this activity, with attainment and health.")
    async def key_results(self, info: Info[Context, None]) -> list[kt.KeyResult]:
        found = await kt.key_results_of_plan(info.context, UUID(str(self.plan_id)), self.point)
        return [r for r in found if r.activity_id == self.id]

    @strawberry.field(
        description="The worst of its key results' health; with none, from its status and overdue milestones. "
        "Null for a cancelled activity."
    )
    async def health(self, info: Info[Context, None]) -> e.Health | None:
        health = await self._health(info.context)
        return None if health is None else e.Health[health.value]

    @strawberry.field(description="The Thai label of `health`.")
    async def health_label(self, info: Info[Context, None]) -> str | None:
        health = await self._health(info.context)
        return None if health is None else health.label

    async def _health(self, context: Context) -> v.Health | None:
        found = await kt.plan_health(context, UUID(str(self.plan_id)), self.point)
        return found.activities.get(self.uuid)

    # Not `async`: an activity listed under a plan or strategy has its rows already (a whole plan's
    # milestones then cost no awaitable per activity); alone, it returns the loader's awaitable.
    @strawberry.field(description="Milestones with their timelines, by original due date.")
    def milestones(self, info: Info[Context, None]) -> list[Milestone]:
        if self.milestone_rows is None:
            return cast(list[Milestone], self._milestones(info.context))
        return [Milestone.from_row(r, self.point) for r in self.milestone_rows]

    @strawberry.field(description="Risks noted on the activity.")
    def risks(self, info: Info[Context, None]) -> list[Risk]:
        if self.risk_rows is None:
            return cast(list[Risk], self._risks(info.context))
        return [Risk.from_row(r, self.point) for r in self.risk_rows]

    async def _milestones(self, context: Context) -> list[Milestone]:
        rows = await milestones_loader(context, self.point).load(self.uuid)
        return [Milestone.from_row(r, self.point) for r in rows]

    async def _risks(self, context: Context) -> list[Risk]:
        rows = await risks_loader(context, self.point).load(self.uuid)
        return [Risk.from_row(r, self.point) for r in rows]

    @strawberry.field(description="The stream's version (what `expectedVersion` is checked against).")
    async def version(self, info: Info[Context, None]) -> int:
        loader = info.context.loaders.get(
            "version", self.point.known_at, lambda conn, ids: q.stream_versions(conn, ids, self.point.known_at)
        )
        found: int | None = await loader.load(self.uuid)
        return found or 0

    @strawberry.field(description="Every event of the activity in log order (corrections included).")
    async def history(
        self,
        info: Info[Context, None],
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> EventConnectionRef:
        from service.api.types.event import event_page, stream_history

        wanted = event_page(first, after, last, before, limits.PAGES["history"])
        return await stream_history(info.context, self.uuid, wanted)


@strawberry.type(description="One reschedule of a milestone.")
class Reschedule:
    from_: date = strawberry.field(name="from", description="Due date before the reschedule.")
    to: date = strawberry.field(description="Due date after it.")
    reason: str | None = strawberry.field(description="Why it moved, if a reason was given.")
    effective_on: date = strawberry.field(description="When the reschedule took effect.")


@strawberry.type(description="A milestone and its timeline.")
class Milestone:
    id: str = strawberry.field(description="The milestone's id within its activity (not a global ID).")
    title: str = strawberry.field(description="What is to be reached.")
    due_on: date = strawberry.field(description="When it is due now, after any reschedules.")
    original_due_on: date = strawberry.field(description="When it was first due.")
    planned_on: date | None = strawberry.field(description="When it was planned.")
    achieved_on: date | None = strawberry.field(description="When it was achieved; null if it was not.")
    dropped_on: date | None = strawberry.field(description="When it was dropped; null if it was not.")
    status: e.MilestoneStatus = strawberry.field(description="Planned, achieved or dropped.")
    status_label: str = strawberry.field(description="`status` in Thai.")
    slip_days: int = strawberry.field(description="Days between the original and the current (or achieved) date.")
    overdue: bool = strawberry.field(description="Still planned and due before the point's date (or today).")
    reschedules: list[Reschedule] = strawberry.field(description="Every move of its due date, oldest first.")
    activity_id: strawberry.ID = strawberry.field(description="The ID of its activity.")
    point: strawberry.Private[q.Point]

    @classmethod
    def from_row(cls, row: dict[str, Any], point: q.Point) -> Milestone:
        return cls(**{name: f.read(row) for name, f in MILESTONE_FIELDS.items()}, point=point)

    @strawberry.field(description="The activity the milestone belongs to.")
    async def activity(self, info: Info[Context, None]) -> Activity | None:
        return await activity_at(info.context, UUID(str(self.activity_id)), self.point)


@strawberry.type(description="A risk as it was believed for some dates during some time.")
class RiskVersion:
    likelihood: int | None = strawberry.field(description="How likely, 1 to 5; null: not yet assessed.")
    impact: int | None = strawberry.field(description="How severe, 1 to 5; null: not yet assessed.")
    score: int | None = strawberry.field(description="Likelihood × impact, 1 to 25; null: not yet assessed.")
    level: e.RiskLevel | None = strawberry.field(description="The level the score falls in; null: not yet assessed.")
    status: e.RiskStatus = strawberry.field(description="Open, being mitigated or closed.")
    owner: str | None = strawberry.field(description="Who looks after the risk.")
    mitigation: str | None = strawberry.field(description="What is done about it.")
    review_on: date | None = strawberry.field(description="When it is to be reviewed next.")
    valid_from: date = strawberry.field(description="The first effective date this version holds for.")
    valid_to: date | None = strawberry.field(description="Null: still valid for every later date.")
    recorded_from: datetime = strawberry.field(description="When the ledger came to believe it.")
    recorded_to: datetime | None = strawberry.field(description="Null: still believed.")


@strawberry.type(
    description="A risk on an activity: scored likelihood × impact into a level. A risk noted without them "
    "is not yet assessed: likelihood, impact, score and level are null until `reassessRisk` assesses it."
)
class Risk:
    id: str = strawberry.field(description="The risk's id within its activity (not a global ID).")
    title: str = strawberry.field(description="What could go wrong.")
    likelihood: int | None = strawberry.field(description="How likely, 1 to 5; null: not yet assessed.")
    impact: int | None = strawberry.field(description="How severe, 1 to 5; null: not yet assessed.")
    score: int | None = strawberry.field(description="Likelihood × impact, 1 to 25; null: not yet assessed.")
    level: e.RiskLevel | None = strawberry.field(description="The level the score falls in; null: not yet assessed.")
    level_label: str | None = strawberry.field(description="`level` in Thai; null with it.")
    status: e.RiskStatus = strawberry.field(description="Open, being mitigated or closed.")
    status_label: str = strawberry.field(description="`status` in Thai.")
    owner: str | None = strawberry.field(description="Who looks after the risk.")
    mitigation: str | None = strawberry.field(description="What is done about it.")
    review_on: date | None = strawberry.field(description="When it is to be reviewed next.")
    noted_on: date | None = strawberry.field(description="When it was noted.")
    closed_on: date | None = strawberry.field(description="When it was closed; null while it is not.")
    activity_id: strawberry.ID = strawberry.field(description="The ID of the activity it is noted on.")
    point: strawberry.Private[q.Point]

    @classmethod
    def from_row(cls, row: dict[str, Any], point: q.Point) -> Risk:
        return cls(**{name: f.read(row) for name, f in RISK_FIELDS.items()}, point=point)

    @strawberry.field(description="The activity the risk is noted on.")
    async def activity(self, info: Info[Context, None]) -> Activity | None:
        return await activity_at(info.context, UUID(str(self.activity_id)), self.point)

    @strawberry.field(description="Every version of the risk ever believed, with valid and recorded intervals.")
    async def history(self, info: Info[Context, None]) -> list[RiskVersion]:
        loader = info.context.loaders.get("risk_history", None, q.risk_histories, list)
        rows = await loader.load((UUID(str(self.activity_id)), self.id))
        return [
            RiskVersion(
                likelihood=r["likelihood"],
                impact=r["impact"],
                score=r["score"],
                level=None if r["level"] is None else e.RiskLevel[r["level"]],
                status=e.RiskStatus[r["status"]],
                owner=r.get("owner"),
                mitigation=r.get("mitigation"),
                review_on=r.get("review_on"),
                valid_from=r["valid_from"],
                valid_to=None if r["valid_to"] >= q.ALL_DATES else r["valid_to"],
                recorded_from=r["recorded_from"],
                recorded_to=None if r["recorded_to"] >= q.ALL_TIMES else r["recorded_to"],
            )
            for r in rows
        ]


# -- fields read from rows ----------------------------------------------------------------------
# How each plain field of a strategy, activity, milestone and risk is read from its read-model row:
# what `from_row` sets, and what direct execution (service/api/execution/direct.py) reads field by field
# without making the objects. Keyed by the field's Python name.


@dataclass(frozen=True)
class RowField:
    read: Callable[[dict[str, Any]], Any]
    #: it can fail on a row (an unknown enum value, a malformed reschedule): direct execution reads
    #: it even when the query does not select the field, as from_row would
    fallible: bool = False
    #: the column, when `read` is `row[column]`
    column: str | None = None
    #: (column, values): `read` cannot fail on a row whose column holds one of the values
    safe: tuple[str, frozenset[Any]] | None = None
    #: fails on exactly the rows `read` fails on, at less cost (what direct execution checks with)
    check: Callable[[dict[str, Any]], Any] | None = None
    #: the keys of the row it reads (None: any); direct execution reads only the columns it needs
    columns: tuple[str, ...] | None = None


def _plain(key: str) -> RowField:
    return RowField(itemgetter(key), column=key, columns=(key,))


def _optional(key: str) -> RowField:
    return RowField(lambda row: row.get(key), columns=(key,))


def _id(key: str) -> RowField:
    return RowField(lambda row: strawberry.ID(str(row[key])), columns=(key,))


def _member(enum: type[Enum], key: str) -> RowField:
    """The API enum's member named by the column (as `enum[name]`)."""
    members = dict(enum.__members__)
    return RowField(lambda row: members[row[key]], fallible=True, safe=(key, frozenset(members)), columns=(key,))


def _label(vocabulary: type[v.Labelled], key: str) -> RowField:
    """The Thai label of the vocabulary's member whose value is the column (as `vocabulary(value).label`)."""
    labels = {m.value: m.label for m in vocabulary}
    return RowField(lambda row: labels[row[key]], fallible=True, safe=(key, frozenset(labels)), columns=(key,))


def _optional_member(enum: type[Enum], key: str) -> RowField:
    """`_member`, or None where the column is null (a value not known)."""
    members: dict[Any, Any] = {**enum.__members__, None: None}
    return RowField(lambda row: members[row[key]], fallible=True, safe=(key, frozenset(members)), columns=(key,))


def _optional_label(vocabulary: type[v.Labelled], key: str) -> RowField:
    """`_label`, or None where the column is null."""
    labels: dict[Any, str | None] = {**{m.value: m.label for m in vocabulary}, None: None}
    return RowField(lambda row: labels[row[key]], fallible=True, safe=(key, frozenset(labels)), columns=(key,))


def reschedules_of(row: dict[str, Any]) -> list[Reschedule]:
    if not row["reschedules"]:
        return []
    return [
        Reschedule(
            from_=date.fromisoformat(r["from"]),
            to=date.fromisoformat(r["to"]),
            reason=r.get("reason"),
            effective_on=date.fromisoformat(r["effective_on"]),
        )
        for r in row["reschedules"]
    ]


def _check_reschedules(row: dict[str, Any]) -> None:
    """Fails where `reschedules_of` fails (the same reads in the same order), making no objects."""
    if not row["reschedules"]:
        return
    for r in row["reschedules"]:
        date.fromisoformat(r["from"])
        date.fromisoformat(r["to"])
        r.get("reason")
        date.fromisoformat(r["effective_on"])


STRATEGY_FIELDS = {"number": _plain("number"), "title": _plain("title"), "goal": _plain("goal")}

ACTIVITY_FIELDS = {
    "id": _id("id"),
    "title": _plain("title"),
    "fiscal_year": _plain("fiscal_year"),
    "kind": _member(e.ActivityKind, "kind"),
    "kind_label": _label(v.ActivityKind, "kind"),
    "status": _member(e.ActivityStatus, "status"),
    "status_label": _label(v.ActivityStatus, "status"),
    "status_reason": _plain("status_reason"),
    "status_reasons": RowField(lambda row: list(row["status_reasons"] or []), columns=("status_reasons",)),
    "progress": RowField(lambda row: _float(row["progress"]), columns=("progress",)),
    "outcome": _plain("outcome"),
    "responsible_units": RowField(lambda row: list(row["units"] or []), columns=("units",)),
    "strategy_number": _plain("strategy_number"),
    "plan_id": _id("plan_id"),
}

MILESTONE_FIELDS = {
    "id": _plain("milestone_id"),
    "title": _plain("title"),
    "due_on": _plain("due_on"),
    "original_due_on": _plain("original_due_on"),
    "planned_on": _plain("planned_on"),
    "achieved_on": _plain("achieved_on"),
    "dropped_on": _plain("dropped_on"),
    "status": _member(e.MilestoneStatus, "status"),
    "status_label": _label(v.MilestoneStatus, "status"),
    "slip_days": RowField(lambda row: row["slip_days"] or 0, columns=("slip_days",)),
    "overdue": RowField(lambda row: bool(row.get("overdue")), columns=("overdue",)),  # judged by the read
    "reschedules": RowField(reschedules_of, fallible=True, check=_check_reschedules, columns=("reschedules",)),
    "activity_id": _id("activity_id"),
}

RISK_FIELDS = {
    "id": _plain("risk_id"),
    "title": _plain("title"),
    "likelihood": _plain("likelihood"),
    "impact": _plain("impact"),
    "score": _plain("score"),
    "level": _optional_member(e.RiskLevel, "level"),
    "level_label": _optional_label(v.RiskLevel, "level"),
    "status": _member(e.RiskStatus, "status"),
    "status_label": _label(v.RiskStatus, "status"),
    "owner": _optional("owner"),
    "mitigation": _optional("mitigation"),
    "review_on": _optional("review_on"),
    "noted_on": _optional("noted_on"),
    "closed_on": _optional("closed_on"),
    "activity_id": _id("activity_id"),
}


# -- loaders ----------------------------------------------------------------------------------


@strawberry.type(description="A proposal for a fiscal year's action plan, under one strategy, as the minutes give it.")
class Proposal:
    fiscal_year: int = strawberry.field(description="The Buddhist Era fiscal year of the action plan, e.g. 2564.")
    text: str = strawberry.field(description="The proposal.")
    source: str = strawberry.field(
        description="Who proposes it: SUBCOMMITTEE (the committee's own), SEMINAR (a seminar's points), "
        "UNIVERSITY_STUDY (a study's proposals), or as recorded by hand."
    )
    units: list[str] = strawberry.field(
        description="The units concerned: the list the minutes give once for the proposal's strategy and year "
        "(each unit once, OCR spellings of one unit as one), else the units recorded with the proposal."
    )
    strategy_number: strawberry.Private[int]
    plan_id: strawberry.Private[UUID]

    @strawberry.field(description="The strategy it falls under.")
    async def strategy(self, info: Info[Context, None]) -> Strategy | None:
        point = q.Point()
        rows = await strategies_loader(info.context, point).load(self.plan_id)
        row = next((r for r in rows if r["number"] == self.strategy_number), None)
        return None if row is None else Strategy.from_row(row, self.plan_id, point)

    @classmethod
    def from_row(cls, row: dict[str, Any], plan_id: UUID) -> Proposal:
        return cls(
            fiscal_year=row["fiscal_year"],
            text=row["text"],
            source=row["source"],
            units=list(row["units"] or []),
            strategy_number=row["strategy_number"],
            plan_id=plan_id,
        )


def plans_loader(context: Context, point: q.Point) -> Any:
    return context.loaders.get("plans", point, lambda conn, ids: q.plans_by_id(conn, ids, point))


def strategies_loader(context: Context, point: q.Point) -> Any:
    return context.loaders.get("strategies", point, lambda conn, ids: q.strategies_of(conn, ids, point), list)


def figures_loader(context: Context, point: q.Point) -> Any:
    """Every figure reported about a plan (each field keeps its own)."""
    return context.loaders.get("figures", point, lambda conn, ids: q.figures_of(conn, ids, point), list)


def activities_loader(context: Context, point: q.Point) -> Any:
    return context.loaders.get("activities", point, lambda conn, ids: q.activities_of(conn, ids, point), list)


def activity_loader(context: Context, point: q.Point) -> Any:
    return context.loaders.get("activity", point, lambda conn, ids: q.activities_by_id(conn, ids, point))


def milestones_loader(context: Context, point: q.Point) -> Any:
    return context.loaders.get("milestones", point, lambda conn, ids: q.milestones_of(conn, ids, point), list)


def risks_loader(context: Context, point: q.Point) -> Any:
    return context.loaders.get("risks", point, lambda conn, ids: q.risks_of(conn, ids, point), list)


def plan_milestones_loader(context: Context, point: q.Point) -> Any:
    """{activity: milestones} of every activity of a plan."""
    return context.loaders.get("plan_milestones", point, lambda conn, ids: q.plan_milestones(conn, ids, point), dict)


def plan_risks_loader(context: Context, point: q.Point) -> Any:
    """{activity: risks} of every activity of a plan."""
    return context.loaders.get("plan_risks", point, lambda conn, ids: q.plan_risks(conn, ids, point), dict)


def _selected(info: Info[Context, None], wanted: frozenset[str]) -> set[str]:
    """Which of the fields `wanted` the selection below this field asks for (through fragments too)."""
    found: set[str] = set()
    pending = [s for field in info.selected_fields for s in field.selections]
    while pending:
        selection = pending.pop()
        if isinstance(selection, SelectedField):
            if selection.name in wanted:
                found.add(selection.name)
        else:
            pending.extend(selection.selections)
    return found


CHILDREN = frozenset({"milestones", "risks"})


async def activities_with_children(
    info: Info[Context, None], rows: list[dict[str, Any]], point: q.Point, plan_id: UUID
) -> list[Activity]:
    """Activities of the plan's rows, with the milestones and risks the query asks for: those of
    the whole plan read at once (one statement each per request, through the loaders)."""
    asked = _selected(info, CHILDREN) if rows else set()
    if not asked:
        return [Activity.from_row(r, point) for r in rows]
    context = info.context
    milestones, risks = await asyncio.gather(
        plan_milestones_loader(context, point).load(plan_id) if "milestones" in asked else _nothing(),
        plan_risks_loader(context, point).load(plan_id) if "risks" in asked else _nothing(),
    )
    return [
        Activity.from_row(
            r,
            point,
            None if milestones is None else milestones.get(r["id"], []),
            None if risks is None else risks.get(r["id"], []),
        )
        for r in rows
    ]


async def _nothing() -> None:
    return None


async def risk_rows(
    context: Context, plan: UUID | None, point: q.Point, min_level: Any, status: list[Any] | None
) -> list[dict[str, Any]]:
    """The `risks` root field's rows: of a plan (or all), as of `point`, at or above `min_level`
    (a RiskLevel enum or None), of the given statuses (RiskStatus enums; None: all)."""
    level = min_level.value if min_level else None
    statuses = [x.value for x in status] if status is not None else None
    rows: list[dict[str, Any]] = await context.read(
        lambda conn: q.risks(conn, plan, point.on, point.known_at, level, statuses, point.reported)
    )
    return rows


@shows("Activity")
async def activity_at(context: Context, activity_id: UUID, point: q.Point) -> Activity | None:
    row = await activity_loader(context, point).load(activity_id)
    return None if row is None else Activity.from_row(row, point)


async def plan_key(context: Context, given: str, argument: str) -> UUID:
    """The plan an argument names: by its ID, or by its code as the reports take it (the code as
    now known; BadInput naming the argument when no plan has it)."""
    text = str(given).strip()
    try:
        return UUID(text)
    except ValueError:
        pass
    if text:
        plans = await context.read(lambda conn: q.all_plans(conn, q.Point()))
        for row in plans:
            if row["code"] == text:
                found: UUID = row["id"]
                return found
    raise BadInput(argument, f"{given!r} is neither an ID nor the code of a plan")


async def plan_at(context: Context, plan_id: UUID, point: q.Point) -> Plan | None:
    row = await plans_loader(context, point).load(plan_id)
    return None if row is None else Plan.from_row(row, point)
