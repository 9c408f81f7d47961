"""An approval's corrections applied to what the approved minutes say (pure).

When meeting A adopts the minutes of meeting E "with corrections" (the sample's 1/2564 adopts
9/2563's with three: "หน้า ๑๑ ข้อ ๖ จาก “…” เป็น “…”"), the record of E is E's minutes as
corrected, whichever way it arrives:

- E's minutes recorded first: the approval itself corrects each of E's facts whose text holds a
  corrected passage (`corrections_of_record`: the handler of ApproveMinutes records them with the
  approval, the desk's and the importer's alike), the original staying beneath;
- E's minutes arriving after the approval: every text they give is corrected before anything is
  recorded (service/minutes/corrections.py, `corrected_minutes`).

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


def corrections_of_record(
    facts: Sequence[Fact], corrections: Sequence[MinutesCorrection]
) -> list[tuple[int, dict[str, Any]]]:
    """(version, changes) of each fact whose text, as now believed, holds a corrected passage: what
    its correction must say. In version order."""
    if not corrections:
        return []
    out = []
    for fact in effective_facts(facts):  # each as now believed (its corrections applied)
        if isinstance(fact, Corrected):
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
