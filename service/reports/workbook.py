"""The plan as an XLSX workbook: the minutes' results table (strategy → one-year / continuing →
activity, outcome, status) and a summary sheet with the roll-ups and, beside them, the figures
the minutes reported. A value nobody reported (a progress, a mean of none) is written "—", never 0.

The results sheet reads like a table a spreadsheet knows: one header row (row 5), frozen, repeated
on every printed page (print titles) and filtered (autofilter over the whole table); strategy and
kind rows are bands inside it. openpyxl cannot measure text, so every row with wrapped text gets a
height from its longest cell: characters (Thai marks above and below take no width) per column
width, one line of TH Sarabun New 14 pt every 21 points. The generation time is Thai local time,
Buddhist Era ("3 ธันวาคม 2569 14:45 น."), as the minutes write times."""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from service.reports.plan import (
    KINDS,
    STATUSES,
    PlanReport,
    Rollup,
    english_date,
    english_time,
    thai_date,
    thai_time,
)

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

WORDS: dict[str, dict[str, str]] = {
    "th": {
        "results": "ผลการดำเนินงาน",
        "summary": "สรุป",
        "title": "ผลการดำเนินการตาม{plan}",
        "as_of": "ณ วันที่ {date}",
        "as_of_now": "ณ ปัจจุบัน",
        "at_meeting": "(การประชุมครั้งที่ {code})",
        "known_at": "ตามข้อมูลที่บันทึกไว้ ณ {time}",
        "fiscal_year": "ปีงบประมาณ พ.ศ. {year}",
        "generated": "จัดทำโดย planledger เมื่อ {time}",
        "strategy": "ยุทธศาสตร์ที่ {number}",
        "goal": "เป้าหมาย",
        "ONE_YEAR": "โครงการ/กิจกรรมที่ดำเนินการ ๑ ปี",
        "CONTINUING": "โครงการ/กิจกรรมที่ดำเนินการต่อเนื่อง",
        "no": "ลำดับ",
        "activity": "โครงการ/กิจกรรม",
        "outcome": "ผลลัพธ์ที่ได้",
        "status": "สถานะ",
        "progress": "ความก้าวหน้า (ร้อยละ)",
        "fy": "ปีงบประมาณ",
        "units": "หน่วยงานที่เกี่ยวข้อง",
        "reason": "เหตุผล",
        "id": "รหัสกิจกรรม",
        "none": "ไม่มีโครงการ/กิจกรรม ณ วันดังกล่าว",
        "by_strategy": "สรุปตามยุทธศาสตร์",
        "by_kind": "สรุปตามประเภทโครงการ/กิจกรรม",
        "number": "ยุทธศาสตร์",
        "strategy_title": "ชื่อยุทธศาสตร์",
        "kind": "ประเภท",
        "total": "ทั้งหมด",
        "share": "ร้อยละแล้วเสร็จ",
        "mean": "ความก้าวหน้าเฉลี่ย (ร้อยละ)",
        "known": "มีรายงานความก้าวหน้า",
        "plan_total": "รวมทั้งแผน",
        "reported": "ผลการดำเนินงานตามที่รายงานในการประชุม",
        "whole_plan": "ภาพรวมของแผน",
        "about": "เรื่อง",
        "as_reported": "ตามที่รายงาน",
        "value": "ค่า",
        "unit": "หน่วย",
        "meeting": "การประชุม",
        "reported_on": "วันที่",
        "PERCENT": "ร้อยละ",
    },
    "en": {
        "results": "Results",
        "summary": "Summary",
        "title": "Results of {plan}",
        "as_of": "As of {date}",
        "as_of_now": "As of now",
        "at_meeting": "(meeting {code})",
        "known_at": "as recorded by {time}",
        "fiscal_year": "fiscal year {year} BE",
        "generated": "made by planledger at {time}",
        "strategy": "Strategy {number}",
        "goal": "Goal",
        "ONE_YEAR": "One-year activities",
        "CONTINUING": "Continuing activities",
        "no": "No.",
        "activity": "Activity",
        "outcome": "Outcome",
        "status": "Status",
        "progress": "Progress (%)",
        "fy": "Fiscal year",
        "units": "Responsible units",
        "reason": "Reason",
        "id": "Activity ID",
        "none": "No activities at that point",
        "by_strategy": "By strategy",
        "by_kind": "By kind of activity",
        "number": "Strategy",
        "strategy_title": "Title",
        "kind": "Kind",
        "total": "Total",
        "share": "Share completed",
        "mean": "Mean progress (%)",
        "known": "With progress reported",
        "plan_total": "Whole plan",
        "reported": "Figures as reported in the minutes",
        "whole_plan": "The plan as a whole",
        "about": "About",
        "as_reported": "As reported",
        "value": "Value",
        "unit": "Unit",
        "meeting": "Meeting",
        "reported_on": "Date",
        "PERCENT": "%",
    },
}
ENGLISH_STATUS = {
    "PLANNED": "Planned",
    "NOT_STARTED": "Not started",
    "IN_PROGRESS": "In progress",
    "COMPLETED": "Completed",
    "NOT_IMPLEMENTED": "Not implemented",
    "ON_HOLD": "On hold",
    "CANCELLED": "Cancelled",
}
STATUS_FILL = {
    "PLANNED": "E5E7EB",
    "NOT_STARTED": "E5E7EB",
    "IN_PROGRESS": "FDE9B6",
    "COMPLETED": "CDEFD8",
    "NOT_IMPLEMENTED": "F8D0CE",
    "ON_HOLD": "E4DBF6",
    "CANCELLED": "D9D9D9",
}
#: the results sheet's columns: (word, width)
COLUMNS = (
    ("no", 7),
    ("activity", 48),
    ("outcome", 64),
    ("status", 20),
    ("progress", 12),
    ("fy", 11),
    ("units", 28),
    ("reason", 36),
    ("id", 38),
)
FONT = "TH Sarabun New"
#: what a cell says for a value nobody reported
UNKNOWN = "—"
INK = "1F2A44"
THIN = Side(style="thin", color="C7CDD8")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
#: the results table's header row (rows 1-3 are the title, point and provenance lines)
HEADER_ROW = 5
#: characters of TH Sarabun New 14 pt that fit one unit of column width (Excel's unit is a "0" of
#: the default font); a little under what fits, so a row is never too short for its text
CHARS_PER_WIDTH = 1.0
#: points a line of text takes, per point of font size (14 pt -> 21 pt)
LINE_HEIGHT = 1.5
#: Thai vowels and tone marks drawn above or below a consonant: they take no width of their own
_MARKS = re.compile("[\u0e31\u0e34-\u0e3a\u0e47-\u0e4e]")


