"""When a piece of assigned work is due, read from the words of the resolution that assigns it.

The rules, in order (the first that applies decides; `due_on` None means the text does not say):

1. A named date — "ภายในวันที่ ๑๕ มกราคม ๒๕๖๔" — is the due date. A month alone — "ภายในเดือน
   มีนาคม ๒๕๖๔", "ภายในสิ้นเดือน มี.ค. ๖๔" — is due by its last day (within March is by 31 March).
2. A named meeting by its code — "ในการประชุม (อ.ก.ก.) ครั้งที่ ๒/๒๕๖๔" — is due on that meeting's
   date when these minutes know it (the meeting itself, one they cite, or the next meeting they
   set: `with_meeting_dates`); otherwise the meeting is kept and the date stays unknown.
3. A meeting named by its month — "ให้ ก.ก. ทราบในการประชุมเดือนมกราคม ๒๕๖๔" — is due by the last day
   of that month (31 January 2021 here): the other body's meeting falls somewhere in that month and
   the minutes do not say on which day, so the latest day the words allow is taken, never an
   earlier guess. When the body named is this one ("ที่ประชุม", or this body's own name) and the
   minutes know its meeting in that month, that meeting's date is taken instead.
4. The body's next meeting — "เสนอที่ประชุมภายในการประชุมครั้งต่อไป", "ในการประชุมครั้งหน้า" — is due
   at the next meeting these minutes set (its code and date, from the agenda item that fixes it);
   when they set none, the words are kept and the date stays unknown.
5. Otherwise "เป็นระยะ" (periodically), "ทุกครั้ง", "ทุกเดือน", "ทุกไตรมาส", "อย่างต่อเนื่อง" make the item
   periodic: it has no single date; it is due at each following meeting of the body until it is
   closed (the read side gives the date of the next meeting on or after the day asked).
"""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

from domain.calendar import be_to_ce
from service.minutes.model import ActionItem, AgendaItem, CitedMeeting, NextMeeting
from service.minutes.thai_text import DATE_PATTERN, MONTH_PATTERN, be_year_from_text, month_number, to_arabic_digits

_BODY = r"ก\.ก\.|อ\.ก\.ก\.ฯ?|ที่ประชุม|คณะกรรมการ\S*|คณะอนุกรรมการ\S*"
_MONTH_MEETING_RE = re.compile(
    rf"(?:ให้\s*(?P<body>{_BODY})\s*(?:ทราบ|พิจารณา)\s*)?ในการประชุม\s*(?P<body2>{_BODY})?\s*"
    rf"(?:ประจำ)?เดือน\s*(?P<month>{MONTH_PATTERN})\s*(?:พ\.\s?ศ\.\s*)?(?P<year>\d{{4}}|\d{{2}})(?!\d)"
)
_CODE_MEETING_RE = re.compile(rf"ในการประชุม\s*(?P<body>{_BODY})?\s*ครั้งที่\s*(?P<code>\d{{1,3}}/\d{{4}})")
_DATE_RE = re.compile(rf"(?:ภายใน|ก่อน)\s*(?:วันที่)?\s*{DATE_PATTERN}")
_WITHIN_MONTH_RE = re.compile(
    rf"ภายใน\s*(?:สิ้น)?\s*เดือน\s*(?P<month>{MONTH_PATTERN})\s*(?:พ\.\s?ศ\.\s*)?(?P<year>\d{{4}}|\d{{2}})(?!\d)"
)
_NEXT_MEETING_RE = re.compile(r"การประชุม\s*(?:ครั้ง)?\s*(?:ต่อไป|หน้า|ถัดไป)")
#: `Due.meeting_code` of an item due at the body's next meeting, until the minutes' own next meeting
#: is known (`with_meeting_dates` puts its code there)
NEXT = "next"
_PERIODIC_RE = re.compile(r"เป็นระยะ|ทุกครั้ง|ทุกเดือน|ทุกไตรมาส|อย่างต่อเนื่อง")
OWN_BODY = "ที่ประชุม"


@dataclass(frozen=True)
class Due:
    """What the words say of when: a date, a meeting (as written, and by code where it has one),
    or periodically."""

    on: date | None = None
    meeting: str | None = None
    meeting_code: str | None = None
    periodic: bool = False


