"""Tesseract's text of scanned minutes back to the lines they were typed as, as far as it shows.

What Tesseract's Thai model makes of the sample printed by LibreOffice and scanned (300 dpi):

- each drawn line a line, a blank line between most of them (its paragraphs are not the typist's):
  blank lines are dropped, and lines the page wrapped are joined back as for a PDF
  (`service.minutes.pdf_lines`), each line's width taken from its characters: the page was
  printed in a monospaced font, so a line's width is its count of letters, spaces and tabs;
- a tab (a table's column) as a run of two spaces or more: read as a tab;
- `<b>` and `<i>` as '<0>' and '<1>' (the model has no Latin letters): put back;
- a wide gap between two cells as '«': a tab;
- tone marks dropped from the words the structure hangs on ('ครั้งที' for 'ครั้งที่', 'ระเบยบวาระท ๒'
  for 'ระเบียบวาระที่ ๒', 'เริมประชุม'): put back;
- sara am decomposed ('ํา'), its halves sometimes on two lines: recomposed, and NFC;
- '<br>' as '<07>', '<076>', '<0ธ>': put back; a vowel or tone mark after a full stop
  ('อ.ุก.ุก.') and an abbreviation's last stop read as a comma ('ก.ก,'): a stop's debris, dropped;
- a line of specks (no two Thai letters together, no abbreviation, no Latin word, no border or
  markup: '9 -๑๐%  2', '๕  ซ่'): dropped, and a border opening no table row is a speck too;
- a pipe table's rows (`_pipe_rows`): borders read twice or with debris, a border read as a
  gap, a row broken over lines, the row numbers the model misreads: each row one line as typed;
- the heading's meeting number and date, whose digits the model misreads: read back from the
  minutes' own dates (`ocr_dates`).

Measured on the sample's scan (tests/fixtures/minutes_1_2564.tesseract.txt): its number and date,
1/2525 and 2 January 2525 (a Saturday in 1982) before, read 1/2564 and 6 January 2564; its 12
members' table, its secretaries and its absentees come out as the sample's (but one letter of a
name); 8 lines are left unplaced, 20 before.

Thai digits read as other Thai digits elsewhere (๖ as ๒) and Latin words read as Thai letters
cannot be put back from the text: the parser's own OCR tolerance (`tables`,
`thai_text.repair_ocr_digits`, a list's numbers and counts read through `thai_text.OCR_WRITES`)
does what it can with them.
"""

from __future__ import annotations

import re
import unicodedata

from service.minutes.ocr_dates import meeting_date_read
from service.minutes.pdf_lines import Drawn, joined
from service.minutes.pdf_text import is_mark

