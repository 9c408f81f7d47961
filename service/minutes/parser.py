"""The section parsers behind `service.minutes.model.parse_minutes`.

The minutes are read top to bottom as a list of content lines (blank lines and known noise are
set aside first, each by a named rule). A `LineAccount` records what became of every line; whatever
no parser took is reported as unplaced. The sections, in the order the format has them:

heading (body, number, date, venue) -> attendance lists -> 'เริ่มประชุม' -> agenda items
(title, body text with its tables and lists, the committee's comments, มติ) -> 'เลิกประชุม'
-> signatures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, time
from difflib import SequenceMatcher

from domain.calendar import be_to_ce, fiscal_year_bounds, fiscal_year_of
from service.minutes import tables
from service.minutes.absence import absence_reason
from service.minutes.announcements import membership_changes
from service.minutes.columns import Columns
from service.minutes.due_dates import due_of, with_meeting_dates
from service.minutes.figures import reported_figures
from service.minutes.model import (
    ActionItem,
    ActionPlanInfo,
    ActivityKindName,
    ActivityResult,
    ActivityStatusName,
    AgendaItem,
    Attendee,
    CitedMeeting,
    Comment,
    MinutesAdoption,
    MinutesCorrection,
    MinutesFormatError,
    NextMeeting,
    ParsedMinutes,
    PlanInfo,
    Presence,
    Proposal,
    ProposalColumn,
    Resolution,
    ResolutionKindName,
    Role,
    Signatory,
    SkippedLine,
    StrategyInfo,
    UnplacedLine,
)
from service.minutes.references import strategies_named
from service.minutes.remarks import split_remarks
from service.minutes.thai_text import (
    DATE_PATTERN,
    month_number,
    ocr_odds,
    ocr_reads_as,
    parse_int,
    parse_thai_time,
    repair_ocr_digits,
    strip_noise,
    to_arabic_digits,
    visible_text,
)

_NUM = r"[0-9๐-๙]+"
_CODE = r"[0-9๐-๙]{1,2}/[0-9๐-๙]{4}"

# --------------------------------------------------------------------------- lines and account


@dataclass(frozen=True)
class Line:
    """A content line: its 1-based number, raw text, text without markup, and whether a blank
    line (or skipped noise) came between it and the previous content line."""

    no: int
    raw: str
    text: str
    follows_blank: bool

    @property
    def arabic(self) -> str:
        return to_arabic_digits(self.text)

    def cells(self) -> list[str]:
        """The raw tab-separated cells, without trailing empty ones."""
        cells = self.raw.split("\t")
        while cells and not strip_noise(cells[-1]):
            cells.pop()
        return cells


class LineAccount:
    """What became of each input line: placed in the structure, skipped as noise, or neither."""

    def __init__(self, raw_lines: list[str]) -> None:
        self._raw = raw_lines
        self._placed: set[int] = set()
        self._skipped: dict[int, str] = {}
        self._refused: dict[int, str] = {}

    def refuse(self, line: Line, why: str) -> None:
        """Leave `line` unplaced, saying why (a fact-shaped line no table took: never free text)."""
        self._refused[line.no] = why

    def place(self, *lines: Line) -> None:
        self._placed.update(line.no for line in lines)

    def skip(self, line_no: int, rule: str) -> None:
        self._skipped[line_no] = rule

    def skipped(self) -> tuple[SkippedLine, ...]:
        return tuple(
            SkippedLine(no, self._raw[no - 1].strip(), rule)
            for no, rule in sorted(self._skipped.items())
            if rule != "blank"
        )

    def unplaced(self) -> tuple[UnplacedLine, ...]:
        return tuple(
            UnplacedLine(no, raw.strip(), *[why] if (why := self._refused.get(no) or tables.stray_reason(raw)) else [])
            for no, raw in enumerate(self._raw, start=1)
            if no not in self._placed and no not in self._skipped
        )


class LineReader:
    def __init__(self, lines: list[Line]) -> None:
        self._lines = lines
        self._position = 0

    def peek(self, ahead: int = 0) -> Line | None:
        index = self._position + ahead
        return self._lines[index] if index < len(self._lines) else None

    def advance(self) -> Line:
        line = self._lines[self._position]
        self._position += 1
        return line


_STRAY_LINE_RE = re.compile(r"^[A-Za-z]{1,4}\.?$")
_FRAGMENT_TAIL_RE = re.compile(r"(?:\.\.\.|…)$")
_MIN_FRAGMENT = 4


def content_lines(raw_lines: list[str], account: LineAccount) -> list[Line]:
    """The lines that carry content, in order. Set aside (each under its rule): blank lines,
    markup-only lines (HTML tags, table rules), stray OCR marks ('Qu.'), and page-break
    fragments / repeated headings: a line whose text (less a trailing '...') begins the next
    content line ('ซึ่งไม่ตรง...' before 'ซึ่งไม่ตรงตามเจตนารมณ์...', 'ระเบียบวาระที่ ๒' twice)."""
    candidates: list[Line] = []
    gap = False
    for no, raw in enumerate(raw_lines, start=1):
        text = strip_noise(raw)
        if not text:
            account.skip(no, "blank" if not raw.strip() else "markup only")
            gap = True
        elif _STRAY_LINE_RE.match(text):
            account.skip(no, "stray OCR mark")
            gap = True
        elif tables.is_page_debris(text):
            account.skip(no, "page number")
            gap = True
        else:
            candidates.append(Line(no, raw, text, gap))
            gap = False
    lines: list[Line] = []
    carried_gap = False
    title = next((line.text for line in candidates if _TITLE_RE.match(line.text)), None)
    for index, line in enumerate(candidates):
        following = candidates[index + 1] if index + 1 < len(candidates) else None
        if following is not None and _is_fragment_of(line.text, following.text):
            account.skip(line.no, "page-break fragment or repeated heading")
            carried_gap = True
            continue
        if title is not None and lines and _is_running_header(line.text, title):
            account.skip(line.no, "running page header (the minutes' title repeated at the top of a page)")
            carried_gap = True
            continue
        lines.append(Line(line.no, line.raw, line.text, line.follows_blank or carried_gap))
        carried_gap = False
    return lines


_RUNNING_TAIL_RE = re.compile(rf"^(?:ครั้งที่\s*{_CODE})?\s*(?:\(\s*ต่อ\s*\)|\(\s*ร่าง\s*\))?$")


def _is_running_header(text: str, title: str) -> bool:
    """A page's top line that repeats the minutes' title, alone or with the meeting's number
    ('รายงานการประชุม <body> ครั้งที่ ๖/๒๕๖๔'): what a word processor prints on every page, not
    something the meeting said."""
    return text.startswith(title) and bool(_RUNNING_TAIL_RE.match(text[len(title) :].strip()))


def _is_fragment_of(text: str, following: str) -> bool:
    fragment = _FRAGMENT_TAIL_RE.sub("", text).strip()
    return len(fragment) >= _MIN_FRAGMENT and following.startswith(fragment)


# --------------------------------------------------------------------------- shared patterns

#: 'ระเบียบวาระที่ ๓ …', or 'วาระที่ ๓ …' as many committees write it; not 'ระเบียบวาระที่ ๓.๑' (a sub-item)
_AGENDA_RE = re.compile(rf"^(?:ระเบียบ\s*)?วาระที่\s*(?P<number>{_NUM})(?![.][0-9๐-๙])\s*(?P<title>.*)$")
#: a sub-item of an agenda item, with its own subject (and often its own มติ): '๓.๑ เรื่อง …'
_SUB_ITEM_RE = re.compile(rf"^(?:(?:ระเบียบ\s*)?วาระที่\s*)?(?P<number>{_NUM})\.(?P<sub>{_NUM})\s*(?P<title>เรื่อง.*)$")
_START_RE = re.compile(r"^เริ่มประชุม(?:เวลา)?\s*(?P<time>.+)$")
_END_RE = re.compile(r"^(?:เลิกประชุม|ปิดประชุม)(?:เวลา)?\s*(?P<time>.+)$")
_RESOLUTION_RE = re.compile(
    r"^มติ(?:\s*(?:ที่ประชุม|อ\.ก\.ก\.ฯ?|คณะ(?:อนุ)?กรรมการ\S*)\s*[:：]?\s*(?P<inline>.*)|\s*[:：]?)$"
)
_NUMBERED_RE = re.compile(rf"^(?P<number>{_NUM})\.(?![0-9๐-๙])\s*(?P<rest>.*)$")
_FISCAL_YEAR_RE = re.compile(r"(?:ประจำปี(?:งบประมาณ)?|ปีงบประมาณ)\s*(?:พ\.ศ\.)?\s*(\d{4})")
_TIME_IN_TEXT_RE = re.compile(r"เวลา\s*(\d{1,2}\s*[.:]\s*\d{2})\s*(?:น\.)?")
_CITATION_RE = re.compile(rf"ครั้งที่\s*(?P<code>\d{{1,2}}/\d{{4}})\s*(?:เมื่อ|ใน)?\s*วัน[^\s\d]{{0,12}}?ที่\s*{DATE_PATTERN}")


def _is_boundary(line: Line) -> bool:
    """Lines that end an agenda item's body or its resolutions."""
    text = line.text
    return bool(
        _AGENDA_RE.match(text)
        or _SUB_ITEM_RE.match(text)
        or _START_RE.match(text)
        or _END_RE.match(text)
        or _RESOLUTION_RE.match(text)
    )


