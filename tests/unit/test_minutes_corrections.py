"""The corrections approved for a set of minutes, applied to their text (domain/corrections.py)."""

from __future__ import annotations

from pathlib import Path

from domain.corrections import corrected, corrected_text
from domain.values import MinutesCorrection
from service.minutes.parser import parse_minutes
from tests.paths import SAMPLE_MINUTES

NINE = Path(__file__).resolve().parent.parent / "fixtures" / "out_of_order" / "minutes_9_2563.txt"


def test_a_passage_is_found_however_the_lines_were_broken() -> None:
    fix = MinutesCorrection("หน้า ๑๑ ข้อ ๖", "ให้ทันกับความต้องการ กฎ ระเบียบ", "ให้เป็นไปตามกฎ ระเบียบ")
    assert corrected_text("ทบทวนให้ทันกับความต้องการ\nกฎ   ระเบียบและอื่น", [fix]) == "ทบทวนให้เป็นไปตามกฎ ระเบียบและอื่น"
    assert corrected_text("ไม่มีข้อความนั้น", [fix]) == "ไม่มีข้อความนั้น"


def test_the_replacement_is_taken_as_written() -> None:
    fix = MinutesCorrection("p. 1", "a", r"\1 b\n")
    assert corrected_text("xa", [fix]) == "x\\1 b\\n"


def test_the_sample_approves_9_2563_with_three_corrections_each_found_in_its_minutes() -> None:
    seed = parse_minutes(SAMPLE_MINUTES.read_text(encoding="utf-8"), source="seed")
    assert seed.minutes_adoption is not None
    corrections = seed.minutes_adoption.corrections
    assert len(corrections) == 3
    nine = parse_minutes(NINE.read_text(encoding="utf-8"), source="9/2563")
    fixed = corrected(nine, corrections)
    before, after = " ".join(c.text for c in nine.comments), " ".join(c.text for c in fixed.comments)
    for correction in corrections:
        assert " ".join(correction.from_text.split()) in " ".join(before.split())
        assert correction.to_text in after and correction.from_text not in after
    assert fixed.source == nine.source and fixed.attendance == nine.attendance
