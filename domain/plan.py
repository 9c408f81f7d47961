"""A strategic plan: its vision, strategies and the yearly action plans approved under it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from uuid import UUID, uuid5

from domain.calendar import fiscal_year_bounds
from domain.errors import InvalidTransition, ValidationError
from domain.facts import Fact, Ledger, Meta, check_date, check_range, optional_text, require_text
from domain.health import check_rules
from domain.values import EvaluationRule

PLAN_NAMESPACE = UUID("6f1d2c1e-93a5-4c55-9d8a-0c1f6a3b7e21")


def plan_id_for(code: str) -> UUID:
    """Plans are identified by their code, so a code can only be used once."""
    return uuid5(PLAN_NAMESPACE, code.strip().casefold())


@dataclass
class StrategyState:
    number: int
    title: str
    goal: str | None


@dataclass
class ActionPlanState:
    fiscal_year: int
    approved_on: date
    meeting_id: str | None


@dataclass
class ProposalState:
    fiscal_year: int
    strategy_number: int
    source: str
    text: str
    responsible_units: list[str]


@dataclass
class LockState:
    """Facts effective on or before `through` are locked: the minutes of meeting `meeting_code`
    (held that day) were approved at meeting `approved_at`."""

    through: date
    meeting_code: str
    approved_at: str


@dataclass
class PlanState:
    exists: bool = False
    code: str = ""
    title: str = ""
    period_start: date = date.min
    period_end: date = date.min
    vision: str | None = None
    strategies: dict[int, StrategyState] = field(default_factory=dict)
    action_plans: dict[int, ActionPlanState] = field(default_factory=dict)
    proposals: list[ProposalState] = field(default_factory=list)
    #: None: the default rules (domain.health.DEFAULT_RULES)
    evaluation_rules: list[EvaluationRule] | None = None
    locks: list[LockState] = field(default_factory=list)

    @property
    def lock(self) -> LockState | None:
        """The lock reaching furthest, if any."""
        return max(self.locks, key=lambda lock: lock.through, default=None)


class Plan(Ledger[PlanState]):
    State = PlanState
    KIND = "plan"

    class Created(Fact, Ledger.Created):
        code: str
        title: str
        period_start: date
        period_end: date
        vision: str | None

        FIXED = frozenset({"code"})

        def check(self) -> None:
            require_text("title", self.title)
            check_period(self.period_start, self.period_end)

        def evolve(self, state: PlanState) -> None:
            state.exists = True
            state.code = self.code
            state.title = self.title
            state.period_start = self.period_start
            state.period_end = self.period_end
            state.vision = self.vision

    class StrategyAdded(Fact):
        number: int
        title: str
        goal: str | None

        FIXED = frozenset({"number"})

        def check(self) -> None:
            require_text("title", self.title)

        def evolve(self, state: PlanState) -> None:
            state.strategies[self.number] = StrategyState(self.number, self.title, self.goal)

    class VisionStated(Fact):
        vision: str

        def check(self) -> None:
            require_text("vision", self.vision)

        def evolve(self, state: PlanState) -> None:
            state.vision = self.vision

    class ActionPlanApproved(Fact):
        fiscal_year: int

        FIXED = frozenset({"fiscal_year"})

        def evolve(self, state: PlanState) -> None:
            state.action_plans[self.fiscal_year] = ActionPlanState(self.fiscal_year, self.effective_on, self.meeting_id)

    class ProposalRecorded(Fact):
        """A proposal for a year's action plan under a strategy, and who would carry it."""

        fiscal_year: int
        strategy_number: int
        source: str
        text: str
        responsible_units: list[str]

        def check(self) -> None:
            require_text("text", self.text)
            require_text("source", self.source, 100)

        def evolve(self, state: PlanState) -> None:
            state.proposals.append(
                ProposalState(
                    self.fiscal_year, self.strategy_number, self.source, self.text, list(self.responsible_units)
                )
            )

    class EvaluationRulesSet(Fact):
        """From now on, key results' health is decided by these rules, read top to bottom."""

        rules: list[EvaluationRule]

        def check(self) -> None:
            check_rules(self.rules)

        def evolve(self, state: PlanState) -> None:
            state.evaluation_rules = list(self.rules)

    class PeriodLocked(Fact):
        """The minutes of an earlier meeting were approved: what took effect by its date is locked."""

        through: date
        meeting_code: str
        approved_at: str

        FIXED = frozenset({"meeting_code", "approved_at"})

        def evolve(self, state: PlanState) -> None:
            state.locks.append(LockState(self.through, self.meeting_code, self.approved_at))

    @classmethod
    def create(
        cls,
        *,
        code: str,
        title: str,
        period_start: date,
        period_end: date,
        vision: str | None,
        meta: Meta,
    ) -> Plan:
        meta = meta.checked()
        code = require_text("code", code, 50)
        check_period(period_start, period_end)
        return cls._open(
            cls.Created,
            meta,
            id=plan_id_for(code),
            code=code,
            title=require_text("title", title),
            period_start=period_start,
            period_end=period_end,
            vision=optional_text("vision", vision),
        )

    def add_strategy(self, number: int, title: str, goal: str | None, meta: Meta) -> None:
        meta = meta.checked()
        check_range("number", number, 1, 99)
        if number in self.state.strategies:
            raise ValidationError("number", f"the plan already has strategy {number}")
        self._record(
            self.StrategyAdded,
            meta,
            number=number,
            title=require_text("title", title),
            goal=optional_text("goal", goal),
        )

    def state_vision(self, vision: str, meta: Meta) -> None:
        meta = meta.checked()
        vision = require_text("vision", vision)
        if vision == self.state.vision:
            raise InvalidTransition("the plan already states this vision")
        self._record(self.VisionStated, meta, vision=vision)

    def approve_action_plan(self, fiscal_year: int, meta: Meta) -> None:
        meta = meta.checked()
        check_range("fiscalYear", fiscal_year, 2400, 2800)
        start, end = fiscal_year_bounds(fiscal_year)
        if end < self.state.period_start or start > self.state.period_end:
            raise ValidationError(
                "fiscalYear",
                f"FY {fiscal_year} ({start}..{end}) lies outside the plan's period "
                f"{self.state.period_start}..{self.state.period_end}",
            )
        if fiscal_year in self.state.action_plans:
            raise InvalidTransition(f"the action plan for FY {fiscal_year} is already approved")
        self._record(self.ActionPlanApproved, meta, fiscal_year=fiscal_year)

    def record_proposal(
        self, fiscal_year: int, strategy_number: int, source: str, text: str, units: list[str], meta: Meta
    ) -> None:
        meta = meta.checked()
        check_range("fiscalYear", fiscal_year, 2400, 2800)
        self.require_strategy(strategy_number)
        cleaned_units = [require_text("responsibleUnits", u, 300) for u in units]
        self._record(
            self.ProposalRecorded,
            meta,
            fiscal_year=fiscal_year,
            strategy_number=strategy_number,
            source=require_text("source", source, 100),
            text=require_text("text", text),
            responsible_units=cleaned_units,
        )

    def set_evaluation_rules(self, rules: list[EvaluationRule], meta: Meta) -> None:
        meta = meta.checked()
        checked = list(check_rules(rules))
        if checked == (self.state.evaluation_rules or None):
            raise InvalidTransition("the plan already uses these evaluation rules")
        self._record(self.EvaluationRulesSet, meta, rules=checked)

    def lock_period(self, through: date, meeting_code: str, approved_at: str, meta: Meta) -> None:
        meta = meta.checked()
        check_date("through", through)
        self._record(self.PeriodLocked, meta, through=through, meeting_code=meeting_code, approved_at=approved_at)

    def require_strategy(self, number: int) -> StrategyState:
        strategy = self.state.strategies.get(number)
        if strategy is None:
            known = ", ".join(str(n) for n in sorted(self.state.strategies)) or "none yet"
            raise ValidationError("strategyNumber", f"the plan has no strategy {number} (it has: {known})")
        return strategy


def check_period(start: object, end: object) -> None:
    check_date("periodStart", start)
    check_date("periodEnd", end)
    assert isinstance(start, date) and isinstance(end, date)
    if end <= start:
        raise ValidationError("periodEnd", f"{end} is not after the period's start {start}")
