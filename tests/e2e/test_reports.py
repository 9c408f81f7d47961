"""The reports over HTTP from a real server process holding the seed minutes: the XLSX (results
table and summary) and the CSV hold, item by item, what the API answers for the same point; bad
parameters and missing tokens get clear answers."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from io import BytesIO
from pathlib import Path
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook

from service.config import ServerAddress
from service.reports.flat import HEADER, HEADERS
from service.reports.workbook import COLUMNS, WORDS, text_lines
from tests.e2e.browser import artifacts
from tests.e2e.dashboard_data import plan_and_meetings, query, seeded
from tests.e2e.server_process import Server

SUMMARY = "total completed shareCompleted meanProgress progressKnown byStatus { status statusLabel count }"
PLAN = f"""query($plan: ID!, $asOf: AsOf, $fy: Int) {{ plan(id: $plan, asOf: $asOf) {{
  code asOf {{ date }} summary(fiscalYear: $fy) {{ {SUMMARY} }}
  strategies {{ number title goal summary(fiscalYear: $fy) {{ {SUMMARY} }}
    activities(fiscalYear: $fy) {{ id title fiscalYear kind kindLabel status statusLabel statusReason progress outcome
      responsibleUnits }} }} }} }}"""
STATUSES = ("PLANNED", "NOT_STARTED", "IN_PROGRESS", "COMPLETED", "NOT_IMPLEMENTED", "ON_HOLD", "CANCELLED")
ENGLISH = {
    "COMPLETED": "Completed",
    "IN_PROGRESS": "In progress",
    "NOT_IMPLEMENTED": "Not implemented",
    "PLANNED": "Planned",
}


@pytest.fixture(scope="module")
def ledger(server: ServerAddress) -> Iterator[Server]:
    with seeded(server) as process:
        yield process


@pytest.fixture(scope="module")
def ids(ledger: Server) -> dict[str, str]:
    plan, meetings = plan_and_meetings(ledger)
    everyone = query(ledger, "{ meetings(first: 500) { edges { node { code } } } }")["meetings"]["edges"]
    codes = Counter(e["node"]["code"] for e in everyone)
    shared = [code for code, n in codes.items() if n > 1]
    assert shared, "the seed's minutes name two bodies' meetings with one code"
    return {"plan": plan, "shared code": shared[0], **meetings}


def get(ledger: Server, path: str, params: dict[str, str] | None = None, token: str | None = "") -> httpx.Response:
    headers = {} if token is None else {"Authorization": f"Bearer {token or ledger.token}"}
    return httpx.get(f"{ledger.url}{path}", params=params, headers=headers, timeout=30)


def api_plan(ledger: Server, plan: str, as_of: dict[str, str] | None, fiscal_year: int | None = None) -> dict[str, Any]:
    found: dict[str, Any] = query(ledger, PLAN, {"plan": plan, "asOf": as_of, "fy": fiscal_year})["plan"]
    return found


def in_report_order(plan: dict[str, Any]) -> list[tuple[int, str, dict[str, Any]]]:
    """(strategy, kind, activity) in the minutes' order: strategy → one-year, then continuing."""
    return [
        (s["number"], kind, a)
        for s in plan["strategies"]
        for kind in ("ONE_YEAR", "CONTINUING")
        for a in s["activities"]
        if a["kind"] == kind
    ]


def results_rows(sheet: Any, lang: str = "th") -> list[tuple[int, str, tuple[Any, ...]]]:
    """Walk the results sheet as a person reads it: strategy heading, kind heading, activity rows."""
    words = WORDS[lang]
    strategy_heading = re.compile(re.escape(words["strategy"]).replace(r"\{number\}", r"(\d+)") + " ")
    kinds = {words["ONE_YEAR"]: "ONE_YEAR", words["CONTINUING"]: "CONTINUING"}
    strategy, kind, found = 0, "", []
    for row in sheet.iter_rows(min_row=5, values_only=True):
        first = row[0]
        if isinstance(first, str) and (match := strategy_heading.match(first)):
            strategy, kind = int(match.group(1)), ""
        elif first in kinds:
            kind = kinds[first]
        elif isinstance(first, int) and row[8]:
            found.append((strategy, kind, row))
    return found