def _date_in(arabic_text: str) -> date | None:
    match = re.search(DATE_PATTERN, arabic_text)
    if match is None:
        return None
    return _date_from_match(match)


def _date_from_match(match: re.Match[str]) -> date | None:
    year = int(match["year"])
    be_year = year if year >= 100 else 2500 + year
    try:
        return date(be_to_ce(be_year), month_number(match["month"]), int(match["day"]))
    except ValueError:
        return None


def _time_in(text: str) -> time | None:
    match = _TIME_IN_TEXT_RE.search(to_arabic_digits(repair_ocr_digits(text)))  # OCR's '๑๑.oo น.'
    return parse_thai_time(match[1]) if match else None


# --------------------------------------------------------------------------- the record


@dataclass
class _PersonEntry:
    """One numbered (or table) entry of a list of people, before presence is decided."""

    group: str
    name: str
    remainder: str
    lines: list[Line]
    position_parts: list[str] = field(default_factory=list)
    role_cell: str | None = None


@dataclass
class _StrategyDraft:
    number: int
    title: str | None = None
    goal: str | None = None


@dataclass
class _Record:
    """What the agenda parsers collect while they walk the minutes."""

    body: str
    code: str
    date: date
    starts_at: time | None = None
    ends_at: time | None = None
    agenda: list[AgendaItem] = field(default_factory=list)
    adoption: MinutesAdoption | None = None
    activities: list[ActivityResult] = field(default_factory=list)
    proposals: list[Proposal] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    strategies: dict[int, _StrategyDraft] = field(default_factory=dict)
    #: who attended how ('… ณ ห้อง… จำนวน ๙ คน ได้แก่'): the mode, the people listed, the count as written
    room_lists: list[tuple[Presence, list[_PersonEntry], str]] = field(default_factory=list)
    signatories: list[Signatory] = field(default_factory=list)

    def strategy(self, number: int) -> _StrategyDraft:
        return self.strategies.setdefault(number, _StrategyDraft(number))


@dataclass
class _ItemDraft:
    number: int
    title: str
    subject: str | None = None
    #: the subject of the sub-item being read ('๓.๑ เรื่อง …'), None before any
    sub_subject: str | None = None
    text_lines: list[str] = field(default_factory=list)
    resolutions: list[Resolution] = field(default_factory=list)
    fiscal_year: int | None = None

    @property
    def adopts_minutes(self) -> bool:
        return "รับรองรายงานการประชุม" in self.title.replace(" ", "")


# --------------------------------------------------------------------------- entry point


def parse_minutes(text: str, *, source: str = "") -> ParsedMinutes:
    """Read one set of minutes. Raises MinutesFormatError if the heading (body, number, date)
    cannot be found; anything else that cannot be placed is reported in `unplaced`."""
    raw_lines = [visible_text(line) for line in text.removeprefix("\ufeff").splitlines()]
    account = LineAccount(raw_lines)
    lines = content_lines(raw_lines, account)
    cursor = LineReader(lines)
    heading = _read_heading(cursor, account)
    record = _Record(body=heading.body, code=heading.code, date=heading.date)
    people = _read_attendance(cursor, account)
    _read_proceedings(cursor, account, record)
    electronic = heading.electronic or _mentions_electronic_meeting(record)
    attendance = _attendance(people, record.room_lists, electronic, account)
    joined = _joined_text(lines)
    cited = _cited_meetings(joined, record)
    next_meeting = _next_meeting(record)
    agenda = with_meeting_dates(record.agenda, record.body, record.date, [m for m, _ in cited], next_meeting)
    return ParsedMinutes(
        source=source,
        body=heading.body,
        code=heading.code,
        date=heading.date,
        starts_at=record.starts_at,
        ends_at=record.ends_at,
        venue=heading.venue,
        electronic=electronic,
        attendance=attendance,
        agenda=agenda,
        minutes_adoption=record.adoption,
        plan=_plan_info(lines, joined, record, cited),
        activity_results=tuple(record.activities),
        proposals=tuple(record.proposals),
        comments=tuple(record.comments),
        figures=reported_figures(record.agenda, record.activities),
        next_meeting=next_meeting,
        cited_meetings=tuple(meeting for meeting, _ in cited),
        signatories=tuple(record.signatories),
        unplaced=account.unplaced(),
        skipped=account.skipped(),
        membership_changes=tuple(c for item in agenda for c in membership_changes(item.text, item.number)),
        extraordinary=heading.extraordinary,
    )


# --------------------------------------------------------------------------- heading

_ATTENDANCE_GROUPS = {"ผู้มาประชุม": "PRESENT", "ผู้ไม่มาประชุม": "ABSENT", "ผู้เข้าร่วมประชุม": "OTHER"}
_TITLE_RE = re.compile(r"^รายงานการประชุม\s*(?P<body>.+)$")
_CODE_RE = re.compile(rf"ครั้งที่\s*(?P<code>{_CODE})")
_ELECTRONIC_RE = re.compile(r"สื่ออิเล็กทรอนิกส์|ออนไลน์|online|webex|zoom|teams", re.IGNORECASE)
#: "(วิสามัญ)" / "สมัยวิสามัญ" by the meeting's number, not a body's name ("อ.ก.ก. วิสามัญเกี่ยวกับ...")
_EXTRAORDINARY_RE = re.compile(r"วิสามัญ(?!\s*เกี่ยวกับ)")


@dataclass(frozen=True)
class _Heading:
    body: str
    code: str
    date: date
    venue: str | None
    electronic: bool
    extraordinary: bool = False


def _read_heading(cursor: LineReader, account: LineAccount) -> _Heading:
    body = code = venue = None
    meeting_date: date | None = None
    electronic = extraordinary = False
    while (line := cursor.peek()) is not None and not _attendance_group(line) and not _is_boundary(line):
        cursor.advance()
        title = _TITLE_RE.match(line.text)
        code_match = _CODE_RE.search(line.text)
        found_date = _date_in(line.arabic)
        if title and body is None:
            body = title["body"].strip()
        elif code_match or found_date:
            code = to_arabic_digits(code_match["code"]) if code_match else code
            meeting_date = found_date or meeting_date
            if code_match and _EXTRAORDINARY_RE.search(line.text[code_match.start() :]):
                extraordinary = True
        elif _is_venue(line.text) and venue is None:
            electronic = bool(_ELECTRONIC_RE.search(line.text))
            venue = _venue_of(line.text)
        else:
            continue
        account.place(line)
    if body is None or code is None or meeting_date is None:
        raise MinutesFormatError("the minutes must open with 'รายงานการประชุม <body>', 'ครั้งที่ <n/yyyy>' and 'วันที่ <date>'")
    return _Heading(body, code, meeting_date, venue, electronic, extraordinary)


def _is_venue(text: str) -> bool:
    return "ห้อง" in text or text.startswith("ณ ") or bool(_ELECTRONIC_RE.search(text))


def _venue_of(text: str) -> str | None:
    venue = re.sub(r"^(?:ประชุม)?ผ่านสื่ออิเล็กทรอนิกส์\s*(?:และ|ณ)?\s*", "", text)
    venue = re.sub(r"^ณ\s*", "", venue).strip()
    return venue or None


def _mentions_electronic_meeting(record: _Record) -> bool:
    if any(mode == "ONLINE" for mode, _, _ in record.room_lists):
        return True
    return any("ประชุมผ่านสื่ออิเล็กทรอนิกส์" in item.text.replace(" ", "") for item in record.agenda)


# --------------------------------------------------------------------------- attendance

_TITLE_TOKENS = frozenset(
    {
        "รองศาสตราจารย์",
        "ผู้ช่วยศาสตราจารย์",
        "ศาสตราจารย์",
        "ดร.",
        "ดร",
        "นาย",
        "นาง",
        "นางสาว",
        "ว่าที่ร้อยตรี",
        "ว่าที่ร้อยตรีหญิง",
    }
)
_NAME_TITLES_RE = re.compile(
    r"^(?:(?:รองศาสตราจารย์|ผู้ช่วยศาสตราจารย์|ศาสตราจารย์|ดร\.|นางสาว|นาง|นาย|ว่าที่ร้อยตรี(?:หญิง)?)\s*)+"
)
_ROLE_PHRASE_RE = re.compile(
    r"^(?:(?:รอง)?ประธาน\s*)?(?:อ\.ก\.ก\.ฯ?|อนุกรรมการ|กรรมการ)?\s*(?:และ\s*)?(?:ผู้ช่วยเลขานุการ|เลขานุการ)?ฯ?$"
)
_ABSENCE_NOTE_RE = re.compile(r"^(?:ติด|ตติ|ติต)\S*(?:ราชการ|ภารกิจ|การกิจ)\S*$|^ลา\S+$")


