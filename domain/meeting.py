"""A committee meeting: when and where, who came, the agenda, resolutions and their action items."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, time
from typing import Any
from uuid import UUID, uuid5

from domain.errors import InvalidTransition, NotFound, ValidationError
from domain.facts import (
    MAX_NAME,
    Fact,
    Ledger,
    Meta,
    check_date,
    check_range,
    optional_text,
    require_text,
)
from domain.values import ActionItem, Attendee, MinutesCorrection
from domain.vocabulary import MeetingMode, ResolutionKind

MEETING_NAMESPACE = UUID("0b7c6f0e-5a7e-4f0b-8a51-7d2d1c9e4f33")
#: an approval may assign work too ("approved: the office reports to ก.ก. in January")
ASSIGNS_WORK = frozenset({ResolutionKind.ASSIGNED, ResolutionKind.APPROVED, ResolutionKind.APPROVED_WITH_AMENDMENTS})
CODE = re.compile(r"^[0-9]{1,3}/[0-9]{4}$")


def meeting_id_for(body: str, code: str) -> UUID:
    """A body's meetings are identified by their code ("1/2564"): one code, one meeting."""
    return uuid5(MEETING_NAMESPACE, f"{' '.join(body.split()).casefold()}|{code.strip()}")


def check_code(code: object) -> str:
    text = require_text("code", code, 20)
    if not CODE.match(text):
        raise ValidationError("code", f"{text!r} is not a meeting code such as 1/2564")
    return text


@dataclass
class AgendaItemState:
    number: int
    title: str
    subject: str | None = None
    text: str | None = None


@dataclass
class ResolutionState:
    id: str
    agenda_item: int | None
    kind: ResolutionKind
    text: str
    action_items: list[ActionItem]


@dataclass
class MinutesApprovalState:
    of_meeting_id: str
    of_code: str
    corrections: list[MinutesCorrection]


@dataclass
class NextMeetingState:
    code: str
    on: date
    starts_at: time | None


@dataclass
class MeetingState:
    exists: bool = False
    plan_id: str | None = None
    body: str = ""
    code: str = ""
    on: date = date.min
    starts_at: time | None = None
    ends_at: time | None = None
    venue: str | None = None
    #: how the meeting sat, where that is stated (None: not stated, e.g. a meeting only cited)
    mode: MeetingMode | None = None
    by_reference: bool = False
    #: an extraordinary meeting (วิสามัญ) or a regular one, where its minutes say (None: not stated)
    extraordinary: bool | None = None
    attendance: list[Attendee] = field(default_factory=list)
    agenda: dict[int, AgendaItemState] = field(default_factory=dict)
    resolutions: dict[str, ResolutionState] = field(default_factory=dict)
    minutes_approvals: list[MinutesApprovalState] = field(default_factory=list)
    comments: dict[int, str] = field(default_factory=dict)
    #: comment number -> the strategies it names (None: not recorded, before CommentRecorded v2)
    comment_strategies: dict[int, list[int] | None] = field(default_factory=dict)
    next_meeting: NextMeetingState | None = None
    #: the committee's membership changes announced here (their ids on the committee's stream)
    membership_changes_announced: list[str] = field(default_factory=list)

    def action_item(self, item_id: str) -> tuple[ResolutionState, int]:
        for resolution in self.resolutions.values():
            for index, item in enumerate(resolution.action_items):
                if item.id == item_id:
                    return resolution, index
        raise NotFound("action item", item_id)


#: an agenda item's text may hold a whole matter's background (the sample's item 3: 9,645 characters)
MAX_ITEM_TEXT = 100_000


def check_strategy_numbers(numbers: Sequence[int] | None) -> list[int] | None:
    """Strategy numbers a comment names: each 1..99, each once."""
    if numbers is None:
        return None
    for i, number in enumerate(numbers):
        check_range(f"strategyNumbers[{i}]", number, 1, 99)
    if len(set(numbers)) != len(numbers):
        raise ValidationError("strategyNumbers", "names a strategy more than once")
    return list(numbers)


