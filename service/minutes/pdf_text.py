"""A PDF's text layer back to the lines it was typed as, with PDFium (pypdfium2).

PDFium rather than pdfplumber or pypdf, measured on the sample printed to PDF by LibreOffice
(12 pages): PDFium reads it in 0.06 s, pypdf 0.73 s, pdfplumber 2.0 s; and Thai comes out of
PDFium with 133 misplaced or lost marks in 40,737 characters, where pypdf and pdfplumber double
every sara am (สำานักงาน) and turn ผู้ into ผ้้. The marks PDFium misplaces are the content stream's
order, not the page's; so each line is rebuilt from where each character is drawn (its loose box,
the cell the font gives it):

- a line's characters in the order of their left edges, each Thai combining mark (vowels above and
  below, tone marks) on the letter whose cell holds its centre, marks in Unicode's order;
- the white between two characters is measured, not taken from PDFium's spaces (it adds one for
  any gap and drops runs): in a monospaced text (LibreOffice prints a text file in Liberation
  Mono and TlwgTypo, 6 pt a cell) a gap of a whole number of cells is that many spaces, and one
  off the grid is a tab; so is a gap of two cells or more that ends on a tab stop (every 1.25 cm:
  the 11th is 0.04 cells off the grid, and the sample has a tab that ends there). In a
  proportional text a gap wider than `TAB_GAP` advances is a tab, a narrower one a space;
- a vertical gap of more than 1.5 lines is that many blank lines (`_with_blanks`);
- a space PDFium reads with a width of its own past a line's last letter is kept as the line's
  `spaced` (a space drawn at a wrap; PDFium's own spaces have no width), and where each line
  starts (a line the page wrapped at a tab starts at a tab stop);
- a line the page wrapped is joined to the next (`service.minutes.pdf_lines`), the text's right
  edge taken as the page's width less its left margin (`_edge`).

Speed: one PDFium call per character (its loose box), marks told apart as they are read, plain
tuples: a 200-page PDF (the sample's pages repeated, 700,000 characters) in 10.6 s at a load of 6
on 2 cores where the former rebuild (a dataclass per glyph) took 11.5 to 12.4 s, and did not
join wraps nor measure tabs; 5.3 s at a load of 5.
"""

from __future__ import annotations

import bisect
import ctypes
import functools
import itertools
import statistics
import unicodedata
from collections import Counter
from pathlib import Path

from service.minutes.pdf_lines import Drawn, joined

#: a gap wider than this (in character advances) is a tab, in a proportional text
TAB_GAP = 2.0
#: a gap off a whole number of cells by more than this (in cells) is a tab, in a monospaced text:
#: the loose boxes are exact to 0.01 pt, the nearest tab stop to the grid is 0.055 cells off it
GRID_SLACK = 0.03
#: the default tab stops of LibreOffice (1.25 cm) and Word (0.5 inch), in points from the margin: a
#: gap off the grid that ends on one is a tab even when narrower than a cell (the sample's
#: '(Engagement)<TAB>แล้วเสร็จ' is 0.5 pt wide)
TAB_STOPS = (1.25 / 2.54 * 72, 0.5 * 72)
STOP_SLACK = 0.6
#: the characters of a line whose right edges are kept (for the width of its first word)
EDGES_KEPT = 64
_TONE_ORDER = {
    chr(c): i for i, c in enumerate([*range(0x0E31, 0x0E32), *range(0x0E34, 0x0E3B), *range(0x0E47, 0x0E4F)])
}


class PdfTextError(Exception):
    """A PDF PDFium cannot open (damaged, encrypted)."""


@functools.cache
def is_mark(char: str) -> bool:
    """A combining mark: drawn over or under a letter, with no advance of its own."""
    return char in _TONE_ORDER or (unicodedata.category(char) == "Mn")


def pdf_page_count(path: Path) -> int:
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as error:
        raise PdfTextError(f"PDFium cannot open it ({error})") from None
    try:
        return len(document)
    finally:
        document.close()


