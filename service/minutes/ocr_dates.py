"""The meeting's number and date read back from the Thai digits Tesseract's Thai model misreads.

Measured on the sample (Tesseract's text of its scan, tests/fixtures/minutes_1_2564.tesseract.txt,
against the text it was printed from, 179 Thai digits): the model never writes ๔, ๖, ๗, ๘ or ๙. It
writes ๒ for ๖ (15 of 17 read as digits), ๕ for ๔ (12 of 13) and for ๘, ๓ for ๙ (3 of 3): so the
sample's 'วันที่ ๖ มกราคม ๒๕๖๔' came out 'วันที่ ๒ มกราคม ๒๕๒๕', a Saturday in 1982. The text alone
cannot say which digit stood; the minutes' own dates narrow it:

- every reading of the written digits (each digit one the model writes so: `thai_text.OCR_WRITES`) is a
  candidate date for the meeting, and the meeting's number ('ครั้งที่ ๑/๒๕๒๕') takes its year;
- the meeting is held on a working day (Monday to Friday);
- a date the minutes give with its weekday ('ในวันพุธที่ ๓ กุมภาพันธ์ ๒๕๒๕', the next meeting) and
  whose year is written as the meeting's falls on that weekday, after the meeting, within a year;
- of the readings left, the likeliest: the chance the model writes what it wrote for each digit
  read (the counts of `OCR_WRITES`), times a prior that halves for every `HALF_LIFE` years the
  meeting lies before today (minutes are imported after the meeting, most of them soon after).

The sample so reads 6 January 2564 (2021), a Wednesday, its next meeting Wednesday 3 February:
1982 is as good a fit of the weekdays but 39 years older, and 6 January 2565 (with 9 February, ๙
read as ๓) needs the rarer misreadings. Only the heading's number and date, and the weekday dates
that decided them, are rewritten; other years in the text are left as read.
"""

from __future__ import annotations

import itertools
import math
import re
from datetime import date, timedelta

from service.minutes.thai_text import MONTHS, OCR_WRITES, THAI_DIGITS, month_number

#: the prior of a meeting halves for every this many years it lies before today
HALF_LIFE = 10.0
#: Buddhist Era years a meeting's year may be read as
_YEARS = range(2400, 2700)
_MONTH_NAMES = "|".join(full for full, _ in MONTHS)
_CODE_RE = re.compile(r"(ครั้งที่\s*)(?P<number>[๐-๙]{1,2})/(?P<year>[๐-๙]{4})")
_DATE_RE = re.compile(rf"(วันที่\s*)(?P<day>[๐-๙]{{1,2}})(\s*)(?P<month>{_MONTH_NAMES})(\s*)(?P<year>[๐-๙]{{4}})")
_WEEKDAYS = {"จันทร์": 0, "อังคาร": 1, "พุธ": 2, "พฤหัสบดี": 3, "ศุกร์": 4, "เสาร์": 5, "อาทิตย์": 6}
_WEEKDAY_DATE_RE = re.compile(
    rf"(วัน(?P<weekday>{'|'.join(_WEEKDAYS)})ที่\s*)(?P<day>[๐-๙]{{1,2}})(\s*)(?P<month>{_MONTH_NAMES})(\s*)"
    rf"(?P<year>[๐-๙]{{4}})"
)
#: the heading: the lines before the first attendance group
_HEADING_END = re.compile(r"^\**ผู้(?:มา|ไม่มา|เข้าร่วม)ประชุม")


def _readings(written: str) -> dict[str, float]:
    """Each digit string `written` may stand for, with the log chance the model writes it so."""
    options: list[list[tuple[str, float]]] = []
    for char in written:
        found = []
        for digit, wrote in OCR_WRITES.items():
            if char in wrote:
                found.append((digit, math.log(wrote[char] / (sum(wrote.values()) + 1))))
        options.append(found or [(char, 0.0)])
    return {"".join(d for d, _ in combo): sum(p for _, p in combo) for combo in itertools.product(*options)}


def _number(digits: str) -> int:
    return int("".join(str(THAI_DIGITS.index(d)) for d in digits))


def _thai(number: int, width: int) -> str:
    return "".join(THAI_DIGITS[int(d)] for d in str(number).zfill(width))


def meeting_date_read(text: str, today: date | None = None) -> str:
    """`text` (Tesseract's, as `ocr_lines` cleans it) with the heading's meeting number and date,
    and the weekday dates that tell them, read as the module says; unchanged where nothing fits."""
    today = today or date.today()
    lines = text.split("\n")
    heading = next((n for n, line in enumerate(lines) if _HEADING_END.match(line.strip())), min(len(lines), 10))
    code_at = next((n for n in range(heading) if _CODE_RE.search(lines[n])), None)
    date_at = next((n for n in range(heading) if _DATE_RE.search(lines[n])), None)
    if date_at is None:
        return text
    found = _DATE_RE.search(lines[date_at])
    if found is None:
        return text
    year_written = found["year"]
    weekday_dates = [
        (n, match)
        for n, line in enumerate(lines)
        if n > date_at
        for match in _WEEKDAY_DATE_RE.finditer(line)
        if match["year"] == year_written
    ]
    best: tuple[float, int, int, list[int]] | None = None
    for year_digits, year_odds in _readings(year_written).items():
        year = _number(year_digits)
        if year not in _YEARS:
            continue
        for day_digits, day_odds in _readings(found["day"]).items():
            held = _date(year, found["month"], _number(day_digits))
            if held is None or held.weekday() > 4 or held > today:
                continue
            odds = year_odds + day_odds - math.log(2) * (today - held).days / 365.25 / HALF_LIFE
            days: list[int] = []
            for _, match in weekday_dates:
                fits = [
                    (other_odds, _number(other))
                    for other, other_odds in _readings(match["day"]).items()
                    if (later := _date(year, match["month"], _number(other))) is not None
                    and later.weekday() == _WEEKDAYS[match["weekday"]]
                    and held < later <= held + timedelta(days=366)
                ]
                if not fits:
                    break
                other_odds, other_day = max(fits)
                odds += other_odds
                days.append(other_day)
            else:
                if best is None or odds > best[0]:
                    best = (odds, year, _number(day_digits), days)
    if best is None:
        return text
    _, year, day, days = best
    year_thai = _thai(year, 4)
    lines[date_at] = _DATE_RE.sub(
        lambda m: f"{m[1]}{_thai(day, len(m['day']))}{m[3]}{m['month']}{m[5]}{year_thai}", lines[date_at], count=1
    )
    if code_at is not None:
        lines[code_at] = _CODE_RE.sub(
            lambda m: f"{m[1]}{m['number']}/{year_thai if m['year'] == year_written else m['year']}",
            lines[code_at],
            count=1,
        )
    for (n, match), other_day in zip(weekday_dates, days, strict=True):
        start, end = match.span()
        rewritten = f"{match[1]}{_thai(other_day, len(match['day']))}{match[4]}{match['month']}{match[6]}{year_thai}"
        line = lines[n]
        line = line[:start] + rewritten + line[end:]
        # the next meeting's number on the same line, its year written as the meeting's
        lines[n] = _CODE_RE.sub(
            lambda m: f"{m[1]}{m['number']}/{year_thai if m['year'] == year_written else m['year']}", line
        )
    return "\n".join(lines)


def _date(year: int, month: str, day: int) -> date | None:
    try:
        return date(year - 543, month_number(month), day)
    except ValueError:
        return None
