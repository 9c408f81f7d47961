"""Health is computed from the numbers, never claimed: attainment, expected attainment, the rules.

- **attainment** = (value − baseline) / (target − baseline), unclamped: 0 at the baseline, 1 on
  the target, above 1 beyond it, below 0 when the measure moved the wrong way.
- **expected attainment** on a date: for INCREASE and DECREASE, linear from 0 at the start of the
  fiscal year to 1 on the due date (0 before, 1 after); for AT_LEAST and AT_MOST (a level to keep,
  not to reach) 1 from the start.
- **health** of a key result on a date: NO_DATA when it has no measurement, or none in the last
  reporting period; otherwise the plan's evaluation rules, read top to bottom, each saying "at
  least this many times the expected attainment" (defaults: ON_TRACK at 1×, AT_RISK at 0.9×), and
  OFF_TRACK when none holds. For AT_LEAST and AT_MOST the rules compare the value with the target
  instead (value / target, and target / value), since the baseline says nothing about a level kept.
- **health of an activity**: the worst of its live key results' (OFF_TRACK, AT_RISK, NO_DATA,
  ON_TRACK, worst first); with none, it follows from its status and overdue milestones
  (`status_health`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from domain.errors import ValidationError
from domain.values import EvaluationRule
from domain.vocabulary import ActivityStatus, Direction, Health

DEFAULT_RULES: tuple[EvaluationRule, ...] = (
    EvaluationRule(Health.ON_TRACK.value, Decimal(1)),
    EvaluationRule(Health.AT_RISK.value, Decimal("0.9")),
)

#: worst first
SEVERITY: tuple[Health, ...] = (Health.OFF_TRACK, Health.AT_RISK, Health.NO_DATA, Health.ON_TRACK)
_RANK = {h: i for i, h in enumerate(SEVERITY)}
KEEP = frozenset({Direction.AT_LEAST, Direction.AT_MOST})


def attainment(baseline: Decimal, target: Decimal, value: Decimal | None) -> Decimal | None:
    if value is None or target == baseline:
        return None
    return (value - baseline) / (target - baseline)


def expected_attainment(direction: Direction, starts_on: date, due_on: date, on: date) -> Decimal:
    if direction in KEEP or on >= due_on:
        return Decimal(1)
    if on <= starts_on:
        return Decimal(0)
    return Decimal((on - starts_on).days) / Decimal((due_on - starts_on).days)


@dataclass(frozen=True)
class Figures:
    """A key result's numbers on a date: what health is decided from."""

    direction: Direction
    baseline: Decimal
    target: Decimal
    starts_on: date
    due_on: date
    value: Decimal | None
    measured_in_period: bool

    def attainment(self) -> Decimal | None:
        return attainment(self.baseline, self.target, self.value)

    def expected(self, on: date) -> Decimal:
        return expected_attainment(self.direction, self.starts_on, self.due_on, on)


def key_result_health(figures: Figures, on: date, rules: Sequence[EvaluationRule] = DEFAULT_RULES) -> Health:
    value = figures.value
    if value is None or not figures.measured_in_period:
        return Health.NO_DATA
    target = figures.target
    direction = figures.direction
    if direction in KEEP:
        return _kept_health(direction, value, target, rules)
    reached = figures.attainment()
    if reached is None:  # target == baseline: on track only where the target is met
        met = value >= target if direction is Direction.INCREASE else value <= target
        return Health.ON_TRACK if met else Health.OFF_TRACK
    expected = figures.expected(on)
    for rule in rules:
        if reached >= rule.at_least * expected:
            return Health(rule.health)
    return Health.OFF_TRACK


def _kept_health(direction: Direction, value: Decimal, target: Decimal, rules: Sequence[EvaluationRule]) -> Health:
    numerator, denominator = (value, target) if direction is Direction.AT_LEAST else (target, value)
    if denominator <= 0:  # no meaningful ratio: the level is kept or it is not
        met = value >= target if direction is Direction.AT_LEAST else value <= target
        return Health.ON_TRACK if met else Health.OFF_TRACK
    for rule in rules:
        if numerator >= rule.at_least * denominator:
            return Health(rule.health)
    return Health.OFF_TRACK


def worst(healths: Iterable[Health]) -> Health | None:
    found = list(healths)
    if not found:
        return None
    return min(found, key=_RANK.__getitem__)


def status_health(status: ActivityStatus, overdue_milestones: int) -> Health | None:
    """An activity without key results: from its status and overdue milestones. A cancelled one
    is not evaluated (None)."""
    if status is ActivityStatus.CANCELLED:
        return None
    if status is ActivityStatus.COMPLETED:
        return Health.ON_TRACK
    if status is ActivityStatus.NOT_IMPLEMENTED:
        return Health.OFF_TRACK
    troubles = (overdue_milestones > 0) + (status is ActivityStatus.ON_HOLD)
    return (Health.ON_TRACK, Health.AT_RISK, Health.OFF_TRACK)[troubles]


def activity_health(status: ActivityStatus, overdue_milestones: int, key_results: Iterable[Health]) -> Health | None:
    if status is ActivityStatus.CANCELLED:
        return None
    from_key_results = worst(key_results)
    return from_key_results if from_key_results is not None else status_health(status, overdue_milestones)


def reporting_window_start(meeting_dates: Iterable[date], on: date) -> date | None:
    """The day after which a measurement counts as recent on `on`: the meeting before the last
    one held by `on` (so the last completed reporting period and the one in progress count).
    None when fewer than two meetings were held: then any measurement counts."""
    held = sorted(d for d in meeting_dates if d <= on)
    return held[-2] if len(held) >= 2 else None


def check_rules(rules: Sequence[EvaluationRule]) -> tuple[EvaluationRule, ...]:
    if not rules:
        raise ValidationError("rules", "give at least one rule (OFF_TRACK is what meets none)")
    if len(rules) > 10:
        raise ValidationError("rules", f"{len(rules)} rules; at most 10")
    checked = tuple(rule.checked(f"rules[{i}]") for i, rule in enumerate(rules))
    for i in range(1, len(checked)):
        if checked[i].at_least > checked[i - 1].at_least:
            raise ValidationError(
                f"rules[{i}].atLeast",
                f"{checked[i].at_least} is above the rule before it ({checked[i - 1].at_least}); rules are read "
                "top to bottom, so a later, higher one could never apply",
            )
    return checked