def assert_results_match(sheet: Any, plan: dict[str, Any], lang: str = "th") -> None:
    rows = results_rows(sheet, lang)
    expected = in_report_order(plan)
    assert len(rows) == len(expected)
    numbers: dict[tuple[int, str], int] = {}
    for (strategy, kind, row), (want_strategy, want_kind, a) in zip(rows, expected, strict=True):
        numbers[(strategy, kind)] = numbers.get((strategy, kind), 0) + 1
        status = a["statusLabel"] if lang == "th" else ENGLISH[a["status"]]
        assert (strategy, kind) == (want_strategy, want_kind), a["title"]
        assert row == (
            numbers[(strategy, kind)],
            a["title"],
            a["outcome"] or None,
            status,
            "—" if a["progress"] is None else a["progress"],  # unknown: a dash, never 0
            a["fiscalYear"],
            ", ".join(a["responsibleUnits"]) or None,
            a["statusReason"] or None,
            a["id"],
        )


def assert_summary_matches(sheet: Any, plan: dict[str, Any]) -> None:
    rows = list(sheet.iter_rows(min_row=5, values_only=True))
    by_number = {row[0]: row for row in rows if isinstance(row[0], int)}
    for s in plan["strategies"]:
        summary = s["summary"]
        counts = {c["status"]: c["count"] for c in summary["byStatus"]}
        assert by_number[s["number"]] == (
            s["number"],
            s["title"],
            summary["total"],
            *(counts[status] for status in STATUSES),
            summary["shareCompleted"],
            "—" if summary["meanProgress"] is None and summary["total"] else summary["meanProgress"],
            summary["progressKnown"],
        )
    [total] = [row for row in rows if row[0] == WORDS["th"]["plan_total"]]
    summary = plan["summary"]
    counts = {c["status"]: c["count"] for c in summary["byStatus"]}
    assert total[2:] == (
        summary["total"],
        *(counts[s] for s in STATUSES),
        summary["shareCompleted"],
        "—" if summary["meanProgress"] is None and summary["total"] else summary["meanProgress"],
        summary["progressKnown"],
    )
    for kind in ("ONE_YEAR", "CONTINUING"):
        [row] = [r for r in rows if r[0] == WORDS["th"][kind]]
        mine = [a for _, k, a in in_report_order(plan) if k == kind]
        assert row[2] == len(mine)
        assert row[3 : 3 + len(STATUSES)] == tuple(sum(1 for a in mine if a["status"] == st) for st in STATUSES)


# -- the tests ------------------------------------------------------------------------------------


@pytest.mark.parametrize("point", ["9/2563", "1/2564", "date", "now"])
def test_the_xlsx_holds_the_plan_as_the_api_answers_it(ledger: Server, ids: dict[str, str], point: str) -> None:
    as_of = {"date": "2021-01-06"} if point == "date" else None if point == "now" else {"meeting": ids[point]}
    response = get(ledger, "/reports/plan.xlsx", {"plan": ids["plan"], **(as_of or {})})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response.headers["content-disposition"]
    (artifacts("reports") / f"plan-{point.replace('/', '-')}.xlsx").write_bytes(response.content)

    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == [WORDS["th"]["results"], WORDS["th"]["summary"]]
    plan = api_plan(ledger, ids["plan"], as_of)
    assert_results_match(book.worksheets[0], plan)
    assert_summary_matches(book.worksheets[1], plan)
    # beside the computed roll-ups, the figures the minutes reported, as reported (from 1/2564 on)
    reported = {r[2] for r in book.worksheets[1].iter_rows(values_only=True) if len(r) > 5 and r[5] == "1/2564"}
    assert reported == (set() if point == "9/2563" else {83.2, 95.68, 70.71, 100, 50})
    heading = book.worksheets[0]["A2"].value
    if point == "1/2564":
        assert heading == "ณ วันที่ 6 มกราคม 2564 (การประชุมครั้งที่ 1/2564)"
    if point == "now":
        assert heading == "ณ ปัจจุบัน"


