"""The plan as CSV: one row per activity, in the results table's order (UTF-8 with a BOM, so
spreadsheet programs read the Thai text). A progress nobody reported is an empty cell, never 0.00.

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
    writer.writerow(HEADER)
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
