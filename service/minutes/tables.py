"""The shapes of a results (or progress) table's lines, recognised through markup and OCR noise.

A results table is what the committee hears of its activities, under any agenda item:

    ยุทธศาสตร์ที่ ๒ <title>                       strategy heading ('(ต่อ)' when repeated on a new page)
    เป้าหมาย <goal>                               optional
    โครงการ/กิจกรรมที่ดำเนินการ ๑ ปี               kind heading, optional: either, both or none
    โครงการ/กิจกรรม<TAB>ผลลัพธ์ที่ได้               column heading, optional, repeated per page
    <activity><TAB or |><status> : <outcome>      a row

Each line may carry `**`, `<b>`, `<i>`, `<p>` or `####` (strip_noise removes them) and OCR noise:
Thai digits read as look-alike letters ('๒o', 'จ'), marks above and below consonants dropped or
reordered ('แลัวเสร็จ'), words split by stray spaces ('แล้ว เสร็จ'). The functions here say what a
line is, nothing more; `service.minutes.parser` walks the table with them. Pure functions over
strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from service.minutes.columns import Columns, columns_of
from service.minutes.model import ActivityKindName, ActivityStatusName
from service.minutes.thai_text import ocr_number, repair_ocr_digits, skeleton, strip_noise, to_arabic_digits

#: status words as the minutes write them (longest first where one contains another). 'ไม่แล้วเสร็จ'
#: (not finished) is none: the minutes use it of work under way and of work never begun alike
#: ('ที่ยังดำเนินการไม่แล้วเสร็จ ซึ่งอยู่ระหว่างดำเนินการและไม่ได้ดำเนินการ'), so a row saying only that is
#: refused, never read as either
STATUS_LABELS: tuple[tuple[str, ActivityStatusName], ...] = (
    ("ดำเนินการเรียบร้อยแล้ว", "COMPLETED"),
    ("ดำเนินการแล้วเสร็จ", "COMPLETED"),
    ("ดำเนินการเสร็จสิ้น", "COMPLETED"),
    ("ดำเนินการเสร็จแล้ว", "COMPLETED"),
    ("แล้วเสร็จ", "COMPLETED"),
    ("เสร็จแล้ว", "COMPLETED"),
    ("เสร็จสิ้น", "COMPLETED"),
    ("อยู่ระหว่างการดำเนินการ", "IN_PROGRESS"),
    ("อยู่ระหว่างดำเนินการ", "IN_PROGRESS"),
    ("อยู่ระหว่างดำเนินงาน", "IN_PROGRESS"),
    ("กำลังดำเนินการ", "IN_PROGRESS"),
    ("ยังไม่เริ่มดำเนินการ", "NOT_STARTED"),
    ("ยังไม่ได้ดำเนินการ", "NOT_IMPLEMENTED"),
    ("ยังไม่ดำเนินการ", "NOT_IMPLEMENTED"),
    ("ไม่ได้ดำเนินการ", "NOT_IMPLEMENTED"),
    ("ชะลอการดำเนินการ", "ON_HOLD"),
    ("ชะลอการดำเนินงาน", "ON_HOLD"),
    ("ชะลอโครงการ", "ON_HOLD"),
    ("ระงับโครงการ", "ON_HOLD"),
    ("ระงับการดำเนินการ", "ON_HOLD"),
    ("เลื่อนการดำเนินการ", "ON_HOLD"),
    ("ยกเลิกการดำเนินการ", "CANCELLED"),
    ("ยกเลิกโครงการ", "CANCELLED"),
    ("ยกเลิกกิจกรรม", "CANCELLED"),
    ("ยกเลิก", "CANCELLED"),
    ("อยู่ในแผน", "PLANNED"),
)
_BY_SKELETON = sorted(((skeleton(label), status) for label, status in STATUS_LABELS), key=lambda p: -len(p[0]))
#: how alike (difflib ratio) a status cell's head must be to a status word to be read as it: one
#: wrong or missing consonant in a ten-consonant word is 0.9; two in a short word ('แลวเสรจ', 7) fall below
STATUS_LIKENESS = 0.85
#: a fuzzy match is tried only against words of at least this many consonants (short ones collide)
MIN_FUZZY = 6


@dataclass(frozen=True)
class Row:
    """One row of a results table: the activity as written (OCR digits repaired), its status and
    the outcome after the status (markup removed)."""

    title: str
    status: ActivityStatusName
    outcome: str
    #: the units a 'หน่วยงานที่รับผิดชอบ' column names for the row (empty when the table has none)
    units: tuple[str, ...] = ()
    #: what the table's other columns add to the outcome ('ร้อยละ ๘๐', '(หมายเหตุ …)'), '' if none
    extra: str = ""


@dataclass(frozen=True)
class StrategyHeading:
    number: int
    continued: bool
    title: str


def clean(text: str) -> str:
    """A cell's text: markup removed, whitespace collapsed, OCR look-alike digits put back."""
    return repair_ocr_digits(strip_noise(text))


