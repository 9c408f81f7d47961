"""A strategic plan: its vision, strategies and the yearly action plans approved under it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID, uuid5

from domain.calendar import be_to_ce, fiscal_year_bounds
from domain.errors import InvalidTransition, ValidationError
from domain.facts import Fact, Ledger, Meta, check_date, check_range, optional_text, require_text
from domain.health import check_rules
from domain.values import EvaluationRule
from domain.vocabulary import ActivityKind, MeasureUnit

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
class FigureState:
    """A figure reported (in a meeting's minutes, say) as it was reported: never computed here.
    What it is about: the whole plan (no kind, strategy or activity), a kind of activity, a
    strategy (with or without a kind), or one activity."""

    id: str
    label: str
    value: Decimal
    unit: MeasureUnit
    unit_label: str | None
    strategy_number: int | None
    kind: ActivityKind | None
    activity_id: str | None
    fiscal_year: int | None
    agenda_item: int | None
    meeting_id: str | None
    reported_on: date


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
    #: the period as stated: its first and last day where they are given, the Buddhist Era years
    #: where only those are ("พ.ศ. 2561 - 2565"); None what nobody stated, never filled in
    period_start: date | None = None
    period_end: date | None = None
    period_start_year: int | None = None
    period_end_year: int | None = None
    vision: str | None = None
    strategies: dict[int, StrategyState] = field(default_factory=dict)
    action_plans: dict[int, ActionPlanState] = field(default_factory=dict)
    proposals: list[ProposalState] = field(default_factory=list)
    #: (fiscal year, strategy number) -> the units the minutes name for that strategy's proposals
    proposal_units: dict[tuple[int, int], list[str]] = field(default_factory=dict)
    #: None: the default rules (domain.health.DEFAULT_RULES)
    evaluation_rules: list[EvaluationRule] | None = None
    locks: list[LockState] = field(default_factory=list)
    figures: dict[str, FigureState] = field(default_factory=dict)

    @property
    def lock(self) -> LockState | None:
        """The lock reaching furthest, if any."""
        return max(self.locks, key=lambda lock: lock.through, default=None)


class Plan(Ledger[PlanState]):
    State = PlanState
    KIND = "plan"

    class Created(Fact, Ledger.Created):
        """A plan with its period as stated: its first and last day, or (since version 2) only the
        Buddhist Era years its title gives ("พ.ศ. 2561 - 2565"), or neither."""

        code: str
        title: str
        period_start: date | None
        period_end: date | None
        vision: str | None
        period_start_year: int | None
        period_end_year: int | None

        FIXED = frozenset({"code"})
        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["period_start_year"] = state["period_end_year"] = None
            # The importer used to make 1 January .. 31 December of the years in the plan's title
            # (which it also put in the code, "2561-2565-<digest>"): those years are what the text
            # stated, the days were never given.
            code = IMPORTED_CODE.match(str(state.get("code", "")))
            if code is None:
                return
            first, last = int(code["first"]), int(code["last"])
            if (state.get("period_start"), state.get("period_end")) == (
                date(be_to_ce(first), 1, 1),
                date(be_to_ce(last), 12, 31),
            ):
                state["period_start"] = state["period_end"] = None
                state["period_start_year"], state["period_end_year"] = first, last

        def check(self) -> None:
            require_text("title", self.title)
            check_period(self.period_start, self.period_end)
            check_period_years(self.period_start_year, self.period_end_year)

        def evolve(self, state: PlanState) -> None:
            state.exists = True
            state.code = self.code
            state.title = self.title
            state.period_start = self.period_start
            state.period_end = self.period_end
            state.period_start_year = self.period_start_year
            state.period_end_year = self.period_end_year
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

    class ProposalUnitsStated(Fact):
        """The units concerned with a strategy's proposals for a year's action plan, as the minutes
        list them once for the strategy (not per proposal): every proposal of that strategy and
        year is theirs."""

        fiscal_year: int
        strategy_number: int
        units: list[str]

        def evolve(self, state: PlanState) -> None:
            state.proposal_units[(self.fiscal_year, self.strategy_number)] = list(self.units)

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

    class FigureReported(Fact):
        """A figure as reported: its label (the report's own words), value and unit, what it is
        about, the fiscal year it is for where said, and the agenda item (the meeting is the
        fact's). Kept beside what the read side computes, never replaced by it."""

        figure_id: str
        label: str
        value: Decimal
        unit: str
        unit_label: str | None
        strategy_number: int | None
        kind: str | None
        activity_id: str | None
        fiscal_year: int | None
        agenda_item: int | None

        FIXED = frozenset({"figure_id"})

        def check(self) -> None:
            check_figure(
                self.label, self.value, self.unit, self.unit_label, self.kind, self.fiscal_year, self.agenda_item
            )
            if self.strategy_number is not None:
                check_range("strategyNumber", self.strategy_number, 1, 99)

        def evolve(self, state: PlanState) -> None:
            state.figures[self.figure_id] = FigureState(
                id=self.figure_id,
                label=self.label,
                value=self.value,
                unit=MeasureUnit(self.unit),
                unit_label=self.unit_label,
                strategy_number=self.strategy_number,
                kind=None if self.kind is None else ActivityKind(self.kind),
                activity_id=self.activity_id,
                fiscal_year=self.fiscal_year,
                agenda_item=self.agenda_item,
                meeting_id=self.meeting_id,
                reported_on=self.effective_on,
            )

    @classmethod
    def create(
        cls,
        *,
        code: str,
        title: str,
        period_start: date | None = None,
        period_end: date | None = None,
        vision: str | None = None,
        period_start_year: int | None = None,
        period_end_year: int | None = None,
        meta: Meta,
    ) -> Plan:
        """A plan, with its period as far as it is stated: first and last day, and/or the
        Buddhist Era years (both of a pair, or neither); nothing is derived from the other."""
        meta = meta.checked()
        code = require_text("code", code, 50)
        check_period(period_start, period_end)
        check_period_years(period_start_year, period_end_year)
        return cls._open(
            cls.Created,
            meta,
            id=plan_id_for(code),
            code=code,
            title=require_text("title", title),
            period_start=period_start,
            period_end=period_end,
            vision=optional_text("vision", vision),
            period_start_year=period_start_year,
            period_end_year=period_end_year,
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
        self._check_in_period(fiscal_year)
        if fiscal_year in self.state.action_plans:
            raise InvalidTransition(f"the action plan for FY {fiscal_year} is already approved")
        self._record(self.ActionPlanApproved, meta, fiscal_year=fiscal_year)

    def _check_in_period(self, fiscal_year: int) -> None:
        """Refuse a fiscal year outside the plan's period, as far as the period is known: its days,
        else its years (which may be calendar or fiscal years: only what neither reading allows is
        refused), else nothing is refused."""
        state = self.state
        start, end = fiscal_year_bounds(fiscal_year)
        first, last = state.period_start, state.period_end
        if first is not None and last is not None and (end < first or start > last):
            raise ValidationError(
                "fiscalYear", f"FY {fiscal_year} ({start}..{end}) lies outside the plan's period {first}..{last}"
            )
        low, high = state.period_start_year, state.period_end_year
        if first is None and low is not None and high is not None and not low <= fiscal_year <= high + 1:
            raise ValidationError(
                "fiscalYear", f"FY {fiscal_year} lies outside the plan's years {low}-{high} (Buddhist Era)"
            )

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

    def state_proposal_units(self, fiscal_year: int, strategy_number: int, units: list[str], meta: Meta) -> None:
        meta = meta.checked()
        check_range("fiscalYear", fiscal_year, 2400, 2800)
        self.require_strategy(strategy_number)
        cleaned = [" ".join(require_text(f"units[{i}]", u, 300).split()) for i, u in enumerate(units)]
        if not cleaned:
            raise ValidationError("units", "name at least one unit")
        twice = sorted({u for u in cleaned if cleaned.count(u) > 1})
        if twice:
            raise ValidationError("units", f"names {', '.join(twice)} more than once")
        if self.state.proposal_units.get((fiscal_year, strategy_number)) == cleaned:
            raise InvalidTransition(f"strategy {strategy_number}'s FY {fiscal_year} proposals already have these units")
        self._record(
            self.ProposalUnitsStated, meta, fiscal_year=fiscal_year, strategy_number=strategy_number, units=cleaned
        )

    def set_evaluation_rules(self, rules: list[EvaluationRule], meta: Meta) -> None:
        meta = meta.checked()
        checked = list(check_rules(rules))
        if checked == (self.state.evaluation_rules or None):
            raise InvalidTransition("the plan already uses these evaluation rules")
        self._record(self.EvaluationRulesSet, meta, rules=checked)

    def report_figure(
        self,
        *,
        figure_id: str,
        label: str,
        value: Decimal | int | float | str,
        unit: str = MeasureUnit.PERCENT.value,
        unit_label: str | None = None,
        strategy_number: int | None = None,
        kind: str | None = None,
        activity_id: str | None = None,
        fiscal_year: int | None = None,
        agenda_item: int | None = None,
        meta: Meta,
    ) -> None:
        """Record a figure as reported (the activity, if any, is checked by the caller: it is
        another stream)."""
        meta = meta.checked()
        figure_id = require_text("figureId", figure_id, 300)
        if figure_id in self.state.figures:
            raise ValidationError("figureId", f"figure {figure_id} is already recorded")
        if strategy_number is not None:
            self.require_strategy(strategy_number)
        number = check_figure_value(value)
        label = require_text("label", label, MAX_LABEL)
        unit = MeasureUnit.parse(unit, "unit").value
        unit_label = optional_text("unitLabel", unit_label, 100)
        check_figure(label, number, unit, unit_label, kind, fiscal_year, agenda_item)
        self._record(
            self.FigureReported,
            meta,
            figure_id=figure_id,
            label=label,
            value=number,
            unit=unit,
            unit_label=unit_label,
            strategy_number=strategy_number,
            kind=None if kind is None else ActivityKind.parse(kind, "kind").value,
            activity_id=None if activity_id is None else str(activity_id),
            fiscal_year=fiscal_year,
            agenda_item=agenda_item,
        )

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


#: a figure's label: the report's own words for it
MAX_LABEL = 1000
#: the largest magnitude a reported figure may have (and 4 decimal places at most)
MAX_FIGURE = Decimal("1e15")


def check_figure_value(value: object) -> Decimal:
    """A reported number exactly as written (83.20 stays 83.20)."""
    if isinstance(value, bool):
        raise ValidationError("value", f"{value!r} is not a number")
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError("value", f"{value!r} is not a number") from None
    if not number.is_finite() or abs(number) >= MAX_FIGURE:
        raise ValidationError("value", f"{value} is not a finite number below {MAX_FIGURE:,.0f}")
    if number != number.quantize(Decimal("0.0001")):
        raise ValidationError("value", f"{value} has more than four decimal places")
    return number


def check_figure(
    label: object,
    value: object,
    unit: object,
    unit_label: object,
    kind: object,
    fiscal_year: object,
    agenda_item: object,
) -> None:
    require_text("label", label, MAX_LABEL)
    check_figure_value(value)
    if MeasureUnit.parse(unit, "unit") is MeasureUnit.OTHER and not unit_label:
        raise ValidationError("unitLabel", "a figure in some OTHER unit names it")
    optional_text("unitLabel", unit_label, 100)
    if kind is not None:
        ActivityKind.parse(kind, "kind")
    if fiscal_year is not None:
        check_range("fiscalYear", fiscal_year, 2400, 2800)
    if agenda_item is not None:
        check_range("agendaItem", agenda_item, 1, 999)


#: a plan code the importer makes: the Buddhist Era years of the title, and a digest of it
IMPORTED_CODE = re.compile(r"^(?P<first>[0-9]{4})-(?P<last>[0-9]{4})-[0-9a-f]{6}$")


def check_period(start: object, end: object) -> None:
    """The period's first and last day: both (the end after the start), or neither (not stated)."""
    if start is None and end is None:
        return
    if start is None or end is None:
        missing = "periodStart" if start is None else "periodEnd"
        raise ValidationError(missing, "give the period's start and end, or neither")
    check_date("periodStart", start)
    check_date("periodEnd", end)
    assert isinstance(start, date) and isinstance(end, date)
    if end <= start:
        raise ValidationError("periodEnd", f"{end} is not after the period's start {start}")


def check_period_years(first: object, last: object) -> None:
    """The period's Buddhist Era years as stated: both (the last not before the first), or neither."""
    if first is None and last is None:
        return
    if first is None or last is None:
        missing = "periodStartYear" if first is None else "periodEndYear"
        raise ValidationError(missing, "give the period's first and last year, or neither")
    check_range("periodStartYear", first, 2400, 2800)
    check_range("periodEndYear", last, 2400, 2800)
    assert isinstance(first, int) and isinstance(last, int)
    if last < first:
        raise ValidationError("periodEndYear", f"{last} is before the period's first year {first}")