def test_the_xlsx_reads_as_a_table_on_screen_and_on_paper(ledger: Server, ids: dict[str, str]) -> None:
    response = get(ledger, "/reports/plan.xlsx", {"plan": ids["plan"], "meeting": ids["1/2564"]})
    assert response.status_code == 200, response.text
    book = load_workbook(BytesIO(response.content))
    results, summary = book.worksheets
    # one header row: frozen in view, printed on every page, filtering the whole table
    header = [c.value for c in results[5]]
    assert header == [WORDS["th"][word] for word, _ in COLUMNS]
    assert results.freeze_panes == "A6"
    assert results.print_title_rows in ("5:5", "$5:$5")
    assert results.auto_filter.ref == f"A5:I{results.max_row}"
    assert summary.print_title_rows in ("1:3", "$1:$3")
    # rows as tall as their wrapped text: the longest outcome's row is more than one line high
    rows = results_rows(results)
    longest = max(rows, key=lambda r: len(r[2][2] or ""))
    row_number = next(c.row for c in results["C"] if c.value == longest[2][2])
    width = results.column_dimensions["C"].width
    assert len(longest[2][2]) > 2 * width  # (the sample's longest outcome wraps)
    assert results.row_dimensions[row_number].height >= text_lines(longest[2][2], width) * 21
    # made when, in Thai local time and the Buddhist Era, as the minutes write times
    made = results["A3"].value
    match = re.fullmatch(r"จัดทำโดย planledger เมื่อ (\d{1,2}) (\S+) (\d{4}) (\d\d):(\d\d) น\.", made)
    assert match, made
    now = datetime.now(timezone(timedelta(hours=7)))
    assert abs(int(match.group(3)) - (now.year + 543)) <= 1  # (1: a run across New Year's midnight)


def test_the_csv_has_one_row_per_activity_as_the_api_answers_it(ledger: Server, ids: dict[str, str]) -> None:
    response = get(ledger, "/reports/plan.csv", {"plan": ids["plan"], "meeting": ids["1/2564"]})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert tuple(rows[0]) == HEADERS["th"]  # Thai by default, for a person
    assert rows[0][:3] == ["รหัสแผน", "ณ วันที่", "ตามข้อมูลที่บันทึกไว้ ณ"]
    english = get(ledger, "/reports/plan.csv", {"plan": ids["plan"], "meeting": ids["1/2564"], "lang": "en"})
    english_rows = list(csv.reader(io.StringIO(english.content.decode("utf-8-sig"))))
    assert tuple(english_rows[0]) == HEADER and english_rows[1:] == rows[1:]  # the same columns, code names
    plan = api_plan(ledger, ids["plan"], {"meeting": ids["1/2564"]})
    expected = in_report_order(plan)
    assert len(rows) - 1 == len(expected)
    titles = {s["number"]: s["title"] for s in plan["strategies"]}
    for row, (strategy, kind, a) in zip(rows[1:], expected, strict=True):
        assert dict(zip(HEADER, row, strict=True)) == {
            "plan_code": plan["code"],
            "as_of_date": "2021-01-06",
            "known_at": "",
            "strategy_number": str(strategy),
            "strategy_title": titles[strategy],
            "kind": kind,
            "kind_label": a["kindLabel"],
            "activity_id": a["id"],
            "activity": a["title"],
            "fiscal_year": str(a["fiscalYear"]),
            "status": a["status"],
            "status_label": a["statusLabel"],
            "progress": "" if a["progress"] is None else f"{a['progress']:.2f}",
            "outcome": a["outcome"] or "",
            "status_reason": a["statusReason"] or "",
            "responsible_units": "; ".join(a["responsibleUnits"]),
        }


