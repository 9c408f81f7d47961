"""Key results, their measurements and health, as the API shows them.

Health is computed from the read models for a whole plan at once (one loader per plan and point:
a handful of statements), so a plan's activities, strategies and key results share one answer.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID

import strawberry
from strawberry.types import Info

from domain import vocabulary as v
from domain.values import EvaluationRule as RuleValue
from projections import keyresults as k
from projections import queries as q
from service.api import enums as e
from service.api.context import Context
from service.api.points import PointShown, shown
from service.api.types.node import Node
from service.api.types.refs import show

if TYPE_CHECKING:
    from service.api.types.plan import Activity

ActivityRef = Annotated["Activity", strawberry.lazy("service.api.types.plan")]


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _ratio(value: Decimal | None) -> float | None:
    """A ratio as a float rounded to 4 decimals (exact enough to show; the inputs are exact)."""
    return None if value is None else float(round(value, 4))


@strawberry.type(description="One line of a plan's evaluation rules, read top to bottom.")
class EvaluationRule:
    health: e.Health = strawberry.field(description="The health this line gives.")
    health_label: str = strawberry.field(description="`health` in Thai.")
    at_least: float = strawberry.field(description="Attainment at least this many times the expected attainment.")

    @classmethod
    def of(cls, rule: RuleValue) -> EvaluationRule:
        return cls(
            health=e.Health[rule.health], health_label=v.Health(rule.health).label, at_least=float(rule.at_least)
        )


@strawberry.type(description="How many activities (or key results) are in one health.")
class HealthCount:
    health: e.Health = strawberry.field(description="The health.")
    health_label: str = strawberry.field(description="`health` in Thai.")
    count: int = strawberry.field(description="How many have it.")


@strawberry.type(description="Activities counted by health on a day: the roll-up of a strategy or a plan.")
class HealthSummary:
    on: date = strawberry.field(description="The day health was judged on.")
    total: int = strawberry.field(description="Activities evaluated (cancelled ones are not).")
    not_evaluated: int = strawberry.field(description="Cancelled activities, which have no health.")
    by_health: list[HealthCount] = strawberry.field(description="Every health, including those with none.")

    @classmethod
    def of(cls, on: date, counts: Any, not_evaluated: int) -> HealthSummary:
        return cls(
            on=on,
            total=sum(counts.values()),
            not_evaluated=not_evaluated,
            by_health=[
                HealthCount(health=e.Health[h.value], health_label=h.label, count=counts.get(h, 0)) for h in v.Health
            ],
        )


@strawberry.type(description="What took effect by a date is locked: the minutes of that meeting were approved.")
class PeriodLock:
    through: date = strawberry.field(description="Facts effective on or before this date are locked.")
    meeting_code: str = strawberry.field(description="The meeting whose approved minutes locked the period.")
    approved_at: str = strawberry.field(description="The meeting at which those minutes were approved.")


@strawberry.type(description="One measurement of a key result (corrected ones show their corrected value).")
class Measurement:
    id: str = strawberry.field(
        description="`m` and the key result's version that recorded it (correctEvent takes that version)."
    )
    value: float = strawberry.field(description="The value measured, in the key result's unit.")
    measured_on: date = strawberry.field(description="The date the value holds for (its effective date).")
    meeting_id: str | None = strawberry.field(description="The meeting it was reported at, if any.")
    source: str | None = strawberry.field(description="Where the number comes from, if given.")
    note: str | None = strawberry.field(description="A note on it, if given.")

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Measurement:
        return cls(
            id=row["measurement_id"],
            value=float(row["value"]),
            measured_on=row["measured_on"],
            meeting_id=row["meeting_id"],
            source=row["source"],
            note=row["note"],
        )


@strawberry.type(description="A change of target.")
class Retarget:
    effective_on: date = strawberry.field(description="When the new target took effect.")
    target: float = strawberry.field(description="The new target.")
    due_on: date = strawberry.field(description="The due date from then on.")
    reason: str | None = strawberry.field(description="Why the target changed.")


@strawberry.type(description="What is measured about an activity (or a strategy), towards which target.")
class KeyResult(Node):
    id: strawberry.ID = strawberry.field(description="Globally unique: the UUID of the key result's stream.")
    plan_id: strawberry.ID = strawberry.field(description="The ID of its plan.")
    activity_id: strawberry.ID | None = strawberry.field(
        description="The ID of the activity measured; null for a key result on a strategy."
    )
    strategy_number: int = strawberry.field(description="The strategy it (or its activity) serves.")
    fiscal_year: int = strawberry.field(description="The Buddhist Era fiscal year it is measured in.")
    title: str = strawberry.field(description="What is measured.")
    unit: e.MeasureUnit = strawberry.field(description="What it counts.")
    unit_label: str = strawberry.field(description="The unit in Thai, or the free-text unit of an OTHER one.")
    baseline: float = strawberry.field(description="The value at the start: attainment 0.")
    target: float = strawberry.field(description="The value to reach (the latest re-target's): attainment 1.")
    direction: e.Direction = strawberry.field(
        description="Which way it should move, or the side of the target to keep to."
    )
    direction_label: str = strawberry.field(description="`direction` in Thai.")
    starts_on: date = strawberry.field(description="Start of the fiscal year: where expected attainment starts at 0.")
    due_on: date = strawberry.field(description="When the target is due.")
    frequency: e.Frequency = strawberry.field(description="How often it is measured.")
    defined_on: date = strawberry.field(description="When it was defined.")
    retired_on: date | None = strawberry.field(description="When it was retired; null while it is not.")
    retired_reason: str | None = strawberry.field(description="Why it was retired.")
    retargets: list[Retarget] = strawberry.field(description="Every change of target, oldest first.")
    latest_value: float | None = strawberry.field(
        description="The latest value measured by the point's date; null with none."
    )
    last_measured_on: date | None = strawberry.field(description="The date that value holds for.")
    measurement_count: int = strawberry.field(description="How many measurements by the point's date.")
    attainment: float | None = strawberry.field(
        description="(latest value − baseline) ÷ (target − baseline), unclamped; null with no measurement."
    )
    expected_attainment: float = strawberry.field(
        description="Attainment expected by the day judged: linear over the fiscal year to the due date."
    )
    health: e.Health | None = strawberry.field(description="Computed from the numbers; null once retired.")
    health_label: str | None = strawberry.field(description="`health` in Thai.")
    point: strawberry.Private[q.Point]

    @classmethod
    def from_row(cls, row: dict[str, Any], point: q.Point) -> KeyResult:
        unit = v.MeasureUnit(row["unit"])
        direction = v.Direction(row["direction"])
        health = row["health"]
        return cls(
            id=strawberry.ID(str(row["id"])),
            plan_id=strawberry.ID(str(row["plan_id"])),
            activity_id=None if row["activity_id"] is None else strawberry.ID(str(row["activity_id"])),
            strategy_number=row["strategy_number"],
            fiscal_year=row["fiscal_year"],
            title=row["title"],
            unit=e.MeasureUnit[unit.value],
            unit_label=row["unit_label"] or unit.label,
            baseline=float(row["baseline"]),
            target=float(row["target"]),
            direction=e.Direction[direction.value],
            direction_label=direction.label,
            starts_on=row["starts_on"],
            due_on=row["due_on"],
            frequency=e.Frequency[row["frequency"]],
            defined_on=row["defined_on"],
            retired_on=row["retired_on"],
            retired_reason=row["retired_reason"],
            retargets=[
                Retarget(
                    effective_on=date.fromisoformat(r["effective_on"]),
                    target=float(r["target"]),
                    due_on=date.fromisoformat(r["due_on"]),
                    reason=r.get("reason"),
                )
                for r in row["retargets"] or []
            ],
            latest_value=_float(row.get("latest_value")),
            last_measured_on=row.get("last_measured_on"),
            measurement_count=row.get("measurement_count") or 0,
            attainment=_ratio(row.get("attainment")),
            expected_attainment=_ratio(row["expected_attainment"]) or 0.0,
            health=None if health is None else e.Health[health.value],
            health_label=None if health is None else health.label,
            point=point,
        )

    @property
    def uuid(self) -> UUID:
        return UUID(str(self.id))

    @strawberry.field(description="The point in time this view answers for.")
    def as_of(self) -> PointShown:
        return shown(self.point)

    @strawberry.field(description="The stream's version (what `expectedVersion` is checked against).")
    async def version(self, info: Info[Context, None]) -> int:
        known_at = self.point.known_at
        loader = info.context.loaders.get("version", known_at, lambda conn, ids: q.stream_versions(conn, ids, known_at))
        found: int | None = await loader.load(self.uuid)
        return found or 0

    @strawberry.field(description="Measurements effective by the point's date (as known then), oldest first.")
    async def measurements(self, info: Info[Context, None]) -> list[Measurement]:
        rows = await measurements_loader(info.context, self.point).load(self.uuid)
        return [Measurement.from_row(r) for r in rows]

    @strawberry.field(description="The activity measured (null for a key result on a strategy).")
    async def activity(self, info: Info[Context, None]) -> ActivityRef | None:
        if self.activity_id is None:
            return None
        return await show("Activity", info.context, UUID(str(self.activity_id)), self.point)


# -- loaders ----------------------------------------------------------------------------------


def health_loader(context: Context, point: q.Point) -> Any:
    async def fetch(conn: Any, plan_ids: list[UUID]) -> dict[UUID, k.PlanHealth]:
        return {plan_id: await k.plan_health(conn, plan_id, point) for plan_id in plan_ids}

    return context.loaders.get("health", point, fetch)


def measurements_loader(context: Context, point: q.Point) -> Any:
    return context.loaders.get("measurements", point, lambda conn, ids: k.measurements_of(conn, ids, point), list)


async def plan_health(context: Context, plan_id: UUID, point: q.Point) -> k.PlanHealth:
    found: k.PlanHealth = await health_loader(context, point).load(plan_id)
    return found


async def key_results_of_plan(context: Context, plan_id: UUID, point: q.Point) -> list[KeyResult]:
    health = await plan_health(context, plan_id, point)
    return [KeyResult.from_row(row, point) for row in health.key_results]


async def key_result_at(context: Context, key_result_id: UUID, point: q.Point) -> KeyResult | None:
    plans = await context.read(lambda conn: k.key_result_plans(conn, [key_result_id]))
    plan_id = plans.get(key_result_id)
    if plan_id is None:
        return None
    for row in (await plan_health(context, plan_id, point)).key_results:
        if row["id"] == key_result_id:
            return KeyResult.from_row(row, point)
    return None