def _is_absence_note(word: str) -> bool:
    """Is the word after an absent member's name the reason they gave: shaped like one ('ติด…ราชการ',
    'ลา…', OCR'd spellings kept as written) or one of the known reasons (`service.minutes.absence`:
    'ไปราชการต่างประเทศ' is not shaped like the others)?"""
    return bool(_ABSENCE_NOTE_RE.match(word)) or absence_reason(word) is not None


_NAME_MATCH_THRESHOLD = 0.75


#: a person's number OCR read as letters ('ฆฒ. นายศรัณย์' for '๗.'): a short word and a stop, then
#: a title a name begins with
_OCR_NUMBERED_RE = re.compile(
    r"^(?P<number>[^\s\d.]{1,2})\.\s*(?P<rest>(?:นางสาว|นาง|นาย|ดร\.|ศาสตราจารย์|รองศาสตราจารย์|ผู้ช่วยศาสตราจารย์).*)$"
)


def _attendance_group(line: Line) -> str | None:
    return _ATTENDANCE_GROUPS.get(line.text.rstrip(" :："))


def split_name(text: str) -> tuple[str, str]:
    """'รองศาสตราจารย์ ดร. อรทัย ก๊กผล อ.ก.ก.' -> ('รองศาสตราจารย์ ดร. อรทัย ก๊กผล', 'อ.ก.ก.').

    Leading titles, then a given name and a family name (with its particle: 'ณ เชียงใหม่')."""
    tokens = text.split()
    index = 0
    while index < len(tokens) - 1 and tokens[index] in _TITLE_TOKENS:
        index += 1
    end = min(index + 2, len(tokens))
    if end < len(tokens) and tokens[end - 1] == "ณ":
        end += 1
    return " ".join(tokens[:end]), " ".join(tokens[end:])


def _read_attendance(cursor: LineReader, account: LineAccount) -> list[_PersonEntry]:
    entries: list[_PersonEntry] = []
    group: str | None = None
    current: _PersonEntry | None = None
    while (line := cursor.peek()) is not None and not _is_boundary(line):
        cursor.advance()
        heading = _attendance_group(line)
        numbered = _NUMBERED_RE.match(line.text) or _OCR_NUMBERED_RE.match(line.text)
        if heading:
            group, current = heading, None
        elif group is None:
            continue
        elif "|" in line.raw and (entry := _table_entry(line, group)) is not None:
            entries.append(entry)
            current = None
        elif numbered:
            current = _list_entry(line, group, numbered["rest"])
            entries.append(current)
        elif current is not None:
            current.position_parts.append(line.text)
            current.lines.append(line)
        else:
            continue
        account.place(line)
    return entries


def _table_entry(line: Line, group: str) -> _PersonEntry | None:
    """'| ๒. | name<br>position<br>more | role |' -> an entry; None if the row is not one."""
    cells = [cell.strip() for cell in line.raw.strip().strip("-").strip().strip("|").split("|")]
    if len(cells) < 3 or not _NUMBERED_RE.match(strip_noise(cells[0])):
        return None
    parts = [strip_noise(part) for part in re.split(r"<br\s*/?>", cells[1], flags=re.IGNORECASE)]
    parts = [part for part in parts if part]
    if not parts:
        return None
    name, remainder = split_name(parts[0])
    position = [remainder, *parts[1:]] if remainder else parts[1:]
    return _PersonEntry(group, name, "", [line], position, role_cell=strip_noise(cells[2]))


def _list_entry(line: Line, group: str, rest: str) -> _PersonEntry:
    name, remainder = split_name(rest.strip())
    return _PersonEntry(group, name, remainder, [line])


def _role_from(text: str) -> Role | None:
    cleaned = text.strip()
    if not cleaned or not _ROLE_PHRASE_RE.match(cleaned):
        return None
    if "ผู้ช่วยเลขานุการ" in cleaned:
        return "ASSISTANT_SECRETARY"
    if "เลขานุการ" in cleaned:
        return "SECRETARY"
    if cleaned.startswith("ประธาน"):
        return "CHAIR"
    return "MEMBER"


def _attendee(entry: _PersonEntry, presence: Presence) -> Attendee:
    """An attendee from an entry: the role from the role cell or the words after the name; for the
    absent, a lone word after the name that is not a role is the reason given ('ติดราชการ'), kept
    as written (`note`) and in its canonical word (`absence_reason`). Words stating two roles
    ('อ.ก.ก. และเลขานุการ') give both (`roles`)."""
    note = None
    remarks: list[str] = []
    position_parts = []
    for part in entry.position_parts:
        kept, said = split_remarks(part)
        position_parts.extend([kept] if kept else [])
        remarks.extend(said)
    remainder, said = split_remarks(entry.remainder)
    remarks[:0] = said
    role_cell = None
    if entry.role_cell is not None:
        role_cell, said = split_remarks(entry.role_cell)
        remarks.extend(said)
    role_text = role_cell if role_cell is not None else remainder
    role = _role_from(role_text)
    if role is None and entry.role_cell is None and (trailing := _trailing_role(remainder)) is not None:
        # 'name position role' on one line, as a plain numbered list writes it
        remainder, role_text = trailing
        role = _role_from(role_text)
        position_parts[:0] = [remainder] if remainder else []
        remainder = ""
    if role is None and remainder:
        first, _, rest = remainder.partition(" ")
        head, _, last = remainder.rpartition(" ")
        if entry.group == "ABSENT" and absence_reason(remainder) is not None:
            note = remainder  # a reason of several words ('ไปราชการ ต่างประเทศ') and nothing else
        elif entry.group == "ABSENT" and _is_absence_note(first):
            note = first
            position_parts[:0] = [rest] if rest else []
        elif entry.group == "ABSENT" and _is_absence_note(last.strip("()")):
            note = last.strip("()")  # 'position (ลาป่วย)': the reason after the position
            position_parts[:0] = [head] if head else []
        else:
            position_parts.insert(0, remainder)
    if (
        role is None
        and entry.role_cell is None
        and position_parts[:1]
        and _ROLE_WORD_RE.search(position_parts[0])
        and (own_line := _role_from(position_parts[0])) is not None
    ):
        # the role on a line of its own under the name ('๑. <name> ติดภารกิจ' / 'ประธาน อ.ก.ก.'), as
        # absent lists write it when the reason takes the rest of the name's line
        role, role_text = own_line, position_parts.pop(0)
    if entry.group == "OTHER":
        role = "ATTENDEE"
    roles = _roles_from(role_text) if role is not None and role != "ATTENDEE" else ()
    return Attendee(
        name=entry.name,
        position=" ".join(part for part in position_parts if part),
        role=role or "MEMBER",
        presence=presence,
        note=note,
        absence_reason=absence_reason(note),
        roles=roles,
        remark="; ".join(remarks) or None,
    )


_ROLE_WORD_RE = re.compile(r"ประธาน|กรรมการ|อ\.ก\.ก\.|เลขานุการ")


def _trailing_role(text: str) -> tuple[str, str] | None:
    """'ผู้อำนวยการเขต ประธานกรรมการ' -> ('ผู้อำนวยการเขต', 'ประธานกรรมการ'): the longest run of
    words at the end that states a role, and what stands before it (a position); None if none."""
    tokens = text.split()
    for start in range(1, len(tokens)):
        tail = " ".join(tokens[start:])
        if _ROLE_WORD_RE.search(tail) and _role_from(tail) is not None:
            return " ".join(tokens[:start]), tail
    return None


_MEMBER_WORD_RE = re.compile(r"อ\.ก\.ก\.|อนุกรรมการ|กรรมการ")


def _roles_from(text: str) -> tuple[Role, ...]:
    """Both roles where the words state a member's seat and a secretary's ('อ.ก.ก. และเลขานุการ',
    'อนุกรรมการและผู้ช่วยเลขานุการ'); () when they state one (then `role` says it)."""
    cleaned = text.strip()
    secretary = _role_from(cleaned)
    if secretary not in ("SECRETARY", "ASSISTANT_SECRETARY") or cleaned.startswith("ประธาน"):
        return ()
    without = cleaned.replace("ผู้ช่วยเลขานุการ", "").replace("เลขานุการ", "")
    return ("MEMBER", secretary) if _MEMBER_WORD_RE.search(without) else ()


