"""A key result: what is measured about an activity (or a strategy), towards which target.

Defining, re-targeting and retiring it are facts, and so is every measurement. A wrong value is
put right by correcting the measurement (`Ledger.correct`), never by editing it, so the value
as it was believed before the correction stays answerable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from uuid import UUID

from domain.calendar import fiscal_year_bounds
from domain.errors import InvalidTransition, ValidationError
from domain.facts import MAX_NAME, Fact, Ledger, Meta, check_date, optional_text, require_text
from domain.vocabulary import Direction, Frequency, MeasureUnit

#: the largest magnitude a key result's number may have (and 4 decimal places at most)
MAX_MAGNITUDE = Decimal("1e15")


def check_number(field: str, value: object) -> Decimal:
    if isinstance(value, bool):
        raise ValidationError(field, f"{value!r} is not a number")
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError(field, f"{value!r} is not a number") from None
    if not number.is_finite() or abs(number) >= MAX_MAGNITUDE:
        raise ValidationError(field, f"{value} is not a finite number below {MAX_MAGNITUDE:,.0f}")
    if number != number.quantize(Decimal("0.0001")):
        raise ValidationError(field, f"{value} has more than four decimal places")
    return number.normalize() if number != 0 else Decimal(0)


def check_direction(direction: Direction, baseline: Decimal, target: Decimal) -> None:
    if direction is Direction.INCREASE and target <= baseline:
        raise ValidationError("target", f"an INCREASE key result needs a target above its baseline ({baseline})")
    if direction is Direction.DECREASE and target >= baseline:
        raise ValidationError("target", f"a DECREASE key result needs a target below its baseline ({baseline})")


@dataclass
class Measurement:
    id: str
    value: Decimal
    measured_on: date
    meeting_id: str | None
    source: str | None
    note: str | None


@dataclass
class Retarget:
    effective_on: date
    target: Decimal
    due_on: date
    reason: str | None


@dataclass
class KeyResultState:
    exists: bool = False
    plan_id: str = ""
    activity_id: str | None = None
    strategy_number: int = 0
    fiscal_year: int = 0
    title: str = ""
    unit: MeasureUnit = MeasureUnit.COUNT
    unit_label: str | None = None
    baseline: Decimal = Decimal(0)
    target: Decimal = Decimal(0)
    direction: Direction = Direction.INCREASE
    starts_on: date = date.min
    due_on: date = date.min
    frequency: Frequency = Frequency.PER_MEETING
    defined_on: date = date.min
    retired_on: date | None = None
    retired_reason: str | None = None
    retargets: list[Retarget] = field(default_factory=list)
    measurements: dict[str, Measurement] = field(default_factory=dict)


class KeyResult(Ledger[KeyResultState]):
    State = KeyResultState
    KIND = "key result"

    class Defined(Fact, Ledger.Created):
        plan_id: str
        activity_id: str | None
        strategy_number: int
        fiscal_year: int
        title: str
        unit: str
        unit_label: str | None
        baseline: Decimal
        target: Decimal
        direction: str
        due_on: date
        frequency: str

        FIXED = frozenset({"plan_id", "activity_id", "strategy_number"})

        def check(self) -> None:
            require_text("title", self.title)
            MeasureUnit.parse(self.unit, "unit")
            Frequency.parse(self.frequency, "frequency")
            direction = Direction.parse(self.direction, "direction")
            check_direction(direction, check_number("baseline", self.baseline), check_number("target", self.target))
            check_due(self.fiscal_year, self.due_on)

        def evolve(self, state: KeyResultState) -> None:
            state.exists = True
            state.plan_id = self.plan_id
            state.activity_id = self.activity_id
            state.strategy_number = self.strategy_number
            state.fiscal_year = self.fiscal_year
            state.title = self.title
            state.unit = MeasureUnit(self.unit)
            state.unit_label = self.unit_label
            state.baseline = self.baseline
            state.target = self.target
            state.direction = Direction(self.direction)
            state.starts_on = fiscal_year_bounds(self.fiscal_year)[0]
            state.due_on = self.due_on
            state.frequency = Frequency(self.frequency)
            state.defined_on = self.effective_on

    class Retargeted(Fact):
        target: Decimal
        due_on: date

        def check(self) -> None:
            check_number("target", self.target)
            check_date("dueOn", self.due_on)

        def evolve(self, state: KeyResultState) -> None:
            state.target = self.target
            state.due_on = self.due_on
            state.retargets.append(Retarget(self.effective_on, self.target, self.due_on, self.reason))

    class Retired(Fact):
        def evolve(self, state: KeyResultState) -> None:
            state.retired_on = self.effective_on
            state.retired_reason = self.reason

    class Measured(Fact):
        value: Decimal
        source: str | None
        note: str | None

        def check(self) -> None:
            check_number("value", self.value)

        def evolve(self, state: KeyResultState) -> None:
            key = f"m{self.originator_version}"
            state.measurements[key] = Measurement(
                key, self.value, self.effective_on, self.meeting_id, self.source, self.note
            )

    def check_history(self) -> None:
        """In effective order, nothing follows the retirement."""
        retired = False
        for fact in sorted(self.facts[1:], key=lambda f: (f.effective_on, f.originator_version)):
            if retired and not isinstance(fact, type(self).Retired):
                raise InvalidTransition(f"this would put a fact of {fact.effective_on} after the key result retired")
            retired = retired or isinstance(fact, type(self).Retired)

    # -- commands ---------------------------------------------------------------------------

    @classmethod
    def define(
        cls,
        *,
        plan_id: UUID | str,
        activity_id: UUID | str | None,
        strategy_number: int,
        fiscal_year: int,
        title: str,
        unit: str,
        unit_label: str | None,
        baseline: object,
        target: object,
        direction: str,
        due_on: date | None,
        frequency: str,
        meta: Meta,
        id: UUID | None = None,
    ) -> KeyResult:
        meta = meta.checked()
        parsed_unit = MeasureUnit.parse(unit, "unit")
        label = optional_text("unitLabel", unit_label, 50)
        if parsed_unit is MeasureUnit.OTHER and label is None:
            raise ValidationError("unitLabel", "an OTHER unit needs its name (e.g. 'หลักสูตร')")
        parsed_direction = Direction.parse(direction, "direction")
        baseline_number = check_number("baseline", baseline)
        target_number = check_number("target", target)
        check_direction(parsed_direction, baseline_number, target_number)
        due = fiscal_year_bounds(fiscal_year)[1] if due_on is None else due_on
        check_due(fiscal_year, due)
        return cls._open(
            cls.Defined,
            meta,
            id=id,
            plan_id=str(plan_id),
            activity_id=None if activity_id is None else str(activity_id),
            strategy_number=strategy_number,
            fiscal_year=fiscal_year,
            title=require_text("title", title),
            unit=parsed_unit.value,
            unit_label=label,
            baseline=baseline_number,
            target=target_number,
            direction=parsed_direction.value,
            due_on=due,
            frequency=Frequency.parse(frequency, "frequency").value,
        )

    def _live(self, meta: Meta) -> KeyResultState:
        state = self._state_for(meta)
        if not state.exists:
            raise InvalidTransition(f"the key result was not defined yet on {meta.effective_on}")
        if state.retired_on is not None:
            raise InvalidTransition(f"the key result was retired on {state.retired_on} and takes no more facts")
        return state

    def retarget(self, target: object, due_on: date | None, meta: Meta) -> None:
        meta = meta.checked()
        state = self._live(meta)
        if not meta.reason:
            raise ValidationError("reason", "re-targeting a key result needs a reason")
        number = check_number("target", target)
        due = state.due_on if due_on is None else due_on
        check_due(state.fiscal_year, due)
        check_direction(state.direction, state.baseline, number)
        if number == state.target and due == state.due_on:
            raise InvalidTransition(f"the key result already targets {number} by {due}")
        self._record(self.Retargeted, meta, target=number, due_on=due)

    def retire(self, meta: Meta) -> None:
        meta = meta.checked()
        self._live(meta)
        if not meta.reason:
            raise ValidationError("reason", "retiring a key result needs a reason")
        self._record(self.Retired, meta)

    def measure(self, value: object, source: str | None, note: str | None, meta: Meta) -> None:
        meta = meta.checked()
        self._live(meta)
        self._record(
            self.Measured,
            meta,
            value=check_number("value", value),
            source=optional_text("source", source, MAX_NAME),
            note=optional_text("note", note),
        )


def check_due(fiscal_year: int, due_on: object) -> date:
    due = check_date("dueOn", due_on)
    start = fiscal_year_bounds(fiscal_year)[0]
    if due <= start:
        raise ValidationError("dueOn", f"{due} is not after the start of fiscal year {fiscal_year} ({start})")
    return due
