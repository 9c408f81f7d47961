"""Whole minutes or nothing: a file cut short is refused before anything is recorded, and a file
holding several minutes one after another is split into them.

Minutes end with the closing line ('เลิกประชุมเวลา ๑๑.๔๐ น.', or 'ปิดประชุม') and then the
signature block: the minute-taker's name in parentheses and their role ('ผู้จดรายงานการประชุม').
A file missing either stops early: the first half of the sample once recorded 35 facts, the
adoption of the previous minutes among them, and that lock then refused the whole file for good.
So a cut file is refused in one line that says where it stops and what is missing; and only a
whole file is parsed and recorded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from service.minutes.thai_text import strip_noise

#: the closing line; OCR may split it ('เลิก ประชุม') or add 'การ'
_CLOSING_RE = re.compile(r"^(?:เลิก|ปิด)\s*(?:การ)?\s*ประชุม")
#: the signature block: a name in parentheses, or the minute-taker's or checker's role
_SIGNED_RE = re.compile(r"^\(\s*[^()]{3,}\)$|ผู้\s*(?:จด|จัด|ตรวจ|บันทึก)\s*รายงาน\s*การ\s*ประชุม")
#: the title every set of minutes opens with
_TITLE_RE = re.compile(r"^รายงาน\s*การ\s*ประชุม\s+\S")


class IncompleteMinutes(Exception):
    """Minutes that stop before their end; the message is one line: file:line and what is missing."""


@dataclass(frozen=True)
class Part:
    """One set of minutes inside a file: its text, with the lines before it blank so that line
    numbers stay the file's."""

    text: str
    first_line: int


def _texts(lines: list[str]) -> list[str]:
    return [strip_noise(line) for line in lines]


def split_minutes(text: str) -> list[Part]:
    """The minutes in `text`, one Part each: a title line after a closing line and its signature
    starts the next set. A file of one set of minutes is one Part."""
    lines = text.splitlines()
    texts = _texts(lines)
    starts = [0]
    closed = signed = False
    for number, line in enumerate(texts):
        if _CLOSING_RE.match(line):
            closed, signed = True, False
        elif closed and _SIGNED_RE.search(line):
            signed = True
        elif closed and signed and _TITLE_RE.match(line):
            starts.append(number)
            closed = signed = False
    ends = [*starts[1:], len(lines)]
    return [
        Part("\n" * start + "\n".join(lines[start:end]), start + 1) for start, end in zip(starts, ends, strict=True)
    ]


def check_complete(part: Part, name: str) -> None:
    """Raise IncompleteMinutes unless `part` ends with its closing line and signature block."""
    lines = part.text.splitlines()
    texts = _texts(lines)
    content = [number for number, line in enumerate(texts, start=1) if line]
    if not content:
        raise IncompleteMinutes(f"{name}:{part.first_line}: no minutes in it")
    last = content[-1]
    closing = next((n for n in reversed(content) if _CLOSING_RE.match(texts[n - 1])), None)
    if closing is None:
        raw = lines[last - 1].strip()
        where = "inside a table row" if "\t" in raw or raw.startswith("|") else f"at '{texts[last - 1][:40]}'"
        raise IncompleteMinutes(
            f"{name}:{last}: the minutes stop here, {where}, with no closing line ('เลิกประชุม …') "
            "and no signature block: a cut file? nothing recorded"
        )
    if not any(_SIGNED_RE.search(texts[n - 1]) for n in content if n > closing):
        raise IncompleteMinutes(
            f"{name}:{last}: the minutes stop here, after the closing at line {closing} but before the "
            "signature block (the minute-taker's name in parentheses): a cut file? nothing recorded"
        )
