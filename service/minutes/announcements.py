"""Changes of a committee's membership the minutes announce.

The chair announces (agenda item 1 of the sample 1/2564) that a resolution of a body changed who
sits on the committee: "ด้วย ก.ก. ได้มีมติครั้งที่ ๑๒/๒๕๖๓ เมื่อวันที่ ๑๗ ธันวาคม ๒๕๖๓ ให้ปรับปรุง ...
อนุกรรมการ ... ดังนี้", then one point per change: "... จาก “<who left>” เป็น “<who joined>” ...".

Read here: a citation of a resolution (`<body> (ได้)มีมติ(ในการประชุม)ครั้งที่ N/YYYY (เมื่อ)วันที่ <date>`)
in a passage about members (อนุกรรมการ, กรรมการ, องค์ประกอบ), followed by quoted "จาก … เป็น …" pairs
up to the next resolution cited: each pair is one change. `kind` is PERSON when the quoted text
starts with a person's title (นาย, นาง, นางสาว, ดร., ศาสตราจารย์ ...), else POSITION (a seat
defined by a position: "ผู้ช่วยหัวหน้าสำนักงาน ก.ก. ที่หัวหน้าสำนักงาน ก.ก. มอบหมาย"). The date the
change takes effect is taken only where stated ("มีผลตั้งแต่วันที่ …", "ตั้งแต่วันที่ …"); otherwise it
stays unknown (None) — the resolution's own date is kept as that, not as the effective date.
"""

from __future__ import annotations

import re

from service.minutes.model import MembershipChange
from service.minutes.thai_text import DATE_PATTERN, find_thai_dates, to_arabic_digits

_RESOLUTION_RE = re.compile(
    r"(?P<body>อ\.ก\.ก\.|ก\.ก\.|ก\.พ\.|คณะรัฐมนตรี|ครม\.)\s*(?:ได้)?\s*มี\s*มติ\s*(?:ใน)?\s*(?:การประชุม)?\s*"
    r"ครั้งที่\s*(?P<code>\d{1,3}/\d{4})\s*(?:เมื่อ|ใน)?\s*(?:วัน\S{0,12}?ที่)?\s*"
    rf"(?P<date>{DATE_PATTERN.replace('?P<day>', '?:').replace('?P<month>', '?:').replace('?P<year>', '?:')})?"
)
_MEMBERS_RE = re.compile(r"อนุกรรมการ|กรรมการ|องค์ประกอบ")
_PAIR_RE = re.compile(r"จาก\s*[“\"](?P<left>[^”\"]+)[”\"]\s*เป็น\s*[“\"](?P<joined>[^”\"]+)[”\"]")
_EFFECTIVE_RE = re.compile(rf"(?:มีผล)?\s*ตั้งแต่\s*วันที่\s*(?P<date>{DATE_PATTERN.replace('?P<', '?P<e_')})")
#: a numbered point inside the announcement ("1.1 ", "1.2 "): where one change's words start
_POINT_RE = re.compile(r"(?:^|\s)\d+(?:\.\d+)+\s")
_PERSON_RE = re.compile(
    r"^(?:รองศาสตราจารย์|ผู้ช่วยศาสตราจารย์|ศาสตราจารย์|ดร\.|นางสาว|นาง|นาย|ว่าที่ร้อยตรี|พล\.|พ\.ต\.|"
    r"พันเอก|พลเอก|รศ\.|ผศ\.|ศ\.)"
)


def _clean(quoted: str) -> str:
    return re.sub(r"\s+", " ", quoted).strip()


def membership_changes(text: str, agenda_number: int = 0) -> tuple[MembershipChange, ...]:
    """The changes an agenda item's text announces (see the module docstring)."""
    joined_text = re.sub(r"\s+", " ", to_arabic_digits(text))
    citations = list(_RESOLUTION_RE.finditer(joined_text))
    changes: list[MembershipChange] = []
    for index, cited in enumerate(citations):
        end = citations[index + 1].start() if index + 1 < len(citations) else len(joined_text)
        passage = joined_text[cited.start() : end]
        if not _MEMBERS_RE.search(passage):
            continue
        dates = find_thai_dates(cited["date"] or "")
        effective = _EFFECTIVE_RE.search(passage)
        effective_on = (
            find_thai_dates(effective["date"])[0] if effective and find_thai_dates(effective["date"]) else None
        )
        for pair in _PAIR_RE.finditer(passage):
            left, joined = _clean(pair["left"]), _clean(pair["joined"])
            person = bool(_PERSON_RE.match(left) and _PERSON_RE.match(joined))
            points = [m.end() for m in _POINT_RE.finditer(passage, 0, pair.start())]
            clause_start = points[-1] if points else 0
            changes.append(
                MembershipChange(
                    left=left,
                    joined=joined,
                    kind="PERSON" if person else "POSITION",
                    resolution_body=cited["body"],
                    resolution_code=cited["code"],
                    resolution_on=dates[0] if dates else None,
                    effective_on=effective_on,
                    text=passage[clause_start : pair.end()].strip(),
                    agenda_number=agenda_number,
                )
            )
    return tuple(changes)
