"""An approval's corrections applied to what the approved minutes say (pure).

When meeting A adopts the minutes of meeting E "with corrections" (the sample's 1/2564 adopts
9/2563's with three: "หน้า ๑๑ ข้อ ๖ จาก “…” เป็น “…”"), the record of E is E's minutes as
written, corrected from A on, whichever way they arrive: each fact E's minutes gave whose text
holds a corrected passage is corrected by a correction naming A (reported at A, in effect when the
fact is, recorded when the approval is known with the fact), the original staying beneath, so what
the committee had been told by E still reads as E's minutes were written
(`corrections_of_record`):

- E's minutes recorded first: the approval itself corrects E's own facts (the handler of
  ApproveMinutes, the desk's and the importer's alike), and the importer, right after it, the facts
  E's minutes gave on other streams (an activity's outcome heard at E);
- E's minutes arriving after the approval: recorded as written, then corrected the same way
  (service/minutes/importer.py, `approval_steps`).

A passage is found however the OCR broke its lines: each run of whitespace in it matches any run
of whitespace. Texts inside values are corrected too (an attendee's name in an attendance fact:
2/2564 corrects "สุดารัตน์" to "สุภารัตน์" in 1/2564's). Its "where" (page and item of the
approved copy) is kept with the approval and not used to find it: the page numbers of that copy are
not in the text.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from typing import Any

from domain.facts import Corrected, Fact, effective_facts
from domain.values import MinutesCorrection

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


def corrected(value: Any, corrections: Sequence[MinutesCorrection]) -> Any:
    """Any value with its texts corrected: strings, and those inside tuples, lists and dataclasses."""
    if isinstance(value, str):
        return corrected_text(value, corrections)
    if isinstance(value, (tuple, list)):
        return type(value)(corrected(v, corrections) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: corrected(getattr(value, f.name), corrections) for f in dataclasses.fields(value)}
        return dataclasses.replace(value, **changes)
    return value


def approval_reason(approving_code: str, corrections: Sequence[MinutesCorrection]) -> str:
    """Why a fact is corrected by the approval of its minutes at meeting `approving_code`."""
    where = "; ".join(c.where for c in corrections)
    return f"แก้ไขตามมติรับรองรายงานการประชุมครั้งที่ {approving_code} ({where})"


def corrections_of_record(
    facts: Sequence[Fact],
    corrections: Sequence[MinutesCorrection],
    *,
    heard_at: str | None = None,
    approved_at: str | None = None,
) -> list[tuple[int, dict[str, Any]]]:
    """(version, changes) of each fact whose text, as now believed, holds a corrected passage: what
    its correction must say. In version order.

    `heard_at`: only the facts reported at that meeting (on a stream other than the meeting's own:
    an outcome heard at it). `approved_at`: leave out the facts a correction naming that meeting
    (the approving one) already corrected, so that the approval corrects each fact once, whichever
    way its minutes arrived (a correction's new text may hold the passage it replaced)."""
    if not corrections:
        return []
    done = {f.corrects for f in facts if isinstance(f, Corrected) and approved_at and f.meeting_id == approved_at}
    out = []
    for fact in effective_facts(facts):  # each as now believed (its corrections applied)
        if isinstance(fact, Corrected) or fact.originator_version in done:
            continue
        if heard_at is not None and fact.meeting_id != heard_at:
            continue
        fixed = set(fact.FIXED)
        payload = fact.payload()
        changes = {
            name: corrected(value, corrections)
            for name, value in payload.items()
            if isinstance(value, (str, list, tuple)) and name not in NOT_TEXT and name not in fixed
        }
        changes = {name: value for name, value in changes.items() if value != payload[name]}
        if changes:
            out.append((fact.originator_version, changes))
    return sorted(out, key=lambda pair: pair[0])