#: each line is asked what it is several times while a table is walked (pure functions: cached)
_CACHE = 4096


@lru_cache(maxsize=_CACHE)
def cells(raw: str) -> tuple[str, ...]:
    """A line's cells: split at tabs, else at ' | ' (a markdown row); empty trailing cells dropped."""
    parts = raw.split("\t") if "\t" in raw.strip() else strip_noise(raw).split("|")
    found = [clean(part) for part in parts]
    while found and not found[-1]:
        found.pop()
    return tuple(found)


@lru_cache(maxsize=_CACHE)
def status_of(cell: str) -> tuple[ActivityStatusName, str] | None:
    """'<status> : <outcome>' (or '<status>' alone, or '<status> <outcome>') -> (status, outcome).

    With a colon, what stands before it must be a status word, spacing and marks aside, or within
    STATUS_LIKENESS of one; without, the cell must begin with a status word exactly (spacing and
    marks aside) followed by a space or nothing."""
    text = _LEAD_RE.sub("", clean(cell))
    head, colon, outcome = _split_colon(text)
    if colon:
        status = _status_word(head)
        if status is None and (noted := _HEAD_NOTE_RE.match(head)) is not None:
            status = _status_word(noted["word"])
            outcome = f"{noted['note'].strip()} {outcome.strip()}"
        return (status, outcome.strip()) if status is not None else None
    key = skeleton(text)
    for word, status in _BY_SKELETON:
        if key.startswith(word):
            end = _end_of_skeleton(text, len(word))
            if end == len(text) or text[end] in " )":
                return status, text[end:].lstrip(" )").strip()
    return None


def starts_with_status(cell: str) -> bool:
    """Does the cell begin with a status word (markup, even unclosed, and spacing aside)? A row
    the page wrapped inside its status cell ('<b>แล้วเสร็จ' / ':</b> …') still starts so."""
    key = skeleton(_LEAD_RE.sub("", clean(re.sub(r"</?[a-z]+>?", "", cell))))
    return any(key.startswith(word) for word, _status in _BY_SKELETON)


_STATUS_CELL_RE = re.compile(
    r"(?:(?:^|[\s>)])(?:<[bi]>)?|<[bi]>)\s*(?:"
    + "|".join(re.escape(label) for label, _status in sorted(STATUS_LABELS, key=lambda pair: -len(pair[0])))
    + r")\s*(?:</[bi]>)?\s*(?:[:：]|$)"
)


def has_status_cell(text: str) -> bool:
    """Does the line hold a status cell after its activity, its border lost ('… (Career Development)
    <i>แล้วเสร็จ</i> : …', '… ค่าตอบแทน <b>แล้วเสร็จ' with its colon on the next line)?"""
    match = _STATUS_CELL_RE.search(text)
    return match is not None and bool(text[: match.start()].strip())


