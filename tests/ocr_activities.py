"""Which of the sample's activities minutes read through OCR give, and with what status: the
OCR tests' one measure (tests/unit/test_minutes_ocr_lines.py on Tesseract's stored text,
tests/integration/test_minutes_ocr.py on a fresh scan)."""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from service.minutes.model import ParsedMinutes
from service.minutes.thai_text import normalise_title

#: how alike (difflib ratio) a title read must be to the sample's to be that activity: Tesseract's
#: Thai model misreads a letter in a hundred and drops tone marks (0.91 to 1.00 measured)
TITLE_LIKENESS = 0.8


def title_key(title: str) -> str:
    """A title to compare: normalised, and without its parenthesised gloss, which is Latin
    ('(Talent Management)') in the sample and which a Thai-only model reads as Thai letters."""
    return re.sub(r"\([^)]*\)?", "", normalise_title(title))


def sample_activities_found(sample: ParsedMinutes, scanned: ParsedMinutes) -> tuple[dict[int, str], dict[int, str]]:
    """(found, expected): each of the sample's activities the scan gives, by its index in the
    sample, with the status read; and the sample's status of each. Fails on an activity that is
    none of the sample's, or one read twice."""
    expected = [(title_key(a.title), a.status) for a in sample.activity_results]
    found: dict[int, str] = {}
    for activity in scanned.activity_results:
        key = title_key(activity.title)
        likeness, index = max((SequenceMatcher(None, key, e[0]).ratio(), i) for i, e in enumerate(expected))
        assert likeness >= TITLE_LIKENESS, f"not an activity of the sample: {activity.title}"
        assert index not in found, f"read twice: {activity.title}"
        found[index] = activity.status
    return found, {i: expected[i][1] for i in found}