def _attendance(
    entries: list[_PersonEntry],
    room_lists: list[tuple[Presence, list[_PersonEntry], str]],
    electronic: bool,
    account: LineAccount,
) -> tuple[Attendee, ...]:
    """Attendees with presence decided by the rule in `Attendee`'s docstring."""
    present = [index for index, entry in enumerate(entries) if entry.group == "PRESENT"]
    modes: dict[int, Presence] = {}
    for mode, listed, _ in room_lists:
        for person in listed:
            index = _best_match(person.name, [(i, entries[i].name) for i in present if i not in modes])
            if index is not None:
                modes[index] = mode
                account.place(*person.lines)
    _fill_short_list(entries, present, room_lists, modes)
    unlisted: Presence = "PRESENT" if electronic else "IN_ROOM"
    group_presence: dict[str, Presence] = {"ABSENT": "ABSENT", "OTHER": "OTHER"}
    return tuple(
        _attendee(entry, modes.get(index) or group_presence.get(entry.group, unlisted))
        for index, entry in enumerate(entries)
    )


def _fill_short_list(
    entries: list[_PersonEntry],
    present: list[int],
    room_lists: list[tuple[Presence, list[_PersonEntry], str]],
    modes: dict[int, Presence],
) -> None:
    """The members a list lacks: the members present that no list names are the list's whose
    count (as OCR may have misread it: '๓' for ๙) then reads likeliest (`ocr_odds`), the lists'
    counts read as they stand being the other choice (a tie keeps them unlisted). The scan of the
    sample lost the end of its in-room list, 4 of its 9 names, and read its count as ๓: the 5 names
    and ๓ (for 5) are less likely than 9 names and ๓ (for ๙); its online list's ๕ for 4 names
    is likelier than for 8."""
    seated = [
        i
        for i in present
        if i not in modes
        and ((attendee := _attendee(entries[i], "PRESENT")).role in ("CHAIR", "MEMBER") or "MEMBER" in attendee.roles)
    ]
    if not seated or not all(count for _, _, count in room_lists):
        return

    def odds(short: int | None) -> float:  # of the counts as written, if list `short` lacks the unlisted
        found = 1.0
        for n, (_, listed, count) in enumerate(room_lists):
            found *= ocr_odds(count, len(listed) + (len(seated) if n == short else 0))
        return found

    best = max([None, *range(len(room_lists))], key=lambda short: (odds(short), short is None))
    if best is not None and odds(best) > 0:
        modes.update(dict.fromkeys(seated, room_lists[best][0]))


def _name_key(name: str) -> str:
    return re.sub(r"[\s.]", "", _NAME_TITLES_RE.sub("", name))


def _best_match(name: str, candidates: list[tuple[int, str]]) -> int | None:
    """The candidate whose name is most like `name` (OCR spells names differently in the two
    lists: 'สุวรรณพล'/'สุวรรณบล'); None when nothing is close enough."""
    key = _name_key(name)
    scored = [(SequenceMatcher(None, key, _name_key(other)).ratio(), index) for index, other in candidates]
    best = max(scored, default=None)
    return best[1] if best is not None and best[0] >= _NAME_MATCH_THRESHOLD else None


# --------------------------------------------------------------------------- proceedings


def _read_proceedings(cursor: LineReader, account: LineAccount, record: _Record) -> None:
    """From the opening time to the end: agenda items, the closing time, the signatures. A line
    that none of these takes (outside any agenda item) is left unplaced."""
    while (line := cursor.peek()) is not None:
        start = _START_RE.match(line.text)
        end = _END_RE.match(line.text)
        if start and (starts_at := _time_in("เวลา " + start["time"])):
            record.starts_at = starts_at
            account.place(cursor.advance())
        elif _AGENDA_RE.match(line.text):
            record.agenda.append(_read_agenda_item(cursor, account, record))
        elif end and (ends_at := _time_in("เวลา " + end["time"])):
            record.ends_at = ends_at
            account.place(cursor.advance())
            _read_signatures(cursor, account, record)
        else:
            cursor.advance()


#: '(ลงชื่อ) ........................ ผู้จดรายงานการประชุม': where a signature goes, with the role the
#: signatory signs in after the dots; the signatory's '(name)' and position follow it
_SIGN_HERE_RE = re.compile(r"^\(?\s*ลงชื่อ\s*\)?[\s.…_]*(?P<role>[^\s.…_].*?)?[\s.…_]*$")


def _read_signatures(cursor: LineReader, account: LineAccount, record: _Record) -> None:
    """'(name)' followed by position lines, once per signatory, to the end of the text. A '(ลงชื่อ)
    …… <role>' line opens the next signature: its role belongs to the name under it (kept after
    its position lines, where the sample's role line stands), never to the signatory above it."""
    name: str | None = None
    position: list[str] = []
    role: str | None = None  # the role the signature line before the name gave

    def finish() -> None:
        if name is not None:
            record.signatories.append(Signatory(name, " ".join([*position, *([role] if role else [])])))

    while (line := cursor.peek()) is not None and not _is_boundary(line):
        cursor.advance()
        signed = re.match(r"^\((?P<name>[^()]+)\)$", line.text)
        sign_here = _SIGN_HERE_RE.match(line.text)
        if sign_here:
            finish()
            name, position, role = None, [], sign_here["role"]
        elif signed:
            if name is not None:
                finish()
                role = None
            name, position = signed["name"].strip(), []
        elif name is not None:
            position.append(line.text)
        else:
            continue
        account.place(line)
    finish()


def _read_agenda_item(cursor: LineReader, account: LineAccount, record: _Record) -> AgendaItem:
    heading = cursor.advance()
    account.place(heading)
    match = _AGENDA_RE.match(heading.text)
    assert match is not None
    item = _ItemDraft(parse_int(match["number"]), match["title"].strip())
    while (line := cursor.peek()) is not None and line.text.startswith("เรื่อง") and not _is_boundary(line):
        if not item.title:
            item.title = line.text
        elif item.subject is None:
            item.subject = re.sub(r"^เรื่อง\s*", "", line.text)
        else:
            break
        account.place(cursor.advance())
    years = _FISCAL_YEAR_RE.findall(to_arabic_digits(f"{item.title} {item.subject or ''}"))
    item.fiscal_year = int(years[-1]) if years else item.fiscal_year
    first_result = len(record.activities)
    while True:
        _read_agenda_body(cursor, account, record, item)
        while (line := cursor.peek()) is not None and _RESOLUTION_RE.match(line.text):
            item.resolutions.extend(_read_resolutions(cursor, account, record, item))
        # '๓.๑ เรื่อง …', '๓.๒ เรื่อง …': parts of this item, each with its text, tables and มติ
        sub_item = _SUB_ITEM_RE.match(line.text) if line is not None else None
        if line is None or sub_item is None or parse_int(sub_item["number"]) != item.number:
            break
        account.place(cursor.advance())
        item.text_lines.append(line.text)
        item.sub_subject = sub_item["title"]
        years = _FISCAL_YEAR_RE.findall(to_arabic_digits(line.text))
        item.fiscal_year = int(years[-1]) if years else item.fiscal_year
    record.activities[first_result:] = [
        replace(result, agenda_number=item.number) for result in record.activities[first_result:]
    ]
    return AgendaItem(
        number=item.number,
        title=item.title,
        subject=item.subject,
        text="\n".join(item.text_lines),
        resolutions=tuple(item.resolutions),
    )


_COMMENTS_INTRO_RE = re.compile(r"^ประเด็นการพิจารณา|ที่ประชุม(?:มี)?ความคิดเห็น")
_LIST_INTRO_RE = re.compile(r"จำนวน\s*(?P<count>[0-9๐-๙]+)\s*คน\s*ได้แก่$")


def _read_agenda_body(cursor: LineReader, account: LineAccount, record: _Record, item: _ItemDraft) -> None:
    """The item's narrative up to its มติ, with the tables, lists and comments inside it."""
    paragraph: list[str] = []
    comments: _CommentReader | None = None
    while (line := cursor.peek()) is not None and not _is_boundary(line):
        mode = _list_mode(paragraph)
        intro = _LIST_INTRO_RE.search(paragraph[-1]) if mode is not None else None
        if line.follows_blank:
            paragraph = []
        if comments is not None and comments.take(line, account):
            cursor.advance()
            continue
        table = _table_at(cursor)
        if table == "RESULTS":
            fiscal_year = item.fiscal_year or fiscal_year_of(record.date) - 1
            heard = [item.title, item.subject or "", *item.text_lines]
            as_at = _reported_as_at(heard, fiscal_year, record.date)
            _read_results_table(cursor, account, record, fiscal_year, as_at, _subject_strategy(item))
        elif table == "PROPOSALS":
            _read_proposals_table(cursor, account, record, item.fiscal_year or fiscal_year_of(record.date))
        elif (why := tables.stray_reason(line.raw)) is not None:
            account.refuse(cursor.advance(), why)
        elif mode is not None and _NUMBERED_RE.match(line.text):
            record.room_lists.append((mode, _read_person_list(cursor), intro["count"] if intro else ""))
        else:
            account.place(cursor.advance())
            item.text_lines.append(line.text)
            paragraph.append(line.text)
            years = _FISCAL_YEAR_RE.findall(line.arabic)
            item.fiscal_year = int(years[-1]) if years else item.fiscal_year
            if comments is None and _COMMENTS_INTRO_RE.search(line.text):
                comments = _CommentReader(record, item.number)
            continue
        paragraph = []
    if comments is not None:
        comments.finish()