#: what may stand before a status word in its cell: a bullet, an opening parenthesis
_LEAD_RE = re.compile(r"^[\s\-–•*·(]+")
#: the numbering or bullet some tables put before an activity ('๑. ', '2) ', '- ', '• ')
_NUMBERING_RE = re.compile(r"^(?:[0-9๐-๙]{1,3}[.)]|[-–•·*])\s+")


def _split_colon(text: str) -> tuple[str, str, str]:
    head, colon, rest = text.partition(":")
    if not colon:
        head, colon, rest = text.partition("：")
    return head.strip().rstrip(")").strip(), colon, rest


#: 'ไม่' (not) in skeleton: OCR drops and swaps marks but never writes a negation that is not there
_NEGATION = skeleton("ไม่")


def _status_word(head: str) -> ActivityStatusName | None:
    """The status a cell's head ('แล้วเสร็จ', OCR'd 'แลัวเสร็จ') names, or None. A near match is
    taken only with the same negations: 'ไม่แล้วเสร็จ' (not finished) is one letter pair from
    'แล้วเสร็จ' and must never read as it. A note in parentheses after the word ('อยู่ระหว่าง
    ดำเนินการ (ร้อยละ ๕๐)') is no part of it (`status_of` keeps it in the outcome)."""
    key = skeleton(head)
    if not key:
        return None
    for word, status in _BY_SKELETON:
        if key == word:
            return status
    negations = key.count(_NEGATION)
    best = max(
        (
            (SequenceMatcher(None, key, word).ratio(), status)
            for word, status in _BY_SKELETON
            if len(word) >= MIN_FUZZY and word.count(_NEGATION) == negations
        ),
        default=None,
    )
    return best[1] if best is not None and best[0] >= STATUS_LIKENESS else None


_HEAD_NOTE_RE = re.compile(r"^(?P<word>[^()]+?)\s*\((?P<note>[^()]+)\)?$")


def _end_of_skeleton(text: str, length: int) -> int:
    """The index in `text` just after its first `length` skeleton characters (and their marks)."""
    seen = 0
    for index, char in enumerate(text):
        is_mark = not skeleton(char) and not char.isspace()
        if seen == length and not is_mark:
            return index
        seen += 0 if is_mark or char.isspace() else 1
    return len(text)


@lru_cache(maxsize=_CACHE)
def row(raw: str, layout: Columns | None = None) -> Row | None:
    """A results row. Read through `layout` (the table's column heading) when the row fits it;
    else by its shape: at least two cells, the last (or the second, with a third for the outcome)
    beginning with a status, after a sequence number ('๑') in a cell of its own if any."""
    found = cells(raw)
    if layout is not None and not layout.plain and len(found) <= layout.width:
        return _row_in(found, layout)
    if len(found) >= 3 and _SEQUENCE_CELL_RE.match(found[0]):
        found = found[1:]
    if len(found) < 2 or not found[0]:
        return None
    title = _NUMBERING_RE.sub("", found[0]) or found[0]
    if len(found) == 2:
        status = status_of(found[1])
        return Row(title, status[0], status[1]) if status else None
    if len(found) == 3 and (middle := status_of(found[1])) is not None and not middle[1]:
        return Row(title, middle[0], found[2])
    return None


#: a cell holding nothing but a row's sequence number ('๑', '2.')
_SEQUENCE_CELL_RE = re.compile(r"^[0-9๐-๙]{1,3}\.?$")


def _row_in(found: tuple[str, ...], layout: Columns) -> Row | None:
    """A row read through its table's columns: the status from the status column (or the head of
    the result cell), the outcome from the result cell, a percentage column and the columns with no
    name here kept in the outcome under their headings, the units column as the units."""
    cell = dict(enumerate(found))
    title = _NUMBERING_RE.sub("", cell.get(layout.activity, ""))
    result = cell.get(layout.result, "") if layout.result is not None else ""
    if not title:
        return None
    if layout.status is not None:
        status = status_of(cell.get(layout.status, ""))
        if status is None:
            return None
        outcome = " ".join(part for part in (status[1], result) if part)
    else:
        status = status_of(result)
        if status is None:
            return None
        outcome = status[1]
    extra: list[str] = []
    percent = cell.get(layout.percent, "") if layout.percent is not None else ""
    if _given(percent):
        extra.append(percent if re.search(r"ร้อยละ|%", percent) else f"ร้อยละ {percent}")
    extra.extend(f"({heading} {cell[index]})" for index, heading in layout.others if _given(cell.get(index, "")))
    units = cell.get(layout.units, "") if layout.units is not None else ""
    return Row(title, status[0], outcome, (units,) if _given(units) else (), " ".join(extra))


