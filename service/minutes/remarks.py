"""What an attendance entry says of a person besides name, position, role and reason for absence.

Secretariats note in the entry that a member came late or left early ('(เข้าประชุมเวลา ๑๐.๐๐ น.)',
'ออกจากที่ประชุมเวลา ๑๑.๐๐ น.') or presided in the chair's absence ('อ.ก.ก.<br>ทำหน้าที่ประธาน'),
in the name's cell, on a line under the position or in the role cell. Read as part of the position
they make a wrong one ('สถาบันพระปกเกล้า (เข้าประชุมเวลา ๑๐.๐๐ น.)'); in the role cell they made
the cell no role at all and were lost. They are taken out and kept as written (`Attendee.remark`),
never read further: the record has no arrival time, and presiding does not make a member the chair.
Pure functions over strings.
"""

from __future__ import annotations

import re

_TIME = r"[0-9๐-๙]{1,2}\s*[.:]\s*[0-9๐-๙]{2}\s*(?:น\.?)?"
_CAME_OR_LEFT = (
    r"(?:เข้า(?:ร่วม)?\s*(?:ประชุม|ที่ประชุม)|มา\s*ประชุม|ออก\s*จาก\s*(?:ที่ประชุม|การประชุม|ห้องประชุม)|"
    r"ออก\s*ก่อน|ลา\s*(?:กลับ|ออก)\s*ก่อน)"
    rf"\s*(?:เวลา)?\s*{_TIME}"
)
_PRESIDED = r"ทำหน้าที่\s*(?:แทน)?\s*ประธาน(?:\s*(?:ใน)?\s*ที่ประชุม|\s*อ\.ก\.ก\.ฯ?|\s*กรรมการ)?"
_REMARK_RE = re.compile(rf"\(\s*(?P<inner>{_CAME_OR_LEFT}|{_PRESIDED})\s*\)|(?P<bare>{_CAME_OR_LEFT}|{_PRESIDED})")


def split_remarks(text: str) -> tuple[str, list[str]]:
    """`text` without the remarks it holds (spaces tidied), and the remarks in order, without
    their parentheses: 'สถาบันพระปกเกล้า (เข้าประชุมเวลา ๑๐.๐๐ น.)' -> ('สถาบันพระปกเกล้า',
    ['เข้าประชุมเวลา ๑๐.๐๐ น.'])."""
    found = [(match["inner"] or match["bare"]).strip() for match in _REMARK_RE.finditer(text)]
    if not found:
        return text, []
    return re.sub(r"\s+", " ", _REMARK_RE.sub(" ", text)).strip(), found
