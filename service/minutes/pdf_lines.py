"""Lines a page wrapped, joined back into the lines the minutes were typed as (a PDF's text
layer through `pdf_text`, a scan's OCR through `ocr_lines`).

A word processor wraps a line where the next word would not fit: so a drawn line is joined to the
next only if the next line's first word (`line_breaks.first_word_end`: ICU's Thai words) would not
have fitted, after a space, in the room the line leaves before the right edge of the text (the
furthest any line of the document reaches, unless given). Measured on the corpus printed by
LibreOffice (1,182 line ends, 396 wraps, when first measured): this alone misses 11 wraps and
joins 16 line ends. So the line's start is also read as the parser will read it:

- a heading (activity kind, column, agenda item, มติ), a markdown heading, a line wholly in bold,
  a table border, a results row after a complete row (or the title of the next row, when the line
  after it holds that row's status), and a row with all its table's cells followed by a line with
  a tab start a line of their own, whatever room the line before left; a strategy heading does
  after a table's line or before a table's heading (in a paragraph, 'ยุทธศาสตร์ที่ ๕ …' is not one);
- a line starting with a colon or a closing tag continues the one before;
- for OCR, a line that ends inside a word the document writes whole elsewhere ('ความคล่อง' /
  'ตัว…') is a wrap (LibreOffice's Thai dictionary is not ICU's); in a PDF, where widths are
  measured, the rule found no wrap the widths missed and took 3 line ends for wraps.

What stood at a wrap: a space, nothing (Thai words have no spaces) or a tab. In a PDF (`joined`'s
`indents`) it is read where the page shows it:

- a tab: LibreOffice carries a tab that does not fit to the next line, which so starts at the
  first tab stop; a line at the margin had no tab before it (every tab at a wrap of the corpus,
  8, and no other wrap, starts its next line at a tab stop);
- a space where one is drawn at the line's end (LibreOffice draws the spaces of a Latin run, not
  those of a Thai one: 34 of the corpus's 104 spaces at a wrap), or where the next word would
  have fitted without a space but not with one (the edge taken is the page's width less its left
  margin: `pdf_text._edge`);

and otherwise guessed, as it is everywhere for OCR (whose lines' positions are estimated): a tab
where a results row's status cell starts the next line after an activity with no tab yet, or where
a row short of its table's cells (as many as the last line with a tab since a blank line) breaks
between a closing and an opening tag ('</p>' / '<p>'); a space after ฯ or ๆ, before an abbreviation
('ก.พ.'), or where either side is not a Thai letter; between two Thai letters a space if the
document, within 10,000 characters, writes the two words with one more often than without (in a
PDF), else if it writes the words after or before a space more often than not, else nothing.

Measured on the corpus printed by LibreOffice (1,182 line ends, 388 wraps): 11 line ends read
wrong, 35 before the tabs and spaces the page shows were read (9 of them in the sample, all at a
wrap between two Thai letters, of 273 such: its PDF gives 181 of its 187 commands exactly, the
other 6 differ in a space).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from typing import NamedTuple

from service.minutes import tables
from service.minutes.line_breaks import first_word_end
from service.minutes.thai_text import strip_noise


class Drawn(NamedTuple):
    """A line as drawn: its text (no trailing white), where it starts and ends, its characters'
    advance and the right edge of each of its first characters (for its first word's width)."""

    text: str
    left: float
    right: float
    advance: float
    edges: tuple[float, ...]
    #: a space is drawn after its last character (so it ends at a space, not inside a word)
    spaced: bool = False


#: how far (in character advances) a word may pass the edge and still be taken as fitting: a PDF's
#: loose boxes are exact to 0.01 pt (0.25 took the sample's 'กลยุทธ์', 0.17 over, for fitting);
#: OCR's widths are whole cells
FIT_SLACK = 0.05
#: how near the edge (in advances) a line must end for its last word to be looked for as part of
#: a longer one (Thai words of the sample run to 6 cells)
COMPOUND_ROOM = 6
#: how much of the line before the junction ICU is shown (Thai words are rarely longer)
CONTEXT = 24
#: a line starting with a markdown heading, bold or a table's border starts a line of its own
_STARTS_LINE = re.compile(r"^\s*(?:\*\*|#|\||-\s*\|)")
_PIPE_ROW = re.compile(r"^\s*(?:-\s*)?\|")
_CONTINUES = re.compile(r"^\s*(?:[:：]|</[a-z]+>)")
_AGENDA = re.compile(r"^(?:ระเบียบ\s*)?วาระที่\s*[0-9๐-๙]")
_RESOLUTION = re.compile(r"^มติ(?:\s|$|[:：])")
_THAI_LETTER = re.compile(r"[\u0e01-\u0e4e]")
#: a Thai abbreviation: one or two consonants and a full stop ('ก.พ.', 'ดร.', 'น.')
_ABBREVIATION = re.compile(r"[\u0e01-\u0e2e]{1,2}\.")


def joined(lines: list[Drawn | None], edge: float | None = None, indents: bool = False) -> Iterator[str]:
    """The lines as typed: each wrapped line joined to the one it continues (see the module).
    The right edge of the text is the furthest any line reaches, unless given. `indents`: the
    lines' left edges are where they were drawn (a PDF's, not an OCR's), so a line that starts at
    a tab stop tells a tab the page wrapped at, and one at the margin tells none."""
    drawn = [line for line in lines if line is not None]
    if not drawn:
        return
    usage = _Usage(drawn)
    edge = max(line.right for line in drawn) if edge is None else edge
    margin = min(line.left for line in drawn)
    pending = ""
    seen = 0
    columns = 0
    tabs = 0  # the tabs of the last line that had any: a table's rows have as many
    wraps: list[int] = []  # where in `pending` a wrap was taken for a space
    for index, line in enumerate(lines):
        if line is None:
            if pending:
                yield pending
                pending = ""
            yield ""
            tabs = 0
            continue
        pending += line.text
        seen += 1
        following = lines[index + 1] if index + 1 < len(lines) else None
        after = lines[index + 2] if index + 2 < len(lines) else None
        carried = None if following is None or not indents else following.left - margin > following.advance / 2
        if _PIPE_ROW.match(pending) and pending.endswith("|") and pending.count("|") >= columns:
            columns = pending.count("|")  # a pipe row is whole at as many borders as the last one
            separator = None
        elif following is None:
            separator = None
        else:
            separator = _continues(pending, line, following, after, edge, usage.near(seen), carried)
            if carried:
                # LibreOffice carries a tab that does not fit to the next line, which so starts at
                # the first tab stop: a wrap there was at a tab, and so was a line end where the
                # next word would not have fitted after a tab (unless it starts a line of its own)
                if separator is not None or (
                    not _fits_after_tab(line, following, margin, edge)
                    and not _starts_line(pending, following.text, None if after is None else after.text)
                ):
                    separator = "\t"
            elif (
                # a tab stood at the wrap: a row short of its table's cells, or an activity whose
                # status cell starts the next line (guessed where the lines' left edges are not known)
                carried is None
                and separator is None
                and (
                    (pending.count("\t") < tabs and _cell_edge(pending, following.text))
                    or ("\t" not in pending and _is_status_cell(following.text))
                )
                and not _fits_after_tab(line, following, margin, edge)
            ):
                separator = "\t"
        if (
            separator is not None and not carried and tabs and pending.count("\t") >= tabs and "\t" in following.text  # type: ignore[union-attr]
        ):
            separator = None  # a row with all its cells, then one with a tab: rows of one table
        if separator is None:
            if carried is None and pending.count("\t") < tabs and wraps:
                pending = _cells_filled(pending, wraps, tabs)
            yield pending.replace("\t", " ") if _PIPE_ROW.match(pending) else pending
            if not _PIPE_ROW.match(pending) and "\t" in pending:
                tabs = pending.count("\t")
            pending = ""
            wraps = []
        else:
            if separator == " ":
                wraps.append(len(pending))
            pending += separator
    if pending:
        yield pending


def _cell_edge(before: str, after: str) -> bool:
    """Does a cell's closing tag meet the next one's opening here ('</p>' / '<p>')?"""
    return before.endswith(">") and after.startswith("<")


def _cells_filled(row: str, wraps: list[int], tabs: int) -> str:
    """A row short of its table's cells: wraps taken for spaces where a cell's closing tag meets
    the next one's opening ('</p> <p>') were tabs (a tab at a wrap is not drawn), the last first
    (preferring first list items, '<p>๑.', lost 2 more proposals of the sample's 31 than this)."""
    missing = tabs - row.count("\t")
    edges = [at for at in wraps if _cell_edge(row[:at], row[at + 1 :])]
    edges.sort(reverse=True)
    chars = list(row)
    for at in edges[:missing]:
        chars[at] = "\t"
    return "".join(chars)


class _Usage:
    """The document's own text around a line, to tell whether a word is written after a space."""

    #: how much text either side of a wrap is looked at (about 3 pages of the sample)
    WINDOW = 10_000

    def __init__(self, drawn: list[Drawn]) -> None:
        self.text = "\n".join(line.text for line in drawn)
        self.offsets = list(itertools.accumulate((len(line.text) + 1 for line in drawn), initial=0))
        self.window = (0, 0)
        self._anywhere: dict[str, bool] = {}

    def near(self, line_count: int) -> _Usage:
        at = self.offsets[min(line_count, len(self.offsets) - 1)]
        self.window = (max(0, at - self.WINDOW), at + self.WINDOW)
        return self

    def count(self, what: str) -> int:
        return self.text.count(what, *self.window)

    def anywhere(self, what: str) -> bool:
        """Is `what` written within a line anywhere in the document?"""
        found = self._anywhere.get(what)
        if found is None:
            found = self._anywhere[what] = what in self.text
        return found

    def at_start(self, what: str) -> bool:
        return self.text.startswith(what, *self.window)

    def at_end(self, what: str) -> bool:
        return self.text.endswith(what, *self.window)


def _first_run(following: Drawn) -> float | None:
    """The width of `following`'s text up to its first space or tab (no word runs past it), or
    None when that is beyond the characters whose edges are kept."""
    text = following.text[: len(following.edges)]
    ends = [at for at in (text.find(" "), text.find("\t")) if at > 0]
    if not ends:
        return None
    return following.edges[min(ends) - 1] - following.left


def _first_word(pending: str, following: Drawn) -> tuple[str, float]:
    """The first word of `following` (ICU's, in the context of the line before) and its width."""
    context = pending[-CONTEXT:]
    end = first_word_end(context + following.text, len(context)) - len(context)
    word = following.text[:end].rstrip()
    if not word:
        return "", 0.0
    edges = following.edges
    return word, (edges[len(word) - 1] if len(word) <= len(edges) else following.right) - following.left


#: LibreOffice's default tab stops: every 1.25 cm from the margin
TAB_STOP = 1.25 / 2.54 * 72


def _fits_after_tab(line: Drawn, following: Drawn, margin: float, edge: float) -> bool:
    """Would `following`'s first word have fitted after a tab at the end of `line`?"""
    word, width = _first_word("", following)
    stop = margin + (int((line.right - margin) / TAB_STOP) + 1) * TAB_STOP
    return bool(word) and stop + width <= edge + FIT_SLACK * line.advance


def _wraps(pending: str, line: Drawn, following: Drawn, edge: float) -> bool:
    """Would `following`'s first word not have fitted after a space at the end of `line`?"""
    word, width = _first_word(pending, following)
    return bool(word) and line.right + line.advance + width > edge + FIT_SLACK * line.advance


def _continues(
    pending: str,
    line: Drawn,
    following: Drawn,
    after: Drawn | None,
    edge: float,
    usage: _Usage,
    carried: bool | None = None,
) -> str | None:
    """None when `following` starts a line of its own; else what stood at the wrap. `carried`:
    does `following` start at a tab stop (a tab the page wrapped at), or None when not known."""
    if _PIPE_ROW.match(pending):  # a pipe table's row goes on to its closing border
        return " " if carried is None else _between_words(pending, line, following, edge, usage, True)
    if _CONTINUES.match(following.text):
        return " "  # no line starts with a colon or a closing tag: the page wrapped before it
    run = _first_run(following)
    if run is not None and line.right + line.advance + run <= edge + FIT_SLACK * line.advance:
        return None  # even its first run of letters would have fitted (no need to ask ICU)
    word, width = _first_word(pending, following)
    if not word:
        return None
    slack = FIT_SLACK * line.advance
    if line.right + line.advance + width <= edge + slack:
        # it would have fitted after a space: the line ended there. Where the widths are only
        # estimated (OCR), unless the word is the end of one the document writes whole elsewhere
        # ('ความคล่อง' / 'ตัว…'); in a PDF that rule read 3 line ends of the corpus as wraps
        # ('ด้วยการ' / 'กำหนด…', 'ของเมือง' / 'ในอนาคต') and found no wrap the widths missed
        near = line.right + line.advance + width > edge - COMPOUND_ROOM * line.advance
        return "" if carried is None and near and _splits_a_word(pending, word, usage) else None
    if _starts_line(pending, following.text, None if after is None else after.text):
        return None
    if (
        _is_row(pending)
        and after is not None
        and "\t" not in following.text
        and _title_before(following, after, edge)
        and not _splits_a_word(pending, word, usage)
    ):
        return None
    if carried is not False and "\t" not in pending and _is_status_cell(following.text):
        return "\t"
    return _between_words(pending, line, following, edge, usage, carried is not None)


def _between_words(pending: str, line: Drawn, following: Drawn, edge: float, usage: _Usage, measured: bool) -> str:
    """What stood at a wrap between two words: a space or nothing (Thai has no spaces between
    words). `measured`: the widths are a PDF's, not estimated from an OCR's characters."""
    if line.spaced:
        return " "  # a space is drawn at the line's end
    if (
        not (_THAI_LETTER.match(pending[-1]) and _THAI_LETTER.match(following.text[0]))
        or pending[-1] in "ฯๆ"
        or _ABBREVIATION.match(following.text)
    ):
        # Thai writes a space after ฯ and ๆ, before an abbreviation ('สำนักงาน ก.พ.', 300 times in
        # the corpus, glued once), and between Thai and anything else
        return " "
    word, width = _first_word(pending, following)
    if not word:
        return " "
    fits_bare = line.right + width <= edge + FIT_SLACK * line.advance
    if measured and fits_bare:
        return " "  # the next word would have fitted without a space, not with one: a space stood
    # Thai on both sides: a space if the document writes these two words with one more often than
    # without (in a PDF); else if it writes the words after or before a space more often than not
    last = _last_word(pending[-CONTEXT:])
    if measured and last:
        apart, together = usage.count(last + " " + word), usage.count(last + word)
        if apart != together:
            return " " if apart > together else ""
    spaced, glued = _spacing(word, usage)
    if last:
        before = _spacing_after(last, usage)
        spaced, glued = spaced + before[0], glued + before[1]
    return " " if spaced > glued or (fits_bare and spaced == glued) else ""


def _splits_a_word(pending: str, word: str, usage: _Usage) -> bool:
    """Does the line end inside a word the document writes whole elsewhere ('ความคล่อง' / 'ตัว…',
    'คล่องตัว' 4 times more in the sample)? LibreOffice's Thai dictionary is not ICU's: it keeps
    some words whole that ICU splits, so a line may wrap where ICU sees room for the next word."""
    if not (_THAI_LETTER.match(pending[-1]) and _THAI_LETTER.match(word[0])):
        return False
    last = _last_word(pending[-CONTEXT:])
    return len(last) > 1 and usage.anywhere(last + word)


def _spacing(word: str, usage: _Usage) -> tuple[int, int]:
    """How often `word` follows a space, and how often a letter, near the wrap."""
    spaced = usage.count(" " + word)
    others = usage.count("\n" + word) + usage.count("\t" + word) + usage.at_start(word)
    return spaced, usage.count(word) - spaced - others


def _spacing_after(word: str, usage: _Usage) -> tuple[int, int]:
    """How often `word` is followed by a space, and how often by a letter, near the wrap."""
    spaced = usage.count(word + " ")
    others = usage.count(word + "\n") + usage.count(word + "\t") + usage.at_end(word)
    return spaced, usage.count(word) - spaced - others


def _last_word(context: str) -> str:
    """The last word (ICU's) of `context`."""
    start = 0
    while True:
        end = first_word_end(context, start)
        if end >= len(context) or end <= start:
            return context[start:].strip()
        start = end


def _title_before(following: Drawn, after: Drawn, edge: float) -> bool:
    """Is `following` (after a complete row) the next row's title: the line after it is that
    row's status cell, or it runs on into a line holding a tab and a status?"""
    if _is_status_cell(after.text):
        return True
    return _wraps(following.text, following, after, edge) and _row_start(after.text)


def _starts_line(pending: str, text: str, after: str | None) -> bool:
    """Is `text` the start of a line of its own, whatever the room before it (see the module)? A
    strategy heading is taken so after a table's line, or before a goal, kind or column heading
    or a row ('ยุทธศาสตร์ที่ ๕ ...' in the middle of a paragraph is not one)."""
    if _STARTS_LINE.match(text):
        return True
    plain = strip_noise(text)
    if _AGENDA.match(plain) or _RESOLUTION.match(plain):
        return True
    if tables.kind_heading(text) or tables.is_column_heading(text):
        return True
    heading = tables.strategy_heading(text)
    if heading and ("\t" in pending or heading.continued or _is_whole_markup(pending) or _opens_table(after)):
        return True
    if tables.strategy_heading(pending) and tables.goal_heading(text):
        return True
    if _is_whole_markup(pending):
        return True
    return _is_row(pending) and _row_start(text)


def _opens_table(text: str | None) -> bool:
    return text is not None and bool(
        tables.goal_heading(text) or tables.kind_heading(text) or tables.is_column_heading(text) or _row_start(text)
    )


def _is_row(text: str) -> bool:
    """A results row, title and status: 'title<TAB>status : …' (or its status cell still open)."""
    return _row_start(text) and "\t" in text.strip()


def _row_start(text: str) -> bool:
    """A line holding a tab before a status word, or a status cell whose border was lost (OCR):
    a results row, or its start."""
    head, tab, rest = text.partition("\t")
    return bool(tab and head.strip() and tables.starts_with_status(rest)) or tables.has_status_cell(text)


_WHOLE_MARKUP = re.compile(r"^\s*(?:\*\*.*\*\*|<b>.*</b>|#+ .*)\s*$")


def _is_whole_markup(text: str) -> bool:
    """A line wholly in bold or a markdown heading: '**เรื่อง …**' is a line of its own."""
    return bool(_WHOLE_MARKUP.match(text)) and "\t" not in text


def _is_status_cell(text: str) -> bool:
    """'<b>แล้วเสร็จ :</b> ...': a results row's status and outcome, its activity on the line before."""
    head = text.split("\t", 1)[0]
    return ":" in head[:60] and tables.status_of(head) is not None and tables.row(text) is None