#: how minutes say a list of people met from afar: electronic media, online, by video conference
#: or by the application's name ('ผ่านระบบ Zoom', 'ผ่าน Microsoft Teams', 'ทางไกล')
_ONLINE_RE = re.compile(
    r"สื่ออิเล็กทรอนิกส์|ออนไลน์|online|zoom|webex|teams|video\s*conference|วีดิทัศน์|วิดีโอ|ทางไกล", re.IGNORECASE
)


def _list_mode(paragraph: list[str]) -> Presence | None:
    """If a paragraph ends '... จำนวน ๙ คน ได้แก่', how the people listed next attended: the last
    of 'ณ <place>' and a way of meeting from afar (`_ONLINE_RE`) before the count decides."""
    if not paragraph or not _LIST_INTRO_RE.search(paragraph[-1]):
        return None
    text = " ".join(paragraph)
    in_room = text.rfind(" ณ ")
    online = max((m.start() for m in _ONLINE_RE.finditer(text)), default=-1)
    if in_room < 0 and online < 0:
        return None
    return "IN_ROOM" if in_room > online else "ONLINE"


def _read_person_list(cursor: LineReader) -> list[_PersonEntry]:
    """Numbered people (1, 2, 3 ...) each with position lines under the name; ends at a blank line
    followed by anything but the next number. Lines are placed once the person is matched."""
    people: list[_PersonEntry] = []
    while (line := cursor.peek()) is not None and not _is_boundary(line):
        numbered = _NUMBERED_RE.match(line.text)
        if numbered and _numbered_next(numbered["number"], len(people) + 1):
            people.append(_list_entry(line, "LISTED", numbered["rest"]))
        elif numbered and people and len(people[-1].lines) == 1 and line.text.startswith(people[-1].lines[0].text):
            # OCR read the line twice, the first time cut short ('๑. รองศาสตราจารย์' / '๑. รองศาสตราจารย์ ดร. …')
            earlier = people[-1].lines[0]
            people[-1] = _list_entry(line, "LISTED", numbered["rest"])
            people[-1].lines.insert(0, earlier)
        elif people and not numbered and not line.follows_blank and not _LIST_INTRO_RE.search(line.text):
            people[-1].lines.append(line)  # (a line introducing the next list ends this one: OCR drops blank lines)
        else:
            break
        cursor.advance()
    return people


def _numbered_next(written: str, expected: int) -> bool:
    """Is `written` the number `expected`, or the OCR's reading of it ('๕.' for the 4th: Tesseract's
    Thai model writes ๕ for ๔)?"""
    return parse_int(written) == expected or ocr_reads_as(written, expected)


class _CommentReader:
    """The committee's numbered comments after 'ประเด็นการพิจารณา ... ดังต่อไปนี้'; unnumbered lines
    continue the comment before them."""

    def __init__(self, record: _Record, agenda_number: int) -> None:
        self._record = record
        self._agenda_number = agenda_number
        self._number = 0
        self._line_no = 0
        self._parts: list[str] = []

    def take(self, line: Line, account: LineAccount) -> bool:
        numbered = _NUMBERED_RE.match(line.text)
        if numbered and parse_int(numbered["number"]) == self._number + 1:
            self.finish()
            self._number += 1
            self._line_no = line.no
            self._parts = [numbered["rest"].strip()]
        elif self._number and not _table_at_line(line):
            self._parts.append(line.text)
        else:
            return False
        account.place(line)
        return True

    def finish(self) -> None:
        if self._parts:
            text = " ".join(self._parts)
            named = strategies_named(text)
            self._record.comments.append(Comment(self._number, text, self._agenda_number, self._line_no, named))
            self._parts = []


# --------------------------------------------------------------------------- results table

_STRATEGY_RE = re.compile(rf"^ยุทธศาสตร์ที่\s*(?P<number>{_NUM})\s*(?P<continued>\(ต่อ\))?\s*(?P<title>.*)$")
_REASON_RE = re.compile(r"(?:เนื่องจาก|เพราะ).+$")
_STATUSES_WITH_REASON: frozenset[str] = frozenset({"NOT_IMPLEMENTED", "NOT_STARTED", "ON_HOLD", "CANCELLED"})


def _table_at(cursor: LineReader) -> str | None:
    """'RESULTS' or 'PROPOSALS' if a table starts here: a strategy heading followed (within four
    lines) by a goal, kind or column heading or a row ('RESULTS') or by the proposals' column
    headings; or a kind heading, column heading or result row with no strategy heading above
    (a results table whose heading is missing: its rows are refused, with why)."""
    line = cursor.peek()
    if line is None:
        return None
    heading = tables.strategy_heading(line.text)
    if heading is None:
        starts = tables.kind_heading(line.text) or tables.is_column_heading(line.raw) or tables.row(line.raw)
        return "RESULTS" if starts else None
    if heading.continued:
        return "RESULTS"
    for ahead in range(1, 5):
        following = cursor.peek(ahead)
        if following is None or _is_boundary(following):
            break
        if _opens_results(following):
            return "RESULTS"
        if _is_proposals_heading(following):
            return "PROPOSALS"
    return None


def _opens_results(line: Line) -> bool:
    return bool(
        tables.goal_heading(line.text)
        or tables.kind_heading(line.text)
        or tables.is_column_heading(line.raw)
        or tables.row(line.raw)
    )


def _table_at_line(line: Line) -> bool:
    return "\t" in line.raw.strip() or bool(tables.strategy_heading(line.text)) or bool(tables.row(line.raw))


_FOLLOW_UP_RE = re.compile(r"ผลการติดตาม|ติดตาม.*(?:ไม่แล้วเสร็จ|ไม่เสร็จ)|ความก้าวหน้า\s*(?:ใน|ของ)?\s*การดำเนิน")


_AS_AT_RE = re.compile(rf"ณ\s*วันที่\s*{DATE_PATTERN}")


def _reported_as_at(heard: list[str], fiscal_year: int, held_on: date) -> date | None:
    """The day a results table reports as at. The day the item's text names ('รายงานผล … ณ วันที่
    ๓๑ ธันวาคม ๒๕๖๓ ดังนี้'); else None for a follow-up or progress report (as of the meeting);
    else the end of the fiscal year reported, unless that year had not ended by the meeting: a
    table heard in June cannot report as at 30 September, so it reports as of the meeting (None)."""
    named = [found for text in heard for found in _AS_AT_RE.finditer(to_arabic_digits(text))]
    for match in reversed(named):
        day = _date_from_match(match)
        if day is not None and day <= held_on:
            return day
    if _follows_up(heard):
        return None
    year_end = fiscal_year_bounds(fiscal_year)[1]
    return year_end if year_end <= held_on else None


def _follows_up(text_lines: list[str]) -> bool:
    """Does the item's text before a results table say the table follows up what was not finished
    ('ได้ติดตาม … ที่ยังดำเนินการไม่แล้วเสร็จ', 'ผลการติดตาม ดังนี้') or reports the progress of the
    work ('ความก้าวหน้าการดำเนินการ', in its title, subject or text)? Then its rows report as of the
    meeting, not as at the end of the fiscal year."""
    return any(_FOLLOW_UP_RE.search(text) for text in text_lines)


_UNKNOWN_KIND = (
    "a heading over activities in words not known as one-year (๑ ปี, แล้วเสร็จภายในปี) or continuing (ต่อเนื่อง): "
    "the rows under it are recorded with no kind"
)
_NO_STATUS = "a table row whose result cell begins with no status word (แล้วเสร็จ, อยู่ระหว่างดำเนินการ …)"


@dataclass
class _TableWalk:
    """Where a results table's reading stands: the strategy and kind above, what a heading left
    to come on the next line, the lines of a title split before its row, the last row read."""

    strategy: _StrategyDraft | None = None
    kind: ActivityKindName | None = None
    awaiting: str | None = None
    pending: list[Line] = field(default_factory=list)
    last: int | None = None
    #: the heading line just read whose text may wrap onto the next line ('title' or 'goal')
    wrap: str | None = None
    #: the columns the table's column heading named (None: not given, rows read by their shape)
    columns: Columns | None = None


def _subject_strategy(item: _ItemDraft) -> int | None:
    """The one strategy the subject over a table names ('๓.๒ เรื่อง ความก้าวหน้า … ยุทธศาสตร์ที่ ๒'):
    the table is that strategy's even with no strategy heading of its own. None when the subject
    names none or several (then a row with no heading above it is refused, never guessed)."""
    named = strategies_named(item.sub_subject if item.sub_subject is not None else item.subject or "")
    return named[0] if len(named) == 1 else None


