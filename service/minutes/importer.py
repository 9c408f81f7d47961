"""`planledger import-minutes`: what a set of minutes says, recorded as commands.

Every command carries an idempotency key derived from the meeting and the item, so importing
the same file twice records nothing the second time. Activities are identified by their plan,
fiscal year and normalised title, so the minutes of a later meeting add to the same activities:
a status or outcome that changed becomes a new fact, reported at the later meeting. A row takes
effect on the date its text gives, else at the end of the period its table reports, else on the
meeting's date (`result_effective_on`). The
commands go through `run_command` like a mutation's, as the secretariat.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from calendar import monthrange
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid5

from domain import commands as c
from domain.activity import Activity
from domain.calendar import fiscal_year_bounds
from domain.corrections import approval_reason, corrections_of_record
from domain.errors import DomainError, DuplicateCode, IdempotencyKeyReused, NotFound
from domain.facts import Fact, Ledger, effective_facts
from domain.meeting import Meeting, meeting_id_for
from domain.plan import Plan, plan_id_for
from domain.values import ActionItem, Attendee
from service.application.access import Principal
from service.application.ledger import PlanLedger
from service.application.meta import MetaRequest, StoredMeetings
from service.application.roles import Role
from service.application.run import run_command
from service.minutes.corrections import approved_corrections
from service.minutes.figures import activity_percentage
from service.minutes.model import ActivityResult, Figure, ParsedMinutes
from service.minutes.reasons import split_reasons
from service.minutes.thai_text import find_thai_dates, find_thai_months, normalise_title
from service.minutes.units import one_unit_each, unit_names

ACTIVITY_NAMESPACE = UUID("5d0b9a52-6f43-4c5e-9a0e-3c1b6f7d2e88")


def plan_code(minutes: ParsedMinutes) -> str:
    assert minutes.plan is not None
    digest = hashlib.sha1(normalise_title(minutes.plan.title).encode()).hexdigest()[:6]
    return f"{minutes.plan.period_start_be}-{minutes.plan.period_end_be}-{digest}"


def activity_id_for(plan_id: UUID, fiscal_year: int, title: str) -> UUID:
    return uuid5(ACTIVITY_NAMESPACE, f"{plan_id}|{fiscal_year}|{normalise_title(title)}")


@dataclass(frozen=True)
class Step:
    """One command the minutes imply, with when it takes effect and its idempotency key."""

    key: str
    command: c.Command
    effective_on: date
    meeting_id: UUID | None = None
    reason: str | None = None
    #: decided at import time against the current state (status and outcome of later minutes)
    only_if_changed: bool = False
    #: what the meeting it names decided, as these minutes cite it (an action plan approved at an
    #: earlier meeting): the record of that meeting, accepted after its minutes were approved
    cited: bool = False

    def describe(self) -> str:
        fields = {k: v for k, v in vars(self.command).items() if v not in (None, (), "")}
        shown = ", ".join(f"{k}={_short(v)}" for k, v in fields.items())
        return f"{self.effective_on} {type(self.command).__name__}({shown})"


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


@dataclass
class ImportReport:
    recorded: int = 0
    already: int = 0
    unchanged: int = 0
    refused: list[str] = field(default_factory=list)
    #: steps the minutes state more than once (the same key): recorded once
    repeated: int = 0
    #: the adoption of earlier minutes, not recorded because something before it was refused
    held_back: list[str] = field(default_factory=list)


#: a venue that names electronic means only (no room): "(Zoom)", "ผ่านระบบออนไลน์"
ONLY_ELECTRONIC = re.compile(
    r"^[\s()]*(?:ผ่าน)?(?:ระบบ|แอปพลิเคชัน|โปรแกรม)?\s*"
    r"(?:สื่ออิเล็กทรอนิกส์|ออนไลน์|online|(?:microsoft|ms|cisco|google)?\s*(?:zoom|webex|teams|meet))",
    re.IGNORECASE,
)


def stated_mode(minutes: ParsedMinutes) -> str | None:
    """How the meeting sat, as its minutes say: by electronic media and in a room, by electronic
    media only, or in the place their heading names; None when they say neither."""
    place = minutes.venue is not None and not ONLY_ELECTRONIC.match(minutes.venue)
    if minutes.electronic:
        return "HYBRID" if place or any(a.presence == "IN_ROOM" for a in minutes.attendance) else "ONLINE"
    return "IN_PERSON" if place else None


def plan_known_from(minutes: ParsedMinutes) -> date:
    """The earliest day these minutes show their plan existed: its approval, and the first day of
    any fiscal year whose activities they report (they are registered then); the earliest of these,
    else the meeting's date."""
    plan = minutes.plan
    reported_years = [fiscal_year_bounds(r.fiscal_year_be)[0] for r in minutes.activity_results]
    approvals = [] if plan is None else [a.date for a in plan.approvals]
    return min(approvals + reported_years, default=minutes.date)


