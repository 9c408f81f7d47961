"""Thai writing conventions the minutes use: digits, Buddhist Era dates, times, noisy titles.

Pure functions over strings; nothing here knows about meetings or plans.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, time

from domain.calendar import be_to_ce

THAI_DIGITS = "๐๑๒๓๔๕๖๗๘๙"
_TO_ARABIC = str.maketrans(THAI_DIGITS, "0123456789")

MONTHS: tuple[tuple[str, str], ...] = (
    ("มกราคม", "ม.ค."),
    ("กุมภาพันธ์", "ก.พ."),
    ("มีนาคม", "มี.ค."),
    ("เมษายน", "เม.ย."),
    ("พฤษภาคม", "พ.ค."),
    ("มิถุนายน", "มิ.ย."),
    ("กรกฎาคม", "ก.ค."),
    ("สิงหาคม", "ส.ค."),
    ("กันยายน", "ก.ย."),
    ("ตุลาคม", "ต.ค."),
    ("พฤศจิกายน", "พ.ย."),
    ("ธันวาคม", "ธ.ค."),
)
"""Each month's full name and abbreviation, January first."""

_MONTH_BY_KEY: dict[str, int] = {}
for _number, (_full, _abbreviation) in enumerate(MONTHS, start=1):
    _MONTH_BY_KEY[_full] = _number
    _MONTH_BY_KEY[_abbreviation.replace(".", "")] = _number


def _abbreviation_pattern(abbreviation: str) -> str:
    """'ต.ค.' -> a pattern that also accepts 'ต.ค' and 'ต. ค.'."""
    first, second = abbreviation.rstrip(".").split(".")
    return rf"{re.escape(first)}\.\s?{re.escape(second)}\.?"


MONTH_PATTERN = "|".join(
    [full for full, _ in MONTHS] + [_abbreviation_pattern(abbreviation) for _, abbreviation in MONTHS]
)
"""Regular expression (no groups) matching any month name, full or abbreviated."""

DATE_PATTERN = (
    rf"(?<!\d)(?P<day>\d{{1,2}})\s*(?P<month>{MONTH_PATTERN})\s*"
    rf"(?:พ\.\s?ศ\.\s*)?(?P<year>\d{{4}}|\d{{2}})(?!\d)"
)
"""A day-month-year date in Arabic digits (run `to_arabic_digits` first); named groups."""

_DATE_RE = re.compile(DATE_PATTERN)
_WEEKDAY = r"(?:จันทร์|อังคาร|พุธ|พฤหัสบดี|พฤหัส|ศุกร์|เสาร์|อาทิตย์)"
_FULL_DATE_RE = re.compile(
    rf"^(?:เมื่อ|ใน)?\s*(?:วัน{_WEEKDAY}?\s*(?:ที่)?)?\s*(?P<day>\d{{1,2}})?\s*"
    rf"(?P<month>{MONTH_PATTERN})\s*(?:พ\.\s?ศ\.\s*)?(?P<year>\d{{4}}|\d{{2}})$"
)
_TIME_RE = re.compile(r"^(?:เวลา)?\s*(?P<hour>\d{1,2})\s*[.:]\s*(?P<minute>\d{2})\s*(?:น\.?|นาฬิกา)?$")


def to_arabic_digits(text: str) -> str:
    """Replace Thai digits with Arabic ones; everything else is left alone."""
    return text.translate(_TO_ARABIC)


def parse_int(text: str) -> int:
    """An integer written in Thai or Arabic digits (surrounding spaces and a trailing dot allowed)."""
    cleaned = to_arabic_digits(text).strip().rstrip(".").strip()
    if not cleaned.isdigit() or not cleaned.isascii():
        raise ValueError(f"not a whole number: {text!r}")
    return int(cleaned)


def month_number(name: str) -> int:
    """1..12 for a Thai month name, full ('ตุลาคม') or abbreviated ('ต.ค.', 'ต.ค')."""
    key = re.sub(r"[.\s]", "", name)
    if key in _MONTH_BY_KEY:
        return _MONTH_BY_KEY[key]
    raise ValueError(f"not a Thai month name: {name!r}")