def _fill(color: str) -> PatternFill:
    return PatternFill("solid", start_color=color, end_color=color)


def _cell(sheet: Worksheet, row: int, column: int, value: Any = None) -> Any:
    """The cell, holding `value`; text stays text even when it starts with "=" (never a formula)."""
    cell = sheet.cell(row, column, value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"
    return cell


def _font(**kwargs: Any) -> Font:
    return Font(name=FONT, size=kwargs.pop("size", 14), **kwargs)


def status_label(report: PlanReport, status: str) -> str:
    if report.lang == "en":
        return ENGLISH_STATUS[status]
    return report.status_labels.get(status, status)


def point_line(report: PlanReport) -> str:
    """ "ณ วันที่ 6 มกราคม 2564 (การประชุมครั้งที่ 1/2564) …" in the report's language."""
    w = WORDS[report.lang]
    day = thai_date if report.lang == "th" else english_date
    parts = [w["as_of"].format(date=day(report.as_of_date)) if report.as_of_date else w["as_of_now"]]
    if report.meeting is not None:
        parts.append(w["at_meeting"].format(code=report.meeting["code"]))
    if report.fiscal_year is not None:
        parts.append(w["fiscal_year"].format(year=report.fiscal_year))
    if report.known_at is not None:
        parts.append(w["known_at"].format(time=report.known_at.isoformat(timespec="minutes")))
    return " ".join(parts)


def build_workbook(report: PlanReport, now: datetime | None = None) -> bytes:
    """The XLSX file's bytes."""
    w = WORDS[report.lang]
    now = now or datetime.now(UTC)
    book = Workbook()
    results = book.active
    assert results is not None
    results.title = w["results"]
    _results_sheet(results, report, now)
    _summary_sheet(book.create_sheet(w["summary"]), report, now)
    book.properties.title = w["title"].format(plan=report.title)
    book.properties.creator = "planledger"
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _heading(sheet: Worksheet, report: PlanReport, now: datetime, width: int) -> int:
    """Title, point and provenance lines; returns the next free row."""
    w = WORDS[report.lang]
    last = get_column_letter(width)
    sheet["A1"] = w["title"].format(plan=report.title)
    sheet["A1"].font = _font(size=18, bold=True, color=INK)
    sheet["A2"] = point_line(report)
    sheet["A2"].font = _font(size=14, bold=True)
    sheet["A3"] = w["generated"].format(time=thai_time(now) if report.lang == "th" else english_time(now))
    sheet["A3"].font = _font(size=11, italic=True, color="6B7280")
    for row in (1, 2, 3):
        sheet.merge_cells(f"A{row}:{last}{row}")
    sheet.row_dimensions[1].height = 28
    return 5


def _results_sheet(sheet: Worksheet, report: PlanReport, now: datetime) -> None:
    w = WORDS[report.lang]
    width = len(COLUMNS)
    last = get_column_letter(width)
    for index, (_, size) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = size
    row = _heading(sheet, report, now, width)
    assert row == HEADER_ROW
    for column, (word, _) in enumerate(COLUMNS, start=1):
        cell = _cell(sheet, row, column, w[word])
        cell.font = _font(bold=True)
        cell.fill = _fill("EEF2F8")
        cell.border = BOX
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    row += 1
    for strategy in report.strategies:
        cell = _cell(sheet, row, 1, f"{w['strategy'].format(number=strategy.number)} {strategy.title}")
        cell.font = _font(bold=True, color="FFFFFF", size=15)
        cell.fill = _fill(INK)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        sheet.merge_cells(f"A{row}:{last}{row}")
        sheet.row_dimensions[row].height = 24
        row += 1
        if strategy.goal:
            cell = _cell(sheet, row, 1, f"{w['goal']} {strategy.goal}")
            cell.font = _font(italic=True)
            cell.alignment = WRAP
            sheet.merge_cells(f"A{row}:{last}{row}")
            row += 1
        if not any(strategy.activities.get(kind) for kind in KINDS):
            _cell(sheet, row, 1, w["none"]).font = _font(italic=True, color="6B7280")
            row += 2
            continue
        for kind in KINDS:
            activities = strategy.activities.get(kind, [])
            if not activities:
                continue
            cell = _cell(sheet, row, 1, w[kind])
            cell.font = _font(bold=True, color=INK)
            cell.fill = _fill("DCE6F5")
            sheet.merge_cells(f"A{row}:{last}{row}")
            row += 1
            for number, activity in enumerate(activities, start=1):
                progress = activity["progress"]
                values = (
                    number,
                    activity["title"],
                    activity["outcome"] or None,
                    status_label(report, activity["status"]),
                    UNKNOWN if progress is None else progress,
                    activity["fiscalYear"],
                    ", ".join(activity["responsibleUnits"]) or None,
                    activity["statusReason"] or None,
                    activity["id"],
                )
                for column, value in enumerate(values, start=1):
                    cell = _cell(sheet, row, column, value)
                    cell.font = _font()
                    cell.alignment = WRAP
                    cell.border = BOX
                _cell(sheet, row, 4).fill = _fill(STATUS_FILL[activity["status"]])
                _cell(sheet, row, 5).number_format = "0.00"
                if progress is None:
                    _cell(sheet, row, 5).alignment = Alignment(vertical="top", horizontal="center")
                row += 1
    # the header stays in view, is printed on every page, and filters the whole table
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{last}{max(row - 1, HEADER_ROW)}"
    fit_rows(sheet)
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _summary_sheet(sheet: Worksheet, report: PlanReport, now: datetime) -> None:
    w = WORDS[report.lang]
    headers = [w["number"], w["strategy_title"], w["total"]]
    headers += [status_label(report, s) for s in STATUSES]
    headers += [w["share"], w["mean"], w["known"]]
    width = len(headers)
    row = _heading(sheet, report, now, width)

    def header_row(at: int, names: list[str]) -> None:
        for column, name in enumerate(names, start=1):
            cell = _cell(sheet, at, column, name)
            cell.font = _font(bold=True)
            cell.fill = _fill("EEF2F8")
            cell.border = BOX
            cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")

    def rollup_row(at: int, first: list[Any], rollup: Rollup, bold: bool = False) -> None:
        values = [*first, rollup.total]
        values += [rollup.by_status.get(s, 0) for s in STATUSES]
        mean = UNKNOWN if rollup.mean_progress is None and rollup.total else rollup.mean_progress
        values += [rollup.share_completed, mean, rollup.progress_known]
        for column, value in enumerate(values, start=1):
            cell = _cell(sheet, at, column, value)
            cell.font = _font(bold=bold)
            cell.border = BOX
            cell.alignment = WRAP
        _cell(sheet, at, width - 2).number_format = "0.00%"
        _cell(sheet, at, width - 1).number_format = "0.00"

    _cell(sheet, row, 1, w["by_strategy"]).font = _font(bold=True, size=15, color=INK)
    row += 1
    header_row(row, headers)
    row += 1
    for strategy in report.strategies:
        rollup_row(row, [strategy.number, strategy.title], strategy.rollup)
        row += 1
    rollup_row(row, [w["plan_total"], report.title], report.rollup, bold=True)
    for column in range(1, width + 1):
        _cell(sheet, row, column).fill = _fill("F3F4F6")
    row += 3

    _cell(sheet, row, 1, w["by_kind"]).font = _font(bold=True, size=15, color=INK)
    row += 1
    header_row(row, [w["kind"], "", *headers[2:]])
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
    row += 1
    for kind, rollup in report.by_kind().items():
        rollup_row(row, [w[kind], None], rollup)
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
        row += 1

    if report.figures:
        row = _figures(sheet, report, row + 2, header_row)

    sheet.column_dimensions["A"].width = 14
    sheet.column_dimensions["B"].width = 60
    for column in range(3, width + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 14
    sheet.print_title_rows = "1:3"
    fit_rows(sheet)
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def text_lines(text: str, width: float) -> int:
    """How many lines `text` wraps to in a column `width` units wide."""
    per_line = max(1, math.floor(width * CHARS_PER_WIDTH))
    return sum(max(1, math.ceil(len(_MARKS.sub("", part)) / per_line)) for part in text.split("\n"))


def fit_rows(sheet: Worksheet) -> None:
    """Each row with wrapped text as tall as its longest cell (merged cells: their columns' width)."""
    spans = {
        (r.min_row, r.min_col): sum(_width(sheet, c) for c in range(r.min_col, r.max_col + 1))
        for r in sheet.merged_cells.ranges
    }
    for cells in sheet.iter_rows():
        height = 0.0
        for cell in cells:
            if cell.value is None or not (cell.alignment and cell.alignment.wrap_text):
                continue
            width = spans.get((cell.row, cell.column)) or _width(sheet, cell.column)
            size = float(cell.font.sz or 11) if cell.font else 11.0
            height = max(height, text_lines(str(cell.value), width) * size * LINE_HEIGHT + 4)
        row = cells[0].row
        if height and height > (sheet.row_dimensions[row].height or 0):
            sheet.row_dimensions[row].height = round(height, 1)


def _width(sheet: Worksheet, column: int) -> float:
    return float(sheet.column_dimensions[get_column_letter(column)].width or 8.43)


def _about(report: PlanReport, figure: dict[str, Any]) -> str:
    w = WORDS[report.lang]
    parts = []
    if figure["strategyNumber"] is not None:
        parts.append(w["strategy"].format(number=figure["strategyNumber"]))
    if figure["kind"] is not None:
        parts.append(f"{w['kind']}: {w[figure['kind']]}")
    return " · ".join(parts) or w["whole_plan"]


def _figures(sheet: Worksheet, report: PlanReport, row: int, header_row: Any) -> int:
    """The figures the minutes reported, as reported (beside the computed roll-ups above)."""
    w = WORDS[report.lang]
    _cell(sheet, row, 1, w["reported"]).font = _font(bold=True, size=15, color=INK)
    row += 1
    header_row(row, [w["about"], w["as_reported"], w["value"], w["unit"], w["fy"], w["meeting"], w["reported_on"]])
    row += 1
    for figure in report.figures:
        unit = figure["unitLabel"] or w.get(figure["unit"], figure["unit"])
        meeting = figure["meeting"]["code"] if figure["meeting"] else None
        values = [_about(report, figure), figure["label"], figure["value"], unit, figure["fiscalYear"], meeting]
        values.append(date.fromisoformat(figure["reportedOn"]))
        for column, value in enumerate(values, start=1):
            cell = _cell(sheet, row, column, value)
            cell.font = _font()
            cell.border = BOX
            cell.alignment = WRAP
        _cell(sheet, row, 3).number_format = "0.00"
        row += 1
    return row
