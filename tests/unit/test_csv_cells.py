"""The CSV report's cells: text a spreadsheet program would run as a formula is written as text."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from service.reports.flat import HEADER, build_csv, neutral
from service.reports.plan import PlanReport, Rollup, StrategyReport


@pytest.mark.parametrize(
    ("given", "written"),
    [
        ('=HYPERLINK("http://example.invalid/","details")', '\'=HYPERLINK("http://example.invalid/","details")'),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("ผลลัพธ์ = 3", "ผลลัพธ์ = 3"),  # only the first character matters
        ("", ""),
        ("'=already quoted", "'=already quoted"),
        (2564, 2564),
    ],
)
def test_a_cell_a_spreadsheet_would_run_gets_a_leading_quote(given: object, written: object) -> None:
    assert neutral(given) == written


def _report(title: str, outcome: str, units: list[str]) -> PlanReport:
    rollup = Rollup(1, 0, None, None, {})
    strategy = StrategyReport(1, "=strategy", None, rollup)
    strategy.activities["ONE_YEAR"] = [
        {
            "id": "a1",
            "title": title,
            "fiscalYear": 2564,
            "kindLabel": "ดำเนินการ ๑ ปี",
            "status": "IN_PROGRESS",
            "statusLabel": "อยู่ระหว่างดำเนินการ",
            "statusReason": None,
            "progress": 0.0,
            "outcome": outcome,
            "responsibleUnits": units,
        }
    ]
    return PlanReport(
        id="p",
        code="+P1",
        title="t",
        period_start="2020-10-01",
        period_end="2025-09-30",
        as_of_date=date(2021, 1, 6),
        known_at=None,
        meeting=None,
        fiscal_year=None,
        lang="th",
        rollup=rollup,
        strategies=[strategy],
        status_labels={},
    )


def test_every_text_cell_of_the_csv_is_neutralised() -> None:
    built = build_csv(_report("@SUM(1+1)", '=HYPERLINK("http://x/","d")', ["-unit", "HR"]))
    [header, row] = list(csv.reader(io.StringIO(built.decode("utf-8-sig"))))
    assert tuple(header) == HEADER
    cells = dict(zip(HEADER, row, strict=True))
    assert cells["plan_code"] == "'+P1"
    assert cells["strategy_title"] == "'=strategy"
    assert cells["activity"] == "'@SUM(1+1)"
    assert cells["outcome"] == '\'=HYPERLINK("http://x/","d")'
    assert cells["responsible_units"] == "'-unit; HR"
    assert cells["progress"] == "0.00" and cells["fiscal_year"] == "2564"