def _read_results_table(
    cursor: LineReader,
    account: LineAccount,
    record: _Record,
    fiscal_year: int,
    as_at: date | None = None,
    strategy: int | None = None,
) -> None:
    """Rows 'title<TAB or |>status : outcome' under strategy, goal and kind headings (tables.py
    says what each line is); the headings may repeat on each page ('ยุทธศาสตร์ที่ ๓ (ต่อ)'), a
    title may be split over two lines (its first part alone on the line before the row), an
    outcome may run on to lines of its own. A row under no kind heading has kind None. A row with
    no strategy above it, or a cell that begins with no status, is refused with why. Ends at a
    line that is none of these (a new paragraph). The fiscal year is the last one the item's text
    named before the table ('ประจำปี พ.ศ. ๒๕๖๓'), else the year before the meeting's. `strategy`:
    the one its subject names, for rows before any strategy heading."""
    walk = _TableWalk(strategy=record.strategy(strategy) if strategy is not None else None)
    while (line := cursor.peek()) is not None and not _is_boundary(line):
        heading = tables.strategy_heading(line.text)
        if heading and _table_at(cursor) == "PROPOSALS":
            return
        if not _results_line(cursor, account, record, walk, fiscal_year, as_at):
            return


def _results_line(
    cursor: LineReader, account: LineAccount, record: _Record, walk: _TableWalk, fiscal_year: int, as_at: date | None
) -> bool:
    """Read the line at the cursor into the table; False (nothing read) when the table has ended."""
    line = cursor.peek()
    assert line is not None
    heading = tables.strategy_heading(line.text)
    goal = tables.goal_heading(line.text) if walk.strategy is not None else None
    kind = tables.kind_heading(line.text)
    found = tables.row(line.raw, walk.columns) or (
        tables.unseparated_row(line.text) if walk.strategy is not None else None
    )
    wrap, walk.wrap = walk.wrap, None
    if heading:
        walk.strategy, walk.awaiting, walk.last = record.strategy(heading.number), None, None
        if not heading.continued:
            walk.kind = None
            walk.strategy.title = walk.strategy.title or heading.title or None
            # a heading with its title on the next line (OCR splits them) awaits it, even for a
            # strategy already titled (OCR read another strategy's number: its title is the next line)
            walk.awaiting = None if heading.title else "title"
            walk.wrap = "title" if heading.title and walk.strategy.title == heading.title else None
    elif goal:
        walk.strategy.goal = walk.strategy.goal or goal[0]  # type: ignore[union-attr]
        walk.awaiting = None if goal[0] else "goal"
        walk.wrap = "goal" if goal[0] and walk.strategy.goal == goal[0] else None  # type: ignore[union-attr]
    elif kind:
        walk.kind, walk.awaiting, walk.last = kind, None, None
    elif (columns := tables.column_layout(line.raw)) is not None:
        # the kind heading may head the activity column itself ('โครงการ/กิจกรรมที่ดำเนินการ ๑ ปี<TAB>
        # ผลลัพธ์ที่ได้', the two rows of the table's head merged): it names the rows' kind
        named = tables.kind_heading(tables.cells(line.raw)[columns.activity])
        account.skip(cursor.advance().no, "repeated table heading")
        walk.awaiting, walk.columns = None, columns
        if named is not None:
            walk.kind, walk.last = named, None
        return True
    elif found is not None:
        _add_row(cursor.advance(), found, account, record, walk, fiscal_year, as_at)
        return True
    elif len(tables.cells(line.raw)) >= 2:
        walk.pending = []
        account.refuse(cursor.advance(), _NO_STATUS)
        return True
    elif tables.unknown_kind_heading(line.raw):  # a title never begins with both words and a slash
        # rows under it are of no kind this reader knows: none, never the kind of the heading before
        walk.kind, walk.awaiting, walk.last, walk.pending = None, None, None, []
        account.refuse(cursor.advance(), _UNKNOWN_KIND)
        return True
    elif walk.strategy is not None and walk.awaiting == "title":
        walk.strategy.title, walk.awaiting, walk.wrap = walk.strategy.title or line.text, None, "title"
    elif walk.strategy is not None and walk.awaiting == "goal":
        walk.strategy.goal, walk.awaiting, walk.wrap = line.text, None, "goal"
    elif wrap is not None and walk.strategy is not None and _wraps(cursor):
        # a title or goal OCR broke over two lines ('… ของเมือง' / 'ในอนาคต')
        if wrap == "title":
            walk.strategy.title = f"{walk.strategy.title} {line.text}"
        else:
            walk.strategy.goal = f"{walk.strategy.goal} {line.text}"
        walk.wrap = wrap
    elif (broken := _row_broken_between_cells(cursor)) is not None:
        title_line = cursor.advance()
        walk.pending.append(title_line)
        _add_row(cursor.advance(), broken, account, record, walk, fiscal_year, as_at)
        return True
    elif _NUMBERED_RE.match(line.text) or (line.follows_blank and walk.pending == []):
        if not _continues_title(cursor):
            return False
        walk.pending.append(cursor.advance())
        return True
    elif _continues_title(cursor):
        walk.pending.append(cursor.advance())
        return True
    elif walk.last is not None:
        result = record.activities[walk.last]
        outcome = f"{result.outcome} {tables.clean(line.text)}".strip()
        record.activities[walk.last] = replace(result, outcome=outcome, reason=_reason(result.status, outcome))
    else:
        return False
    account.place(cursor.advance())
    return True


def _wraps(cursor: LineReader) -> bool:
    """Does the line at the cursor continue the heading line before it (no blank line between,
    no numbering, not the first part of a row's title)?"""
    line = cursor.peek()
    return (
        line is not None
        and not line.follows_blank
        and not _NUMBERED_RE.match(line.text)
        and not _continues_title(cursor)
    )


def _row_broken_between_cells(cursor: LineReader) -> tables.Row | None:
    """A row the page broke between its cells: the activity alone on its line (its result cell
    left empty, or a title the next line does not finish) and the result cell, beginning with a
    status word, alone on the next ('การพัฒนาระบบ …<TAB>' / '<i>แล้วเสร็จ</i> : …'). The row, its
    title left to the line before it (`_add_row` joins it), or None."""
    line, following = cursor.peek(), cursor.peek(1)
    if line is None or following is None or following.follows_blank:
        return None
    if len(tables.cells(line.raw)) != 1 or len(tables.cells(following.raw)) != 1:
        return None
    if tables.strategy_heading(line.text) or tables.kind_heading(line.text) or tables.goal_heading(line.text):
        return None
    status = tables.status_of(following.raw)
    return tables.Row("", status[0], status[1]) if status is not None else None


def _continues_title(cursor: LineReader) -> bool:
    """Is the line at the cursor the first part of a title whose row is the next line?"""
    line, following = cursor.peek(), cursor.peek(1)
    if line is None or following is None or _NUMBERED_RE.match(line.text) or "\t" in line.raw.strip():
        return False
    # the row may have lost its cell border too (OCR): '<title's end> <status> : <outcome>'
    row = tables.row(following.raw) or tables.unseparated_row(following.text)
    return row is not None and not tables.strategy_heading(line.text)


def _add_row(
    line: Line,
    found: tables.Row,
    account: LineAccount,
    record: _Record,
    walk: _TableWalk,
    fiscal_year: int,
    as_at: date | None,
) -> None:
    pending, walk.pending = walk.pending, []
    if walk.strategy is None:
        for part in (*pending, line):
            account.refuse(part, "a result row with no strategy heading (ยุทธศาสตร์ที่ N) above it")
        return
    title = " ".join(part for part in [*(tables.clean(part.text) for part in pending), found.title] if part)
    record.activities.append(
        ActivityResult(
            fiscal_year_be=fiscal_year,
            strategy_number=walk.strategy.number,
            kind=walk.kind,
            title=title,
            status=found.status,
            outcome=f"{found.outcome} {found.extra}".strip(),
            reason=_reason(found.status, found.outcome),
            line_no=(pending[0] if pending else line).no,
            as_at=as_at,
            responsible_units=found.units,
        )
    )
    walk.last = len(record.activities) - 1
    account.place(*pending, line)


def _reason(status: ActivityStatusName, outcome: str) -> str | None:
    if status in _STATUSES_WITH_REASON:
        return outcome or None
    found = _REASON_RE.search(outcome)
    return found[0] if found else None


# --------------------------------------------------------------------------- proposals table

_COLUMN_WORDS: tuple[tuple[str, str], ...] = (
    ("หน่วยงาน", "UNITS"),
    ("สัมมนา", "SEMINAR"),
    ("ศึกษา", "UNIVERSITY_STUDY"),
    ("ข้อเสนอของ", "SUBCOMMITTEE"),
)


