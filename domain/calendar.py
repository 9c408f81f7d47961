"""The calendar the committee writes in: Buddhist Era years and the Thai fiscal year.

A Buddhist Era year is the Common Era year plus 543 (BE 2564 = 2021 CE). The Thai government's
fiscal year runs 1 October to 30 September and is named by the BE year it ends in: FY 2564 is
2020-10-01 … 2021-09-30. Everything that needs either lives here, once.
"""

from __future__ import annotations

from datetime import date

BE_OFFSET = 543
"""Buddhist Era year minus this is the Common Era year."""


def be_to_ce(year: int) -> int:
    """Buddhist Era year -> Common Era year (2564 -> 2021)."""
    return year - BE_OFFSET


def ce_to_be(year: int) -> int:
    """Common Era year -> Buddhist Era year (2021 -> 2564)."""
    return year + BE_OFFSET


def fiscal_year_bounds(be_year: int) -> tuple[date, date]:
    """First and last day of a Thai fiscal year: FY 2564 runs 2020-10-01 .. 2021-09-30."""
    ce_year = be_to_ce(be_year)
    return date(ce_year - 1, 10, 1), date(ce_year, 9, 30)


def fiscal_year_of(day: date) -> int:
    """The Thai fiscal year (BE) a day falls in."""
    return ce_to_be(day.year + 1 if day.month >= 10 else day.year)