def plan_steps(minutes: ParsedMinutes) -> Iterator[Step]:
    """The commands the minutes imply, in an order the rules accept."""
    meeting_id = meeting_id_for(minutes.body, minutes.code)
    day = minutes.date
    tag = f"minutes:{minutes.body}:{minutes.code}"
    mode = stated_mode(minutes)
    plan_id: UUID | None = None

    for cited in minutes.cited_meetings:
        yield Step(
            f"meeting:{cited.body}:{cited.code}:cited",
            c.ScheduleMeeting(body=cited.body, code=cited.code, on=cited.date, by_reference=True),
            cited.date,
        )
    if minutes.plan is not None:
        plan = minutes.plan
        code = plan_code(minutes)
        plan_id = plan_id_for(code)
        created_on = plan_known_from(minutes)
        yield Step(
            f"plan:{code}",
            c.CreatePlan(  # the title states the years; no first or last day is made up from them
                code=code,
                title=plan.title,
                vision=plan.vision,
                period_start_year=plan.period_start_be,
                period_end_year=plan.period_end_be,
            ),
            created_on,
        )
        for strategy in plan.strategies:
            yield Step(
                f"plan:{code}:strategy:{strategy.number}",
                c.AddStrategy(plan_id=plan_id, number=strategy.number, title=strategy.title, goal=strategy.goal),
                created_on,
            )
        for action_plan in plan.action_plans:
            yield Step(
                f"plan:{code}:action-plan:{action_plan.fiscal_year_be}",
                c.ApproveActionPlan(plan_id=plan_id, fiscal_year=action_plan.fiscal_year_be),
                action_plan.approved_on,
                meeting_id_for(action_plan.approved_by, action_plan.approved_at_code),
                cited=True,
            )

    yield Step(
        f"{tag}:scheduled",
        c.ScheduleMeeting(
            body=minutes.body,
            code=minutes.code,
            on=day,
            starts_at=minutes.starts_at,
            ends_at=minutes.ends_at,
            venue=minutes.venue,
            mode=mode,
            plan_id=plan_id,
        ),
        day,
    )
    if plan_id is not None:
        # known first without its plan (cited, or set as the next meeting by minutes naming none):
        # its own minutes name it
        yield Step(
            f"{tag}:plan-named",
            c.CorrectEvent(stream_id=meeting_id, version=1, changes={"plan_id": str(plan_id)}),
            day,
            meeting_id,
            f"รายงานการประชุมครั้งที่ {minutes.code} ระบุแผนที่ประชุม",
            only_if_changed=True,
        )
    if minutes.starts_at is not None and minutes.ends_at is not None:
        # the meeting may already be known by reference (cited, or set as the next meeting)
        yield Step(
            f"{tag}:held",
            c.RecordMeetingTimes(
                meeting_id=meeting_id,
                starts_at=minutes.starts_at,
                ends_at=minutes.ends_at,
                venue=minutes.venue,
                mode=mode,
            ),
            day,
            meeting_id,
            only_if_changed=True,
        )
    if minutes.extraordinary:  # a regular meeting's minutes do not say so: left unknown
        yield Step(
            f"{tag}:extraordinary", c.StateMeetingKind(meeting_id=meeting_id, extraordinary=True), day, meeting_id
        )
    if minutes.attendance:
        attendees = tuple(
            Attendee(a.name, a.position, a.role, a.presence, a.absence_reason, a.note, a.roles, a.remark)
            for a in minutes.attendance
        )
        yield Step(f"{tag}:attendance", c.RecordAttendance(meeting_id=meeting_id, attendees=attendees), day, meeting_id)
    for item in minutes.agenda:
        yield Step(
            f"{tag}:agenda:{item.number}",
            c.AddAgendaItem(
                meeting_id=meeting_id,
                number=item.number,
                title=item.title,
                subject=item.subject,
                text=item.text or None,
            ),
            day,
            meeting_id,
        )
        for index, resolution in enumerate(item.resolutions, start=1):
            resolution_id = f"{minutes.code}-{item.number}.{index}"
            actions = tuple(
                ActionItem(
                    id=f"{resolution_id}-{n}",
                    description=a.description,
                    owner=a.owner,
                    due_on=a.due_on,
                    due_meeting=a.due_meeting,
                    periodic=a.periodic,
                )
                for n, a in enumerate(resolution.action_items, start=1)
            )
            yield Step(
                f"{tag}:resolution:{resolution_id}",
                c.AdoptResolution(
                    meeting_id=meeting_id,
                    kind=resolution.kind,
                    text=resolution.text,
                    agenda_item=item.number,
                    action_items=actions,
                    resolution_id=resolution_id,
                ),
                day,
                meeting_id,
            )
    strategies = {s.number for s in minutes.plan.strategies} if minutes.plan is not None else set()
    for comment in minutes.comments:
        named = tuple(n for n in comment.strategy_numbers if not strategies or n in strategies)
        yield Step(
            f"{tag}:comment:{comment.number}",
            c.RecordComment(meeting_id=meeting_id, number=comment.number, text=comment.text, strategy_numbers=named),
            day,
            meeting_id,
        )
    if minutes.next_meeting is not None:
        nxt = minutes.next_meeting
        yield Step(
            f"{tag}:next",
            c.SetNextMeeting(meeting_id=meeting_id, code=nxt.code, on=nxt.date, starts_at=nxt.starts_at),
            day,
            meeting_id,
        )
        yield Step(
            f"meeting:{minutes.body}:{nxt.code}:cited",
            c.ScheduleMeeting(
                body=minutes.body, code=nxt.code, on=nxt.date, starts_at=nxt.starts_at, venue=nxt.venue, plan_id=plan_id
            ),
            day,
            meeting_id,
        )
    for index, change in enumerate(minutes.membership_changes, start=1):
        yield Step(
            f"{tag}:membership:{index}",
            c.RecordMembershipChange(
                meeting_id=meeting_id,
                left=change.left,
                joined=change.joined,
                kind=change.kind,
                resolution_body=change.resolution_body,
                resolution_code=change.resolution_code,
                resolution_on=change.resolution_on,
                takes_effect_on=change.effective_on,
                text=change.text,
                change_id=f"{minutes.code}:{change.agenda_number}.{index}",
            ),
            day,
            meeting_id,
        )
    if plan_id is not None:
        yield from _plan_updates(plan_id, minutes, meeting_id, day, tag)
    # last: adopting the earlier minutes closes that meeting (and those before it) for reporting
    adoption = minutes.minutes_adoption
    if adoption is not None:
        earlier = meeting_id_for(minutes.body, adoption.of_code)
        yield Step(
            f"{tag}:adopts:{adoption.of_code}",
            c.ApproveMinutes(
                meeting_id=meeting_id,
                of_meeting_id=earlier,
                corrections=adoption.corrections,  # the domain's MinutesCorrection already
            ),
            day,
            meeting_id,
        )


