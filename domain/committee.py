"""A committee (a body that meets) and the meetings it has closed for reporting.

Once the minutes of meeting E are approved, nothing new may be recorded as reported at E or at an
earlier meeting of the same body: what those meetings recorded changes only by a correction, with
a reason. The closings are kept per body, not per plan, because a meeting need not belong to a
plan (the meetings an importer knows only by reference carry none). A fact is *reported at* the
meeting its meta names; a fact naming no meeting is a live update, reported when it is recorded,
which is never inside a closed meeting.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from uuid import UUID, uuid5

from domain.errors import PeriodLocked, ValidationError
from domain.facts import EARLIEST, MAX_NAME, Corrected, Fact, Ledger, Meta, check_date, optional_text, require_text

CODE = re.compile(r"^[0-9]{1,3}/[0-9]{4}$")
COMMITTEE_NAMESPACE = UUID("0f8e2c61-2d4b-4f59-8f5c-3a7d9e14b6c2")


def committee_id_for(body: str) -> UUID:
    return uuid5(COMMITTEE_NAMESPACE, " ".join(body.split()))


@dataclass(frozen=True)
class Closing:
    """The minutes of meeting `meeting_code` (held `through`) were approved at `approved_at`:
    that meeting and every earlier one of the body are closed for reporting."""

    through: date
    meeting_code: str
    approved_at: str
    approved_on: date


@dataclass(frozen=True)
class MembershipChange:
    """A member replaced: who left and who joined (as the source names them: a person, or a seat
    defined by a position), the resolution that made the change (its body, code and date, where
    stated), the day it takes effect where stated (None: not stated, never guessed), the source's
    words, the meeting that announced it (if any) and the day it was recorded as known."""

    id: str
    left: str
    joined: str
    kind: str
    resolution_body: str | None
    resolution_code: str | None
    resolution_on: date | None
    takes_effect_on: date | None
    text: str | None
    meeting_id: str | None
    recorded_on: date


@dataclass
class CommitteeState:
    exists: bool = False
    body: str = ""
    closings: list[Closing] = field(default_factory=list)
    membership_changes: dict[str, MembershipChange] = field(default_factory=dict)

    def closing(self, held_on: date) -> Closing | None:
        """The approval that closed a meeting held on `held_on` (the first to reach it), if any."""
        covering = [c for c in self.closings if c.through >= held_on]
        return min(covering, key=lambda c: (c.approved_on, c.through), default=None)


class Committee(Ledger[CommitteeState]):
    State = CommitteeState
    KIND = "committee"

    class Formed(Fact, Ledger.Created):
        body: str

        def evolve(self, state: CommitteeState) -> None:
            state.exists = True
            state.body = self.body

    class MinutesApproved(Fact):
        """The minutes of the meeting held on `through` were approved at `approved_at` (the date
        of this fact)."""

        through: date
        meeting_code: str
        approved_at: str

        FIXED = frozenset({"meeting_code", "approved_at"})

        def evolve(self, state: CommitteeState) -> None:
            state.closings.append(Closing(self.through, self.meeting_code, self.approved_at, self.effective_on))

    @property
    def effective_from(self) -> date:
        """A body's closings have no beginning of their own: the minutes of its meetings may be
        approved, and imported, in any order, so an approval of any date is taken (the body was
        formed when its first approval was recorded, which says nothing of when it first met)."""
        return EARLIEST

    class MembershipChanged(Fact):
        """Who left the committee and who joined in their place, by which resolution, effective
        when (where stated). `kind` is PERSON (a named person) or POSITION (a seat defined by a
        position, e.g. "the assistant head of office the head assigns")."""

        change_id: str
        left: str
        joined: str
        kind: str
        resolution_body: str | None
        resolution_code: str | None
        resolution_on: date | None
        takes_effect_on: date | None
        text: str | None

        FIXED = frozenset({"change_id"})

        def evolve(self, state: CommitteeState) -> None:
            state.membership_changes[self.change_id] = MembershipChange(
                self.change_id,
                self.left,
                self.joined,
                self.kind,
                self.resolution_body,
                self.resolution_code,
                self.resolution_on,
                self.takes_effect_on,
                self.text,
                self.meeting_id,
                self.effective_on,
            )

    @classmethod
    def form(cls, body: str, meta: Meta) -> Committee:
        meta = meta.checked()
        body = " ".join(require_text("body", body).split())
        return cls._open(cls.Formed, meta, id=committee_id_for(body), body=body)

    def close(self, through: date, meeting_code: str, approved_at: str, meta: Meta) -> None:
        meta = meta.checked()
        check_date("through", through)
        if any(c.through == through and c.meeting_code == meeting_code for c in self.state.closings):
            return
        self._record(self.MinutesApproved, meta, through=through, meeting_code=meeting_code, approved_at=approved_at)

    def change_membership(
        self,
        *,
        change_id: str,
        left: str,
        joined: str,
        kind: str,
        resolution_body: str | None,
        resolution_code: str | None,
        resolution_on: date | None,
        takes_effect_on: date | None,
        text: str | None,
        meta: Meta,
    ) -> None:
        """Record on `committee` that `left` was replaced by `joined` (see `MembershipChanged`)."""
        meta = meta.checked()
        change_id = require_text("changeId", change_id, MAX_NAME)
        if change_id in self.state.membership_changes:
            raise ValidationError("changeId", f"membership change {change_id} is already recorded")
        if kind not in MEMBERSHIP_CHANGE_KINDS:
            raise ValidationError("kind", f"{kind!r} is not one of {', '.join(MEMBERSHIP_CHANGE_KINDS)}")
        left, joined = require_text("left", left, MAX_NAME), require_text("joined", joined, MAX_NAME)
        if left == joined:
            raise ValidationError("joined", "is who left; nothing changed")
        if resolution_code is not None and not CODE.match(resolution_code.strip()):
            raise ValidationError("resolutionCode", f"{resolution_code!r} is not a resolution code such as 12/2563")
        for name, day in (("resolutionOn", resolution_on), ("takesEffectOn", takes_effect_on)):
            if day is not None:
                check_date(name, day)
        self._record(
            self.MembershipChanged,
            meta,
            change_id=change_id,
            left=left,
            joined=joined,
            kind=kind,
            resolution_body=optional_text("resolutionBody", resolution_body, MAX_NAME),
            resolution_code=None if resolution_code is None else resolution_code.strip(),
            resolution_on=resolution_on,
            takes_effect_on=takes_effect_on,
            text=optional_text("text", text),
        )


MEMBERSHIP_CHANGE_KINDS = ("PERSON", "POSITION")


def check_reporting_open(
    state: CommitteeState, meeting_code: str, held_on: date, facts: Iterable[Fact], minutes_of: bool = False
) -> None:
    """Refuse a new fact reported at a meeting (`meeting_code`, held on `held_on`) the committee
    has closed. Corrections pass (they say why), and so does the record of the meeting's own
    minutes arriving after their approval (`minutes_of`): the record itself, not an edit of it."""
    closing = state.closing(held_on)
    if closing is None or minutes_of:
        return
    for fact in facts:
        if isinstance(fact, Corrected):
            continue
        raise PeriodLocked(
            fact.effective_on.isoformat(),
            closing.through.isoformat(),
            closing.meeting_code,
            closing.approved_at,
            reported_at=meeting_code,
        )