def _is_proposals_heading(line: Line) -> bool:
    cells = [strip_noise(cell) for cell in line.cells()]
    return len(cells) >= 3 and any("หน่วยงาน" in cell for cell in cells) and any("ข้อเสนอ" in c for c in cells)


def _column_of(heading: str) -> str | None:
    return next((column for word, column in _COLUMN_WORDS if word in heading), None)


def _read_proposals_table(cursor: LineReader, account: LineAccount, record: _Record, fiscal_year: int) -> None:
    """Per strategy: a heading (title possibly wrapped), a row of column headings, and rows of
    cells whose numbered points ('<p>๑. ...</p>' or '๑. ... ๒. ...') are the proposals."""
    strategy: _StrategyDraft | None = None
    columns: list[str | None] | None = None
    while (line := cursor.peek()) is not None and not _is_boundary(line):
        heading = _STRATEGY_RE.match(line.text)
        has_tab = "\t" in line.raw.strip()
        if heading and not has_tab:
            strategy = record.strategy(parse_int(heading["number"]))
            strategy.title = strategy.title or heading["title"].strip() or None
            columns = None
        elif strategy is not None and _is_proposals_heading(line):
            columns = [_column_of(strip_noise(cell)) for cell in line.cells()]
            if None in columns:
                columns = None
                cursor.advance()
                continue
        elif strategy is not None and columns is None and not has_tab:
            pass  # the heading's title wrapped onto this line
        elif strategy is not None and columns is not None and has_tab:
            if not _add_proposals(line, columns, record, fiscal_year, strategy.number):
                cursor.advance()
                continue
        else:
            return
        account.place(cursor.advance())


def _add_proposals(
    line: Line, columns: list[str | None], record: _Record, fiscal_year: int, strategy_number: int
) -> bool:
    cells = line.cells()
    if len(cells) != len(columns):
        return False
    by_column = {column: _cell_points(cell) for column, cell in zip(columns, cells, strict=True)}
    units = tuple(by_column.pop("UNITS", []))
    for column, points in by_column.items():
        for point in points:
            record.proposals.append(Proposal(fiscal_year, strategy_number, _proposal_column(column), point, units))
    return True


def _proposal_column(column: str | None) -> ProposalColumn:
    if column == "SEMINAR":
        return "SEMINAR"
    if column == "UNIVERSITY_STUDY":
        return "UNIVERSITY_STUDY"
    return "SUBCOMMITTEE"


def _cell_points(cell: str) -> list[str]:
    """The numbered points of one cell, numbering removed."""
    paragraphs = re.findall(r"<p>(.*?)</p>", cell, flags=re.DOTALL)
    pieces = paragraphs if paragraphs else _split_numbered(strip_noise(cell))
    points = [re.sub(rf"^{_NUM}\.\s*", "", strip_noise(piece)) for piece in pieces]
    return [point for point in points if point]


def _split_numbered(text: str) -> list[str]:
    """'๑. a b ๒. c' -> ['๑. a b', '๒. c'], splitting only at the next number in sequence."""
    pieces: list[str] = []
    start = 0
    expected = 2
    for match in re.finditer(rf"(?:(?<=\s)|^)({_NUM})\.\s", text):
        if parse_int(match[1]) == expected:
            pieces.append(text[start : match.start()].strip())
            start = match.start()
            expected += 1
    pieces.append(text[start:].strip())
    return [piece for piece in pieces if piece]


# --------------------------------------------------------------------------- resolutions

_CORRECTION_RE = re.compile(
    rf"(?P<where>หน้า\s*{_NUM}(?:\s*(?:ข้อ|บรรทัดที่|ย่อหน้าที่)\s*[0-9๐-๙.()]+)*)\s*"
    # the verb a secretariat may write before or inside the pair: 'แก้ไขจาก “x” เป็น “y”',
    # 'คำว่า “x” แก้ไขเป็น “y”' say what 'จาก “x” เป็น “y”' says
    r"(?:(?:ให้)?แก้ไข(?:ข้อความ)?\s*)?(?:จาก|คำว่า|ข้อความ)\s*[“\"](?P<from>.+?)[”\"]\s*(?:(?:ให้)?แก้ไข\s*)?เป็น\s*[“\"](?P<to>.+?)[”\"]"
)
_ADOPTED_RE = re.compile(rf"รับรองรายงานการประชุม\s*ครั้งที่\s*(?P<code>{_CODE})")
_ADOPTION_INTRO_RE = re.compile(r"^(?:ให้)?แก้ไข|ดังนี้$")
_REJECTED_RE = re.compile(r"ไม่เห็นชอบ|ไม่อนุมัติ|ไม่รับรอง")
_APPROVED_RE = re.compile(r"เห็นชอบ|อนุมัติ|รับรอง")
_AMENDED_RE = re.compile(r"โดยให้.*(?:ปรับปรุง|แก้ไข)|โดยมีข้อสังเกต|ให้แก้ไข|โดยแก้ไข")
_ASSIGNEE_RE = re.compile(r"(?:มอบหมาย|เห็นชอบ)ให้\s*(?P<rest>.+)$")
_TASK_VERBS = (
    "รายงาน",
    "ดำเนินการ",
    "จัดทำ",
    "นำเสนอ",
    "นำ",
    "พิจารณา",
    "เสนอ",
    "ประสาน",
    "ศึกษา",
    "ติดตาม",
    "แจ้ง",
    "ปรับปรุง",
    "ตรวจสอบ",
    "เร่ง",
    "สรุป",
    "จัดส่ง",
    "ทบทวน",
)


def _read_resolutions(cursor: LineReader, account: LineAccount, record: _Record, item: _ItemDraft) -> list[Resolution]:
    """One มติ block: its heading line (possibly with text after it) and the lines to the next
    agenda item, the adjournment, or another มติ."""
    heading = cursor.advance()
    account.place(heading)
    lines: list[Line] = []
    inline = _RESOLUTION_RE.match(heading.text)
    if inline and inline["inline"]:
        lines.append(Line(heading.no, inline["inline"], inline["inline"], False))
    while (line := cursor.peek()) is not None and not _is_boundary(line):
        lines.append(cursor.advance())
    if item.adopts_minutes or any(_CORRECTION_RE.search(line.text) for line in lines):
        return _adoption(lines, account, record, item)
    resolutions: list[Resolution] = []
    for paragraph in _paragraphs(lines):
        found = _resolutions_from(" ".join(line.text for line in paragraph), paragraph[0].no, record)
        if found:
            resolutions.extend(found)
            account.place(*paragraph)
    return resolutions


def _paragraphs(lines: list[Line]) -> list[list[Line]]:
    """Numbered points (1, 2, 3 ...) with their continuation lines; without numbering, blocks
    separated by blank lines."""
    paragraphs: list[list[Line]] = []
    expected = 1
    for line in lines:
        numbered = _NUMBERED_RE.match(line.text)
        if numbered and parse_int(numbered["number"]) == expected:
            paragraphs.append([line])
            expected += 1
        elif paragraphs and (expected > 1 or not line.follows_blank):
            paragraphs[-1].append(line)
        else:
            paragraphs.append([line])
    return paragraphs


def _resolutions_from(text: str, line_no: int, record: _Record) -> list[Resolution]:
    """One paragraph of a มติ -> its resolutions; 'รับทราบ และมอบหมายให้ ...' is two."""
    body = re.sub(rf"^{_NUM}\.\s*", "", text).strip()
    split_at = body.find("มอบหมาย")
    if split_at > 0 and _kind_of(body[:split_at]) not in (None, "ASSIGNED"):
        head = re.sub(r"\s*(?:และ|โดย|ทั้งนี้)\s*$", "", body[:split_at]).strip()
        return [*_resolutions_from(head, line_no, record), *_resolutions_from(body[split_at:], line_no, record)]
    kind = _kind_of(body)
    if kind is None:
        return []
    action = _action_item(body, record) if kind in ("ASSIGNED", "APPROVED") else None
    return [Resolution(kind, body, (action,) if action else (), line_no)]


def _kind_of(text: str) -> ResolutionKindName | None:
    if text.lstrip().startswith("มอบหมาย"):
        return "ASSIGNED"
    if _REJECTED_RE.search(text):
        return "REJECTED"
    if _APPROVED_RE.search(text):
        return "APPROVED_WITH_AMENDMENTS" if _AMENDED_RE.search(text) else "APPROVED"
    if "รับทราบ" in text:
        return "ACKNOWLEDGED"
    if "มอบหมาย" in text:
        return "ASSIGNED"
    return None