def recorded_steps(ledger: PlanLedger, minutes: ParsedMinutes) -> tuple[ParsedMinutes, list[Step]]:
    """What importing `minutes` on this ledger records, in order, and the minutes it records them
    from: first, where they show the plan or an activity began sooner than the ledger has it, the
    corrections that say so. (The import and its preview both ask this.) Minutes are recorded as
    written, whether or not their approval is recorded yet: what their approval corrected is
    corrected afterwards, by corrections reported at the approving meeting (`approval_steps`), as in
    the date order."""
    return minutes, [
        *earlier_start_steps(ledger, minutes),
        *earlier_registration_steps(ledger, minutes),
        *plan_steps(minutes),
    ]


def approval_steps(ledger: PlanLedger, body: str, of_code: str) -> list[Step]:
    """The corrections the approval of the minutes of meeting `of_code` (of `body`) still owes the
    facts those minutes gave: each fact on the meeting's own stream, and each fact reported at the
    meeting on any other stream (an activity's outcome, status reasons or risk, a figure's label, a
    proposal), whose text as now believed holds a passage the approval corrected, and that no
    correction naming the approving meeting has corrected yet. Each correction is reported at the
    approving meeting, takes effect when the fact it corrects does, and is recorded now.

    Minutes recorded before their approval: the ApproveMinutes handler corrects the meeting's own
    facts with the approval, and these steps, run after it, the facts on other streams. Minutes
    arriving after their approval: recorded as written, then corrected here. Either way the
    committee had been told the uncorrected text at the meeting itself and the corrected one from
    the approving meeting on (`asOf: {meeting}`), and the record is the same whatever the order.
    None until the approval is recorded."""
    approved = approved_corrections(ledger, body, of_code)
    if approved is None or not approved[1]:
        return []
    approving_code, corrections = approved
    approving = meeting_id_for(body, approving_code)
    try:
        day = ledger.load(Meeting, approving, read_only=True).state.on
    except NotFound:
        return []
    heard = meeting_id_for(body, of_code)
    reason = approval_reason(approving_code, corrections)
    steps = []
    for stream_id in sorted({heard, *ledger.streams_naming(heard)}):
        try:
            stream = ledger.load(Ledger, stream_id, read_only=True)
        except NotFound:
            continue
        of_record = corrections_of_record(
            stream.facts,
            corrections,
            heard_at=None if stream_id == heard else str(heard),  # the meeting's own stream: all of it
            approved_at=str(approving),
        )
        for version, changes in of_record:
            steps.append(
                Step(
                    f"minutes:{body}:{approving_code}:corrects:{of_code}:{stream_id}:{version}",
                    c.CorrectEvent(stream_id=stream_id, version=version, changes=changes),
                    day,
                    approving,
                    reason,
                )
            )
    return steps