def check_mode(mode: object) -> str | None:
    """A meeting mode, or None: not stated."""
    return None if mode is None else MeetingMode.parse(mode, "mode").value


def check_times(starts_at: time | None, ends_at: time | None) -> None:
    for name, value in (("startsAt", starts_at), ("endsAt", ends_at)):
        if value is not None and not isinstance(value, time):
            raise ValidationError(name, f"{value!r} is not a time of day")
    if starts_at is not None and ends_at is not None and ends_at <= starts_at:
        raise ValidationError("endsAt", f"{ends_at:%H:%M} is not after the start {starts_at:%H:%M}")


class Meeting(Ledger[MeetingState]):
    State = MeetingState
    KIND = "meeting"

    class Scheduled(Fact, Ledger.Created):
        """A meeting: when, where and how it sits as far as stated. Since version 2 `mode` may be
        None (not stated); version 1 always had one, IN_PERSON by default, also for a meeting only
        cited by another's minutes (`by_reference`), which never stated one."""

        plan_id: str | None
        body: str
        code: str
        on: date
        starts_at: time | None
        ends_at: time | None
        venue: str | None
        mode: str | None
        by_reference: bool

        FIXED = frozenset({"body", "code", "plan_id"})
        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            if state.get("by_reference") and state.get("mode") == MeetingMode.IN_PERSON.value:
                state["mode"] = None  # the default, not a statement: cited meetings say nothing of it

        def check(self) -> None:
            check_date("date", self.on)
            check_times(self.starts_at, self.ends_at)
            check_mode(self.mode)

        def evolve(self, state: MeetingState) -> None:
            state.exists = True
            state.plan_id = self.plan_id
            state.body = self.body
            state.code = self.code
            state.on = self.on
            state.starts_at = self.starts_at
            state.ends_at = self.ends_at
            state.venue = self.venue
            state.mode = None if self.mode is None else MeetingMode(self.mode)
            state.by_reference = self.by_reference

    class Held(Fact):
        """The meeting took place: when it really started and ended, where and how (`mode` None:
        not stated; what was known of it stays)."""

        starts_at: time
        ends_at: time
        venue: str | None
        mode: str | None

        def check(self) -> None:
            check_times(self.starts_at, self.ends_at)
            check_mode(self.mode)

        def evolve(self, state: MeetingState) -> None:
            state.starts_at = self.starts_at
            state.ends_at = self.ends_at
            state.venue = self.venue or state.venue
            state.mode = state.mode if self.mode is None else MeetingMode(self.mode)
            state.by_reference = False

    class KindStated(Fact):
        """The minutes call the meeting extraordinary ("ครั้งที่ ๑/๒๕๖๔ (วิสามัญ)"), or a regular one:
        numbered apart from the regular series, held on a call rather than the calendar."""

        extraordinary: bool

        def check(self) -> None:
            if not isinstance(self.extraordinary, bool):
                raise ValidationError("extraordinary", "true or false")

        def evolve(self, state: MeetingState) -> None:
            state.extraordinary = self.extraordinary

    class AttendanceRecorded(Fact):
        attendees: list[Attendee]

        def check(self) -> None:
            for i, attendee in enumerate(self.attendees):
                if not isinstance(attendee, Attendee):
                    raise ValidationError(f"attendees[{i}]", "is not an attendee (name, position, role, presence)")
                attendee.checked(f"attendees[{i}]")

        def evolve(self, state: MeetingState) -> None:
            names = {a.name for a in self.attendees}
            state.attendance = [a for a in state.attendance if a.name not in names]
            state.attendance.extend(self.attendees)

    class AgendaItemAdded(Fact):
        """An item of the agenda: its heading ("matters for consideration") and, since version 2,
        its subject, what the item is about ("the FY 2564 action plan"), which the minutes give
        under the heading as "เรื่อง ..." and version 1 did not keep; since version 3 its text, what
        the minutes say under it (the chair's announcements, a matter's background, the points of
        another matter), which versions 1 and 2 did not keep."""

        number: int
        title: str
        subject: str | None
        text: str | None

        FIXED = frozenset({"number"})
        class_version = 3

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["subject"] = None  # not recorded then: unknown, never guessed from the title

        @staticmethod
        def upcast_v2_v3(state: dict[str, Any]) -> None:
            state["text"] = None  # not recorded then: unknown

        def check(self) -> None:
            require_text("title", self.title)
            optional_text("subject", self.subject)
            optional_text("text", self.text, MAX_ITEM_TEXT)

        def evolve(self, state: MeetingState) -> None:
            state.agenda[self.number] = AgendaItemState(self.number, self.title, self.subject, self.text)

    class ResolutionAdopted(Fact):
        resolution_id: str
        agenda_item: int | None
        kind: str
        text: str
        action_items: list[ActionItem]

        FIXED = frozenset({"resolution_id"})

        def check(self) -> None:
            ResolutionKind.parse(self.kind, "kind")
            require_text("text", self.text)
            for i, item in enumerate(self.action_items):
                if not isinstance(item, ActionItem):
                    raise ValidationError(f"actionItems[{i}]", "is not an action item")
                item.checked(f"actionItems[{i}]")

        def evolve(self, state: MeetingState) -> None:
            state.resolutions[self.resolution_id] = ResolutionState(
                self.resolution_id,
                self.agenda_item,
                ResolutionKind(self.kind),
                self.text,
                list(self.action_items),
            )

    class ActionItemCompleted(Fact):
        action_item_id: str
        done_on: date

        FIXED = frozenset({"action_item_id"})

        def check(self) -> None:
            check_date("doneOn", self.done_on)

        def evolve(self, state: MeetingState) -> None:
            try:
                resolution, index = state.action_item(self.action_item_id)
            except NotFound:
                return
            item = resolution.action_items[index]
            resolution.action_items[index] = replace(item, done_on=self.done_on)

    class MinutesApproved(Fact):
        """At this meeting, the minutes of an earlier one were adopted, with corrections."""

        of_meeting_id: str
        of_code: str
        corrections: list[MinutesCorrection]

        FIXED = frozenset({"of_meeting_id", "of_code"})

        def check(self) -> None:
            for i, correction in enumerate(self.corrections):
                if not isinstance(correction, MinutesCorrection):
                    raise ValidationError(f"corrections[{i}]", "is not a correction (where, from, to)")
                correction.checked(f"corrections[{i}]")

        def evolve(self, state: MeetingState) -> None:
            state.minutes_approvals.append(
                MinutesApprovalState(self.of_meeting_id, self.of_code, list(self.corrections))
            )

    class CommentRecorded(Fact):
        """One of the committee's numbered comments; since version 2 with the strategies it names
        by number (version 1 did not keep them: None, unknown — not "names none")."""

        number: int
        text: str
        strategy_numbers: list[int] | None

        FIXED = frozenset({"number"})
        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["strategy_numbers"] = None

        def check(self) -> None:
            require_text("text", self.text)
            check_strategy_numbers(self.strategy_numbers)

        def evolve(self, state: MeetingState) -> None:
            state.comments[self.number] = self.text
            state.comment_strategies[self.number] = (
                None if self.strategy_numbers is None else list(self.strategy_numbers)
            )

    class MembershipChangeAnnounced(Fact):
        """A change of the committee's membership was announced here; the change itself is the
        committee's fact (`domain.committee.Committee.MembershipChanged`, id `change_id`)."""

        change_id: str

        FIXED = frozenset({"change_id"})

        def evolve(self, state: MeetingState) -> None:
            state.membership_changes_announced.append(self.change_id)

    class NextMeetingSet(Fact):
        code: str
        on: date
        starts_at: time | None

        def check(self) -> None:
            check_code(self.code)
            check_date("date", self.on)

        def evolve(self, state: MeetingState) -> None:
            state.next_meeting = NextMeetingState(self.code, self.on, self.starts_at)

    # -- commands ---------------------------------------------------------------------------

    @classmethod
    def schedule(
        cls,
        *,
        body: str,
        code: str,
        on: date,
        starts_at: time | None = None,
        ends_at: time | None = None,
        venue: str | None = None,
        mode: str | None = None,
        plan_id: UUID | str | None = None,
        by_reference: bool = False,
        meta: Meta,
    ) -> Meeting:
        meta = meta.checked()
        body = " ".join(require_text("body", body, MAX_NAME).split())
        code = check_code(code)
        check_date("date", on)
        check_times(starts_at, ends_at)
        return cls._open(
            cls.Scheduled,
            meta,
            id=meeting_id_for(body, code),
            plan_id=None if plan_id is None else str(plan_id),
            body=body,
            code=code,
            on=on,
            starts_at=starts_at,
            ends_at=ends_at,
            venue=optional_text("venue", venue, MAX_NAME),
            mode=check_mode(mode),
            by_reference=bool(by_reference),
        )

    def _fixed(self, original: Fact) -> frozenset[str]:
        """A meeting first known without its plan (cited by other minutes, or set as their next
        meeting) gets its plan named when its own minutes name it: a correction of its scheduling
        may set the plan while none is named; a plan once named stays."""
        if isinstance(original, Meeting.Scheduled) and self.state.plan_id is None:
            return original.FIXED - {"plan_id"}
        return original.FIXED

    def record_times(self, starts_at: time, ends_at: time, venue: str | None, mode: str | None, meta: Meta) -> None:
        meta = meta.checked()
        if starts_at is None or ends_at is None:
            raise ValidationError("endsAt", "give both the start and the end time")
        check_times(starts_at, ends_at)
        self._record(
            self.Held,
            meta,
            starts_at=starts_at,
            ends_at=ends_at,
            venue=optional_text("venue", venue, MAX_NAME),
            mode=check_mode(mode),
        )

    def state_kind(self, extraordinary: bool, meta: Meta) -> None:
        meta = meta.checked()
        if not isinstance(extraordinary, bool):
            raise ValidationError("extraordinary", "true or false")
        if self._state_for(meta).extraordinary is extraordinary:
            raise InvalidTransition(
                f"the meeting is already recorded as {'extraordinary' if extraordinary else 'regular'}"
            )
        self._record(self.KindStated, meta, extraordinary=extraordinary)

    def record_attendance(self, attendees: list[Attendee], meta: Meta) -> None:
        meta = meta.checked()
        if not attendees:
            raise ValidationError("attendees", "name at least one person")
        checked = [a.checked(f"attendees[{i}]") for i, a in enumerate(attendees)]
        names = [a.name for a in checked]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValidationError("attendees", f"names {', '.join(twice)} more than once")
        self._record(self.AttendanceRecorded, meta, attendees=checked)

    def add_agenda_item(
        self, number: int, title: str, meta: Meta, subject: str | None = None, text: str | None = None
    ) -> None:
        meta = meta.checked()
        check_range("number", number, 1, 999)
        if number in self.state.agenda:
            raise ValidationError("number", f"agenda item {number} already exists")
        self._record(
            self.AgendaItemAdded,
            meta,
            number=number,
            title=require_text("title", title),
            subject=optional_text("subject", subject),
            text=optional_text("text", text, MAX_ITEM_TEXT),
        )

    def adopt_resolution(
        self,
        *,
        resolution_id: str,
        agenda_item: int | None,
        kind: str,
        text: str,
        action_items: list[ActionItem],
        meta: Meta,
    ) -> None:
        meta = meta.checked()
        resolution_id = require_text("resolutionId", resolution_id, MAX_NAME)
        if resolution_id in self.state.resolutions:
            raise ValidationError("resolutionId", f"resolution {resolution_id} already exists")
        if agenda_item is not None and agenda_item not in self.state.agenda:
            known = ", ".join(str(n) for n in sorted(self.state.agenda)) or "none yet"
            raise ValidationError("agendaItem", f"no agenda item {agenda_item} (the agenda has: {known})")
        resolution_kind = ResolutionKind.parse(kind, "kind")
        items = [item.checked(f"actionItems[{i}]") for i, item in enumerate(action_items)]
        if items and resolution_kind not in ASSIGNS_WORK:
            raise ValidationError(
                "actionItems",
                f"a {resolution_kind.value} resolution assigns no work; only approvals and assignments do",
            )
        if resolution_kind is ResolutionKind.ASSIGNED and not items:
            raise ValidationError("actionItems", "an ASSIGNED resolution names at least one action item")
        existing = {i.id for r in self.state.resolutions.values() for i in r.action_items}
        ids = [i.id for i in items]
        clash = sorted((set(ids) & existing) | {i for i in ids if ids.count(i) > 1})
        if clash:
            raise ValidationError("actionItems", f"action item ids used twice: {', '.join(clash)}")
        self._record(
            self.ResolutionAdopted,
            meta,
            resolution_id=resolution_id,
            agenda_item=agenda_item,
            kind=resolution_kind.value,
            text=require_text("text", text),
            action_items=items,
        )

    def complete_action_item(self, action_item_id: str, done_on: date, meta: Meta) -> None:
        meta = meta.checked()
        resolution, index = self._state_for(meta).action_item(action_item_id)
        item = resolution.action_items[index]
        if item.done_on is not None:
            raise InvalidTransition(f"action item {action_item_id} was already done on {item.done_on}")
        check_date("doneOn", done_on)
        if done_on < self.state.on:
            raise ValidationError("doneOn", f"{done_on} is before the meeting that assigned it ({self.state.on})")
        self._record(self.ActionItemCompleted, meta, action_item_id=action_item_id, done_on=done_on)

    def approve_minutes(self, earlier: Meeting, corrections: list[MinutesCorrection], meta: Meta) -> None:
        """Adopt, at this meeting, the minutes of `earlier`, with `corrections`."""
        meta = meta.checked()
        if earlier.id == self.id or earlier.state.on >= self.state.on:
            raise ValidationError(
                "ofMeeting",
                f"meeting {earlier.state.code} ({earlier.state.on}) is not before {self.state.code} ({self.state.on})",
            )
        if any(a.of_meeting_id == str(earlier.id) for a in self.state.minutes_approvals):
            raise InvalidTransition(f"the minutes of {earlier.state.code} are already adopted here")
        checked = [c.checked(f"corrections[{i}]") for i, c in enumerate(corrections)]
        self._record(
            self.MinutesApproved,
            meta,
            of_meeting_id=str(earlier.id),
            of_code=earlier.state.code,
            corrections=checked,
        )

    def record_comment(self, number: int, text: str, meta: Meta, strategy_numbers: Sequence[int] = ()) -> None:
        meta = meta.checked()
        check_range("number", number, 1, 999)
        if number in self.state.comments:
            raise ValidationError("number", f"comment {number} is already recorded")
        numbers = check_strategy_numbers(list(strategy_numbers)) or []
        self._record(
            self.CommentRecorded, meta, number=number, text=require_text("text", text), strategy_numbers=numbers
        )

    def announce_membership_change(self, change_id: str, meta: Meta) -> None:
        meta = meta.checked()
        change_id = require_text("changeId", change_id, MAX_NAME)
        if change_id in self.state.membership_changes_announced:
            raise ValidationError("changeId", f"membership change {change_id} is already announced here")
        self._record(self.MembershipChangeAnnounced, meta, change_id=change_id)

    def set_next_meeting(self, code: str, on: date, starts_at: time | None, meta: Meta) -> None:
        meta = meta.checked()
        code = check_code(code)
        check_date("date", on)
        if on <= self.state.on:
            raise ValidationError("date", f"the next meeting ({on}) must come after this one ({self.state.on})")
        self._record(self.NextMeetingSet, meta, code=code, on=on, starts_at=starts_at)
