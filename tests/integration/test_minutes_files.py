"""Bad minutes files through the real command line on real PostgreSQL: each refused in one line
with a non-zero exit, nothing recorded, and the sample still imports in full afterwards; a cut
file no longer poisons the plan; the same minutes twice in one file are recorded once."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from tests.integration.test_cli import planledger
from tests.paths import SAMPLE_MINUTES

SAMPLE = SAMPLE_MINUTES.read_text(encoding="utf-8")
LINES = SAMPLE.splitlines()


def events(database_url: str) -> int:
    with psycopg.connect(database_url, autocommit=True) as conn:
        exists = conn.execute("SELECT to_regclass('planledger_events') IS NOT NULL").fetchone()
        if not exists or not exists[0]:
            return 0
        row = conn.execute("SELECT count(*) FROM planledger_events").fetchone()
        return int(row[0]) if row else 0


def _scan(path: Path) -> None:
    """A PDF of one page image and no text layer, as a scanner makes."""
    from PIL import Image, ImageDraw

    page = Image.new("L", (1240, 1754), 255)
    ImageDraw.Draw(page).rectangle((100, 100, 1100, 300), outline=0, width=5)
    page.save(path, "PDF", resolution=150)


BAD: dict[str, tuple[Callable[[Path], None], str]] = {
    "empty": (lambda p: p.write_bytes(b""), "the file is empty"),
    "binary": (lambda p: p.write_bytes(os.urandom(64 * 1024)), "a binary file, not minutes"),
    "utf-16 without a byte-order mark": (
        lambda p: p.write_bytes(SAMPLE.encode("utf-16-le")),
        "iconv -f UTF-16LE -t UTF-8",
    ),
    "cp874": (lambda p: p.write_bytes(SAMPLE.encode("cp874", errors="replace")), "iconv -f CP874 -t UTF-8"),
    "cut mid-table": (
        lambda p: p.write_text("\n".join(LINES[:213])),
        ":213: the minutes stop here, inside a table row",
    ),
    "cut before the signature": (
        lambda p: p.write_text("\n".join(LINES[: LINES.index("**เลิกประชุมเวลา ๑๑.๔๐ น.**") + 2])),
        "before the signature block",
    ),
    "50 MB": (lambda p: p.write_text(SAMPLE * 440), "text is refused over 5 MB"),
    "a directory": (lambda p: p.mkdir(), "is a directory"),
    "a scan without Tesseract": (_scan, "apt-get install tesseract-ocr tesseract-ocr-tha"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_file_is_one_line_records_nothing_and_the_sample_still_imports(
    case: str, tmp_path: Path, database_url: str
) -> None:
    make, expected = BAD[case]
    bad = tmp_path / "minutes.txt"
    make(bad)
    env = {"DATABASE_URL": database_url, "PLANLEDGER_TESSERACT": "none"}
    refused = planledger("import-minutes", str(bad), env=env)
    assert refused.returncode != 0
    assert expected in refused.stderr
    assert "Traceback" not in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1, refused.stderr
    assert events(database_url) == 0
    imported = planledger("import-minutes", str(SAMPLE_MINUTES), env=env)
    assert imported.returncode == 0, imported.stderr
    assert ", 0 refused, 0 lines not placed" in imported.stdout
    whole = events(database_url)
    # and the bad file again, now on a full ledger: still refused, still nothing added
    assert planledger("import-minutes", str(bad), env=env).returncode != 0
    assert events(database_url) == whole


def test_a_cut_file_no_longer_poisons_the_plan(tmp_path: Path, database_url: str) -> None:
    """The first half of the sample once recorded 35 facts, the adoption among them, and the
    whole file then refused 106: now the half is refused and the whole records in full."""
    half = tmp_path / "half.txt"
    half.write_text("\n".join(LINES[: len(LINES) // 2]))
    env = {"DATABASE_URL": database_url}
    refused = planledger("import-minutes", str(half), env=env)
    assert refused.returncode == 1 and "the minutes stop here" in refused.stderr
    assert events(database_url) == 0
    whole = planledger("import-minutes", str(SAMPLE_MINUTES), env=env)
    assert whole.returncode == 0 and ", 0 refused," in whole.stdout, whole.stdout + whole.stderr


def test_the_same_minutes_twice_in_one_file_are_recorded_once(tmp_path: Path, database_url: str) -> None:
    twice = tmp_path / "twice.txt"
    twice.write_text(SAMPLE + "\n" + SAMPLE)
    env = {"DATABASE_URL": database_url}
    doubled = planledger("import-minutes", str(twice), env=env)
    assert doubled.returncode == 0, doubled.stderr
    recorded = events(database_url)
    assert recorded > 0
    again = planledger("import-minutes", str(SAMPLE_MINUTES), env=env)
    assert again.returncode == 0 and " 0 recorded," in again.stdout, again.stdout
    assert events(database_url) == recorded


def test_utf16_with_a_byte_order_mark_is_read(tmp_path: Path, database_url: str) -> None:
    """The mark says which UTF it is, so nothing is guessed: decoded, and the same facts as UTF-8."""
    marked = tmp_path / "utf16.txt"
    marked.write_bytes(SAMPLE.encode("utf-16"))
    env = {"DATABASE_URL": database_url}
    first = planledger("import-minutes", str(marked), env=env)
    assert first.returncode == 0 and ", 0 refused, 0 lines not placed" in first.stdout, first.stderr
    again = planledger("import-minutes", str(SAMPLE_MINUTES), env=env)
    assert " 0 recorded," in again.stdout, again.stdout
