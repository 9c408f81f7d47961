"""The figures the minutes report: every percentage ('ร้อยละ ๘๓.๒๐', '83.20 %') in an agenda item's
text or an activity's outcome, with what it is about and its label, as the text says them.

What a figure is about is the nearest subject the text names before it, since the figure before
(or the paragraph's start): a strategy ('ยุทธศาสตร์ที่ ๕'), a kind of activity ('โครงการ/กิจกรรมที่
ดำเนินการต่อเนื่อง', 'ที่ดำเนินการ ๑ ปี' or '… แล้วเสร็จในปี'), an activity by its title, or the
whole plan ('ในภาพรวม', 'ทั้งแผน', the action plan); in an activity's outcome, that activity; a
subject named more than MAX_DISTANCE characters before is too far to be it. Where the text names none the
figure's subject is None (the importer records nothing it cannot place, and says so). Its label is
the clause before it, from the last connective ('ซึ่ง', 'โดย', 'ส่วน', 'ขณะที่' …): 'ผลการดำเนินงาน
ในภาพรวมเป็นไปตามเป้าหมาย', 'ความก้าวหน้า'. The value keeps its written precision (83.20).
Pure functions over the parsed minutes' values.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from service.minutes.model import ActivityKindName, ActivityResult, AgendaItem, Figure, FigureSubject
from service.minutes.thai_text import normalise_title, to_arabic_digits

#: a percentage in compact text (no spaces next to Thai letters; Arabic digits)
_PERCENT_RE = re.compile(r"ร้อยละ\s?(?P<a>\d+(?:\.\d+)?)|(?<![\d.])(?P<b>\d+(?:\.\d+)?)\s?(?:%|เปอร์เซ็นต์)")
_STRATEGY_RE = re.compile(r"ยุทธศาสตร์ที่(?P<number>\d{1,2})(?!\d)")
_KINDS: tuple[tuple[re.Pattern[str], ActivityKindName], ...] = (
    (re.compile(r"ดำเนินการต่อเนื่อง"), "CONTINUING"),
    (re.compile(r"ที่ดำเนินการ1ปี|ที่ดำเนินการแล้วเสร็จในปี"), "ONE_YEAR"),
)
_PLAN_RE = re.compile(r"ภาพรวม|ทั้งแผน|แผนปฏิบัติ(?:ราชการ|การ)")
#: a fiscal year the text names before a figure: the year the figure is for
_YEAR_RE = re.compile(r"(?:ประจำปี|ปีงบประมาณ|ในปี)(?:งบประมาณ)?(?:พ\.ศ\.)?\s?(?P<year>2[45]\d\d)(?!\d)")
#: where a clause starts (the label is the last clause before a figure), in display text
_CLAUSE_RE = re.compile(r"(?:^|\s)(?:ซึ่ง|โดย|ส่วน|ขณะที่|คือ|ทั้งนี้|ได้แก่|มี(?!นาคม))|[,;:()]")
#: what a label may begin with that is no part of what the figure measures: a connective, "has",
#: the paragraph's number
_LABEL_LEAD_RE = re.compile(r"^(?:\d+(?:\.\d+)*\.?\s+)?(?:(?:ซึ่ง|โดย|ส่วน|ขณะที่|ทั้งนี้|คือ)\s*)*(?:มี(?!นาคม))?\s*")
#: a paragraph starts at a numbered line ('๓. หน่วยงาน…', '๖.๑ …')
_PARAGRAPH_RE = re.compile(r"^\s*\d+(?:\.\d+)*\.?\s")
#: an activity title shorter than this is not looked for in running text (too likely by chance)
MIN_TITLE = 12
#: a subject named further before a figure than this (in compact characters) is not its subject
MAX_DISTANCE = 300
MAX_LABEL = 300


def _is_thai(char: str) -> bool:
    return "\u0e00" <= char <= "\u0e7f"


@dataclass(frozen=True)
class _Text:
    """A paragraph as shown (whitespace collapsed, Arabic digits) and compact (spaces next to Thai
    letters dropped: OCR splits Thai words at random), with each compact character's place in
    the shown text."""

    shown: str
    compact: str
    where: tuple[int, ...]

    @classmethod
    def of(cls, text: str) -> _Text:
        shown = re.sub(r"\s+", " ", to_arabic_digits(text)).strip()
        compact: list[str] = []
        where: list[int] = []
        for index, char in enumerate(shown):
            if char == " " and (_is_thai(shown[index - 1]) or _is_thai(shown[index + 1])):
                continue  # (a space is never first or last: the text is stripped)
            compact.append(char)
            where.append(index)
        where.append(len(shown))
        return cls(shown, "".join(compact), tuple(where))

    def shown_at(self, compact_index: int) -> int:
        return self.where[compact_index]


@dataclass(frozen=True)
class _Subject:
    at: int  # where it ends in the compact text
    subject: FigureSubject
    strategy_number: int | None = None
    kind: ActivityKindName | None = None
    activity: ActivityResult | None = None


def _subjects(compact: str, activities: list[tuple[str, ActivityResult]]) -> Iterator[_Subject]:
    for match in _STRATEGY_RE.finditer(compact):
        yield _Subject(match.end(), "STRATEGY", strategy_number=int(match["number"]))
    for pattern, kind in _KINDS:
        for match in pattern.finditer(compact):
            yield _Subject(match.end(), "KIND", kind=kind)
    for match in _PLAN_RE.finditer(compact):
        yield _Subject(match.end(), "PLAN")
    folded = compact.casefold()
    for key, activity in activities:
        start = folded.find(key)
        while start >= 0:
            yield _Subject(start + len(key), "ACTIVITY", activity=activity)
            start = folded.find(key, start + 1)


def _value(match: re.Match[str]) -> Decimal | None:
    try:
        return Decimal(match["a"] or match["b"])
    except (InvalidOperation, TypeError):
        return None


def _label(text: _Text, start: int, end: int, subject: _Subject | None) -> str:
    """The last clause of the shown text between compact positions `start` and `end`."""
    window = text.shown[text.shown_at(start) : text.shown_at(end)]
    clauses = [m.end() for m in _CLAUSE_RE.finditer(window)]
    clause = window[clauses[-1] :] if clauses else window
    label = _LABEL_LEAD_RE.sub("", clause.strip()).strip(" ,;:")
    if not label and subject is not None:  # 'ยุทธศาสตร์ที่ ๕ ร้อยละ ๑๐๐': the subject is all it says
        label = window.strip(" ,;:")
    if len(label) > MAX_LABEL:
        label = "…" + label[-MAX_LABEL:].lstrip()
    return label or "ร้อยละ"


def _paragraphs(lines: Iterable[str]) -> Iterator[str]:
    paragraph: list[str] = []
    for line in lines:
        if paragraph and _PARAGRAPH_RE.match(to_arabic_digits(line)):
            yield " ".join(paragraph)
            paragraph = []
        paragraph.append(line)
    if paragraph:
        yield " ".join(paragraph)


def _in_text(
    text: _Text,
    activities: list[tuple[str, ActivityResult]],
    agenda_number: int | None,
    fixed: _Subject | None = None,
    fiscal_year: int | None = None,
) -> Iterator[Figure]:
    previous = 0
    for match in _PERCENT_RE.finditer(text.compact):
        value = _value(match)
        if value is None:
            continue
        window = text.compact[previous : match.start()]
        if fixed is None:
            near = len(window) - MAX_DISTANCE
            found = [s for s in _subjects(window, activities) if s.at >= near]
            subject = max(found, key=lambda s: s.at) if found else None
        else:  # an activity's outcome: about the activity, whatever else it mentions
            subject = fixed
        years = list(_YEAR_RE.finditer(text.compact[: match.start()]))
        label = _label(text, previous, match.start(), subject)
        sentence = text.shown[text.shown_at(previous) : text.shown_at(match.end())].strip()
        previous = match.end()
        activity = None if subject is None else subject.activity
        yield Figure(
            value=value,
            label=label,
            subject=None if subject is None else subject.subject,
            strategy_number=None if subject is None else subject.strategy_number,
            kind=None if subject is None else subject.kind,
            activity_title=None if activity is None else activity.title,
            activity_fiscal_year_be=None if activity is None else activity.fiscal_year_be,
            fiscal_year_be=int(years[-1]["year"]) if years else fiscal_year,
            agenda_number=agenda_number,
            text=sentence,
        )


def reported_figures(agenda: Iterable[AgendaItem], activities: Iterable[ActivityResult]) -> tuple[Figure, ...]:
    """Every percentage the minutes report, in order: in each agenda item's text, then in each
    activity's outcome (about that activity unless the outcome names another subject)."""
    results = list(activities)
    titles = [(key, a) for a in results if len(key := normalise_title(a.title)) >= MIN_TITLE]
    found: list[Figure] = []
    for item in agenda:
        for paragraph in _paragraphs(item.text.splitlines()):
            found.extend(_in_text(_Text.of(paragraph), titles, item.number))
    for result in results:
        own = _Subject(0, "ACTIVITY", activity=result)
        agenda_number = result.agenda_number or None
        found.extend(_in_text(_Text.of(result.outcome), [], agenda_number, own, result.fiscal_year_be))
    return tuple(found)


def activity_percentage(figures: Iterable[Figure], result: ActivityResult) -> Decimal | None:
    """The last percentage the minutes state for this activity (in its outcome, or about it by
    name in an item's text), or None: a percentage is never made up for an activity without one."""
    key = normalise_title(result.title)
    found = [
        figure.value
        for figure in figures
        if figure.subject == "ACTIVITY"
        and figure.activity_fiscal_year_be == result.fiscal_year_be
        and figure.activity_title is not None
        and normalise_title(figure.activity_title) == key
    ]
    return found[-1] if found else None