def be_year_from_text(year: str) -> int:
    """A Buddhist Era year from its written form: four digits, or two meaning 25xx."""
    digits = to_arabic_digits(year).strip()
    if not digits.isdigit() or len(digits) not in (2, 4):
        raise ValueError(f"not a Buddhist Era year: {year!r}")
    value = int(digits)
    if len(digits) == 2:
        return 2500 + value
    if value < 2400:
        raise ValueError(f"year {value} is not a Buddhist Era year (expected 24xx-26xx)")
    return value


def _date_from_parts(day: int, month: str, year: str) -> date:
    ce_year = be_to_ce(be_year_from_text(year))
    try:
        return date(ce_year, month_number(month), day)
    except ValueError as error:
        raise ValueError(f"no such day: {day} {month} {year} ({error})") from None


def parse_thai_date(text: str) -> date:
    """A Buddhist Era date as the minutes write it, as a `date` (Common Era).

    Accepts '๖ มกราคม ๒๕๖๔', 'วันพุธที่ ๓ กุมภาพันธ์ ๒๕๖๔', '3 ก.พ. 64', 'วันที่ ๙ ต.ค. ๖๒', and a
    month with a year but no day ('ต.ค. ๖๒'), which means the first day of that month.
    Raises ValueError on anything else.
    """
    match = _FULL_DATE_RE.match(_clean_date_text(text))
    if match is None:
        raise ValueError(f"not a Thai date: {text!r}")
    day = int(match["day"]) if match["day"] else 1
    return _date_from_parts(day, match["month"], match["year"])


def parse_thai_month(text: str) -> tuple[int, int]:
    """(Common Era year, month) of a month-and-year such as 'ต.ค. ๖๒' or 'มกราคม ๒๕๖๔'."""
    match = _FULL_DATE_RE.match(_clean_date_text(text))
    if match is None or match["day"]:
        raise ValueError(f"not a Thai month and year: {text!r}")
    found = _date_from_parts(1, match["month"], match["year"])
    return found.year, found.month


def _clean_date_text(text: str) -> str:
    return re.sub(r"\s+", " ", to_arabic_digits(unicodedata.normalize("NFC", text))).strip()


def find_thai_dates(text: str) -> list[date]:
    """Every day-month-year date in a text, in order; impossible days are skipped."""
    found: list[date] = []
    for match in _DATE_RE.finditer(to_arabic_digits(text)):
        try:
            found.append(_date_from_parts(int(match["day"]), match["month"], match["year"]))
        except ValueError:
            continue
    return found


_MONTH_ONLY_RE = re.compile(
    rf"(?<![\d\s])\s*(?:เดือน)\s*(?P<month>{MONTH_PATTERN})\s*(?:พ\.\s?ศ\.\s*)?(?P<year>\d{{4}}|\d{{2}})(?!\d)"
    rf"|(?<!\d)(?<!\d\s)(?P<month2>{MONTH_PATTERN})\s*(?:พ\.\s?ศ\.\s*)?(?P<year2>\d{{4}}|\d{{2}})(?!\d)"
)


def find_thai_months(text: str) -> list[tuple[int, int]]:
    """Every month named with its year but no day ('ในการประชุมเดือนมกราคม ๒๕๖๔', 'ต.ค. ๖๓'), as
    (Common Era year, month), in order; a month written after a day is a date, not found here."""
    found: list[tuple[int, int]] = []
    for match in _MONTH_ONLY_RE.finditer(to_arabic_digits(text)):
        month, year = (match["month"], match["year"]) if match["month"] else (match["month2"], match["year2"])
        try:
            found.append((be_to_ce(be_year_from_text(year)), month_number(month)))
        except ValueError:
            continue
    return found


def parse_thai_time(text: str) -> time:
    """A clock time as written: '09.30 น.', '๐๙.๓๐ น.', '9:30', 'เวลา ๑๑.๔๐ น.'."""
    match = _TIME_RE.match(_clean_date_text(text))
    if match is None:
        raise ValueError(f"not a time: {text!r}")
    hour, minute = int(match["hour"]), int(match["minute"])
    if hour > 23 or minute > 59:
        raise ValueError(f"no such time: {text!r}")
    return time(hour, minute)