def pdf_text(path: Path) -> str:
    """The text layer of every page, as the lines it was typed as (see the module's docstring)."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as error:
        raise PdfTextError(f"PDFium cannot open it ({error})") from None
    try:
        pages: list[list[tuple[Drawn, float]]] = []
        widths: list[float] = []
        for index in range(len(document)):
            page = document[index]
            textpage = page.get_textpage()
            pages.append(_page_lines(textpage))
            widths.append(page.get_width())
            textpage.close()
            page.close()
    finally:
        document.close()
    return "\n".join(joined(_with_blanks(pages), _edge(pages, widths), indents=True))


def _edge(pages: list[list[tuple[Drawn, float]]], widths: list[float]) -> float | None:
    """The right edge of the text: the page's width less its left margin (where lines start), or
    the furthest a line reaches if further. A page's right margin is taken as no wider than its
    left (LibreOffice's and Word's are the same; a binding margin is on the left); the furthest a
    line reaches alone falls short of the edge by up to a cell in a short text, so a word that
    would have fitted after a space was read as wrapped (digital 2/2564's table row)."""
    lines = [line for page in pages for line, _ in page]
    if not lines or not widths:
        return None
    width = Counter(round(w, 1) for w in widths).most_common(1)[0][0]
    return max(width - min(line.left for line in lines), max(line.right for line in lines))


def _with_blanks(pages: list[list[tuple[Drawn, float]]]) -> list[Drawn | None]:
    """The lines of all pages, a vertical gap of more than 1.5 lines standing for that many blank
    lines (at most 5). The line pitch is the document's: the smallest gap between baselines that
    at least one in twenty gaps has (a page of single lines between blank ones would otherwise
    take the double gap for the pitch: minutes 2/2564's second page lost its blank lines so)."""
    gaps = Counter(round(a[1] - b[1], 1) for lines in pages for a, b in itertools.pairwise(lines) if a[1] - b[1] > 1)
    total = sum(gaps.values())
    pitch = min((gap for gap, count in gaps.items() if count >= max(2, total / 20)), default=0.0)
    out: list[Drawn | None] = []
    for lines in pages:
        previous: float | None = None
        for line, baseline in lines:
            if previous is not None and pitch > 0:
                blanks = round((previous - baseline) / pitch) - 1
                out.extend([None] * max(0, min(blanks, 5)))
            out.append(line)
            previous = baseline
    return out


_Glyph = tuple[float, float, float, str]  # left, right, bottom, char (marks appended to char)


def _page_lines(textpage: object) -> list[tuple[Drawn, float]]:
    """The page's lines and their baselines, from PDFium's characters and their loose boxes."""
    count = textpage.count_chars()  # type: ignore[attr-defined]
    if count <= 0:
        return []
    import pypdfium2.raw as pdfium_c

    text = textpage.get_text_range(0, count)  # type: ignore[attr-defined]
    raw = textpage.raw  # type: ignore[attr-defined]
    rect = pdfium_c.FS_RECTF()
    ref = ctypes.byref(rect)
    loose = pdfium_c.FPDFText_GetLooseCharBox
    marks_of = _MARKS
    rows: list[tuple[list[_Glyph], list[_Glyph], float]] = []  # each line's letters, marks, last space
    bases: list[_Glyph] = []
    marks: list[_Glyph] = []
    space = -1.0  # the right edge of the line's rightmost drawn space (PDFium's own have no width)
    for index, char in enumerate(text[:count]):
        if char == "\n":
            rows.append((bases, marks, space))
            bases, marks, space = [], [], -1.0
        elif char == " ":
            loose(raw, index, ref)
            if rect.right - rect.left > 0.1 and rect.right > space:
                space = rect.right
        elif not char.isspace():  # the white is measured from the gaps, not taken from PDFium
            loose(raw, index, ref)
            mark = marks_of.get(char)
            if mark is None:
                mark = marks_of[char] = is_mark(char)
            (marks if mark else bases).append((rect.left, rect.right, rect.bottom, char))
    rows.append((bases, marks, space))
    widths = [g[1] - g[0] for letters, _, _ in rows for g in letters]
    if not widths:
        return []
    advance = statistics.median(widths) or 6.0
    monospaced = sum(1 for w in widths if abs(w - advance) < 0.05 * advance) >= 0.9 * len(widths)
    # the left margin: where most lines start (a mark's or sara am's box may reach left of it)
    starts = Counter(round(min(g[0] for g in letters), 1) for letters, _, _ in rows if letters)
    margin = starts.most_common(1)[0][0]
    return [_line(letters, found, space, advance, monospaced, margin) for letters, found, space in rows if letters]


#: is a character a combining mark (filled as characters are met: a dict lookup per character)
_MARKS: dict[str, bool] = {}


def _on_stop(at: float) -> bool:
    return any(abs(at / stop - round(at / stop)) * stop < STOP_SLACK for stop in TAB_STOPS)


def _white(gap: float, at: float, advance: float, monospaced: bool) -> str:
    """What a gap of `gap` points before a character `at` points from the margin stands for."""
    cells = gap / advance
    if not monospaced:
        return "" if cells < 0.15 else "\t" if cells > TAB_GAP else " "
    whole = round(cells)
    if abs(cells - whole) <= GRID_SLACK:  # two cells or more up to a tab stop: a tab on the grid
        return "\t" if whole >= 2 and _on_stop(at) else " " * whole
    return "\t" if cells > 1 or _on_stop(at) else " " * whole


def _line(
    bases: list[_Glyph], marks: list[_Glyph], space: float, advance: float, monospaced: bool, margin: float
) -> tuple[Drawn, float]:
    """One drawn line: its characters placed (see the module's docstring) and its baseline."""
    lefts = [g[0] for g in bases]
    if lefts != sorted(lefts):
        bases.sort(key=lambda g: g[0])
        lefts.sort()
    chars = [g[3] for g in bases]
    if marks:
        attached: dict[int, list[str]] = {}
        for mark in marks:
            centre = (mark[0] + mark[1]) / 2
            host = max(0, bisect.bisect_right(lefts, centre) - 1)
            attached.setdefault(host, []).append(mark[3])
        for host, found in attached.items():
            found.sort(key=lambda m: _TONE_ORDER.get(m, 99))
            chars[host] += "".join(found)
    out: list[str] = []
    edges: list[float] = []
    right = bases[0][0]
    quiet = (GRID_SLACK if monospaced else 0.15) * advance  # a gap narrower than this is no gap
    odd_width = 0.05 * advance
    for glyph, char in zip(bases, chars, strict=True):
        left = glyph[0]
        odd = monospaced and abs(glyph[1] - left - advance) > odd_width
        if out and not odd and left - right > quiet:
            separator = _white(left - right, left - margin, advance, monospaced)
            if separator:
                out.append(separator)
                if len(edges) < EDGES_KEPT:
                    edges.extend([right] * len(separator))
        out.append(char)
        # sara am's box (after a tone mark, narrower) is off its cell: the cell is what counts
        right = (right if right > left else left) + advance if odd else (right if right > glyph[1] else glyph[1])
        if len(edges) < EDGES_KEPT:
            edges.extend([right] * len(char))
    bottoms = sorted(g[2] for g in bases)
    # a space drawn past the last letter: the line ends at a space (LibreOffice draws the spaces of a
    # Latin run, not of a Thai one)
    spaced = space > right + 0.5 * advance
    line = Drawn("".join(out), bases[0][0], right, advance, tuple(edges), spaced)
    return line, bottoms[len(bottoms) // 2]
