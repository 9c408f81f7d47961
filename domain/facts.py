"""Facts and the fold that turns them into state, as of any date and as known at any time.

Every event is a `Fact`: it carries its effective date (valid time), the actor, an optional
meeting and an optional reason; its `timestamp` is when the ledger recorded it (transaction
time). State is never stored, only folded: facts effective on or before a date, recorded at or
before a time, in effective-date order, with each fact replaced by its latest correction.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any, ClassVar, Generic, Self, TypeVar

from eventsourcing.domain import Aggregate

from domain.errors import DomainError, InvalidTransition, NotFound, ValidationError
from domain.fact_log import FactLog, HistoryNotHere

MAX_TEXT = 10_000
MAX_NAME = 300
EARLIEST = date(1900, 1, 1)
LATEST = date(2200, 12, 31)


@dataclass(frozen=True)
class Meta:
    """What every command says besides its payload."""

    effective_on: date
    actor: str
    meeting_id: str | None = None
    reason: str | None = None
    #: set only by the minutes importer, to the meeting whose own minutes these facts record: the
    #: record of a meeting arriving after its approval is the record itself, not an edit of it.
    #: Not stored (a fact says which meeting heard it; its meta says where it came from).
    minutes_of: str | None = field(default=None, metadata={"added_later": True})

    def checked(self) -> Meta:
        check_date("effectiveOn", self.effective_on)
        actor = require_text("actor", self.actor, MAX_NAME)
        reason = optional_text("reason", self.reason, MAX_TEXT)
        meeting = optional_text("meeting", self.meeting_id, MAX_NAME)
        return Meta(self.effective_on, actor, meeting, reason, self.minutes_of)

    def fields(self) -> dict[str, Any]:
        return {
            "effective_on": self.effective_on,
            "actor": self.actor,
            "meeting_id": self.meeting_id,
            "reason": self.reason,
        }


def check_date(field: str, value: object) -> date:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise ValidationError(field, f"{value!r} is not a calendar date")
    if not EARLIEST <= value <= LATEST:
        raise ValidationError(field, f"{value.isoformat()} is outside {EARLIEST}..{LATEST}")
    return value


def require_text(field: str, value: object, limit: int = MAX_TEXT) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(field, "must not be empty")
    text = value.strip()
    if len(text) > limit:
        raise ValidationError(field, f"is {len(text)} characters long; the limit is {limit}")
    return text


def optional_text(field: str, value: object, limit: int = MAX_TEXT) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return require_text(field, value, limit)


def check_range(field: str, value: object, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ValidationError(field, f"{value!r} is not a whole number from {low} to {high}")
    return value


class Fact(Aggregate.Event):
    """A fact recorded about an aggregate."""

    effective_on: date
    actor: str
    meeting_id: str | None
    reason: str | None

    #: payload fields a correction may not change
    FIXED: ClassVar[frozenset[str]] = frozenset()
    #: the state's fields whose values `evolve` changes in place (a dict it adds to, an object it
    #: sets an attribute of); None: any of them. Assigning a field anew is not "in place". A copy
    #: of an aggregate shares its state until a fact changes it (`Ledger._own_state`): a fact that
    #: names what it touches copies only that, the others copy the whole state first.
    TOUCHES: ClassVar[frozenset[str] | None] = None

    def evolve(self, state: Any) -> None:
        """Change `state` as this fact says. Runs on every replay: no checks here."""

    def check(self) -> None:
        """Check the payload on its own (ranges, lengths); used again for corrections."""

    def apply(self, aggregate: Any) -> None:
        aggregate._take(self)

    def payload(self) -> dict[str, Any]:
        skip = {"originator_id", "originator_version", "timestamp", "originator_topic"}
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name not in skip}


class Corrected(Fact):
    """Names the fact it corrects (by version) and what the fact should have said."""

    corrects: int
    changes: dict[str, Any]
    void: bool


S = TypeVar("S")


class LedgerKind:
    """What each kind of ledger declares. (Kept off `Ledger` itself: annotations on an
    aggregate class make `eventsourcing` turn it into a dataclass with a generated __init__.)"""

    State: ClassVar[type[Any]]
    KIND: ClassVar[str] = "record"


_SHARED = (str, int, float, bool, Decimal, date, datetime, type(None))

#: how `plain_copy` copies a value of each type met so far (`_how`)
_KEEP, _DICT, _LIST, _TUPLE, _SET, _OBJECT, _DEEP = range(7)
_HOW: dict[type, int] = {kind: _KEEP for kind in _SHARED}


def _how(kind: type, value: Any) -> int:
    how = _HOW[kind] = _classify(kind, value)
    return how


def _classify(kind: type, value: Any) -> int:
    if issubclass(kind, Enum):
        return _KEEP
    containers = {dict: _DICT, list: _LIST, tuple: _TUPLE, set: _SET}
    if kind in containers:
        return containers[kind]
    params = getattr(kind, "__dataclass_params__", None)
    if params is None or not hasattr(value, "__dict__"):
        return _DEEP
    return _KEEP if params.frozen else _OBJECT


def plain_copy(value: Any) -> Any:
    """A deep copy of a state: the dicts, lists, sets and (non-frozen) dataclass instances it is
    built of, copied; strings, numbers, dates, enums and frozen dataclasses (immutable) shared.
    What `copy.deepcopy` gives for such a tree, at a fraction of its cost (no memo, no reduce
    protocol: 3.5x faster on a busy activity's state, 15 against 53 µs). Anything else goes to
    `copy.deepcopy`. Each type's way is looked up once (`_HOW`), and a value to be shared is not
    even passed to a call: a command copies its activity's state once, ~60 values under 16
    writers, and the calls were 10 % of the web process (cProfile, 2026-12-04)."""
    how = _HOW.get(type(value))
    if how is None:
        how = _how(type(value), value)
    if how == _KEEP:
        return value
    keep, same = _HOW.get, _KEEP
    if how == _OBJECT:
        clone = object.__new__(type(value))
        clone.__dict__.update(
            {k: v if keep(type(v)) == same else plain_copy(v) for k, v in value.__dict__.items()}
        )
        return clone
    if how == _DICT:
        return {k: v if keep(type(v)) == same else plain_copy(v) for k, v in value.items()}
    if how == _LIST:
        return [v if keep(type(v)) == same else plain_copy(v) for v in value]
    if how == _TUPLE:
        return tuple(v if keep(type(v)) == same else plain_copy(v) for v in value)
    if how == _SET:
        return {plain_copy(v) for v in value}
    return copy.deepcopy(value)


class Ledger(Aggregate, LedgerKind, Generic[S]):
    """An aggregate whose state is the fold of its facts."""

    def __init__(self) -> None:
        self.facts: FactLog[Fact] = FactLog()
        self.state: S = self.State()
        self._latest_effective = EARLIEST
        #: the creation's effective date as corrected, once a correction of the creation is taken
        self._began: date | None = None

    #: whether the state object is shared with a copy (`__deepcopy__`), and else which of its
    #: fields' values still are: copied before a fact changes them (`_own_state`)
    _shared_state = False
    _shared_fields = frozenset[str]()

    def __deepcopy__(self, memo: dict[int, Any]) -> Self:
        """Facts are immutable: a copy shares them and copies only the list; the state it shares
        until a fact changes it (copy on write, `_own_state`), and both sides know it.

        (The application hands each command a copy of the cached aggregate; copying every fact
        made that copy the largest cost of a command. `copy.deepcopy` of the state alone was
        still 13 % of the server's time under one writer, 2026-12-03, and `plain_copy` of it 10 %
        of the web process under 16 writers, 2026-12-04, for a report that sets one number.)"""
        clone = object.__new__(type(self))
        clone.__dict__.update(self.__dict__)
        clone.facts = self.facts.copy()  # O(a few dozen), whatever the length (`domain.fact_log`)
        clone._pending_events = list(self._pending_events)
        self._shared_state = clone._shared_state = True
        return clone

    def _own_state(self, touches: frozenset[str] | None) -> None:
        """Make the state, and the fields `touches` names (all: None), this aggregate's own."""
        state = self.state
        if self._shared_state:
            if touches is None or not hasattr(state, "__dict__"):
                self.state = plain_copy(state)
                self._shared_state, self._shared_fields = False, frozenset()
                return
            own = object.__new__(type(state))
            own.__dict__.update(state.__dict__)
            self.state = state = own
            self._shared_state, self._shared_fields = False, frozenset(own.__dict__)
        shared = self._shared_fields
        if shared:
            copied = shared if touches is None else shared & touches
            for name in copied:
                setattr(state, name, plain_copy(getattr(state, name)))
            self._shared_fields = shared - copied

    def _take(self, fact: Fact) -> None:
        self.facts.append(fact)
        if isinstance(fact, Corrected) or fact.effective_on < self._latest_effective:
            self.state = fold(self.facts, self.State)
            self._shared_state, self._shared_fields = False, frozenset()
        else:
            if self._shared_state or self._shared_fields:
                self._own_state(fact.TOUCHES)
            fact.evolve(self.state)
        self._latest_effective = max(self._latest_effective, fact.effective_on)
        if isinstance(fact, Corrected) and fact.corrects == 1:
            self._began = fact.effective_on  # a correction carries the corrected fact's effective date

    def state_as_of(self, on: date | None = None, known_at: datetime | None = None) -> S:
        if on is None and known_at is None:
            return self.state
        result: S = fold(self.facts, self.State, on, known_at)
        return result

    def _state_for(self, meta: Meta) -> S:
        """The state a new fact effective on `meta.effective_on` must be checked against."""
        if meta.effective_on >= self._latest_effective:
            return self.state
        return self.state_as_of(meta.effective_on)

    @property
    def effective_from(self) -> date:
        """When this record began: its creation's effective date, as last corrected. (Minutes that
        arrive after later ones may show that a plan existed years before the later minutes let the
        importer date it: the sample's strategy 5 dates from 2017-09-28, while 2/2564's minutes alone
        date the plan from FY 2563's first day, 2019-10-01.)"""
        began: date | None = getattr(self, "_began", None)
        return self.facts[0].effective_on if began is None else began

    def _record(self, event_class: type[Fact], meta: Meta, **payload: Any) -> None:
        if self.facts and meta.effective_on < self.effective_from:
            raise ValidationError(
                "effectiveOn",
                f"{meta.effective_on} is before this {self.KIND} existed (from {self.effective_from})",
            )
        if meta.effective_on < self._latest_effective:
            self._checked(lambda: self.trigger_event(event_class, **meta.fields(), **payload))
        else:
            self.trigger_event(event_class, **meta.fields(), **payload)

    def check_history(self) -> None:
        """Raise if the facts, in effective order, break a rule (after a backdated fact or a
        correction changed what came before later facts). Kinds with such rules override this."""

    def _checked(self, trigger: Callable[[], None]) -> None:
        """Trigger a fact that re-folds the state, and take it back if the history it makes breaks
        a rule or cannot be folded at all."""
        began: date | None = getattr(self, "_began", None)
        saved = (self.facts.copy(), self.state, self._latest_effective, self.version, len(self._pending_events))
        sharing = (self._shared_state, self._shared_fields)
        try:
            trigger()
            self.check_history()
        except Exception as error:
            self.facts, self.state, self._latest_effective, self.version = saved[:4]
            self._began = began
            self._shared_state, self._shared_fields = sharing
            del self._pending_events[saved[4] :]
            if isinstance(error, DomainError | HistoryNotHere):  # (not a history that will not fold)
                raise
            raise ValidationError("changes", f"the facts would not fold: {type(error).__name__}: {error}") from None

    def fact(self, version: int) -> Fact:
        if not 1 <= version <= len(self.facts):
            raise NotFound("event", f"{self.id}@{version}")
        return self.facts[version - 1]

    def _fixed(self, original: Fact) -> frozenset[str]:
        """The payload fields of `original` a correction may not change (kinds may loosen this)."""
        return original.FIXED

    def correct(self, version: int, changes: dict[str, Any], void: bool, meta: Meta) -> None:
        """Record that the fact at `version` should have said `changes` (or not been at all)."""
        meta = meta.checked()
        original = self.fact(version)
        if isinstance(original, Corrected):
            raise InvalidTransition(f"event {version} is itself a correction; correct event {original.corrects}")
        if not meta.reason:
            raise ValidationError("reason", "a correction must say why the fact was wrong")
        if void and changes:
            raise ValidationError("changes", "a voided fact takes no changes")
        if void and version == 1:
            raise InvalidTransition(f"the creation of this {self.KIND} cannot be voided")
        if not void and not changes:
            raise ValidationError("changes", "say what the fact should have said")
        allowed = set(original.payload()) - {"actor", "meeting_id", "reason"} - self._fixed(original)
        unknown = sorted(set(changes) - allowed)
        if unknown:
            raise ValidationError("changes", f"{', '.join(unknown)} cannot be corrected; allowed: {sorted(allowed)}")
        changes = {name: _like(getattr(original, name), value) for name, value in changes.items()}
        replacement = dataclasses.replace(original, **changes)
        try:
            replacement.check()
        except (TypeError, ValueError, AttributeError) as error:
            raise ValidationError("changes", str(error)) from None
        effective = replacement.effective_on
        check_date("changes.effective_on", effective)
        if version > 1 and effective < self.effective_from:
            raise ValidationError("changes.effective_on", f"{effective} is before the {self.KIND} existed")
        if version == 1 and any(f.effective_on < effective for f in self.facts[1:]):
            raise ValidationError("changes.effective_on", "later facts would then precede the creation")
        self._checked(
            lambda: self.trigger_event(
                Corrected,
                effective_on=effective,
                actor=meta.actor,
                meeting_id=meta.meeting_id,
                reason=meta.reason,
                corrects=version,
                changes=dict(changes),
                void=void,
            )
        )

    @classmethod
    def _open(cls, event_class: type[Fact], meta: Meta, *, id: Any = None, **payload: Any) -> Self:
        kwargs = {**meta.fields(), **payload}
        if id is not None:
            kwargs["id"] = id
        return cls._create(event_class, **kwargs)  # type: ignore[arg-type]


def _like(original: object, value: object) -> object:
    """A corrected value in the shape the original had (numbers as Decimal, text trimmed)."""
    if isinstance(original, Decimal) and isinstance(value, (int, float, str)) and not isinstance(value, bool):
        try:
            return Decimal(str(value))
        except InvalidOperation:
            raise ValidationError("changes", f"{value!r} is not a number") from None
    if isinstance(value, str):
        return value.strip()
    return value


def effective_facts(facts: Sequence[Fact], on: date | None = None, known_at: datetime | None = None) -> list[Fact]:
    """Facts as they are believed at `known_at`: corrected, effective by `on`, in effective order."""
    known = [f for f in facts if known_at is None or f.timestamp <= known_at]
    corrections = {f.corrects: f for f in known if isinstance(f, Corrected)}
    effective: list[Fact] = []
    for fact in known:
        if isinstance(fact, Corrected):
            continue
        correction = corrections.get(fact.originator_version)
        if correction is not None:
            if correction.void:
                continue
            fact = dataclasses.replace(fact, **correction.changes)
        if on is None or fact.effective_on <= on:
            effective.append(fact)
    effective.sort(key=lambda f: (f.effective_on, f.originator_version))
    return effective


def fold(
    facts: Sequence[Fact],
    state_type: type[Any],
    on: date | None = None,
    known_at: datetime | None = None,
) -> Any:
    """The state that facts effective on or before `on`, recorded by `known_at`, give."""
    state = state_type()
    for fact in effective_facts(facts, on, known_at):
        fact.evolve(state)
    return state