def _given(value: str) -> bool:
    """A cell that says something ('-' says nothing)."""
    return bool(value) and value not in {"-", "–", "—"}


def unseparated_row(text: str) -> Row | None:
    """A row whose cell border OCR lost: '<activity> <status> : <outcome>' in one line; the
    status is the last status word followed by a colon. Words that are exactly a status word are
    looked for before near ones: read near first, 'ระยะที่ ๒ อยู่ระหว่างดำเนินการ' took the '๒' into
    the status (one letter from it) and out of the title."""
    cleaned = clean(text)
    for match in reversed(list(re.finditer(r"\s*[:：]", cleaned))):
        before = cleaned[: match.start()]
        starts = [m.start() for m in re.finditer(r"(?:^|\s)\S", before)]
        for exact in (True, False):
            for word_start in starts:
                head = before[word_start:].strip()
                if exact:
                    status = next((st for word, st in _BY_SKELETON if skeleton(head) == word), None)
                else:
                    status = _status_word(head) if len(skeleton(head)) <= 2 * MIN_FUZZY + 8 else None
                title = before[:word_start].strip()
                if status is not None and title and not _negates(title):
                    return Row(title, status, cleaned[match.end() :].strip())
        # OCR lost the gap too: the status word glued to the activity ('…บรรจุใหม่อยู่ระหว่างดำเนินการ :')
        head = before.rstrip()
        for label, status in _LONGEST_FIRST:
            if head.endswith(label) and head[: -len(label)].strip() and not _negates(head[: -len(label)]):
                return Row(head[: -len(label)].strip(), status, cleaned[match.end() :].strip())
    return None


_NEGATED_TAIL_RE = re.compile(r"(?:ไม่|ไม|ยัง|ยังไม่|ยังไม)\s*$")


def _negates(title: str) -> bool:
    """Does what stands before a status word end in a negation ('… ไม่' before 'แล้วเสร็จ')? Then
    the word is negated, not a status after the activity's title."""
    return bool(_NEGATED_TAIL_RE.search(title))


_LONGEST_FIRST = sorted(STATUS_LABELS, key=lambda pair: -len(pair[0]))


_STRATEGY_RE = re.compile(
    r"^ยุทธ\s*ศาสตร์?\s*ที่?\s*(?P<number>[0-9๐-๙]{1,2}(?![0-9๐-๙oOจ])|[0-9๐-๙oOจ]{1,2}(?=[\s(]|$))"
    r"\s*(?P<continued>\(\s*ต่อ\s*\)?)?\s*(?P<title>.*)$"
)


@lru_cache(maxsize=_CACHE)
def strategy_heading(text: str) -> StrategyHeading | None:
    """'ยุทธศาสตร์ที่ ๓ (ต่อ) …' -> (3, continued, title); OCR digits ('ที่ จ') read as digits."""
    match = _STRATEGY_RE.match(strip_noise(text))
    if match is None:
        return None
    number = ocr_number(match["number"])
    if not number:
        return None
    # 'ยุทธศาสตร์ที่ ๑ : <title>', 'ยุทธศาสตร์ที่ ๑. <title>': the stop or colon is no part of the title
    title = re.sub(r"^[.:：\-–]+\s*", "", match["title"].strip())
    return StrategyHeading(number, bool(match["continued"]), repair_ocr_digits(title))


_GOAL_RE = re.compile(r"^เป้าหมาย(?:\s*[:：]?\s+(?P<goal>.+)|\s*[:：]?\s*)$")


