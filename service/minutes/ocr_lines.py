"""Tesseract's text of scanned minutes back to the lines they were typed as, as far as it shows.

What Tesseract's Thai model makes of the sample printed by LibreOffice and scanned (300 dpi):

- each drawn line a line, a blank line between most of them (its paragraphs are not the typist's):
  blank lines are dropped, and lines the page wrapped are joined back as for a PDF
  (`service.minutes.pdf_lines`), each line's width taken from its characters: the page was
  printed in a monospaced font, so a line's width is its count of letters, spaces and tabs;
- a tab (a table's column) as a run of two spaces or more: read as a tab;
- `<b>` and `<i>` as '<0>' and '<1>' (the model has no Latin letters): put back;
- a wide gap between two cells as '«': a tab;
- tone marks dropped from the words the structure hangs on ('ครั้งที' for 'ครั้งที่'): put back;
- sara am decomposed ('ํา'): recomposed, and NFC.

Thai digits read as other Thai digits (๖ as ๒) and Latin words read as Thai letters cannot be put
back from the text: the parser's own OCR tolerance (`tables`, `thai_text.repair_ocr_digits`)
does what it can with them.
"""

from __future__ import annotations

import re
import unicodedata

from service.minutes.pdf_lines import Drawn, joined
from service.minutes.pdf_text import is_mark

#: the width a character stands for (a monospaced cell), in the units `pdf_lines` measures in
CELL = 6.0
_BOLD = re.compile(r"<(/?)[0๐Oo]>")
_ITALIC = re.compile(r"<(/?)[1๑lI|]>")
_PIECE = re.compile(r" {2,}|.")
#: a mark the model reads in a wide gap between two cells ('โครงการ/กิจกรรม</b> «<b>ผลลัพธ์'): a tab;
#: and between two bold cells, whatever short debris stands there ('</b> แ«<b>')
_GAP_MARK = re.compile(r" +[«»] *| *[«»] +")
_BOLD_CELLS = re.compile(r"</b>[ \t]*[^\s<]{0,2}[ \t]*<b>")
#: tone marks the model drops on the words the minutes' structure hangs on: 'ที่' as an ordinal
#: ('ครั้งที ๑/๒๕๖๔', 'วันที ๖', 'ยุทธศาสตร์ที ๑', 'ระเบียบวาระที ๒'), 'เมื่อ', 'เรื่อง', 'สื่อ'
_DROPPED_TONES = (
    (re.compile(r"(ครั้ง|วัน|วาระ|ศาสตร์|ข้อ|ลำดับ|คน)\s*ที(?![\u0e48-\u0e4b])"), r"\1ที่"),
    (re.compile(r"เมือ(?=\s*(?:วัน|[0-9๐-๙]))"), "เมื่อ"),
    (re.compile(r"เรือง"), "เรื่อง"),
    (re.compile(r"สือ(?![\u0e48-\u0e4b])"), "สื่อ"),
)


def ocr_text(text: str) -> str:
    """The lines of Tesseract's `text` as typed (see the module's docstring)."""
    text = unicodedata.normalize("NFC", text).replace("\u0e4d\u0e32", "\u0e33")
    text = _ITALIC.sub(r"<\1i>", _BOLD.sub(r"<\1b>", text))
    text = _BOLD_CELLS.sub("</b>  <b>", _GAP_MARK.sub("  ", text))
    for dropped, word in _DROPPED_TONES:
        text = dropped.sub(word, text)
    lines: list[Drawn | None] = [_drawn(line.strip()) for line in text.splitlines() if line.strip()]
    widths = sorted(line.right for line in lines if line is not None)
    # the text's right edge: where the fullest lines end (a line of debris may run past it)
    edge = widths[int(0.9 * (len(widths) - 1))] if widths else 0.0
    return "\n".join(joined(lines, edge))


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