_HTML_TAG_RE = re.compile(r"</?\s*[a-zA-Z][a-zA-Z0-9]*\s*/?>")
_STRAY_MARK_RE = re.compile(r"(?<!\*)\*[^*\s]{1,8}\*(?!\*)")
_EMPHASIS_RE = re.compile(r"\*\*|__")
_HEADING_MARK_RE = re.compile(r"^\s*#+\s*")
_TABLE_RULE_RE = re.compile(r"^[\s|:\-]*$")
_BULLET_RE = re.compile(r"^\s*(?:[-•*·▪◦]\s*|\(?\d+(?:\.\d+)*[.)]\s*)")
_TRAILING_PUNCTUATION_RE = re.compile(r"[\s.,;:!?…\-–—]+$")
_SPACE_NEAR_THAI_RE = re.compile(r"(?<=[\u0e00-\u0e7f])\s+|\s+(?=[\u0e00-\u0e7f])")


#: characters a word processor or a PDF's text layer leaves in a line that show as nothing or as a
#: plain space: zero-width spaces and joiners, word joiners, soft hyphens, a BOM inside the text
_INVISIBLE_RE = re.compile("[\u200b\u200c\u200d\u2060\u00ad\ufeff]")
#: no-break and fixed-width spaces, which look like (and mean) a space
_ODD_SPACE_RE = re.compile("[\u00a0\u2007\u202f\u3000]")


def visible_text(line: str) -> str:
    """The line as a reader sees it: invisible characters removed, odd spaces made plain spaces.

    A zero-width space inside a name ('ทอง\u200bกัลยา') would otherwise make the same person, or
    the same activity, a different one from one meeting to the next, with nothing to see in the
    text to say why."""
    return _ODD_SPACE_RE.sub(" ", _INVISIBLE_RE.sub("", line))


def strip_stray_marks(text: str) -> str:
    """Remove OCR stray marks of the form `*๑๖*` or `*ew.*` (not markdown `**bold**`)."""
    return _STRAY_MARK_RE.sub(" ", text)


def strip_html(text: str) -> str:
    """Remove HTML tags such as <b>, </i>, <p>, <br>, <br/> (each leaves a space)."""
    return _HTML_TAG_RE.sub(" ", text)


def is_table_rule(line: str) -> bool:
    """A markdown table's empty heading or rule row: only pipes, dashes, colons and spaces,
    optionally after a stray list bullet ('- |   |   |', '|---|---|')."""
    body = line.strip()
    if body.startswith("- "):
        body = body[2:]
    return "|" in body and _TABLE_RULE_RE.match(body) is not None


def strip_noise(line: str) -> str:
    """One line's text without markup or OCR noise, whitespace collapsed.

    Removes HTML tags, markdown emphasis (`**`, `__`) and heading marks (`####`), stray marks
    (`*๑๖*`), the outer pipes of a markdown table row; a table rule row becomes ''.
    Inner pipes (cell borders) are kept.
    """
    if is_table_rule(line):
        return ""
    text = unicodedata.normalize("NFC", line)
    text = strip_stray_marks(strip_html(text))
    text = _EMPHASIS_RE.sub("", text)
    text = _HEADING_MARK_RE.sub("", text)
    text = re.sub(r"\s+", " ", text).strip()
    if text.startswith("|"):
        text = text[1:]
    if text.endswith("|"):
        text = text[:-1]
    return text.strip()


def normalise_title(text: str) -> str:
    """A key for matching the same activity title across minutes.

    NFC (and the decomposed sara am 'ํา' recomposed to 'ำ'), Thai digits -> Arabic, HTML tags,
    markdown and stray OCR marks removed, leading bullets and numbering removed, spaces next to
    Thai letters dropped (OCR splits Thai words at random), other whitespace collapsed, trailing
    punctuation dropped, Latin letters case-folded. Not meant for display.
    """
    key = unicodedata.normalize("NFC", text).replace("\u0e4d\u0e32", "\u0e33")
    key = to_arabic_digits(strip_noise(key))
    key = key.replace("|", " ")
    previous = None
    while previous != key:
        previous = key
        key = _BULLET_RE.sub("", key)
    key = _SPACE_NEAR_THAI_RE.sub("", key)
    key = re.sub(r"\s+", " ", key).strip()
    key = _TRAILING_PUNCTUATION_RE.sub("", key)
    return key.casefold()


#: letters OCR reads in place of a digit: 'o'/'O' for ๐/0, 'จ' for ๑ (their shapes are close)
_DIGIT_LOOKALIKES = {"o": 0, "O": 0, "จ": 1}
_THAI_OR_LATIN_LETTER = r"\u0e01-\u0e4f\u0e5a-\u0e7fA-Za-z"
_NUMBER_TOKEN_RE = re.compile(
    rf"(?<![{_THAI_OR_LATIN_LETTER}])[0-9๐-๙oOจ](?:[0-9๐-๙oOจ]|[.,](?=[0-9๐-๙oOจ]))*(?![{_THAI_OR_LATIN_LETTER}])"
)