#: the width a character stands for (a monospaced cell), in the units `pdf_lines` measures in
CELL = 6.0
_BOLD = re.compile(r"<(/?)[0๐Oo]>")
#: '<br>' as the model reads it: '<07>', '<076>', '<0ธ>', '<0ธ76>' (b as 0, r as 7 or ธ)
_BREAK = re.compile(r"<[0๐Oo][7๗ธr][^<>\s]{0,2}>")
#: a vowel or tone mark after a full stop, a comma or a space is a stop's debris ('อ.ุก.ุก.' for
#: 'อ.ก.ก.'): no mark stands there in Thai
_STRAY_MARKS = re.compile(r"(?<=[.,\s])[\u0e31\u0e34-\u0e3a\u0e47-\u0e4e]+")
#: an abbreviation's last stop read as a comma ('ก.ก,' for 'ก.ก.')
_ABBREVIATION_COMMA = re.compile(r"(?<=[\u0e01-\u0e2e]\.[\u0e01-\u0e2e]),\.?(?=[\s|]|$)", re.MULTILINE)
#: the model's gap mark at a line's start ('«๕. นายศรศิริ'): nothing
_LEADING_GAP_MARK = re.compile(r"^[«»]\s*", re.MULTILINE)
#: a pipe table row's start: a border, then a row number as the model may read it ('๑.', '9.', 'ซ.',
#: '=.', '«๕. ไ')
_ROW_START = re.compile(r"^\|\s*[«»]?\s*[^\s|]{1,3}\.[^|]{0,3}\|")
#: a border read twice or with a letter between ('||', '|ป|'); a letter glued before a border ('ไ|')
_BORDER_DEBRIS = re.compile(r"\|[^\s|]?\|")
_DEBRIS_BEFORE_BORDER = re.compile(r"(?<=\s)[^\s|](?=\|)")
#: a gap of two spaces or more between two cells' texts: a border the model did not see
_GAP_IN_ROW = re.compile(r"(?<=[^\s|])\s{2,}(?=[^\s|])")
_WORDLIKE = re.compile(
    r"[\u0e01-\u0e2e\u0e30-\u0e45][\u0e31\u0e34-\u0e3a\u0e47-\u0e4e]*[\u0e01-\u0e2e\u0e30-\u0e45]|[A-Za-z]{3}"
)
#: the Thai word a row's line ends with, and the one the next line starts with
_TAIL = re.compile(r"[\u0e01-\u0e4e]+$")
_HEAD = re.compile(r"[\u0e01-\u0e4e]+")
_ITALIC = re.compile(r"<(/?)[1๑lI|]>")
_PIECE = re.compile(r" {2,}|.")
#: a mark the model reads in a wide gap between two cells ('โครงการ/กิจกรรม</b> «<b>ผลลัพธ์'): a tab;
#: and between two bold cells, whatever short debris stands there ('</b> แ«<b>')
_GAP_MARK = re.compile(r" +[«»] *| *[«»] +")
_BOLD_CELLS = re.compile(r"</b>[ \t]*[^\s<]{0,2}[ \t]*<b>")
#: tone marks the model drops on the words the minutes' structure hangs on: 'ที่' as an ordinal
#: ('ครั้งที ๑/๒๕๖๔', 'วันที ๖', 'ยุทธศาสตร์ที ๑', 'ระเบียบวาระที ๒', 'ระเบยบวาระท ๒'), 'เมื่อ', 'เรื่อง',
#: 'สื่อ'
_DROPPED_TONES = (
    (re.compile(r"(ครั้ง|วัน|วาระ|ศาสตร์|ข้อ|ลำดับ|คน)\s*ที(?![\u0e48-\u0e4b])"), r"\1ที่"),
    (re.compile(r"(ครั้ง|วาระ|ศาสตร์)ท(?=\s*[๐-๙0-9])"), r"\1ที่"),
    (re.compile(r"ระเบยบ"), "ระเบียบ"),
    (re.compile(r"เริม(?=ประชุม)"), "เริ่ม"),
    (re.compile(r"เมือ(?=\s*(?:วัน|[0-9๐-๙]))"), "เมื่อ"),
    (re.compile(r"เรือง"), "เรื่อง"),
    (re.compile(r"สือ(?![\u0e48-\u0e4b])"), "สื่อ"),
)


def ocr_text(text: str) -> str:
    """The lines of Tesseract's `text` as typed (see the module's docstring)."""
    # sara am decomposed ('ํา') and recomposed, also where the model put its halves on two lines
    text = re.sub(r"\u0e4d\s*\n\s*(?=\u0e32)", "\u0e4d", unicodedata.normalize("NFC", text))
    text = text.replace("\u0e4d\u0e32", "\u0e33")
    text = _ITALIC.sub(r"<\1i>", _BOLD.sub(r"<\1b>", _BREAK.sub("<br>", text)))
    text = _BOLD_CELLS.sub("</b>  <b>", _GAP_MARK.sub("  ", text))
    text = _ABBREVIATION_COMMA.sub(".", _STRAY_MARKS.sub("", _LEADING_GAP_MARK.sub("", text)))
    for dropped, word in _DROPPED_TONES:
        text = dropped.sub(word, text)
    read = [line.strip() for line in text.splitlines() if line.strip()]
    lines: list[Drawn | None] = [_drawn(line) for line in _pipe_rows([line for line in read if not _is_debris(line)])]
    widths = sorted(_drawn(line).right for line in read)
    # the text's right edge: where the fullest lines end (a line of debris may run past it)
    edge = widths[int(0.9 * (len(widths) - 1))] if widths else 0.0
    return meeting_date_read("\n".join(joined(lines, edge)))


