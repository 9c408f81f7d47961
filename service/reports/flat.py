"""The plan as CSV: one row per activity, in the results table's order (UTF-8 with a BOM, so
spreadsheet programs read the Thai text). A progress nobody reported is an empty cell, never 0.00.
The header row is in the report's language: Thai words with lang=th (the default, for a person),
the stable code names below with lang=en (for a program, and English readers); the columns and
their order are the same in both.

A spreadsheet program opening the file may run a cell that starts with = + - @, a tab or a carriage
return as a formula, e.g. `=HYPERLINK(...)` in an outcome a unit recorded. Every text cell that
starts with one of them is written with a single quote in front (OWASP's advice against CSV
injection), which the program shows as text. (The XLSX marks such cells as text: never formulas.)"""

from __future__ import annotations

import csv
import io

from service.reports.plan import PlanReport

MEDIA_TYPE = "text/csv; charset=utf-8"
HEADER = (
    "plan_code",
    "as_of_date",
    "known_at",
    "strategy_number",
    "strategy_title",
    "kind",
    "kind_label",
    "activity_id",
    "activity",
    "fiscal_year",
    "status",
    "status_label",
    "progress",
    "outcome",
    "status_reason",
    "responsible_units",
)

#: the header row a Thai reader gets, column by column as HEADER
THAI_HEADER = (
    "รหัสแผน",
    "ณ วันที่",
    "ตามข้อมูลที่บันทึกไว้ ณ",
    "ยุทธศาสตร์ที่",
    "ชื่อยุทธศาสตร์",
    "ประเภท (รหัส)",
    "ประเภทโครงการ/กิจกรรม",
    "รหัสกิจกรรม",
    "โครงการ/กิจกรรม",
    "ปีงบประมาณ",
    "สถานะ (รหัส)",
    "สถานะ",
    "ความก้าวหน้า (ร้อยละ)",
    "ผลลัพธ์ที่ได้",
    "เหตุผล",
    "หน่วยงานที่รับผิดชอบ",
)
HEADERS = {"th": THAI_HEADER, "en": HEADER}

#: what a spreadsheet program may take as the start of a formula
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutral(value: object) -> object:
    """A cell's value as it is safe to write: text a spreadsheet could run as a formula gets a
    leading single quote; anything else is as it was."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def build_csv(report: PlanReport) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADERS[report.lang])
    as_of = report.as_of_date.isoformat() if report.as_of_date else ""
    known_at = report.known_at.isoformat() if report.known_at else ""
    for strategy, kind, a in report.activities():
        row = (
            report.code,
            as_of,
            known_at,
            strategy.number,
            strategy.title,
            kind,
            a["kindLabel"],
            a["id"],
            a["title"],
            a["fiscalYear"],
            a["status"],
            a["statusLabel"],
            "" if a["progress"] is None else f"{a['progress']:.2f}",  # unknown: empty, never 0.00
            a["outcome"] or "",
            a["statusReason"] or "",
            "; ".join(a["responsibleUnits"]),
        )
        writer.writerow([neutral(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