def goal_heading(text: str) -> tuple[str | None] | None:
    """'เป้าหمาย <goal>' -> (goal,), 'เป้าหมาย' alone -> (None,) (the goal follows), else None."""
    match = _GOAL_RE.match(strip_noise(text))
    return None if match is None else ((match["goal"] or "").strip() or None,)


#: what a kind heading begins with: the subject (either order of 'โครงการ/กิจกรรม', or one of them)
#: and the verb, in skeleton ('โครงการ/กิจกรรมที่ดำเนินการ', 'กิจกรรม/โครงการที่ดำเนินงาน', 'โครงการ/กิจกรรม')
_KIND_PREFIX_RE = re.compile(
    "^(?:" + "|".join(re.escape(skeleton(s)) for s in ("โครงการ/กิจกรรม", "กิจกรรม/โครงการ", "โครงการ", "กิจกรรม")) + ")"
    "(?:" + "|".join(re.escape(skeleton(v)) for v in ("ที่ดำเนินการ", "ที่ดำเนินงาน")) + ")?"
)
#: what follows for an activity done within one year: '๑ ปี' ('จ' for ๑), 'ภายใน ๑ ปี', 'แล้วเสร็จ
#: ภายในปี', 'แล้วเสร็จในปี พ.ศ. ๒๕๖๓', 'ในปีเดียว'
_ONE_YEAR_RE = re.compile(
    "^(?:" + re.escape(skeleton("แล้ว")) + ")?(?:" + re.escape(skeleton("เสร็จ")) + ")?"
    "(?:" + re.escape(skeleton("ภายใน")) + "|" + re.escape(skeleton("ใน")) + ")?"
    r"(?:[1จlI]ป|ป(?:"
    + re.escape(skeleton("งบประมาณ"))
    + r")?(?:พ\.?ศ\.?\d{4})?|"
    + re.escape(skeleton("ปีเดียว"))
    + ")$"
)
#: what follows for a continuing activity: 'ต่อเนื่อง', 'แบบต่อเนื่อง', 'ต่อเนื่อง (ระยะยาว)', 'ต่อเนื่องหลายปี'
_CONTINUING_RE = re.compile(
    "^(?:"
    + re.escape(skeleton("แบบ"))
    + ")?"
    + re.escape(skeleton("ต่อเนื่อง"))
    + "(?:"
    + re.escape(skeleton("หลายปี"))
    + r"|\("
    + re.escape(skeleton("ระยะยาว"))
    + r"\))?$"
)
#: what may stand before a kind heading ('๑.', '(๑)', '๑)') or after it (':', '(ต่อ)')
_KIND_LEAD_RE = re.compile(r"^(?:\(?\d{1,2}[.)]|\(\d{1,2}\))")
_KIND_TAIL_RE = re.compile(r"(?:\(ตอ\)?|[:：])+$")


@lru_cache(maxsize=_CACHE)
def kind_heading(text: str) -> ActivityKindName | None:
    """'โครงการ/กิจกรรมที่ดำเนินการ ๑ ปี' -> ONE_YEAR, '… ต่อเนื่อง' -> CONTINUING; None for anything
    else. Secretariats word them several ways, all read so: the subject either way round
    ('กิจกรรม/โครงการ …'), the verb there or not, the one-year kind as '๑ ปี', 'ภายใน ๑ ปี', 'แล้วเสร็จ
    ภายในปี' or 'แล้วเสร็จในปี พ.ศ. ๒๕๖๓', the continuing one as 'ต่อเนื่อง', 'แบบต่อเนื่อง' or
    'ต่อเนื่อง (ระยะยาว)'; a number before it ('๑.'), a colon or '(ต่อ)' after it; spacing, dropped
    marks and 'จ' for ๑ allowed. The rest must be exactly one of these: an activity's title that
    begins 'โครงการ…' is never a heading."""
    words = skeleton(to_arabic_digits(strip_noise(text)).replace("/ ", "/").replace(" /", "/"))
    words = _KIND_TAIL_RE.sub("", _KIND_LEAD_RE.sub("", words))
    prefix = _KIND_PREFIX_RE.match(words)
    if prefix is None:
        return None
    rest = words[prefix.end() :]
    if _CONTINUING_RE.match(rest):
        return "CONTINUING"
    if _ONE_YEAR_RE.match(rest):
        return "ONE_YEAR"
    return None


