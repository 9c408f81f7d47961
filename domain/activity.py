"""An activity of a yearly action plan: its status, progress, outcome, milestones and risks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID

from domain.errors import InvalidTransition, NotFound, ValidationError
from domain.facts import (
    MAX_NAME,
    Fact,
    Ledger,
    Meta,
    check_date,
    check_range,
    effective_facts,
    optional_text,
    require_text,
)
from domain.risk import risk_level, risk_score
from domain.vocabulary import ActivityKind, ActivityStatus, MilestoneStatus, RiskLevel, RiskStatus

S = ActivityStatus

#: status -> the statuses it may move to. CANCELLED is final.
TRANSITIONS: dict[ActivityStatus, frozenset[ActivityStatus]] = {
    S.PLANNED: frozenset({S.NOT_STARTED, S.IN_PROGRESS, S.COMPLETED, S.NOT_IMPLEMENTED, S.ON_HOLD, S.CANCELLED}),
    S.NOT_STARTED: frozenset({S.IN_PROGRESS, S.COMPLETED, S.NOT_IMPLEMENTED, S.ON_HOLD, S.CANCELLED}),
    S.IN_PROGRESS: frozenset({S.COMPLETED, S.NOT_IMPLEMENTED, S.ON_HOLD, S.CANCELLED}),
    S.ON_HOLD: frozenset({S.NOT_STARTED, S.IN_PROGRESS, S.NOT_IMPLEMENTED, S.CANCELLED}),
    S.NOT_IMPLEMENTED: frozenset({S.NOT_STARTED, S.IN_PROGRESS, S.ON_HOLD, S.CANCELLED}),
    S.COMPLETED: frozenset({S.IN_PROGRESS}),
    S.CANCELLED: frozenset(),
}
#: moving into these, or out of COMPLETED (reopening), needs a stated reason
NEEDS_REASON = frozenset({S.NOT_IMPLEMENTED, S.ON_HOLD, S.CANCELLED})


@dataclass
class Reschedule:
    from_on: date
    to_on: date
    reason: str | None
    effective_on: date


@dataclass
class MilestoneState:
    id: str
    title: str
    original_due_on: date
    due_on: date
    planned_on: date
    reschedules: list[Reschedule] = field(default_factory=list)
    achieved_on: date | None = None
    dropped_on: date | None = None

    @property
    def status(self) -> MilestoneStatus:
        if self.achieved_on is not None:
            return MilestoneStatus.ACHIEVED
        if self.dropped_on is not None:
            return MilestoneStatus.DROPPED
        return MilestoneStatus.PLANNED

    @property
    def slip_days(self) -> int:
        end = self.achieved_on or self.due_on
        return max(0, (end - self.original_due_on).days)

    def overdue_on(self, on: date) -> bool:
        return self.status is MilestoneStatus.PLANNED and self.due_on < on


@dataclass
class RiskState:
    """A risk; `likelihood` and `impact` are None while it is not yet assessed (noted from a stated
    cause, say), and then so are its score and level: nothing is scored that nobody assessed."""

    id: str
    title: str
    likelihood: int | None
    impact: int | None
    owner: str | None
    mitigation: str | None
    review_on: date | None
    noted_on: date
    status: RiskStatus = RiskStatus.OPEN
    closed_on: date | None = None

    @property
    def assessed(self) -> bool:
        return self.likelihood is not None and self.impact is not None

    @property
    def score(self) -> int | None:
        if self.likelihood is None or self.impact is None:
            return None
        return risk_score(self.likelihood, self.impact)

    @property
    def level(self) -> RiskLevel | None:
        score = self.score
        return None if score is None else risk_level(score)


@dataclass
class ActivityState:
    exists: bool = False
    plan_id: str = ""
    strategy_number: int = 0
    fiscal_year: int = 0
    kind: ActivityKind = ActivityKind.ONE_YEAR
    title: str = ""
    responsible_units: list[str] = field(default_factory=list)
    status: ActivityStatus = ActivityStatus.PLANNED
    status_reason: str | None = None
    #: the reasons given one by one (the minutes number them: "๑. ... ๒. ..."); one reason, or
    #: none, where the change gave one or none
    status_reasons: list[str] = field(default_factory=list)
    #: None until a progress is reported: unknown, never 0
    progress: Decimal | None = None
    outcome: str | None = None
    milestones: dict[str, MilestoneState] = field(default_factory=dict)
    risks: dict[str, RiskState] = field(default_factory=dict)


def check_units(units: object) -> list[str]:
    if not isinstance(units, (list, tuple)):
        raise ValidationError("responsibleUnits", "must be a list of unit names")
    cleaned = [require_text("responsibleUnits", u, MAX_NAME) for u in units]
    if len(set(cleaned)) != len(cleaned):
        raise ValidationError("responsibleUnits", "names a unit twice")
    return cleaned


def check_progress(value: object) -> Decimal:
    try:
        progress = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError("progress", f"{value!r} is not a number") from None
    if not progress.is_finite() or not Decimal(0) <= progress <= Decimal(100):
        raise ValidationError("progress", f"{value} is not between 0 and 100")
    if progress != progress.quantize(Decimal("0.01")):
        raise ValidationError("progress", f"{value} has more than two decimal places")
    return progress


def check_fiscal_year(value: object) -> int:
    return check_range("fiscalYear", value, 2400, 2800)


def check_assessment(likelihood: object, impact: object) -> tuple[int | None, int | None]:
    """Likelihood and impact, each 1 to 5, given together; or neither: not yet assessed."""
    if likelihood is None and impact is None:
        return None, None
    if likelihood is None or impact is None:
        missing = "likelihood" if likelihood is None else "impact"
        raise ValidationError(missing, "give likelihood and impact together, or neither (the risk is not yet assessed)")
    return check_range("likelihood", likelihood, 1, 5), check_range("impact", impact, 1, 5)


#: what the minutes importer wrote, before risks could be noted unassessed, in place of an
#: assessment the minutes did not give (likelihood 3, impact 3, this mitigation, this owner when
#: no unit was named); events so written read as not yet assessed (RiskNoted.upcast_v1_v2)
IMPORTED_PLACEHOLDER_MITIGATION = "นำเข้าจากรายงานการประชุม: ให้คณะอนุกรรมการประเมินโอกาสและผลกระทบ"
IMPORTED_PLACEHOLDER_OWNER = "ยังไม่ระบุ"


class Activity(Ledger[ActivityState]):
    State = ActivityState
    KIND = "activity"

    class Registered(Fact, Ledger.Created):
        plan_id: str
        strategy_number: int
        fiscal_year: int
        kind: str
        title: str
        responsible_units: list[str]

        FIXED = frozenset({"plan_id"})

        def check(self) -> None:
            check_range("strategyNumber", self.strategy_number, 1, 99)
            check_fiscal_year(self.fiscal_year)
            ActivityKind.parse(self.kind, "kind")
            require_text("title", self.title)
            check_units(self.responsible_units)

        def evolve(self, state: ActivityState) -> None:
            state.exists = True
            state.plan_id = self.plan_id
            state.strategy_number = self.strategy_number
            state.fiscal_year = self.fiscal_year
            state.kind = ActivityKind(self.kind)
            state.title = self.title
            state.responsible_units = list(self.responsible_units)

    class Retitled(Fact):
        title: str

        def check(self) -> None:
            require_text("title", self.title)

        def evolve(self, state: ActivityState) -> None:
            state.title = self.title

    class UnitsAssigned(Fact):
        responsible_units: list[str]

        def check(self) -> None:
            check_units(self.responsible_units)

        def evolve(self, state: ActivityState) -> None:
            state.responsible_units = list(self.responsible_units)

    class StatusChanged(Fact):
        """The activity moved to `status`, for the reason in its meta; since version 2 with the
        reasons one by one where the source gives several (`reasons`; version 1 kept only the one
        string: upcast to none, and the reason stands as one)."""

        status: str
        reasons: list[str] | None

        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["reasons"] = None

        def check(self) -> None:
            ActivityStatus.parse(self.status, "status")

        def evolve(self, state: ActivityState) -> None:
            status = ActivityStatus(self.status)
            if status is state.status and state.exists:
                # the status it already had, reported again (minutes of an earlier meeting that
                # arrive after later ones put the change before the later report): no change, and
                # its reasons stay those of the change that brought it, as in the date order
                return
            state.status = status
            state.status_reason = self.reason
            state.status_reasons = list(self.reasons) if self.reasons else ([self.reason] if self.reason else [])

    class ProgressReported(Fact):
        progress: Decimal

        TOUCHES = frozenset()  # (it sets a number: nothing of the state changes in place)

        def check(self) -> None:
            check_progress(self.progress)

        def evolve(self, state: ActivityState) -> None:
            state.progress = self.progress

    class OutcomeRecorded(Fact):
        outcome: str

        def check(self) -> None:
            require_text("outcome", self.outcome)

        def evolve(self, state: ActivityState) -> None:
            state.outcome = self.outcome

    class MilestonePlanned(Fact):
        milestone_id: str
        title: str
        due_on: date

        FIXED = frozenset({"milestone_id"})

        def check(self) -> None:
            require_text("title", self.title)
            check_date("dueOn", self.due_on)

        def evolve(self, state: ActivityState) -> None:
            state.milestones[self.milestone_id] = MilestoneState(
                id=self.milestone_id,
                title=self.title,
                original_due_on=self.due_on,
                due_on=self.due_on,
                planned_on=self.effective_on,
            )

    class MilestoneRescheduled(Fact):
        milestone_id: str
        due_on: date

        FIXED = frozenset({"milestone_id"})

        def check(self) -> None:
            check_date("dueOn", self.due_on)

        def evolve(self, state: ActivityState) -> None:
            milestone = state.milestones.get(self.milestone_id)
            if milestone is None:
                return
            milestone.reschedules.append(Reschedule(milestone.due_on, self.due_on, self.reason, self.effective_on))
            milestone.due_on = self.due_on

    class MilestoneAchieved(Fact):
        milestone_id: str
        achieved_on: date

        FIXED = frozenset({"milestone_id"})

        def check(self) -> None:
            check_date("achievedOn", self.achieved_on)

        def evolve(self, state: ActivityState) -> None:
            milestone = state.milestones.get(self.milestone_id)
            if milestone is not None:
                milestone.achieved_on = self.achieved_on

    class MilestoneDropped(Fact):
        milestone_id: str

        FIXED = frozenset({"milestone_id"})

        def evolve(self, state: ActivityState) -> None:
            milestone = state.milestones.get(self.milestone_id)
            if milestone is not None:
                milestone.dropped_on = self.effective_on

    class RiskNoted(Fact):
        """A risk noted on the activity. Since version 2 it may be noted not yet assessed
        (likelihood and impact None) and with no owner; version 1 always had both scores."""

        risk_id: str
        title: str
        likelihood: int | None
        impact: int | None
        owner: str | None
        mitigation: str | None
        review_on: date | None

        FIXED = frozenset({"risk_id"})
        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            # The importer's stand-in for an assessment the minutes did not give (the middle of
            # the scale, said so in the mitigation) was never an assessment: it reads as none.
            if (
                state.get("mitigation") == IMPORTED_PLACEHOLDER_MITIGATION
                and state.get("likelihood") == 3
                and state.get("impact") == 3
            ):
                state["likelihood"] = state["impact"] = state["mitigation"] = None
                if state.get("owner") == IMPORTED_PLACEHOLDER_OWNER:
                    state["owner"] = None

        def check(self) -> None:
            require_text("title", self.title)
            check_assessment(self.likelihood, self.impact)
            optional_text("owner", self.owner, MAX_NAME)
            if self.review_on is not None:
                check_date("reviewOn", self.review_on)

        def evolve(self, state: ActivityState) -> None:
            state.risks[self.risk_id] = RiskState(
                id=self.risk_id,
                title=self.title,
                likelihood=self.likelihood,
                impact=self.impact,
                owner=self.owner,
                mitigation=self.mitigation,
                review_on=self.review_on,
                noted_on=self.effective_on,
            )

    class RiskReassessed(Fact):
        """The risk as it now stands (likelihood and impact None: still not assessed)."""

        risk_id: str
        likelihood: int | None
        impact: int | None
        status: str
        mitigation: str | None
        review_on: date | None

        FIXED = frozenset({"risk_id"})

        def check(self) -> None:
            check_assessment(self.likelihood, self.impact)
            if RiskStatus.parse(self.status, "status") is RiskStatus.CLOSED:
                raise ValidationError("status", "close a risk with closeRisk")
            if self.review_on is not None:
                check_date("reviewOn", self.review_on)

        def evolve(self, state: ActivityState) -> None:
            risk = state.risks.get(self.risk_id)
            if risk is None:
                return
            risk.likelihood = self.likelihood
            risk.impact = self.impact
            risk.status = RiskStatus(self.status)
            risk.mitigation = self.mitigation
            risk.review_on = self.review_on

    class RiskClosed(Fact):
        risk_id: str

        FIXED = frozenset({"risk_id"})

        def evolve(self, state: ActivityState) -> None:
            risk = state.risks.get(self.risk_id)
            if risk is not None:
                risk.status = RiskStatus.CLOSED
                risk.closed_on = self.effective_on

    def check_history(self) -> None:
        """In effective order, statuses move only along TRANSITIONS and nothing follows a cancellation."""
        status = ActivityStatus.PLANNED
        for fact in effective_facts(self.facts):
            if status is ActivityStatus.CANCELLED:
                raise InvalidTransition(
                    f"this would put {type(fact).__name__} of {fact.effective_on} after the activity was "
                    "cancelled; a cancelled activity takes no more updates",
                    current=status.value,
                )
            if isinstance(fact, Activity.StatusChanged):
                new = ActivityStatus(fact.status)
                if new is status:  # reported again, later: no change (StatusChanged.evolve)
                    continue
                if new not in TRANSITIONS[status]:
                    raise InvalidTransition(
                        f"the history would then read {status.value} -> {new.value} on {fact.effective_on}, "
                        "which is not an allowed change",
                        current=status.value,
                        requested=new.value,
                    )
                status = new

    # -- commands ---------------------------------------------------------------------------

    @classmethod
    def register(
        cls,
        *,
        plan_id: UUID | str,
        strategy_number: int,
        fiscal_year: int,
        kind: str,
        title: str,
        responsible_units: list[str],
        meta: Meta,
        id: UUID | None = None,
    ) -> Activity:
        meta = meta.checked()
        activity = cls._open(
            cls.Registered,
            meta,
            id=id,
            plan_id=str(plan_id),
            strategy_number=check_range("strategyNumber", strategy_number, 1, 99),
            fiscal_year=check_fiscal_year(fiscal_year),
            kind=ActivityKind.parse(kind, "kind").value,
            title=require_text("title", title),
            responsible_units=check_units(responsible_units),
        )
        return activity

    def _live_state(self, meta: Meta) -> ActivityState:
        state = self._state_for(meta)
        if not state.exists:
            raise InvalidTransition(f"the activity did not exist on {meta.effective_on}")
        if state.status is ActivityStatus.CANCELLED:
            raise InvalidTransition(
                "the activity is cancelled and takes no more updates",
                current=state.status.value,
            )
        return state

    def retitle(self, title: str, meta: Meta) -> None:
        meta = meta.checked()
        state = self._live_state(meta)
        title = require_text("title", title)
        if title == state.title:
            raise InvalidTransition(f"the activity is already titled {title!r}")
        self._record(self.Retitled, meta, title=title)

    def assign_units(self, units: list[str], meta: Meta) -> None:
        meta = meta.checked()
        self._live_state(meta)
        self._record(self.UnitsAssigned, meta, responsible_units=check_units(units))

    def change_status(self, status: str, meta: Meta, reasons: Sequence[str] = ()) -> None:
        meta = meta.checked()
        wanted = ActivityStatus.parse(status, "status")
        state = self._state_for(meta)
        current = state.status
        if wanted is current:
            raise InvalidTransition(f"the activity is already {current.value}", current=current.value)
        if wanted not in TRANSITIONS[current]:
            allowed = ", ".join(sorted(s.value for s in TRANSITIONS[current])) or "nothing"
            raise InvalidTransition(
                f"an activity that is {current.value} cannot become {wanted.value} (it may become: {allowed})",
                current=current.value,
                requested=wanted.value,
            )
        # a person changing a status says why; minutes are the record itself (meta.minutes_of): a
        # status they report is recorded as they give it, the reason they do not give left unknown
        # (4/2564's minutes may say an activity was completed on 20 Jan, after 3/2564's said it was
        # in progress on 3 Mar: either file may come first, and the date order records both)
        if (wanted in NEEDS_REASON or current is ActivityStatus.COMPLETED) and not meta.reason and not meta.minutes_of:
            what = "reopening a completed activity" if current is ActivityStatus.COMPLETED else wanted.value
            raise ValidationError("reason", f"{what} needs a reason")
        listed = [require_text(f"reasons[{i}]", r) for i, r in enumerate(reasons)]
        if listed and not meta.reason:
            raise ValidationError("reason", "give the reason too (the reasons together), with the reasons one by one")
        self._record(self.StatusChanged, meta, status=wanted.value, reasons=listed or None)

    def report_progress(self, progress: Decimal | float | int | str, meta: Meta) -> None:
        meta = meta.checked()
        self._live_state(meta)
        self._record(self.ProgressReported, meta, progress=check_progress(progress))

    def record_outcome(self, outcome: str, meta: Meta) -> None:
        meta = meta.checked()
        self._live_state(meta)
        self._record(self.OutcomeRecorded, meta, outcome=require_text("outcome", outcome))

    def plan_milestone(self, milestone_id: str, title: str, due_on: date, meta: Meta) -> None:
        meta = meta.checked()
        self._live_state(meta)
        milestone_id = require_text("milestoneId", milestone_id, MAX_NAME)
        if milestone_id in self.state.milestones:
            raise ValidationError("milestoneId", f"milestone {milestone_id} already exists")
        check_date("dueOn", due_on)
        self._record(
            self.MilestonePlanned,
            meta,
            milestone_id=milestone_id,
            title=require_text("title", title),
            due_on=due_on,
        )

    def _open_milestone(self, state: ActivityState, milestone_id: str) -> MilestoneState:
        milestone = state.milestones.get(milestone_id)
        if milestone is None:
            raise NotFound("milestone", milestone_id)
        if milestone.status is not MilestoneStatus.PLANNED:
            raise InvalidTransition(
                f"milestone {milestone.title!r} is already {milestone.status.value}",
                current=milestone.status.value,
            )
        return milestone

    def reschedule_milestone(self, milestone_id: str, due_on: date, meta: Meta) -> None:
        meta = meta.checked()
        milestone = self._open_milestone(self._live_state(meta), milestone_id)
        check_date("dueOn", due_on)
        if not meta.reason:
            raise ValidationError("reason", "a reschedule needs a reason")
        if due_on == milestone.due_on:
            raise InvalidTransition(f"milestone {milestone.title!r} is already due on {due_on}")
        self._record(self.MilestoneRescheduled, meta, milestone_id=milestone_id, due_on=due_on)

    def achieve_milestone(self, milestone_id: str, achieved_on: date, meta: Meta) -> None:
        meta = meta.checked()
        milestone = self._open_milestone(self._live_state(meta), milestone_id)
        check_date("achievedOn", achieved_on)
        if achieved_on < milestone.planned_on:
            raise ValidationError(
                "achievedOn",
                f"{achieved_on} is before the milestone was planned ({milestone.planned_on})",
            )
        if achieved_on > meta.effective_on:
            raise ValidationError(
                "achievedOn", f"{achieved_on} is after the report's effective date {meta.effective_on}"
            )
        self._record(self.MilestoneAchieved, meta, milestone_id=milestone_id, achieved_on=achieved_on)

    def drop_milestone(self, milestone_id: str, meta: Meta) -> None:
        meta = meta.checked()
        self._open_milestone(self._live_state(meta), milestone_id)
        if not meta.reason:
            raise ValidationError("reason", "dropping a milestone needs a reason")
        self._record(self.MilestoneDropped, meta, milestone_id=milestone_id)

    def note_risk(
        self,
        *,
        risk_id: str,
        title: str,
        likelihood: int | None = None,
        impact: int | None = None,
        owner: str | None = None,
        mitigation: str | None = None,
        review_on: date | None = None,
        meta: Meta,
    ) -> None:
        """Note a risk; without likelihood and impact it is not yet assessed (reassess_risk
        assesses it), without an owner it has none yet."""
        meta = meta.checked()
        self._live_state(meta)
        risk_id = require_text("riskId", risk_id, MAX_NAME)
        if risk_id in self.state.risks:
            raise ValidationError("riskId", f"risk {risk_id} already exists")
        title = require_text("title", title)
        likelihood, impact = check_assessment(likelihood, impact)
        fact: dict[str, Any] = {
            "risk_id": risk_id,
            "title": title,
            "likelihood": likelihood,
            "impact": impact,
            "owner": optional_text("owner", owner, MAX_NAME),
            "mitigation": optional_text("mitigation", mitigation),
            "review_on": None if review_on is None else check_date("reviewOn", review_on),
        }
        self._check_review(fact["review_on"], meta)
        self._record(self.RiskNoted, meta, **fact)

    @staticmethod
    def _check_review(review_on: date | None, meta: Meta) -> None:
        if review_on is not None and review_on < meta.effective_on:
            raise ValidationError("reviewOn", f"{review_on} is before {meta.effective_on}")

    def _open_risk(self, state: ActivityState, risk_id: str) -> RiskState:
        risk = state.risks.get(risk_id)
        if risk is None:
            raise NotFound("risk", risk_id)
        if risk.status is RiskStatus.CLOSED:
            raise InvalidTransition(f"risk {risk.title!r} is closed", current="CLOSED")
        return risk

    def reassess_risk(
        self,
        *,
        risk_id: str,
        likelihood: int | None = None,
        impact: int | None = None,
        status: str | None = None,
        mitigation: str | None = None,
        review_on: date | None = None,
        meta: Meta,
    ) -> None:
        meta = meta.checked()
        risk = self._open_risk(self._live_state(meta), risk_id)
        if not risk.assessed and (likelihood is None) != (impact is None):
            raise ValidationError(
                "likelihood" if likelihood is None else "impact",
                f"risk {risk.title!r} is not yet assessed: assess it with likelihood and impact together",
            )
        new = {
            "likelihood": risk.likelihood if likelihood is None else check_range("likelihood", likelihood, 1, 5),
            "impact": risk.impact if impact is None else check_range("impact", impact, 1, 5),
            "status": risk.status.value if status is None else RiskStatus.parse(status, "status").value,
            "mitigation": risk.mitigation if mitigation is None else optional_text("mitigation", mitigation),
            "review_on": risk.review_on if review_on is None else check_date("reviewOn", review_on),
        }
        if new["status"] == RiskStatus.CLOSED.value:
            raise ValidationError("status", "close a risk with closeRisk, which records why")
        if review_on is not None:
            self._check_review(review_on, meta)
        old = {
            "likelihood": risk.likelihood,
            "impact": risk.impact,
            "status": risk.status.value,
            "mitigation": risk.mitigation,
            "review_on": risk.review_on,
        }
        if new == old:
            raise InvalidTransition(f"risk {risk.title!r} already stands as given; nothing changes")
        self._record(self.RiskReassessed, meta, risk_id=risk_id, **new)

    def close_risk(self, risk_id: str, meta: Meta) -> None:
        meta = meta.checked()
        self._open_risk(self._live_state(meta), risk_id)
        self._record(self.RiskClosed, meta, risk_id=risk_id)
