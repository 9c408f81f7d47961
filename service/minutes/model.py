"""What a meeting's minutes say, as plain values (`service.minutes.parser.parse_minutes` reads them).

The parser is pure: it takes the text of one set of minutes in the committee's format (see the
sample, `examples/minutes/1-2564.txt`) and returns a `ParsedMinutes`. Every input line
ends up in exactly one place: consumed into the structure, skipped as known noise by a named rule
(`skipped`), or reported in `unplaced` with its line number. Nothing is dropped silently.

Conventions of the output: meeting codes ('1/2564'), numbers and locators are in Arabic digits;
prose (titles, outcomes, comments, names) is kept as the minutes write it, markup removed.
Years named `*_be` are Buddhist Era; dates and times are ordinary `date`/`time` values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal
from typing import Literal

from domain.values import MinutesCorrection

Role = Literal["CHAIR", "MEMBER", "SECRETARY", "ASSISTANT_SECRETARY", "ATTENDEE"]
Presence = Literal["IN_ROOM", "ONLINE", "ABSENT", "OTHER", "PRESENT"]
ResolutionKindName = Literal["ACKNOWLEDGED", "APPROVED", "APPROVED_WITH_AMENDMENTS", "REJECTED", "ASSIGNED"]
ActivityKindName = Literal["ONE_YEAR", "CONTINUING"]
ActivityStatusName = Literal[
    "COMPLETED", "IN_PROGRESS", "NOT_IMPLEMENTED", "NOT_STARTED", "PLANNED", "ON_HOLD", "CANCELLED"
]
ProposalColumn = Literal["SUBCOMMITTEE", "SEMINAR", "UNIVERSITY_STUDY"]
FigureSubject = Literal["PLAN", "KIND", "STRATEGY", "ACTIVITY"]


@dataclass(frozen=True)
class Attendee:
    """One person in the attendance lists.

    Presence rule (from the text only):
    - listed under ผู้ไม่มาประชุม -> ABSENT; under ผู้เข้าร่วมประชุม -> OTHER (role ATTENDEE);
    - listed under ผู้มาประชุม and named in the chair's list of those "เข้าร่วมประชุม ณ <room>"
      -> IN_ROOM, or in the list of those "ผ่านสื่ออิเล็กทรอนิกส์" -> ONLINE;
    - present but named in neither list: IN_ROOM when the meeting had no electronic attendance
      at all (the room was the only way to attend); otherwise PRESENT, meaning present with the
      mode not stated (in the seed: the two assistant secretaries, who are not อ.ก.ก. members and
      so are not counted in either of the chair's lists).
    `note` keeps what follows an absent member's name as written (e.g. OCR'd 'ตติราชการ');
    `absence_reason` is that in its canonical word ('ติดราชการ', `service.minutes.absence`), None
    when it is none of the known reasons. `remark` keeps, as written, what the entry adds of a
    present member: that they came late or left early, or presided (`service.minutes.remarks`);
    None when it adds nothing. `roles` lists every role the entry states, where it
    states more than one ('อ.ก.ก. และเลขานุการ': MEMBER and SECRETARY; `role` is then the last,
    as before); empty when `role` alone says it.
    """

    name: str
    position: str
    role: Role
    presence: Presence
    note: str | None = None
    absence_reason: str | None = None
    roles: tuple[Role, ...] = ()
    remark: str | None = None


@dataclass(frozen=True)
class ActionItem:
    """Work a resolution gives to an owner, due on a date, at a meeting, or periodically (the rules:
    `service.minutes.due_dates`). `due_meeting_code` names this body's meeting it is due at ('2/2564',
    or 'month:2021-01' for its meeting in that month), whose date the minutes may know."""

    description: str
    owner: str
    due_on: date | None = None
    due_meeting: str | None = None
    periodic: bool = False
    due_meeting_code: str | None = None


@dataclass(frozen=True)
class Resolution:
    kind: ResolutionKindName
    text: str
    action_items: tuple[ActionItem, ...] = ()
    line_no: int = 0


@dataclass(frozen=True)
class AgendaItem:
    """ระเบียบวาระ: its heading title, the subject ('เรื่อง ...') where one is given, its body text
    (background narrative, joined by newlines) and the resolutions (มติ) taken on it."""

    number: int
    title: str
    subject: str | None
    text: str
    resolutions: tuple[Resolution, ...]


@dataclass(frozen=True)
class MinutesAdoption:
    """The adoption (รับรอง) of an earlier meeting's minutes, with the corrections asked for."""

    of_code: str
    of_date: date | None
    corrections: tuple[MinutesCorrection, ...]


@dataclass(frozen=True)
class CitedMeeting:
    """An earlier meeting the text refers to; `body` is 'ก.ก.', this minutes' own body, or another
    body named in the text."""

    body: str
    code: str
    date: date


@dataclass(frozen=True)
class StrategyInfo:
    number: int
    title: str
    goal: str | None


@dataclass(frozen=True)
class ActionPlanInfo:
    """A yearly action plan and the meeting that approved it."""

    fiscal_year_be: int
    approved_by: str
    approved_at_code: str
    approved_on: date