def repair_ocr_digits(text: str) -> str:
    """Put back digits OCR read as look-alike letters, inside numbers only: a token of digits and
    'o'/'O'/'จ' standing alone (no letter either side) with at least one real digit in it
    ('๒o ม.ค.' -> '๒๐ ม.ค.', 'ร้อยละ ๖o' -> 'ร้อยละ ๖๐', 'จ๕' -> '๑๕'). The digit put back is Thai
    when the token's real digits are Thai, else Arabic. A lone 'o' or 'จ' is left alone: without
    a real digit beside it nothing says it is a number."""

    def repaired(match: re.Match[str]) -> str:
        token = match[0]
        digits = [char for char in token if char.isdigit()]
        if not digits:
            return token
        thai = any(char in THAI_DIGITS for char in digits)
        return "".join(
            (THAI_DIGITS if thai else "0123456789")[_DIGIT_LOOKALIKES[char]] if char in _DIGIT_LOOKALIKES else char
            for char in token
        )

    return _NUMBER_TOKEN_RE.sub(repaired, text)


#: what Tesseract's Thai model wrote for each Thai digit of the sample (its scan's text against the
#: text printed, 179 digits; the digit itself where it read it right): it never writes ๔ ๖ ๗ ๘ ๙
OCR_WRITES: dict[str, dict[str, int]] = {
    "๐": {"๐": 4},
    "๑": {"๑": 42},
    "๒": {"๒": 36, "๕": 1},
    "๓": {"๓": 21, "๕": 1},
    "๔": {"๕": 12, "๓": 1},
    "๕": {"๕": 31, "๓": 1},
    "๖": {"๒": 15, "๐": 2},
    "๗": {},
    "๘": {"๕": 2},
    "๙": {"๓": 3},
}


def ocr_reads_as(written: str, number: int) -> bool:
    """Could the Thai digits `written` be the model's reading of `number` ('๕' of ๔, '๒' of ๖)?"""
    digits = "".join(THAI_DIGITS[int(d)] for d in str(number))
    return len(written) == len(digits) and all(
        w == d or w in OCR_WRITES[d] for w, d in zip(written, digits, strict=True)
    )


def ocr_odds(written: str, number: int) -> float:
    """How likely the model writes `written` for `number` (the counts of `OCR_WRITES`): 1.0 for
    Arabic digits that are the number, 0.0 where no digit could be read so."""
    if written.isascii():
        return 1.0 if written.isdigit() and int(written) == number else 0.0
    digits = "".join(THAI_DIGITS[int(d)] for d in str(number))
    if len(written) != len(digits):
        return 0.0
    odds = 1.0
    for w, d in zip(written, digits, strict=True):
        odds *= OCR_WRITES[d].get(w, 0) / (sum(OCR_WRITES[d].values()) + 1)
    return odds


def ocr_number(text: str) -> int | None:
    """A small whole number as OCR may have written it ('๑', '1', 'จ', '๑o'), or None."""
    arabic = to_arabic_digits(text.strip())
    cleaned = "".join(str(_DIGIT_LOOKALIKES[c]) if c in _DIGIT_LOOKALIKES else c for c in arabic)
    return int(cleaned) if cleaned.isdigit() and cleaned.isascii() else None


#: Thai vowel and tone marks written above or below a consonant: OCR drops, doubles and reorders them
_THAI_MARKS_RE = re.compile(r"[\u0e31\u0e34-\u0e3a\u0e47-\u0e4e\s\u200b\u200c\u200d]")


def skeleton(text: str) -> str:
    """A Thai phrase without its above/below marks and spaces ('แล้ว เสร็จ' and 'แลัวเสร็จ' ->
    'แลวเสรจ'; 'ดำเนินการ' and 'ดาเนินการ' -> 'ดาเนนการ'): what survives OCR, for matching a fixed
    phrase (never for display)."""
    # sara am (ำ) is a nikhahit over sara aa: OCR drops the circle ('ดาเนินการ'), so both read as sara aa
    return _THAI_MARKS_RE.sub("", unicodedata.normalize("NFC", text).replace("\u0e33", "\u0e4d\u0e32"))
