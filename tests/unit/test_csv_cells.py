"""The CSV report's cells: text a spreadsheet program would run as a formula is written as text."""

from __future__ import annotations

import csv
import io
from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook

from service.reports.flat import HEADER, HEADERS, build_csv, neutral
from service.reports.plan import PlanReport, Rollup, StrategyReport
from service.reports.workbook import build_workbook


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


def _report(title: str, outcome: str, units: list[str], progress: float | None = 0.0, lang: str = "th") -> PlanReport:
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
            "progress": progress,
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
        lang=lang,
        rollup=rollup,
        strategies=[strategy],
        status_labels={},
    )


@pytest.mark.parametrize("lang", ["th", "en"])
def test_every_text_cell_of_the_csv_is_neutralised(lang: str) -> None:
    built = build_csv(_report("@SUM(1+1)", '=HYPERLINK("http://x/","d")', ["-unit", "HR"], lang=lang))
    [header, row] = list(csv.reader(io.StringIO(built.decode("utf-8-sig"))))
    assert tuple(header) == HEADERS[lang] and len(HEADERS[lang]) == len(HEADER)  # the header in the language asked
    cells = dict(zip(HEADER, row, strict=True))  # the same columns in the same order in either language
    assert cells["plan_code"] == "'+P1"
    assert cells["strategy_title"] == "'=strategy"
    assert cells["activity"] == "'@SUM(1+1)"
    assert cells["outcome"] == '\'=HYPERLINK("http://x/","d")'
    assert cells["responsible_units"] == "'-unit; HR"
    assert cells["progress"] == "0.00" and cells["fiscal_year"] == "2564"


def test_a_progress_nobody_reported_is_written_empty_or_as_a_dash_never_0() -> None:
    """The CSV leaves the cell empty, the XLSX writes "—" in the results and in the summary's mean
    (and says how many activities have a progress reported); 0 reported is 0.00."""
    report = _report("Survey", "ok", [], progress=None)
    [_, row] = list(csv.reader(io.StringIO(build_csv(report).decode("utf-8-sig"))))
    assert dict(zip(HEADER, row, strict=True))["progress"] == ""
    book = load_workbook(BytesIO(build_workbook(report)))
    results, summary = book.worksheets
    [activity] = [r for r in results.iter_rows(min_row=5, values_only=True) if r[0] == 1]
    assert activity[4] == "—"
    [strategy] = [r for r in summary.iter_rows(min_row=5, values_only=True) if r[0] == 1]
    assert strategy[-3:] == (None, "—", 0)  # share (none computed here), mean unknown, 0 with a progress
    reported = _report("Survey", "ok", [], progress=0.0)
    [_, row] = list(csv.reader(io.StringIO(build_csv(reported).decode("utf-8-sig"))))
    assert dict(zip(HEADER, row, strict=True))["progress"] == "0.00"


def test_the_summary_sheet_lists_the_figures_as_reported() -> None:
    report = _report("Survey", "ok", [], progress=None)
    figure = {"unit": "PERCENT", "unitLabel": None, "kind": None, "kindLabel": None, "fiscalYear": 2563}
    report.figures = [
        {**figure, "label": "ผลการดำเนินงานในภาพรวม", "value": 83.2, "strategyNumber": None},
        {**figure, "label": "ผลการดำเนินงาน", "value": 100.0, "strategyNumber": 5},
    ]
    for f in report.figures:
        f.update(meeting={"code": "1/2564"}, reportedOn="2021-01-06")
    summary = load_workbook(BytesIO(build_workbook(report))).worksheets[1]
    rows = [
        r for r in summary.iter_rows(min_row=5, values_only=True) if r[1] in ("ผลการดำเนินงานในภาพรวม", "ผลการดำเนินงาน")
    ]
    assert [(r[0], r[2], r[3], r[5]) for r in rows] == [
        ("ภาพรวมของแผน", 83.2, "ร้อยละ", "1/2564"),
        ("ยุทธศาสตร์ที่ 5", 100, "ร้อยละ", "1/2564"),
    ]