def earlier_start_steps(ledger: PlanLedger, minutes: ParsedMinutes) -> list[Step]:
    """First, when minutes arrive after later ones: the plan's beginning, and that of the strategies
    they name which the ledger dated from it, moved back to the earliest day these minutes show
    (`plan_known_from`), each by a correction whose reason names these minutes.

    Minutes that name a plan without its approval (2/2564's) can date it only from the first fiscal
    year they report (FY 2563: 2019-10-01); the minutes of 1/2564, imported after them, show its
    approval and strategy 5 from 2017-09-28. Without the move, every fact of theirs before 2019-10-01
    is refused as "before the plan existed", where the date order records them all."""
    if minutes.plan is None:
        return []
    plan_id = plan_id_for(plan_code(minutes))
    try:
        plan = ledger.load(Plan, plan_id, read_only=True)
    except NotFound:
        return []
    began, known_from = plan.effective_from, plan_known_from(minutes)
    if known_from >= began:
        return []
    reason = f"รายงานการประชุมครั้งที่ {minutes.code} แสดงว่าแผนมีผลตั้งแต่ {known_from.isoformat()}"
    tag = f"minutes:{minutes.body}:{minutes.code}:plan-began:{known_from.isoformat()}"
    named = {strategy.number for strategy in minutes.plan.strategies}
    steps = [
        Step(
            f"{tag}:1",
            c.CorrectEvent(stream_id=plan_id, version=1, changes={"effective_on": known_from}),
            known_from,
            None,  # the plan's frame counts from when it takes effect (projections/reported.py)
            reason,
        )
    ]
    for fact in effective_facts(plan.facts):
        if isinstance(fact, Plan.StrategyAdded) and fact.number in named and fact.effective_on == began:
            version = fact.originator_version
            steps.append(
                Step(
                    f"{tag}:{version}",
                    c.CorrectEvent(stream_id=plan_id, version=version, changes={"effective_on": known_from}),
                    known_from,
                    None,
                    reason,
                )
            )
    return steps


def earlier_registration_steps(ledger: PlanLedger, minutes: ParsedMinutes) -> list[Step]:
    """First, for each activity these minutes register that only later meetings have heard of
    (minutes arriving after later ones): its registration as these minutes give it, by a correction
    whose reason names them. In the date order the earliest minutes to name an activity register
    it, and later ones spell its title, kind and units their own way without changing it (2/2564's
    OCR reads "ดำรงตำแหน่ง ทางการบริหาร" where 1/2564's reads "ดำรงตำแหน่งทางการบริหาร"); the
    record must not depend on which file came first."""
    if minutes.plan is None:
        return []
    plan_id = plan_id_for(plan_code(minutes))
    held_on = _meeting_days(ledger)
    steps = []
    for result in minutes.activity_results:
        if result.kind is None:
            continue
        activity_id = activity_id_for(plan_id, result.fiscal_year_be, result.title)
        try:
            activity = ledger.load(Activity, activity_id, read_only=True)
        except NotFound:
            continue
        facts = effective_facts(activity.facts)
        first_heard = _first_heard(facts[1:], held_on)
        if first_heard is None or first_heard <= minutes.date:
            continue
        registered = facts[0]
        wanted = {"title": result.title, "kind": result.kind, "responsible_units": list(result.responsible_units)}
        changes = {name: value for name, value in wanted.items() if getattr(registered, name) != value}
        if changes:
            steps.append(
                Step(
                    f"minutes:{minutes.body}:{minutes.code}:{activity_id}:registered-as",
                    c.CorrectEvent(stream_id=activity_id, version=1, changes=changes),
                    registered.effective_on,
                    None,  # the frame counts from when it takes effect, as the registration does
                    f"ตามรายงานการประชุมครั้งที่ {minutes.code} ซึ่งรายงานกิจกรรมนี้ก่อนการประชุมครั้งต่อมา",
                )
            )
    return steps


def _plan_updates(plan_id: UUID, minutes: ParsedMinutes, meeting_id: UUID, day: date, tag: str) -> Iterator[Step]:
    # every activity first, then what the meeting heard of each (a report reads the plan as it
    # stood before the meeting's first report against after its last)
    steps = [
        step
        for result in minutes.activity_results
        for step in _activity_steps(plan_id, result, meeting_id, day, tag, activity_percentage(minutes.figures, result))
    ]
    yield from (step for step in steps if isinstance(step.command, c.RegisterActivity))
    yield from (step for step in steps if not isinstance(step.command, c.RegisterActivity))
    yield from _figure_steps(plan_id, minutes, meeting_id, day, tag)
    # the units the minutes list once per strategy: stated once for it (OCR spellings of one unit
    # as one), never copied onto each of its proposals
    listings = {(p.fiscal_year_be, p.strategy_number, p.responsible_units) for p in minutes.proposals}
    names = unit_names(u for *_, listed in sorted(listings) for u in listed)  # each listing counted once
    units: dict[tuple[int, int], tuple[str, ...]] = {}
    for proposal in minutes.proposals:
        units.setdefault((proposal.fiscal_year_be, proposal.strategy_number), ())
        listed = units[(proposal.fiscal_year_be, proposal.strategy_number)]
        units[(proposal.fiscal_year_be, proposal.strategy_number)] = one_unit_each(
            (*listed, *proposal.responsible_units), names
        )
    for index, proposal in enumerate(minutes.proposals, start=1):
        yield Step(
            f"{tag}:proposal:{index}",
            c.RecordProposal(
                plan_id=plan_id,
                fiscal_year=proposal.fiscal_year_be,
                strategy_number=proposal.strategy_number,
                source=proposal.column,
                text=proposal.text,
            ),
            day,
            meeting_id,
        )
    for (fiscal_year, strategy_number), named in units.items():
        if named:
            yield Step(
                f"{tag}:proposal-units:{fiscal_year}:{strategy_number}",
                c.StateProposalUnits(
                    plan_id=plan_id, fiscal_year=fiscal_year, strategy_number=strategy_number, units=named
                ),
                day,
                meeting_id,
            )


