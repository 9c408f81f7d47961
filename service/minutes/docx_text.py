"""A DOCX's body as the text format's lines, with python-docx.

Paragraphs and tables in the order the document has them. A paragraph is a line (its tabs kept:
'title<TAB>status : outcome' is the results table's row shape whether it was typed with tabs or
put in a table); a line break inside a paragraph starts a new line. A table's row is one line of
its cells joined by tabs, each cell's own lines joined by '<br>' (the text format's shape of a
cell of several lines); a cell merged across columns counts once.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any


class DocxTextError(Exception):
    """A DOCX python-docx cannot open (damaged)."""


def docx_text(path: Path) -> str:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError) as error:
        raise DocxTextError(f"a damaged DOCX ({error})") from None
    return "\n".join(_body_lines(document))


def _body_lines(document: Any) -> Iterator[str]:
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            yield from block.text.split("\n")
        elif isinstance(block, Table):
            yield from _table_lines(block)


def _table_lines(table: Any) -> Iterator[str]:
    for row in table.rows:
        cells: list[str] = []
        seen: set[int] = set()
        for cell in row.cells:
            if id(cell._tc) in seen:  # a merged cell is listed once per column it spans
                continue
            seen.add(id(cell._tc))
            lines = [line.strip() for paragraph in cell.paragraphs for line in paragraph.text.split("\n")]
            cells.append("<br>".join(line for line in lines if line))
        while cells and not cells[-1]:
            cells.pop()
        yield "\t".join(cells)