def _own(body: str | None, own_body: str) -> bool:
    """Whether `body` as written names the body whose minutes these are."""
    if body is None or body == OWN_BODY:
        return True
    first = own_body.split()[0] if own_body.split() else own_body
    return body.rstrip("ฯ") == first.rstrip("ฯ")


def due_of(text: str, own_body: str) -> Due:
    """Rules 1-5 of the module docstring, except the known dates of meetings named by code
    (`with_meeting_dates` adds those once every meeting of the minutes is known)."""
    arabic = to_arabic_digits(text)
    if (named := _DATE_RE.search(arabic)) is not None:
        try:
            year = be_to_ce(be_year_from_text(named["year"]))
            return Due(on=date(year, month_number(named["month"]), int(named["day"])))
        except ValueError:
            pass
    if (within := _WITHIN_MONTH_RE.search(arabic)) is not None:
        try:
            year, number = be_to_ce(be_year_from_text(within["year"])), month_number(within["month"])
            return Due(on=date(year, number, monthrange(year, number)[1]))
        except ValueError:
            pass
    if (coded := _CODE_MEETING_RE.search(arabic)) is not None:
        body = coded["body"] if coded["body"] and not _own(coded["body"], own_body) else own_body
        return Due(meeting=f"{body} ครั้งที่ {coded['code']}", meeting_code=coded["code"] if body == own_body else None)
    if _NEXT_MEETING_RE.search(arabic) is not None:
        return Due(meeting=f"{own_body} การประชุมครั้งต่อไป", meeting_code=NEXT)
    if (month := _MONTH_MEETING_RE.search(arabic)) is not None:
        body = month["body"] or month["body2"] or OWN_BODY
        try:
            year, number = be_to_ce(be_year_from_text(month["year"])), month_number(month["month"])
        except ValueError:
            return Due(meeting=f"การประชุม {body} เดือน{month['month']} {month['year']}")
        last = date(year, number, monthrange(year, number)[1])
        code = f"month:{year:04d}-{number:02d}" if _own(body, own_body) else None
        return Due(on=last, meeting=f"การประชุม {body} เดือน{month['month']} {month['year']}", meeting_code=code)
    return Due(periodic=bool(_PERIODIC_RE.search(text)))


def meeting_date(code: str | None, known: Mapping[str, date]) -> date | None:
    """The date of this body's meeting `code` ('2/2564', or 'month:2021-01' for its meeting in a
    month) among the meetings the minutes know (`known`: code -> date); None if not known (for a
    month: none or several of its meetings in it)."""
    if code is None:
        return None
    if code.startswith("month:"):
        year, month = (int(part) for part in code.removeprefix("month:").split("-"))
        days = [on for on in known.values() if (on.year, on.month) == (year, month)]
        return days[0] if len(days) == 1 else None
    return known.get(code)


def with_meeting_dates(
    agenda: Sequence[AgendaItem],
    body: str,
    held_on: date,
    cited: Iterable[CitedMeeting],
    next_meeting: NextMeeting | None,
) -> tuple[AgendaItem, ...]:
    """The agenda with every action item due at a meeting of this body that the minutes date (one
    they cite, or the next meeting they set, after this one) given that date as its `due_on`
    (rules 2 and 3 of the module docstring), and every item due at "the next meeting" that
    meeting's code and date (rule 4)."""
    known = {m.code: m.date for m in cited if m.body == body and m.date > held_on}
    if next_meeting is not None and next_meeting.date > held_on:
        known[next_meeting.code] = next_meeting.date
    out: list[AgendaItem] = []
    for item in agenda:
        resolutions = []
        for resolution in item.resolutions:
            items = tuple(
                replace(a, due_on=meeting_date(a.due_meeting_code, known) or a.due_on)
                for a in (_at_next(a, body, held_on, next_meeting) for a in resolution.action_items)
            )
            resolutions.append(replace(resolution, action_items=items))
        out.append(replace(item, resolutions=tuple(resolutions)))
    return tuple(out)


def _at_next(item: ActionItem, body: str, held_on: date, next_meeting: NextMeeting | None) -> ActionItem:
    """An item due at "the next meeting" named as the meeting these minutes set (rule 4); with
    none set (or one not after this meeting), the words stay and the code is dropped."""
    if item.due_meeting_code != NEXT:
        return item
    if next_meeting is None or next_meeting.date <= held_on:
        return replace(item, due_meeting_code=None)
    return replace(item, due_meeting=f"{body} ครั้งที่ {next_meeting.code}", due_meeting_code=next_meeting.code)
