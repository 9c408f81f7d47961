"""From an aggregate's folded state to the rows of its read-model families (pure).

Each extractor returns {key: values} with values in the family's column order. JSON columns hold
plain lists/dicts here (compared by value) and are serialised only when written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from uuid import UUID

from asyncpg.pgproto.pgproto import UUID as PgUUID

from domain.activity import ActivityState, MilestoneState, RiskState
from domain.committee import CommitteeState
from domain.keyresult import KeyResultState
from domain.meeting import MeetingState
from domain.plan import FigureState, PlanState
from domain.vocabulary import RiskLevel
from projections.decode import plain

Values = tuple[Any, ...]
Rows = dict[Any, Values]
#: family name -> its rows at one effective date
Snapshot = dict[str, Rows]


RANK = {level: index for index, level in enumerate(RiskLevel)}


@lru_cache(maxsize=65536)
def as_uuid(text: str | None) -> UUID | None:
    """The UUID a state's id text names, as asyncpg's own UUID class (a uuid.UUID subclass, equal
    and hashing alike, what asyncpg reads uuid columns as): COPY writes it without asking the
    object for its bytes, which for a uuid.UUID is a Python property (~0.6 us a fact in a rebuild)."""
    return PgUUID(UUID(text).bytes) if text else None


def plan_rows(state: PlanState) -> Rows:
    if not state.exists:
        return {}
    action_plans = [
        {"fiscal_year": a.fiscal_year, "approved_on": a.approved_on.isoformat(), "meeting_id": a.meeting_id}
        for _, a in sorted(state.action_plans.items())
    ]
    rules = None if state.evaluation_rules is None else plain(state.evaluation_rules)
    lock = state.lock
    locked = (
        None
        if lock is None
        else {"through": lock.through.isoformat(), "meeting_code": lock.meeting_code, "approved_at": lock.approved_at}
    )
    return {
        None: (
            state.code,
            state.title,
            state.period_start,
            state.period_end,
            state.period_start_year,
            state.period_end_year,
            state.vision,
            action_plans,
            rules,
            locked,
        )
    }


def strategy_rows(state: PlanState) -> Rows:
    if not state.exists:
        return {}
    return {n: (s.title, s.goal) for n, s in state.strategies.items()}


def _figure(f: FigureState) -> Values:
    return (
        f.label,
        f.value,
        f.unit.value,
        f.unit_label,
        f.strategy_number,
        None if f.kind is None else f.kind.value,
        as_uuid(f.activity_id),
        f.fiscal_year,
        f.agenda_item,
        f.meeting_id,
        f.reported_on,
    )


def figure_rows(state: PlanState) -> Rows:
    if not state.exists:
        return {}
    return {f.id: _figure(f) for f in state.figures.values()}


def figure_row(state: PlanState, figure_id: Any) -> Values | None:
    f = state.figures.get(figure_id) if state.exists else None
    return None if f is None else _figure(f)


def proposal_rows(state: PlanState) -> Rows:
    """Each proposal (keyed by its place in the plan's record: "0001", ...), with the units the
    minutes list for its strategy and year where they do, else the units recorded with it."""
    if not state.exists:
        return {}
    return {
        f"{index:04d}": (
            p.fiscal_year,
            p.strategy_number,
            p.source,
            p.text,
            list(state.proposal_units.get((p.fiscal_year, p.strategy_number), p.responsible_units)),
        )
        for index, p in enumerate(state.proposals, start=1)
    }


def activity_rows(state: ActivityState) -> Rows:
    if not state.exists:
        return {}
    return {
        None: (
            as_uuid(state.plan_id),
            state.strategy_number,
            state.fiscal_year,
            state.kind.value,
            state.title,
            list(state.responsible_units),
            state.status.value,
            state.status_reason,
            state.progress,
            state.outcome,
            list(state.status_reasons),
        )
    }


def _milestone(plan_id: UUID | None, m: MilestoneState) -> Values:
    reschedules = [
        {
            "from": r.from_on.isoformat(),
            "to": r.to_on.isoformat(),
            "reason": r.reason,
            "effective_on": r.effective_on.isoformat(),
        }
        for r in m.reschedules
    ]
    return (
        plan_id,
        m.title,
        m.original_due_on,
        m.due_on,
        m.planned_on,
        reschedules,
        len(m.reschedules),
        m.achieved_on,
        m.dropped_on,
        m.status.value,
        m.slip_days,
    )


def milestone_rows(state: ActivityState) -> Rows:
    if not state.exists:
        return {}
    plan_id = as_uuid(state.plan_id)
    return {m.id: _milestone(plan_id, m) for m in state.milestones.values()}


def milestone_row(state: ActivityState, milestone_id: Any) -> Values | None:
    m = state.milestones.get(milestone_id) if state.exists else None
    return None if m is None else _milestone(as_uuid(state.plan_id), m)


def _risk(plan_id: UUID | None, r: RiskState) -> Values:
    level = r.level  # None while the risk is not yet assessed: no level, no rank (no minLevel matches it)
    return (
        plan_id,
        r.title,
        r.likelihood,
        r.impact,
        r.score,
        None if level is None else level.value,
        None if level is None else RANK[level],
        r.owner,
        r.mitigation,
        r.review_on,
        r.noted_on,
        r.status.value,
        r.closed_on,
    )


def risk_rows(state: ActivityState) -> Rows:
    if not state.exists:
        return {}
    plan_id = as_uuid(state.plan_id)
    return {r.id: _risk(plan_id, r) for r in state.risks.values()}


def risk_row(state: ActivityState, risk_id: Any) -> Values | None:
    r = state.risks.get(risk_id) if state.exists else None
    return None if r is None else _risk(as_uuid(state.plan_id), r)


def meeting_rows(state: MeetingState) -> Rows:
    if not state.exists:
        return {}
    return {
        None: (
            as_uuid(state.plan_id),
            state.body,
            state.code,
            state.on,
            state.starts_at,
            state.ends_at,
            state.venue,
            None if state.mode is None else state.mode.value,
            state.by_reference,
            state.extraordinary,
            plain(state.attendance),
            [plain(a) for _, a in sorted(state.agenda.items())],
            [
                {"number": n, "text": t, "strategy_numbers": state.comment_strategies.get(n)}
                for n, t in sorted(state.comments.items())
            ],
            plain(state.minutes_approvals),
            plain(state.next_meeting),
        )
    }


def resolution_rows(state: MeetingState) -> Rows:
    if not state.exists:
        return {}
    plan_id = as_uuid(state.plan_id)
    return {
        r.id: (plan_id, state.code, state.on, r.agenda_item, r.kind.value, r.text) for r in state.resolutions.values()
    }


def action_item_rows(state: MeetingState) -> Rows:
    if not state.exists:
        return {}
    plan_id = as_uuid(state.plan_id)
    rows: Rows = {}
    for r in state.resolutions.values():
        for item in r.action_items:
            rows[item.id] = (
                plan_id,
                r.id,
                state.code,
                state.on,
                item.description,
                item.owner,
                item.due_on,
                item.due_meeting,
                item.done_on,
                bool(item.periodic),
                state.body,
            )
    return rows


def membership_change_rows(state: CommitteeState) -> Rows:
    if not state.exists:
        return {}
    return {
        m.id: (
            state.body,
            m.left,
            m.joined,
            m.kind,
            m.resolution_body,
            m.resolution_code,
            m.resolution_on,
            m.takes_effect_on,
            m.text,
            m.meeting_id,
            m.recorded_on,
        )
        for m in state.membership_changes.values()
    }


def key_result_rows(state: KeyResultState) -> Rows:
    if not state.exists:
        return {}
    retargets = [
        {
            "effective_on": r.effective_on.isoformat(),
            "target": str(r.target),
            "due_on": r.due_on.isoformat(),
            "reason": r.reason,
        }
        for r in state.retargets
    ]
    return {
        None: (
            as_uuid(state.plan_id),
            as_uuid(state.activity_id),
            state.strategy_number,
            state.fiscal_year,
            state.title,
            state.unit.value,
            state.unit_label,
            state.baseline,
            state.target,
            state.direction.value,
            state.starts_on,
            state.due_on,
            state.frequency.value,
            state.defined_on,
            state.retired_on,
            state.retired_reason,
            retargets,
        )
    }


def measurement_rows(state: KeyResultState) -> Rows:
    if not state.exists:
        return {}
    plan_id = as_uuid(state.plan_id)
    activity_id = as_uuid(state.activity_id)
    return {
        m.id: (plan_id, activity_id, m.value, m.measured_on, m.meeting_id, m.source, m.note)
        for m in state.measurements.values()
    }


@dataclass(frozen=True)
class StreamKind:
    """What a kind of stream folds into and which families its state feeds."""

    name: str
    state_type: type[Any]
    extractors: dict[str, Callable[[Any], Rows]]
    #: fact type name -> the families that fact can change (others keep their rows)
    touches: dict[str, tuple[str, ...]]
    #: fact type name -> (family, the fact's field naming an entity, that entity's row): a fact
    #: of the type changes that one row of the family and nothing else (folding it in effective
    #: order then extracts one row, not the family's every row)
    entities: dict[str, tuple[str, str, Callable[[Any, Any], Values | None]]] = field(default_factory=dict)

    def snapshot(self, state: Any) -> Snapshot:
        return {name: extract(state) for name, extract in self.extractors.items()}


PLAN_KIND = StreamKind(
    "plan",
    PlanState,
    {"plan": plan_rows, "strategy": strategy_rows, "figure": figure_rows, "proposal": proposal_rows},
    {
        "StrategyAdded": ("strategy",),
        "VisionStated": ("plan",),
        "ActionPlanApproved": ("plan",),
        "EvaluationRulesSet": ("plan",),
        "PeriodLocked": ("plan",),
        "FigureReported": ("figure",),
        "ProposalRecorded": ("proposal",),
        "ProposalUnitsStated": ("proposal",),
    },
    {"FigureReported": ("figure", "figure_id", figure_row)},
)
ACTIVITY_KIND = StreamKind(
    "activity",
    ActivityState,
    {"activity": activity_rows, "milestone": milestone_rows, "risk": risk_rows},
    {
        "Retitled": ("activity",),
        "UnitsAssigned": ("activity",),
        "StatusChanged": ("activity",),
        "ProgressReported": ("activity",),
        "OutcomeRecorded": ("activity",),
        "MilestonePlanned": ("milestone",),
        "MilestoneRescheduled": ("milestone",),
        "MilestoneAchieved": ("milestone",),
        "MilestoneDropped": ("milestone",),
        "RiskNoted": ("risk",),
        "RiskReassessed": ("risk",),
        "RiskClosed": ("risk",),
    },
    {
        **{
            name: ("milestone", "milestone_id", milestone_row)
            for name in ("MilestonePlanned", "MilestoneRescheduled", "MilestoneAchieved", "MilestoneDropped")
        },
        **{name: ("risk", "risk_id", risk_row) for name in ("RiskNoted", "RiskReassessed", "RiskClosed")},
    },
)
MEETING_KIND = StreamKind(
    "meeting",
    MeetingState,
    {"meeting": meeting_rows, "resolution": resolution_rows, "action_item": action_item_rows},
    {
        "Held": ("meeting",),
        "KindStated": ("meeting",),
        "AttendanceRecorded": ("meeting",),
        "AgendaItemAdded": ("meeting",),
        "ResolutionAdopted": ("resolution", "action_item"),
        "ActionItemCompleted": ("action_item",),
        "MinutesApproved": ("meeting",),
        "CommentRecorded": ("meeting",),
        "NextMeetingSet": ("meeting",),
    },
)
KEY_RESULT_KIND = StreamKind(
    "key_result",
    KeyResultState,
    {"key_result": key_result_rows, "measurement": measurement_rows},
    {
        "Retargeted": ("key_result",),
        "Retired": ("key_result",),
        "Measured": ("measurement",),
    },
)
COMMITTEE_KIND = StreamKind(
    "committee",
    CommitteeState,
    {"membership_change": membership_change_rows},
    {"MembershipChanged": ("membership_change",)},
)
KINDS: dict[str, StreamKind] = {
    k.name: k for k in (PLAN_KIND, ACTIVITY_KIND, MEETING_KIND, KEY_RESULT_KIND, COMMITTEE_KIND)
}
