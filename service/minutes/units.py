"""Unit names as one unit each: the spellings OCR gives one unit brought to one.

The minutes list, per strategy, the units concerned with its proposals. OCR writes the same unit
differently from one table to the next: words split by stray spaces ("สถาบันพัฒนา ข้าราชการ
กรุงเทพมหานคร"), one letter or two misread ("สำนักงานศึกษา" for "สำนักการศึกษา", in the sample's
strategy 5). Two spellings are one unit when their keys (`normalise_title`: spaces inside Thai
removed, digits and case folded) are equal, or nearly equal: at least 80 % alike
(`difflib.SequenceMatcher`), at most 3 letters apart, both at least 8 letters long — a misread,
not another unit ("สำนักการคลัง" and "สำนักการศึกษา" are 64 % alike). One unit is then written as
its most frequent spelling in the minutes (on a tie, the one with the fewest spaces — OCR adds
them — then the first seen).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from difflib import SequenceMatcher

from service.minutes.thai_text import normalise_title

SIMILAR = 0.8
MAX_LETTERS_APART = 3
MIN_LETTERS = 8


def _alike(a: str, b: str) -> bool:
    if a == b:
        return True
    if min(len(a), len(b)) < MIN_LETTERS:
        return False
    matcher = SequenceMatcher(None, a, b)
    matched = sum(block.size for block in matcher.get_matching_blocks())
    return matcher.ratio() >= SIMILAR and max(len(a), len(b)) - matched <= MAX_LETTERS_APART


def unit_names(spellings: Iterable[str]) -> dict[str, str]:
    """Every spelling -> the one name of its unit (see the module docstring)."""
    seen = [s.strip() for s in spellings if s and s.strip()]
    counts = Counter(seen)
    by_key: dict[str, Counter[str]] = {}
    order: list[str] = []
    for spelling in seen:
        key = normalise_title(spelling)
        if key not in by_key:
            order.append(key)
        by_key.setdefault(key, Counter())[spelling] += 1
    # keys grouped with the most frequent alike key (more frequent keys first claim the others)
    ranked = sorted(order, key=lambda k: (-sum(by_key[k].values()), order.index(k)))
    group_of: dict[str, str] = {}
    for key in ranked:
        group_of[key] = next((head for head in ranked if head in group_of.values() and _alike(head, key)), key)
    names: dict[str, str] = {}
    for head in dict.fromkeys(group_of.values()):
        members = [k for k, h in group_of.items() if h == head]
        spellings_of = [s for s in seen if normalise_title(s) in members]
        best = max(spellings_of, key=lambda s: (counts[s], -s.count(" "), -seen.index(s)))
        for spelling in spellings_of:
            names[spelling] = best
    return names


def one_unit_each(units: Iterable[str], names: dict[str, str]) -> tuple[str, ...]:
    """`units` under their one name, each once, in order."""
    return tuple(dict.fromkeys(names.get(u.strip(), u.strip()) for u in units if u and u.strip()))