def test_a_plan_by_its_code_one_fiscal_year_in_english(ledger: Server, ids: dict[str, str]) -> None:
    plan = api_plan(ledger, ids["plan"], {"meeting": ids["1/2564"]}, fiscal_year=2563)
    response = get(
        ledger,
        "/reports/plan.xlsx",
        {"plan": plan["code"], "meeting": ids["1/2564"], "fiscalYear": "2563", "lang": "en"},
    )
    assert response.status_code == 200, response.text
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == ["Results", "Summary"]
    assert book.worksheets[0]["A2"].value == "As of 6 January 2021 (meeting 1/2564) fiscal year 2563 BE"
    assert_results_match(book.worksheets[0], plan, lang="en")


def test_known_at_reads_the_plan_as_the_ledger_knew_it_then(ledger: Server, ids: dict[str, str]) -> None:
    # before anything was recorded the plan did not exist
    early = get(ledger, "/reports/plan.csv", {"plan": ids["plan"], "knownAt": "2001-01-01T00:00:00+07:00"})
    assert early.status_code == 404 and "did not exist" in early.json()["errors"][0]["message"]
    # a "+" left unencoded in the query string arrives as a space, and still reads as the offset
    later = httpx.get(
        f"{ledger.url}/reports/plan.csv?plan={ids['plan']}&knownAt=2999-01-01T00:00:00+07:00",
        headers=ledger.headers,
    )
    assert later.status_code == 200, later.text
    assert "2999-01-01T00:00:00+07:00" in later.text


@pytest.mark.parametrize(
    ("params", "status", "says"),
    [
        ({}, 400, "plan:"),
        ({"plan": "{plan}", "meting": "1/2564"}, 400, "unknown parameter 'meting'"),
        ({"plan": "{plan}", "date": "2021-13-01"}, 400, "date:"),
        ({"plan": "{plan}", "date": "6 Jan 2021"}, 400, "date:"),
        # the read models' "no end" answered 404 (the plan "did not exist at that point")
        ({"plan": "{plan}", "date": "9999-12-31"}, 400, "outside 1900-01-01..2200-12-31"),
        ({"plan": "{plan}", "date": "0001-01-01"}, 400, "outside 1900-01-01..2200-12-31"),
        ({"plan": "{plan}", "date": "2021-01-06", "meeting": "9/2563"}, 400, "not both"),
        ({"plan": "{plan}", "knownAt": "2021-03-01T10:00:00"}, 400, "offset"),
        ({"plan": "{plan}", "knownAt": "yesterday"}, 400, "knownAt:"),
        ({"plan": "{plan}", "fiscalYear": "25x4"}, 400, "fiscalYear:"),
        ({"plan": "{plan}", "lang": "fr"}, 400, "lang:"),
        ({"plan": "{plan}", "meeting": "{shared code}"}, 400, "several meetings have the code"),
        ({"plan": "{plan}", "meeting": "not-a-meeting"}, 404, "no meeting"),
        ({"plan": "{plan}", "meeting": "1/25\x0064"}, 400, "NUL"),
        ({"plan": str(uuid.UUID(int=7))}, 404, "no plan"),
        ({"plan": "no-such-code"}, 404, "no plan"),
    ],
)
def test_bad_parameters_get_a_clear_answer(
    ledger: Server, ids: dict[str, str], params: dict[str, str], status: int, says: str
) -> None:
    given = {
        k: v.replace("{plan}", ids["plan"]).replace("{shared code}", ids["shared code"]) for k, v in params.items()
    }
    for path in ("/reports/plan.xlsx", "/reports/plan.csv"):
        response = get(ledger, path, given)
        assert response.status_code == status, (path, response.text)
        assert response.headers["content-type"].startswith("application/json")
        message = response.json()["errors"][0]["message"]
        assert says in message, message
        assert "Traceback" not in response.text


