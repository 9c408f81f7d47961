"""The columns of a results table, read from its column heading: which cell holds what.

The sample's tables have two columns, the activity and its result ('<status> : <outcome>'). Other
committees' tables add columns or put them in another order:

    ลำดับ | โครงการ/กิจกรรม | สถานะ | ผลการดำเนินงาน
    โครงการ/กิจกรรม | ผลการดำเนินงาน | ร้อยละ | หน่วยงานที่รับผิดชอบ | หมายเหตุ

A row of such a table is only understood through its heading: without it, '๘๐' in the third cell
is nothing, and the status sits in a cell of its own. So the heading is read into a Columns, and
each row is read through it (tables.row). A column this module has no name for ('หมายเหตุ',
'งบประมาณ') is kept in the outcome text under its heading, never dropped. Pure functions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from service.minutes.thai_text import skeleton

_SEQUENCE = tuple(skeleton(w) for w in ("ลำดับ", "ลำดับที่", "ที่", "ข้อ"))
_ACTIVITY = tuple(skeleton(w) for w in ("โครงการ/กิจกรรม", "โครงการ", "กิจกรรม", "ชื่อโครงการ"))
_STATUS = skeleton("สถานะ")
_RESULT = tuple(skeleton(w) for w in ("ผลลัพธ์", "ผลการดำเนิน", "ความก้าวหน้า", "ผลการติดตาม"))
_PERCENT_RE = re.compile(r"ร้อยละ|%|เปอร์เซ็นต์")
_UNITS = tuple(skeleton(w) for w in ("หน่วยงาน", "ผู้รับผิดชอบ", "ส่วนราชการที่รับผิดชอบ"))


@dataclass(frozen=True)
class Columns:
    """Where each thing stands in a row (0-based cell index), as the column heading names it."""

    width: int
    activity: int
    result: int | None = None
    status: int | None = None
    sequence: int | None = None
    percent: int | None = None
    units: int | None = None
    #: columns with no name here: (index, heading as written), kept in the outcome text
    others: tuple[tuple[int, str], ...] = ()

    @property
    def plain(self) -> bool:
        """Just the activity and its result, in that order: the sample's two-column table."""
        return self.width == 2 and self.activity == 0 and self.result == 1


def _kind(heading: str) -> str | None:
    key = skeleton(heading)
    if not key:
        return None
    if key in _SEQUENCE:
        return "sequence"
    if _PERCENT_RE.search(heading):
        return "percent"
    if key.startswith(_STATUS):
        return "status"
    if any(key.rstrip("/") == word or key.startswith(word + "/") for word in _ACTIVITY):
        return "activity"
    if any(key.startswith(word) for word in _RESULT):
        return "result"
    if any(key.startswith(word) for word in _UNITS):
        return "units"
    return None


@lru_cache(maxsize=1024)
def columns_of(headings: tuple[str, ...]) -> Columns | None:
    """The Columns a heading row names (its cells, markup removed), or None when it is not a
    results table's heading: it must name the activity and a result or status column, each once."""
    found: dict[str, int] = {}
    others: list[tuple[int, str]] = []
    for index, heading in enumerate(headings):
        kind = _kind(heading)
        if kind is None:
            if not heading.strip():
                return None
            others.append((index, heading.strip()))
        elif kind in found:
            return None
        else:
            found[kind] = index
    if "activity" not in found or not ({"result", "status"} & found.keys()):
        return None
    if len(headings) == 2 and others:
        return None
    return Columns(
        width=len(headings),
        activity=found["activity"],
        result=found.get("result"),
        status=found.get("status"),
        sequence=found.get("sequence"),
        percent=found.get("percent"),
        units=found.get("units"),
        others=tuple(others),
    )