def _pipe_rows(lines: list[str]) -> list[str]:
    """A pipe table's rows each on one line, as typed. The model reads a border twice or with
    debris ('| ๑. || name', '| ๘. ไ|ป| name'), a border between two cells as a gap ('…กรุงเทพมหานคร
    อ.ก.ก.'), and breaks a row over lines, its closing border alone on the last one: a row starts
    at a line that opens with a border and a row number as the model may read it ('| ซ. |'), and
    takes the lines after it up to one that ends with a border, as many borders as the table's
    first row has (a line break where one is short stood for the border between the last two). Each
    row's number is its place in the table (the model reads ๖, ๗, ๘, ๙ as '9', 'ซ', '๕', '=')."""
    text = "\n".join(lines)
    out: list[str] = []
    row: str | None = None
    borders = 0
    number = 0  # the row's place in its table: its number, which the model misreads ('ซ.' for '๗.')
    for line in lines:
        if _ROW_START.match(line):
            if row is not None:
                out.append(row)
            number = number + 1 if out and out[-1].startswith("|") else 1
            row = _ROW_START.sub(f"| {_thai(number)}. |", _clean_row(line), count=1)
        elif row is not None and ("|" in line or not row.endswith("|")):
            cleaned = _clean_row(line)
            short = borders and cleaned.endswith("|") and row.count("|") + cleaned.count("|") < borders
            row = f"{row} | {cleaned}" if short else f"{row}{_joiner(row, cleaned, text)}{cleaned}"
        else:
            if row is not None:
                out.append(row)
                row = None
            # a border opening no row is a speck (read as one, it would take the lines after it)
            out.append(line.lstrip("|").strip() if line.startswith("|") else line)
            continue
        if row.endswith("|") and row.count("|") >= max(borders, 3):
            borders = borders or row.count("|")
            out.append(row)
            row = None
    if row is not None:
        out.append(row)
    return out


def _is_debris(line: str) -> bool:
    """A line of specks the model read as characters ('9 -๑๐%  2', '๕  ซ่'): no two Thai letters
    together, no abbreviation ('ก.ก.'), no Latin word, no table border, no markup."""
    return not (_WORDLIKE.search(line) or re.search(r"[\u0e01-\u0e2e]\.|[|*<]", line))


def _joiner(row: str, line: str, text: str) -> str:
    """What stood where the model broke a row's line: a space, or nothing where the document writes
    the two Thai words either side together elsewhere ('สำนักงาน' / 'คณะกรรมการ…')."""
    tail, head = _TAIL.search(row), _HEAD.match(line)
    if tail and head and (tail[0] + head[0]) in text and f"{tail[0]} {head[0]}" not in text:
        return ""
    return " "


def _thai(number: int) -> str:
    return "".join("๐๑๒๓๔๕๖๗๘๙"[int(d)] for d in str(number))


def _clean_row(text: str) -> str:
    """A row's line without a border's debris, its gaps between cells as borders."""
    text = _BORDER_DEBRIS.sub("|", text)
    text = _DEBRIS_BEFORE_BORDER.sub("", text)
    text = _GAP_IN_ROW.sub(" | ", text)
    return re.sub(r"\s+", " ", text).strip()


def _drawn(line: str) -> Drawn:
    """A line as if drawn in cells: each letter (not a mark) and each space of a run one cell; a
    run of two spaces or more is a tab, as wide as the run."""
    text: list[str] = []
    edges: list[float] = []
    cells = 0
    for match in _PIECE.finditer(line):
        piece = match[0]
        if len(piece) > 1:
            cells += len(piece)
            piece = "\t"
        elif not is_mark(piece):
            cells += 1
        text.append(piece)
        edges.append(cells * CELL)
    return Drawn("".join(text), 0.0, cells * CELL, CELL, tuple(edges))