def _placed(minutes: ParsedMinutes, figure: Figure) -> bool:
    """Whether a figure is tied to something these minutes name (a strategy: one of theirs)."""
    if figure.subject is None:
        return False
    numbers = {s.number for s in minutes.plan.strategies} if minutes.plan is not None else set()
    return figure.strategy_number is None or figure.strategy_number in numbers


def _figure_steps(plan_id: UUID, minutes: ParsedMinutes, meeting_id: UUID, day: date, tag: str) -> Iterator[Step]:
    """The figures the minutes report, each a fact of this meeting as reported (those the text ties
    to nothing are left out: --dry-run lists them)."""
    for index, figure in enumerate(minutes.figures, start=1):
        if not _placed(minutes, figure):
            continue
        activity = None
        if figure.activity_title is not None and figure.activity_fiscal_year_be is not None:
            activity = activity_id_for(plan_id, figure.activity_fiscal_year_be, figure.activity_title)
        figure_id = f"{minutes.code}:{figure.agenda_number or 0}:{index:03d}"
        yield Step(
            f"{tag}:figure:{figure_id}",
            c.ReportFigure(
                plan_id=plan_id,
                label=figure.label,
                value=figure.value,
                unit="PERCENT",
                strategy_number=figure.strategy_number,
                kind=figure.kind,
                activity_id=activity,
                fiscal_year=figure.fiscal_year_be,
                agenda_item=figure.agenda_number,
                figure_id=figure_id,
            ),
            day,
            meeting_id,
        )


def stated_on(text: str, start: date, day: date) -> date | None:
    """The date a row's own text gives for what it reports: the latest it names from `start` (the
    activity's fiscal year's first day) to `day` (the meeting's: a report cannot describe the
    future, so a later date is a plan, not a fact). A month without a day ('ในการประชุมเดือน
    มกราคม ๒๕๖๔') stands for the last day of that month, or the meeting's day when that is earlier."""
    candidates = [found for found in find_thai_dates(text) if start <= found <= day]
    for year, month in find_thai_months(text):
        first, last = date(year, month, 1), date(year, month, monthrange(year, month)[1])
        if first <= day and last >= start:
            candidates.append(min(last, day))
    return max(candidates, default=None)


def result_effective_on(result: ActivityResult, day: date) -> date:
    """When a row of a results table takes effect: the date its text gives, else the end of the
    period the table reports (a fiscal year's results: 30 September of that year) once that has
    passed by the meeting, else the meeting's date."""
    stated = stated_on(result.outcome, fiscal_year_bounds(result.fiscal_year_be)[0], day)
    if stated is not None:
        return stated
    if result.as_at is not None and result.as_at <= day:
        return result.as_at
    return day


def _activity_steps(
    plan_id: UUID, result: ActivityResult, meeting_id: UUID, day: date, tag: str, percentage: Decimal | None = None
) -> Iterator[Step]:
    activity_id = activity_id_for(plan_id, result.fiscal_year_be, result.title)
    on = result_effective_on(result, day)
    ref = f"activity:{activity_id}"
    if result.kind is not None:  # else only earlier minutes, which named its kind, can have registered it
        yield Step(
            f"{ref}:registered",
            c.RegisterActivity(
                plan_id=plan_id,
                strategy_number=result.strategy_number,
                fiscal_year=result.fiscal_year_be,
                kind=result.kind,
                title=result.title,
                responsible_units=result.responsible_units,
                activity_id=activity_id,
            ),
            fiscal_year_bounds(result.fiscal_year_be)[0],
        )
    reasons = split_reasons(result.reason)
    status = Step(
        f"{tag}:{ref}:status",
        c.ChangeActivityStatus(
            activity_id=activity_id, status=result.status, reasons=reasons if len(reasons) > 1 else ()
        ),
        on,
        meeting_id,
        result.reason,
        only_if_changed=True,
    )
    outcome = Step(
        f"{tag}:{ref}:outcome",
        c.RecordOutcome(activity_id=activity_id, outcome=result.outcome),
        on,
        meeting_id,
        only_if_changed=True,
    )
    # a cancelled activity takes no more updates: its outcome (the reason it was cancelled) first
    ordered = (outcome, status) if result.status == "CANCELLED" else (status, outcome)
    yield from (step for step in ordered if step is status or result.outcome)  # no outcome stated: none recorded
    if percentage is not None:  # the minutes' own percentage for the activity: its progress as reported
        yield Step(
            f"{tag}:{ref}:progress",
            c.ReportProgress(activity_id=activity_id, progress=percentage),
            on,
            meeting_id,
            only_if_changed=True,
        )
    if result.reason and result.status in ("NOT_IMPLEMENTED", "ON_HOLD", "NOT_STARTED", "IN_PROGRESS"):
        # the minutes state the cause, never a likelihood, an impact or a mitigation: the risk is
        # noted not yet assessed (the committee assesses it with reassessRisk), its owner the
        # responsible unit where one is named
        # one risk per reason the row gives (numbered reasons are separate causes), the first
        # keeping the id a single reason always had
        for number, cause in enumerate(reasons, start=1):
            suffix = "" if number == 1 else f":{number}"
            yield Step(
                f"{tag}:{ref}:risk{suffix}",
                c.NoteRisk(
                    activity_id=activity_id,
                    title=cause,
                    owner=result.responsible_units[0] if result.responsible_units else None,
                    risk_id=f"{tag}:{result.line_no}{suffix}",
                ),
                on,
                meeting_id,
                cause,
                only_if_changed=True,
            )