def test_a_parameter_given_twice_and_an_unknown_format_are_refused(ledger: Server, ids: dict[str, str]) -> None:
    twice = httpx.get(
        f"{ledger.url}/reports/plan.csv?plan={ids['plan']}&date=2021-01-06&date=2021-02-03", headers=ledger.headers
    )
    assert twice.status_code == 400 and "once" in twice.json()["errors"][0]["message"]
    other = get(ledger, "/reports/plan.pdf", {"plan": ids["plan"]})
    assert other.status_code == 404 and "plan.xlsx" in other.json()["errors"][0]["message"]


def test_reports_need_a_valid_token(ledger: Server, ids: dict[str, str]) -> None:
    for path in ("/reports/plan.xlsx", "/reports/plan.csv"):
        missing = get(ledger, path, {"plan": ids["plan"]}, token=None)
        assert missing.status_code == 401 and missing.headers["www-authenticate"].startswith("Bearer")
        assert "token" in missing.json()["errors"][0]["message"]
        wrong = get(ledger, path, {"plan": ids["plan"]}, token="plt_" + "x" * 43)
        assert wrong.status_code == 401
        # bad parameters are not even looked at without a token
        assert get(ledger, path, {"nonsense": "1"}, token=None).status_code == 401
    reader = ledger.make_token(role="reader", name="reader")
    assert get(ledger, "/reports/plan.csv", {"plan": ids["plan"]}, token=reader).status_code == 200


def test_text_a_spreadsheet_would_run_as_a_formula_stays_text(ledger: Server, ids: dict[str, str]) -> None:
    # an outcome `=HYPERLINK(...)` recorded by a unit token (and a title starting with "@") was
    # written verbatim into the CSV, where a spreadsheet program runs it as a formula
    plan = query(
        ledger, "query($p: ID!) { plan(id: $p) { activities { fiscalYear strategyNumber } } }", {"p": ids["plan"]}
    )
    some = plan["plan"]["activities"][0]
    unit = "Formula office"
    activity = query(
        ledger,
        "mutation($input: RegisterActivityInput!) "
        "{ r: registerActivity(input: $input) { ... on Recorded { streamId } } }",
        {
            "input": {
                "planId": ids["plan"],
                "strategyNumber": some["strategyNumber"],
                "fiscalYear": some["fiscalYear"],
                "kind": "ONE_YEAR",
                "title": "@SUM(1+1)",
                "responsibleUnits": [unit],
            }
        },
    )["r"]["streamId"]
    outcome = '=HYPERLINK("http://example.invalid/","details")'
    reason = "-1+2"
    unit_token = ledger.make_token(role="unit", unit=unit, name="formula unit")
    for name, payload in (
        ("recordOutcome", {"outcome": outcome}),
        ("changeActivityStatus", {"status": "ON_HOLD", "reason": reason}),
    ):
        kind = name[0].upper() + name[1:]
        answer = ledger.post(
            f"mutation($input: {kind}Input!) {{ r: {name}(input: $input) {{ __typename }} }}",
            {"input": {"activityId": activity, "consistency": "READ_YOUR_WRITES", **payload}},
            token=unit_token,
        )
        assert answer.json()["data"]["r"]["__typename"] == "ActivityRecorded", answer.text

    response = get(ledger, "/reports/plan.csv", {"plan": ids["plan"]})
    assert response.status_code == 200, response.text
    rows = [dict(zip(HEADER, r, strict=True)) for r in csv.reader(io.StringIO(response.content.decode("utf-8-sig")))]
    [row] = [r for r in rows if r["activity_id"] == activity]
    assert (row["activity"], row["outcome"], row["status_reason"]) == ("'@SUM(1+1)", "'" + outcome, "'" + reason)
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for r in rows for cell in r.values())

    # the workbook holds the same text as text cells, never as formulas
    book = load_workbook(BytesIO(get(ledger, "/reports/plan.xlsx", {"plan": ids["plan"]}).content))
    cells = {c.value: c for r in book.worksheets[0].iter_rows() for c in r if c.value in ("@SUM(1+1)", outcome, reason)}
    assert set(cells) == {"@SUM(1+1)", outcome, reason}
    assert {c.data_type for c in cells.values()} == {"s"}


