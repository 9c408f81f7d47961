"""The corrections approved for a set of minutes, applied to what they record.

When meeting A adopts the minutes of meeting E "with corrections" (the sample's 1/2564 adopts
9/2563's with three: "หน้า ๑๑ ข้อ ๖ จาก “…” เป็น “…”"), the record of E is E's minutes as
corrected. The two sets of minutes may be imported in either order, and the record comes out the
same:

- E's minutes after A's approval (out of order): every text the parsed minutes give is corrected
  before anything is recorded (`corrected_minutes`), so the facts say what was approved;
- A's approval after E's minutes were recorded (date order): each fact on E's meeting stream
  (its agenda, resolutions, comments, times and venue) whose text holds a corrected passage gets a
  correction (`corrections_of_record`), with A's approval as the reason; the original stays.

A passage is found however the OCR broke its lines: each run of whitespace in it matches any run
of whitespace. Its "where" (page and item of the approved copy) is kept with the approval and
not used to find it: the page numbers of that copy are not in the text.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from typing import Any

from domain.committee import Committee, committee_id_for
from domain.errors import NotFound
from domain.facts import Corrected, effective_facts
from domain.meeting import Meeting, meeting_id_for
from domain.values import MinutesCorrection
from service.application.handlers import Loader
from service.minutes.model import ParsedMinutes

#: fact fields never corrected here (ids, codes, what a correction may not change)
NOT_TEXT = frozenset({"actor", "meeting_id", "reason", "code", "body", "resolution_id", "of_meeting_id", "of_code"})


def _pattern(passage: str) -> re.Pattern[str]:
    return re.compile(r"\s+".join(re.escape(word) for word in passage.split()))


def corrected_text(text: str, corrections: Sequence[MinutesCorrection]) -> str:
    """`text` with every corrected passage replaced by what the approval says it should read."""
    for correction in corrections:
        # a plain replacement: a backslash in the text is the text's, not a group reference
        text = _pattern(correction.from_text).sub(correction.to_text.replace("\\", "\\\\"), text)
    return text


def _corrected(value: Any, corrections: Sequence[MinutesCorrection]) -> Any:
    if isinstance(value, str):
        return corrected_text(value, corrections)
    if isinstance(value, (tuple, list)):
        return type(value)(_corrected(v, corrections) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _corrected(getattr(value, f.name), corrections) for f in dataclasses.fields(value)}
        return dataclasses.replace(value, **changes)
    return value


def corrected_minutes(minutes: ParsedMinutes, corrections: Sequence[MinutesCorrection]) -> ParsedMinutes:
    """The minutes as the approval corrected them (every text they give; `source` kept)."""
    if not corrections:
        return minutes
    out: ParsedMinutes = _corrected(minutes, corrections)
    return dataclasses.replace(out, source=minutes.source)


def approved_corrections(loader: Loader, body: str, code: str) -> tuple[str, list[MinutesCorrection]] | None:
    """Where the minutes of meeting `code` of `body` were approved (the approving meeting's code)
    and with which corrections; None while no approval of them is recorded."""
    try:
        committee = loader.load(Committee, committee_id_for(body), read_only=True).state
    except NotFound:
        return None
    for closing in committee.closings:
        if closing.meeting_code != code:
            continue
        try:
            approving = loader.load(Meeting, meeting_id_for(body, closing.approved_at), read_only=True).state
        except NotFound:
            continue
        for approval in approving.minutes_approvals:
            if approval.of_code == code:
                return closing.approved_at, list(approval.corrections)
    return None


def corrections_of_record(
    loader: Loader, body: str, code: str, corrections: Sequence[MinutesCorrection]
) -> list[tuple[int, dict[str, Any]]]:
    """(version, changes) of each fact on meeting `code`'s stream whose text, as now believed,
    holds a corrected passage: what its corrections must say."""
    if not corrections:
        return []
    try:
        meeting = loader.load(Meeting, meeting_id_for(body, code), read_only=True)
    except NotFound:
        return []
    out = []
    for fact in effective_facts(meeting.facts):  # each as now believed (its corrections applied)
        if isinstance(fact, Corrected):
            continue
        fixed = set(fact.FIXED)
        changes = {  # texts, and texts inside values (an attendee's name in an attendance fact)
            name: _corrected(value, corrections)
            for name, value in fact.payload().items()
            if isinstance(value, (str, list, tuple)) and name not in NOT_TEXT and name not in fixed
        }
        changes = {name: value for name, value in changes.items() if value != fact.payload()[name]}
        if changes:
            out.append((fact.originator_version, changes))
    return sorted(out, key=lambda pair: pair[0])
