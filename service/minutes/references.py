"""What a passage of the minutes names: the strategies ("ยุทธศาสตร์ที่ ๒").

A comment of the committee is linked to every strategy it names by number ("ยุทธศาสตร์ที่ N",
Thai or Arabic digits, any spacing), in the order first named, each once; a strategy named only
as a count ("ทั้ง ๕ ยุทธศาสตร์") is not named. Where the minutes' plan is known, only its
strategies count (OCR may turn a digit into one the plan does not have).
"""

from __future__ import annotations

import re
from collections.abc import Collection

from service.minutes.thai_text import to_arabic_digits

_STRATEGY_NAMED_RE = re.compile(r"ยุทธศาสตร์\s*ที่\s*(\d{1,2})(?!\d)")


def strategies_named(text: str, known: Collection[int] = ()) -> tuple[int, ...]:
    numbers: list[int] = []
    for match in _STRATEGY_NAMED_RE.finditer(to_arabic_digits(text)):
        number = int(match[1])
        if number not in numbers and (not known or number in known):
            numbers.append(number)
    return tuple(numbers)
