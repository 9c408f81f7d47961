"""A stated reason split into the separate reasons the minutes number.

A results row may give several reasons, numbered in the text: strategy 2's enterprise-architecture
project in 1/2564 reads "ไม่ได้ดำเนินการ : ๑. ไม่ได้รับจัดสรรงบประมาณ ... ๒. โครงการนี้ต้องดำเนินการ
ภายหลัง ...": two reasons, not one. Points are split only at the next number in sequence (1., 2.,
3. ...), so a number inside a reason ("ระยะที่ 1") does not split it; text without numbering is one
reason.
"""

from __future__ import annotations

import re

from service.minutes.thai_text import parse_int

_NUM = r"[0-9๐-๙]+"


def split_reasons(text: str | None) -> tuple[str, ...]:
    if text is None or not text.strip():
        return ()
    cleaned = text.strip()
    starts: list[int] = []
    expected = 1
    for match in re.finditer(rf"(?:(?<=\s)|^)({_NUM})\.\s", cleaned):
        if parse_int(match[1]) == expected:
            starts.append(match.start())
            expected += 1
    if len(starts) < 2 or cleaned[: starts[0]].strip():
        return (cleaned,)
    ends = [*starts[1:], len(cleaned)]
    pieces = [re.sub(rf"^{_NUM}\.\s*", "", cleaned[a:b]).strip() for a, b in zip(starts, ends, strict=True)]
    return tuple(piece for piece in pieces if piece)