@dataclass(frozen=True)
class PlanInfo:
    title: str
    period_start_be: int
    period_end_be: int
    vision: str | None
    strategies: tuple[StrategyInfo, ...]
    approvals: tuple[CitedMeeting, ...]
    action_plans: tuple[ActionPlanInfo, ...]


@dataclass(frozen=True)
class ActivityResult:
    """One row of a yearly results table: an activity, its status and reported outcome.

    `outcome` is the whole text after the status; `reason` is the stated reason for the status
    where the text gives one: for an activity not carried out (or not started, on hold,
    cancelled) the outcome text itself, otherwise the clause that begins with 'เนื่องจาก'/'เพราะ'.
    `as_at` is the end of the period the table reports (a fiscal year's results: 30 September of
    that year); None when the table reports as of the meeting (a follow-up, 'ผลการติดตาม', of what
    was not finished by the year's end).
    """

    fiscal_year_be: int
    strategy_number: int
    #: None when the table gives no kind heading above the row (unknown, never guessed)
    kind: ActivityKindName | None
    title: str
    status: ActivityStatusName
    outcome: str
    reason: str | None
    responsible_units: tuple[str, ...] = ()
    line_no: int = 0
    as_at: date | None = None
    #: the agenda item whose text holds the table (0: not known)
    agenda_number: int = 0


@dataclass(frozen=True)
class Figure:
    """A percentage the minutes report (service.minutes.figures finds them), as they give it.

    `subject` is what the text says it is about: the whole plan, a kind of activity (`kind`), a
    strategy (`strategy_number`) or an activity (`activity_title` of `activity_fiscal_year_be`);
    None where the text names nothing (then it is not recorded). `label` is the text's own words
    for it, `value` as written (83.20), `fiscal_year_be` the year the text names before it, if
    any, and `text` the passage it was read from."""

    value: Decimal
    label: str
    subject: FigureSubject | None
    strategy_number: int | None = None
    kind: ActivityKindName | None = None
    activity_title: str | None = None
    activity_fiscal_year_be: int | None = None
    fiscal_year_be: int | None = None
    agenda_number: int | None = None
    text: str = ""


@dataclass(frozen=True)
class Proposal:
    """One numbered point of a strategy's proposals for the coming fiscal year."""

    fiscal_year_be: int
    strategy_number: int
    column: ProposalColumn
    text: str
    responsible_units: tuple[str, ...]


@dataclass(frozen=True)
class Comment:
    """One of the committee's numbered comments (ประเด็นการพิจารณา) on an agenda item, with the
    strategies it names ("ยุทธศาสตร์ที่ ๒": `service.minutes.references`)."""

    number: int
    text: str
    agenda_number: int = 0
    line_no: int = 0
    strategy_numbers: tuple[int, ...] = ()


ChangeKind = Literal["PERSON", "POSITION"]


@dataclass(frozen=True)
class MembershipChange:
    """One member of the committee replaced, as announced (`service.minutes.announcements`): who
    left, who joined (as quoted), a person or a seat defined by a position, the resolution that
    made the change (its body, code and date), when it takes effect where stated, and the words."""

    left: str
    joined: str
    kind: ChangeKind
    resolution_body: str
    resolution_code: str
    resolution_on: date | None
    effective_on: date | None
    text: str
    agenda_number: int = 0


@dataclass(frozen=True)
class NextMeeting:
    code: str
    date: date
    starts_at: time | None
    venue: str | None = None


@dataclass(frozen=True)
class Signatory:
    """Whoever signs the minutes at the end: the name in parentheses and the lines below it."""

    name: str
    position: str


@dataclass(frozen=True)
class UnplacedLine:
    """A line no section took, and why (a result row outside a table, a row with no status …)."""

    line_no: int
    text: str
    why: str = "no section of the minutes takes this line"


@dataclass(frozen=True)
class SkippedLine:
    """A non-blank line recognised as noise, and the rule that recognised it."""

    line_no: int
    text: str
    rule: str


@dataclass(frozen=True)
class ParsedMinutes:
    source: str
    body: str
    code: str
    date: date
    starts_at: time | None
    ends_at: time | None
    venue: str | None
    electronic: bool
    attendance: tuple[Attendee, ...]
    agenda: tuple[AgendaItem, ...]
    minutes_adoption: MinutesAdoption | None
    plan: PlanInfo | None
    activity_results: tuple[ActivityResult, ...]
    proposals: tuple[Proposal, ...]
    comments: tuple[Comment, ...]
    #: the percentages the minutes report (overall, by kind, by strategy, by activity)
    figures: tuple[Figure, ...]
    next_meeting: NextMeeting | None
    cited_meetings: tuple[CitedMeeting, ...]
    signatories: tuple[Signatory, ...]
    unplaced: tuple[UnplacedLine, ...]
    skipped: tuple[SkippedLine, ...]
    #: changes of the committee's membership its announcements state
    membership_changes: tuple[MembershipChange, ...] = ()
    #: the heading calls the meeting extraordinary ("ครั้งที่ ๑/๒๕๖๔ (วิสามัญ)")
    extraordinary: bool = False


class MinutesFormatError(ValueError):
    """The text lacks what every set of minutes has (its body, number or date)."""