#: what the importer leaves unknown, by kind, in the order --dry-run lists them
UNKNOWN_GROUPS = (
    "progress (no percentage reported for the activity: null, never 0)",
    "activity kind (no kind heading above its row: recorded only if earlier minutes registered it)",
    "risk likelihood and impact (not yet assessed: reassessRisk assesses the risk)",
    "risk owner (no responsible unit named)",
    "risk mitigation",
    "plan period: first and last day (only the years are stated)",
    "plan period (neither days nor years stated)",
    "plan vision",
    "strategy goal",
    "activity responsible units",
    "meeting mode (in person, online or both)",
    "meeting start and end time",
    "meeting venue",
    "attendee's presence: in the room or online",
    "action item due date or meeting",
    "figures the text ties to no plan, kind, strategy (of these minutes) or activity (not recorded)",
    "the plan (none named with its years): the activities reported are not recorded",
)


def unknowns(minutes: ParsedMinutes) -> dict[str, list[str]]:
    """Every value the import leaves unknown (null) because the minutes do not state it, grouped
    by kind (UNKNOWN_GROUPS, those with none left out), each item named as the minutes name it."""
    found: dict[str, list[str]] = {group: [] for group in UNKNOWN_GROUPS}
    (progress, kinds, likelihood, owner, mitigation, days, period, vision, goal, units, mode, times, venue, presence,
     due, figures, planless) = (found[group] for group in UNKNOWN_GROUPS)  # fmt: skip
    activities: dict[UUID, str] = {}
    reported: set[str] = set()
    for step in plan_steps(minutes):
        command = step.command
        if isinstance(command, c.CreatePlan):
            if command.period_start is None:
                has_years = command.period_start_year is not None
                (days if has_years else period).append(
                    f"{command.title} ({command.period_start_year}-{command.period_end_year})"
                    if has_years
                    else command.title
                )
            if command.vision is None:
                vision.append(command.title)
        elif isinstance(command, c.AddStrategy) and command.goal is None:
            goal.append(f"{command.number}. {command.title}")
        elif isinstance(command, c.RegisterActivity) and command.activity_id is not None:
            name = f"FY {command.fiscal_year} · {command.title}"
            activities[command.activity_id] = name
            progress.append(name)
            if not command.responsible_units:
                units.append(name)
        elif isinstance(command, c.ReportProgress):
            reported.add(activities.get(command.activity_id, ""))
        elif isinstance(command, c.NoteRisk):
            name = f"{command.title} ({activities.get(command.activity_id, command.activity_id)})"
            if command.likelihood is None:
                likelihood.append(name)
            if command.owner is None:
                owner.append(name)
            if command.mitigation is None:
                mitigation.append(name)
        elif isinstance(command, c.ScheduleMeeting):
            name = f"{command.code} {command.body} ({command.on})" + (" — cited" if command.by_reference else "")
            if command.mode is None:
                mode.append(name)
            if command.starts_at is None or command.ends_at is None:
                times.append(name)
            if command.venue is None:
                venue.append(name)
        elif isinstance(command, c.RecordAttendance):
            presence.extend(f"{a.name} ({minutes.code})" for a in command.attendees if a.presence == "PRESENT")
        elif isinstance(command, c.AdoptResolution):
            due.extend(
                f"{item.description} — {item.owner}"
                for item in command.action_items
                if item.due_on is None and item.due_meeting is None and not item.periodic
            )
    progress[:] = [name for name in progress if name not in reported]
    kinds.extend(f"FY {r.fiscal_year_be} · {r.title}" for r in minutes.activity_results if r.kind is None)
    if minutes.plan is None:
        planless.extend(f"FY {r.fiscal_year_be} · {r.title}" for r in minutes.activity_results)
    figures.extend(f"{figure.value} %: {figure.text}" for figure in minutes.figures if not _placed(minutes, figure))
    return {group: items for group, items in found.items() if items}


NO_PLAN = "no plan named in these minutes ('ตามแผน… (พ.ศ. ๒๕๖๑ - ๒๕๖๕)'): no plan to record it in"


