"""Why an absent member did not come, as the minutes say it, in one canonical word.

The minutes write the reason after the absent member's name ("ติดราชการ", on official duty;
"ติดภารกิจ", another engagement; "ลาป่วย", sick leave ...). OCR confuses the first letters of these
words: in the sample 1/2564 two of the three reasons read "ตติราชการ" and one "ตติการกิจ" (ติ → ตติ,
ภ → ก). A reason is recognised when, with the first syllable read leniently (ติด, ตติ, ติต, ตืด,
ติค) and ภ/ก taken as one letter, it is one of the known words; anything else stays unknown (None),
never guessed. The raw text is kept alongside by the caller.
"""

from __future__ import annotations

import re

#: canonical reason -> the pattern of its OCR'd forms (whole word)
_REASONS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("ติดราชการ", re.compile(r"^(?:ติด|ตติ|ติต|ตืด|ติค|ดิด)\s*ราชการ(?:อื่น)?$")),
    ("ติดภารกิจ", re.compile(r"^(?:ติด|ตติ|ติต|ตืด|ติค|ดิด)\s*(?:ภาร|การ|ภาว)กิจ(?:อื่น)?$")),
    ("ลาป่วย", re.compile(r"^ลา\s*ป[่]?วย$")),
    ("ลากิจ", re.compile(r"^ลา\s*กิจ$")),
    ("ลาพักผ่อน", re.compile(r"^ลา\s*พักผ[่]?อน$")),
    ("ไปราชการต่างประเทศ", re.compile(r"^ไป\s*ราชการ\s*ต[่]?างประเทศ$")),
)


def absence_reason(text: str | None) -> str | None:
    """The canonical reason for the words after an absent member's name; None when they are none
    of the known reasons (or there are none)."""
    if not text:
        return None
    word = text.strip().rstrip(".")
    return next((reason for reason, pattern in _REASONS if pattern.match(word)), None)