_KIND_SUBJECT_RE = re.compile(
    "^(?:" + re.escape(skeleton("โครงการ/กิจกรรม")) + "|" + re.escape(skeleton("กิจกรรม/โครงการ")) + ")"
)


@lru_cache(maxsize=_CACHE)
def unknown_kind_heading(raw: str) -> bool:
    """A line on its own that heads a group of activities ('โครงการ/กิจกรรม…', 'กิจกรรม/โครงการ…')
    in words `kind_heading` does not know ('โครงการ/กิจกรรมที่อยู่ระหว่างดำเนินการ'): not a title's or a
    goal's next line, and its rows are of no kind this reader can tell."""
    found = cells(raw)
    if len(found) != 1 or kind_heading(found[0]) is not None or column_layout(raw) is not None:
        return False
    words = skeleton(to_arabic_digits(found[0]).replace("/ ", "/").replace(" /", "/"))
    return bool(_KIND_SUBJECT_RE.match(_KIND_LEAD_RE.sub("", words)))


_COLUMN_WORDS = tuple(skeleton(w) for w in ("ผลลัพธ์", "ผลการดำเนิน", "ความก้าวหน้า", "ผลการติดตาม"))
_ACTIVITY_COLUMN = tuple(skeleton(w) for w in ("โครงการ/กิจกรรม", "โครงการ", "กิจกรรม"))


@lru_cache(maxsize=_CACHE)
def column_layout(raw: str) -> Columns | None:
    """The columns a results table's heading line names ('โครงการ/กิจกรรม<TAB>ผลลัพธ์ที่ได้',
    'ลำดับ | โครงการ/กิจกรรม | สถานะ | ผลการดำเนินงาน', or the two of the sample's run together
    after OCR lost the border), or None for any other line."""
    found = cells(raw)
    if len(found) == 1:
        words = skeleton(found[0])
        at = words.find(skeleton("ผล"))
        if (
            at > 0
            and words[:at].rstrip("/") in _ACTIVITY_COLUMN
            and any(words[at:].startswith(word) for word in _COLUMN_WORDS)
        ):
            return Columns(width=2, activity=0, result=1)
        return None
    return columns_of(found)


def is_column_heading(raw: str) -> bool:
    return column_layout(raw) is not None


_PAGE_DEBRIS_RE = re.compile(r"^(?:[-–—]+\s*[0-9๐-๙oOจ]{1,3}\s*[-–—]+|หน้า\s*[0-9๐-๙]{1,3}(?:\s*/\s*[0-9๐-๙]{1,3})?)$")


def is_page_debris(text: str) -> bool:
    """A page number left by a page break: '- ๑๒ -', '–12–', 'หน้า ๓/๑๒'."""
    return bool(_PAGE_DEBRIS_RE.match(text.strip()))


def stray_reason(raw: str) -> str | None:
    """Why a line outside any results table cannot be free text: it is shaped like a result row or
    a strategy heading, and so a fact the minutes state that no table took. None for prose."""
    if row(raw) is not None or any(starts_with_status(cell) for cell in cells(raw)[1:]):
        return "a result row outside any results table (no strategy heading above it in this agenda item)"
    head, colon, _outcome = _split_colon(_LEAD_RE.sub("", clean(raw)))
    if colon and any(skeleton(head) == word for word, _status in _BY_SKELETON):
        return "a result cell ('<status> : <outcome>') with no activity before it"
    heading = strategy_heading(raw)
    if heading is not None:
        return f"a strategy {heading.number} heading with no results or proposals table after it"
    return None