# -- the meeting pack (PDF) -----------------------------------------------------------------------

PACK_CHECK = """query($plan: ID!, $meeting: String!) {
  plan(id: $plan, asOf: { meeting: $meeting }) { activities { title progress } }
  progressReport(planId: $plan, meeting: $meeting) { openActionItems { description state } }
  risks(planId: $plan, asOf: { meeting: $meeting }) { title score }
}"""


def pdf_text(pdf: bytes, path: Path) -> str:
    """The PDF's text in the order it was written (pdftotext -raw: cell by cell, not column by column)."""
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True).stdout


#: Thai vowel and tone marks drawn above or below a consonant (and sara am, drawn as nikhahit + sara aa)
THAI_MARKS = re.compile("[\u0e31\u0e33-\u0e3a\u0e47-\u0e4e]")


def squeezed(text: str) -> str:
    """Text as pdftotext can give it back: without whitespace (a cell wraps a title over lines) and
    without Thai marks, which it places by their glyph's position (a tone mark may land on the next
    line, sara am comes back as its parts); every consonant, vowel, digit and letter still in order."""
    return THAI_MARKS.sub("", re.sub(r"\s+", "", text)).replace("\u0e32", "")


def test_the_meeting_pack_pdf_holds_the_meeting_in_thai(ledger: Server, ids: dict[str, str]) -> None:
    response = get(ledger, "/reports/pack.pdf", {"plan": ids["plan"], "meeting": "1/2564"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert "pack-" in response.headers["content-disposition"]
    folder = artifacts("reports")
    pdf = folder / "pack-1-2564.pdf"
    text = pdf_text(response.content, pdf)
    flat = squeezed(text)

    # the cover: the plan, the meeting's code and its Buddhist-Era date; page numbers on the pages after
    assert "ครั้งที่ 1/2564" in text and "6 มกราคม 2564" in text
    pages = int(re.findall(r"หน้า (\d+)/(\d+)", text)[0][1])
    assert pages >= 2 and f"หน้า 2/{pages}" in text and f"หน้า {pages}/{pages}" in text
    # every activity as of the meeting, with its progress ("—" when unknown: never a 0 made up)
    check = query(ledger, PACK_CHECK, {"plan": ids["plan"], "meeting": ids["1/2564"]})
    activities = check["plan"]["activities"]
    assert activities
    for a in activities:
        assert squeezed(a["title"]) in flat, a["title"]
    assert any(a["progress"] is None for a in activities) and "—" in text
    for a in activities:
        if a["progress"] is not None:
            assert f"{a['progress']:.2f}" in text
    # the figures the minutes reported, as reported, beside the computed ones
    for figure in ("83.20", "95.68", "70.71", "100.00", "50.00"):
        assert figure in text, figure
    # open action items and the risk register, an unassessed risk said in words
    for item in check["progressReport"]["openActionItems"]:
        assert squeezed(item["description"])[:40] in flat
    risks = check["risks"]
    for risk in risks:
        assert squeezed(risk["title"]) in flat, risk["title"]
    if any(r["score"] is None for r in risks):
        assert squeezed("ยังไม่ประเมิน") in flat

    # the font travels inside the file (subset), nothing left to the reader's machine
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in fonts.splitlines()[2:] if line.strip()]
    assert rows and any("Sarabun" in row[0] for row in rows)
    assert all(row[-5] == "yes" for row in rows), fonts  # the "emb" column
    # page 1 (the cover) and page 2 as pictures, for a person to look at
    for page in (1, 2):
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "70",
                "-f",
                str(page),
                "-l",
                str(page),
                "-singlefile",
                str(pdf),
                str(folder / f"pack-page-{page}"),
            ],
            check=True,
        )
        assert (folder / f"pack-page-{page}.png").stat().st_size > 5000