def planless_results(minutes: ParsedMinutes) -> list[str]:
    """One refusal per activity result of minutes that name no plan (title and years): the plan is
    what an activity is recorded in, and one is never made up, so each is said not recorded rather
    than left out without a word."""
    if minutes.plan is not None:
        return []
    return [
        f"{minutes.source}:{result.line_no}: FY {result.fiscal_year_be} strategy {result.strategy_number} "
        f"· {result.title}: {NO_PLAN}"
        for result in minutes.activity_results
    ]


def other_meeting_on(ledger: PlanLedger, meeting_id: UUID, day: date) -> date | None:
    """The day a held (not only cited) meeting of this id is recorded on, if it is not `day`."""
    try:
        meeting = ledger.load(Meeting, meeting_id, read_only=True).state
    except NotFound:
        return None
    held_on: date | None = None if meeting.by_reference or meeting.on == day else meeting.on
    return held_on


def plan_of(minutes: ParsedMinutes) -> UUID | None:
    return plan_id_for(plan_code(minutes)) if minutes.plan is not None else None


def _unknown_kind_titles(minutes: ParsedMinutes, activity_id: object, plan_id: UUID | None) -> str:
    """The title of the row of `activity_id` whose kind the minutes do not give ('' if none is)."""
    if plan_id is None:
        return ""
    return next(
        (
            r.title
            for r in minutes.activity_results
            if r.kind is None and activity_id_for(plan_id, r.fiscal_year_be, r.title) == activity_id
        ),
        "",
    )


def unchanged(ledger: PlanLedger, step: Step) -> bool:
    """For facts re-reported by later minutes: is the record already as the minutes say?"""
    command = step.command
    if isinstance(command, c.RecordMeetingTimes):
        try:
            meeting = ledger.load(Meeting, command.meeting_id, read_only=True).state
        except NotFound:
            return False
        return bool(
            not meeting.by_reference
            and (meeting.starts_at, meeting.ends_at, meeting.venue)
            == (command.starts_at, command.ends_at, command.venue)
            and (command.mode is None or (meeting.mode is not None and meeting.mode.value == command.mode))
        )
    if isinstance(command, c.CorrectEvent):  # a meeting's plan named (plan_steps): only while it has none
        try:
            return ledger.load(Meeting, command.stream_id, read_only=True).state.plan_id is not None
        except NotFound:
            return True
    if not isinstance(command, (c.ChangeActivityStatus, c.RecordOutcome, c.NoteRisk, c.ReportProgress)):
        return False
    try:
        activity = ledger.load(Activity, command.activity_id, read_only=True)
    except NotFound:
        return False
    state = activity.state_as_of(step.effective_on)
    if isinstance(command, c.ChangeActivityStatus):
        return bool(state.status.value == command.status)
    if isinstance(command, c.RecordOutcome):
        return normalise_title(state.outcome or "") == normalise_title(command.outcome)
    if isinstance(command, c.ReportProgress):
        return state.progress is not None and Decimal(state.progress) == command.progress
    return any(normalise_title(r.title) == normalise_title(command.title) for r in state.risks.values())