def _action_item(text: str, record: _Record) -> ActionItem | None:
    """'มอบหมายให้<owner> <task> ...' (or 'เห็นชอบให้<owner> <task>') -> an action item; the owner
    is what comes before the first task verb ('รายงาน', 'ดำเนินการ', ...)."""
    assignee = _ASSIGNEE_RE.search(text)
    if assignee is None:
        return None
    rest = assignee["rest"]
    cut = _task_start(rest)
    if cut is None:
        return None
    owner, description = rest[:cut].strip(), rest[cut:].strip()
    due = due_of(description, record.body)
    return ActionItem(description, owner, due.on, due.meeting, due.periodic, due.meeting_code)


def _task_start(text: str) -> int | None:
    """Where the task begins: the first task verb after a space, else the first anywhere."""
    after_space = [match.start() for verb in _TASK_VERBS for match in re.finditer(rf"(?<=\s){verb}", text)]
    anywhere = [index for verb in _TASK_VERBS if (index := text.find(verb, 2)) >= 0]
    candidates = after_space or anywhere
    return min(candidates) if candidates else None


def _adoption(lines: list[Line], account: LineAccount, record: _Record, item: _ItemDraft) -> list[Resolution]:
    """The มติ on adopting earlier minutes: corrections 'หน้า ๑๑ ข้อ ๖ จาก “x” เป็น “y”', an
    introduction ('ให้แก้ไขดังนี้') and the adoption ('นอกนั้นรับรองรายงานการประชุมครั้งที่ ...')."""
    corrections: list[MinutesCorrection] = []
    title_code = _CODE_RE.search(item.title)
    of_code = to_arabic_digits(title_code["code"]) if title_code else None
    of_date = _date_in(to_arabic_digits(item.title))
    placed: list[Line] = []
    for line in lines:
        correction = _CORRECTION_RE.search(line.text)
        adopted = _ADOPTED_RE.search(line.text)
        if correction:
            where = re.sub(r"\s+", " ", to_arabic_digits(correction["where"])).strip()
            corrections.append(MinutesCorrection(where, correction["from"].strip(), correction["to"].strip()))
        elif adopted:
            of_code = to_arabic_digits(adopted["code"])
            of_date = _date_in(line.arabic) or of_date
        elif not (_ADOPTION_INTRO_RE.search(line.text) or "รับรอง" in line.text):
            continue
        placed.append(line)
    account.place(*placed)
    if of_code is not None:
        record.adoption = MinutesAdoption(of_code, of_date, tuple(corrections))
    text = "\n".join(line.text for line in placed)
    if any(_REJECTED_RE.search(line.text) for line in placed):
        kind: ResolutionKindName = "REJECTED"
    else:
        kind = "APPROVED_WITH_AMENDMENTS" if corrections else "APPROVED"
    return [Resolution(kind, text, (), placed[0].no if placed else 0)] if placed else []


# --------------------------------------------------------------------------- next meeting


_NEXT_MEETING_RE = re.compile(r"(?:กำหนด|ครั้งต่อไป).*?ครั้งที่\s*(?P<code>\d{1,2}/\d{4})")


def _next_meeting(record: _Record) -> NextMeeting | None:
    """The first 'กำหนด(การ)ประชุม ... ครั้งที่ n/yyyy ... <date> เวลา ... ณ ...' dated after
    this meeting, in any agenda item's text or resolutions."""
    texts = [
        *(line for item in record.agenda for line in item.text.splitlines()),
        *(resolution.text for item in record.agenda for resolution in item.resolutions),
    ]
    for text in texts:
        arabic = to_arabic_digits(text)
        match = _NEXT_MEETING_RE.search(arabic)
        when = _date_in(arabic[match.end() :]) if match else None
        if match and when is not None and when > record.date:
            venue = re.search(r"\sณ\s*(?P<venue>.+)$", text)
            return NextMeeting(match["code"], when, _time_in(text), venue["venue"].strip() if venue else None)
    return None


# --------------------------------------------------------------------------- cited meetings

_BODY_MENTION_RE = re.compile(
    r"(?P<sub>อ\.ก\.ก\.(?:ฯ|\s*วิสามัญเกี่ยวกับ(?P<about>\S+))?)"
    r"|(?P<full>(?<![อ.])(?<!สำนักงาน )ก\.ก\.)"
    r"|ประชุม(?P<board>คณะ\S+)"
)
_PLAN_APPROVAL_RE = re.compile(r"เห็นชอบ\s*(?:ร่าง)?\s*แผนยุทธศาสตร์")
_ACTION_PLAN_APPROVAL_RE = re.compile(
    r"เห็นชอบ\s*แผนปฏิบัติ\S*\s*(?:\(Action Plan\))?\s*ประจำปี\s*(?:งบประมาณ)?\s*(?:พ\.ศ\.)?\s*(?P<year>\d{4})"
)
_CITATION_WINDOW = 300


def _joined_text(lines: list[Line]) -> str:
    """All content in Arabic digits: lines of a paragraph joined by spaces, paragraphs by
    newlines (a citation broken over a page still reads as one)."""
    parts: list[str] = []
    for line in lines:
        parts.append(("\n" if line.follows_blank else " ") + line.arabic)
    return "".join(parts)


def _cited_meetings(joined: str, record: _Record) -> list[tuple[CitedMeeting, str]]:
    """Every earlier meeting cited as 'ครั้งที่ n/yyyy เมื่อวันที่ <date>', each once, with the
    clause before it (from the paragraph start or the previous citation) that names the body."""
    cited: list[tuple[CitedMeeting, str]] = []
    seen: set[tuple[str, str]] = set()
    previous_end = 0
    for match in _CITATION_RE.finditer(joined):
        paragraph_start = joined.rfind("\n", 0, match.start()) + 1
        window = joined[max(previous_end, paragraph_start, match.start() - _CITATION_WINDOW) : match.start()]
        previous_end = match.end()
        when = _date_from_match(match)
        body = _body_named_last(window, record.body)
        if when is None or when >= record.date or (body, match["code"]) in seen:
            continue
        seen.add((body, match["code"]))
        cited.append((CitedMeeting(body, match["code"], when), window))
    return cited


def _body_named_last(window: str, own_body: str) -> str:
    """The last body the clause names: 'ก.ก.', another sub-committee or board by its name, and
    otherwise (a bare 'อ.ก.ก.', 'อ.ก.ก.ฯ', or no name at all) the body whose minutes these are."""
    mentions = list(_BODY_MENTION_RE.finditer(window))
    if not mentions:
        return own_body
    last = mentions[-1]
    if last["full"]:
        return "ก.ก."
    if last["board"]:
        return str(last["board"])
    about = (last["about"] or "").rstrip("ฯ")
    own_about = own_body.split("วิสามัญเกี่ยวกับ", 1)[-1]
    if not about or own_about.startswith(about) or about.startswith(own_about):
        return own_body
    return f"อ.ก.ก. วิสามัญเกี่ยวกับ{last['about']}"


# --------------------------------------------------------------------------- plan

_PLAN_RE = re.compile(r"(?P<title>แผนยุทธศาสตร์[^\s(]*)\s*\(พ\.ศ\.\s*(?P<start>\d{4})\s*-\s*(?P<end>\d{4})\)")
_VISION_RE = re.compile(r"วิสัยทัศน์.*?คือ\s*(?P<vision>.+)$")


def _plan_info(
    lines: list[Line], joined: str, record: _Record, cited: list[tuple[CitedMeeting, str]]
) -> PlanInfo | None:
    plan = _PLAN_RE.search(joined)
    if plan is None:
        return None
    vision = next((m["vision"].strip() for line in lines if (m := _VISION_RE.search(line.text))), None)
    approvals: list[CitedMeeting] = []
    action_plans: list[ActionPlanInfo] = []
    for meeting, clause in cited:
        action_plan = _ACTION_PLAN_APPROVAL_RE.search(clause)
        if action_plan:
            action_plans.append(ActionPlanInfo(int(action_plan["year"]), meeting.body, meeting.code, meeting.date))
        elif _PLAN_APPROVAL_RE.search(clause):
            approvals.append(meeting)
    action_plans.extend(_action_plans_approved_here(record))
    strategies = tuple(
        StrategyInfo(draft.number, draft.title or "", draft.goal)
        for draft in sorted(record.strategies.values(), key=lambda draft: draft.number)
    )
    return PlanInfo(
        title=plan["title"],
        period_start_be=int(plan["start"]),
        period_end_be=int(plan["end"]),
        vision=vision,
        strategies=strategies,
        approvals=tuple(approvals),
        action_plans=tuple(action_plans),
    )


def _action_plans_approved_here(record: _Record) -> list[ActionPlanInfo]:
    found: list[ActionPlanInfo] = []
    for item in record.agenda:
        for resolution in item.resolutions:
            match = _ACTION_PLAN_APPROVAL_RE.search(to_arabic_digits(resolution.text))
            if match and resolution.kind in ("APPROVED", "APPROVED_WITH_AMENDMENTS"):
                found.append(ActionPlanInfo(int(match["year"]), record.body, record.code, record.date))
    return found