def test_the_meeting_pack_in_english_and_as_known_earlier(ledger: Server, ids: dict[str, str]) -> None:
    english = get(ledger, "/reports/pack.pdf", {"plan": ids["plan"], "meeting": ids["1/2564"], "lang": "en"})
    assert english.status_code == 200, english.text
    text = pdf_text(english.content, artifacts("reports") / "pack-1-2564-en.pdf")
    assert "Meeting pack" in text and "6 January 2021" in text and "Page 1/" in text
    assert "Notassessed" in re.sub(r"\s+", "", text) and "Open" in text and "Chair" in text  # English enum words
    # before anything was recorded the meeting was not known: a 404 saying so, as the other reports give
    early = {"plan": ids["plan"], "meeting": ids["1/2564"], "knownAt": "2001-01-01T00:00:00+07:00"}
    before = get(ledger, "/reports/pack.pdf", early)
    assert before.status_code == 404 and "no meeting" in before.json()["errors"][0]["message"], before.text


def test_every_meeting_of_the_committee_has_its_pack_with_its_open_action_items(
    ledger: Server, ids: dict[str, str]
) -> None:
    items = (
        "query($p: ID!, $m: String!) { progressReport(planId: $p, meeting: $m) "
        "{ openActionItems { description state } } }"
    )
    meetings = {code: meeting for code, meeting in ids.items() if "/" in code}
    assert len(meetings) >= 2
    seen: Counter[str] = Counter()
    for code, meeting in meetings.items():
        response = get(ledger, "/reports/pack.pdf", {"plan": ids["plan"], "meeting": meeting})
        assert response.status_code == 200, (code, response.text)
        flat = squeezed(pdf_text(response.content, artifacts("reports") / f"pack-{code.replace('/', '-')}.pdf"))
        assert squeezed(f"ครั้งที่ {code}") in flat
        report = query(ledger, items, {"p": ids["plan"], "m": meeting})["progressReport"]
        for item in report["openActionItems"]:
            seen[item["state"]] += 1
            assert squeezed(item["description"])[:40] in flat, item["description"]
        overdue = [i for i in report["openActionItems"] if i["state"] == "OVERDUE"]
        if overdue:
            assert squeezed(f"เกินกำหนด {len(overdue)} จาก {len(report['openActionItems'])} รายการ") in flat
        elif not report["openActionItems"]:
            assert squeezed("ไม่มีงานตามมติที่ค้างอยู่") in flat
    assert seen, "no meeting of the seed has open action items: the section went untested"


@pytest.mark.parametrize(
    ("params", "status", "says"),
    [
        ({"plan": "{plan}"}, 400, "meeting:"),
        ({"plan": "{plan}", "date": "2021-01-06"}, 400, "not a date"),
        ({"plan": "{plan}", "meeting": "not-a-meeting"}, 404, "no meeting"),
        ({"plan": "{plan}", "meeting": "{shared code}"}, 400, "several meetings have the code"),
        ({"plan": "no-such-code", "meeting": "1/2564"}, 404, "no plan"),
        ({"plan": "{plan}", "meeting": "1/2564", "lang": "fr"}, 400, "lang:"),
        ({"plan": "{plan}", "meeting": "1/2564", "meting": "x"}, 400, "unknown parameter"),
    ],
)
def test_a_bad_pack_request_gets_a_clear_answer(
    ledger: Server, ids: dict[str, str], params: dict[str, str], status: int, says: str
) -> None:
    given = {
        k: v.replace("{plan}", ids["plan"]).replace("{shared code}", ids["shared code"]) for k, v in params.items()
    }
    response = get(ledger, "/reports/pack.pdf", given)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert says in response.json()["errors"][0]["message"]
    assert get(ledger, "/reports/pack.pdf", given, token=None).status_code == 401