async def import_minutes(
    ledger: PlanLedger, minutes: ParsedMinutes, actor: str, report: ImportReport | None = None
) -> ImportReport:
    """Record what `minutes` say. Safe to run again.

    Each command takes the path every command takes (`run_command`), as `actor` with the
    secretariat's role: the importer is refused what the secretariat would be, and its meta is
    resolved by the same rules. A fact the minutes state twice (the same idempotency key) is
    recorded once. The adoption of earlier minutes comes last and only when nothing before it was
    refused: it closes those meetings for reporting, so a half-recorded file must not lock the
    periods the rest of it would add to. `report` (when given) is filled as the steps run, so a
    caller that meets an error midway can say what was recorded."""
    principal = Principal(name=actor, role=Role.SECRETARIAT)
    meetings = StoredMeetings(ledger)
    report = report if report is not None else ImportReport()
    own = meeting_id_for(minutes.body, minutes.code)
    if (held_on := await asyncio.to_thread(other_meeting_on, ledger, own, minutes.date)) is not None:
        # the same body's meeting of the same code held on another day (an extraordinary meeting
        # numbered like a regular one, or a misread number): adding to it would merge two meetings
        report.refused.append(
            f"meeting {minutes.code} of {minutes.body} is already recorded as held on {held_on}, and these "
            f"minutes are of a meeting on {minutes.date}: nothing recorded (is the meeting's number right?)"
        )
        return report
    minutes, steps = await asyncio.to_thread(recorded_steps, ledger, minutes)
    report.refused.extend(planless_results(minutes))
    heard_later = await asyncio.to_thread(registered_only_later, ledger, minutes)
    seen: set[str] = set()

    async def run(step: Step) -> None:
        if isinstance(step.command, c.ApproveMinutes) and report.refused:
            report.held_back.append(step.describe())
            return
        if (activity := getattr(step.command, "activity_id", None)) in heard_later:
            title = _unknown_kind_titles(minutes, activity, plan_of(minutes))
            report.refused.append(f"{step.describe()}: {_NO_KIND} ({title})")
            return
        if step.only_if_changed and await asyncio.to_thread(unchanged, ledger, step):
            report.unchanged += 1
            return
        request = MetaRequest(
            effective_on=step.effective_on,
            meeting=None if step.meeting_id is None else str(step.meeting_id),
            reason=step.reason,
            idempotency_key=step.key,
            minutes_of=str(step.meeting_id) if step.meeting_id == own or step.cited else None,
        )
        try:
            ran = await run_command(principal, step.command, request, ledger=ledger, meetings=meetings)
        except (DuplicateCode, IdempotencyKeyReused):
            report.already += 1
            return
        except NotFound as error:
            unknown_kind = _unknown_kind_titles(minutes, getattr(step.command, "activity_id", None), plan_of(minutes))
            why = f"{_NO_KIND} ({unknown_kind})"
            report.refused.append(f"{step.describe()}: {why if unknown_kind else error.message}")
            return
        except DomainError as error:
            report.refused.append(f"{step.describe()}: {error.message}")
            return
        if ran.receipt.replayed:
            report.already += 1
        else:
            report.recorded += 1

    async def chain(steps: list[Step]) -> None:
        for step in steps:
            await run(step)

    unique = []
    for step in steps:
        if step.key in seen:
            report.repeated += 1
            continue
        seen.add(step.key)
        unique.append(step)
    # every key's earlier use, if any, read in one query instead of one per command
    noted = await asyncio.to_thread(ledger.look_up_keys, [step.key for step in unique], actor)
    try:
        for wave in _waves(unique):
            chains: dict[object, list[Step]] = {}
            for step in wave:
                chains.setdefault(_activity_of(step) or step.key, []).append(step)
            await asyncio.gather(*(chain(steps) for steps in chains.values()))
    finally:
        ledger.forget_unused_keys(noted)
    # last, what an approval corrected in the facts of the minutes it approved: these minutes' own
    # (arriving after their approval), and those of the minutes they adopt (approval recorded just now)
    approved = [minutes.code]
    if minutes.minutes_adoption is not None:
        approved.append(minutes.minutes_adoption.of_code)
    for code in approved:
        for step in await asyncio.to_thread(approval_steps, ledger, minutes.body, code):
            await run(step)
    return report


_NO_KIND = "no kind heading above its row and no earlier minutes registered it"


def registered_only_later(ledger: PlanLedger, minutes: ParsedMinutes) -> set[UUID]:
    """The activities of these minutes' rows without a kind that only meetings after this one
    have heard of (their minutes imported first). In the date order such a row finds its activity
    not yet registered and is refused; it is refused so in any order, or the record would depend
    on which file came first."""
    if minutes.plan is None:
        return set()
    plan_id = plan_id_for(plan_code(minutes))
    held_on = _meeting_days(ledger)
    later: set[UUID] = set()
    for result in minutes.activity_results:
        if result.kind is not None:
            continue
        activity_id = activity_id_for(plan_id, result.fiscal_year_be, result.title)
        try:
            activity = ledger.load(Activity, activity_id, read_only=True)
        except NotFound:
            continue
        first_heard = _first_heard(effective_facts(activity.facts), held_on)
        if first_heard is not None and first_heard > minutes.date:
            later.add(activity_id)
    return later


def _meeting_days(ledger: PlanLedger) -> Callable[[str], date | None]:
    """The day each meeting (by id) is recorded as held on, looked up once per meeting."""
    held: dict[str, date | None] = {}

    def held_on(meeting: str) -> date | None:
        if meeting not in held:
            try:
                held[meeting] = ledger.load(Meeting, UUID(meeting), read_only=True).state.on
            except (NotFound, ValueError):
                held[meeting] = None
        return held[meeting]

    return held_on


def _first_heard(facts: Iterable[Fact], held_on: Callable[[str], date | None]) -> date | None:
    """The earliest day of a meeting at which any of these facts was heard (None: no meeting known)."""
    days = [held_on(f.meeting_id) for f in facts if f.meeting_id is not None]
    return min((day for day in days if day is not None), default=None)


def _activity_of(step: Step) -> UUID | None:
    command = step.command
    if isinstance(command, c.RegisterActivity):
        return command.activity_id
    return command.activity_id if isinstance(command, c.ActivityCommand) else None


def _waves(steps: list[Step]) -> Iterator[list[Step]]:
    """The steps in waves that may run together: the registrations of activities, then what the
    minutes say of each (each activity's own steps in order), since one activity's stream never
    waits on another's; every other step alone, in order. Together, their commands share a
    transaction (group commit): the sample's 110 activity commands take a handful of commits,
    not 110 (one commit each was ~60 ms on a loaded 2-core machine: 10 s of the sample's import)."""
    wave: list[Step] = []
    kind: str | None = None
    for step in steps:
        this = (
            "register"
            if isinstance(step.command, c.RegisterActivity)
            else "activity"
            if isinstance(step.command, c.ActivityCommand)
            else None
        )
        if wave and (this is None or this != kind):
            yield wave
            wave = []
        wave.append(step)
        kind = this
    if wave:
        yield wave
