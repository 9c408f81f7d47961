"""The meeting pack as a PDF (A4, Thai by default): HTML and CSS rendered on the server by
WeasyPrint, with the dashboard's Sarabun (service/dashboard/static/fonts, SIL OFL 1.1) embedded and
subset, so the file reads the same on any machine and nothing is fetched from outside.

Tables repeat their header row on every page and wrap their text; every page but the cover says
"หน้า x/y". Dates are Buddhist Era; a progress nobody reported is "—" (never 0), a risk with no
score is "ยังไม่ประเมิน"; the figures the minutes reported stand beside the computed ones, never
mixed with them. WeasyPrint needs Pango (Debian: libpango-1.0-0, libpangoft2-1.0-0).

Measured on the sample (meeting 1/2564, 31 activities): 23 pages, 116 kB, 11-16 s
a request on a shared 2-core machine, of which ~9 s is WeasyPrint laying out the wrapped Thai table text
and ~2.5 s writing the PDF (subsetting the fonts); the XLSX of the same point takes 0.4 s. It runs in a
worker thread (service/reports/__init__.py), never on the event loop."""

from __future__ import annotations

import html
from datetime import date
from pathlib import Path
from typing import Any

from service.reports.pack import MeetingPack
from service.reports.pack_words import CHANGED, ENGLISH_LABELS, WORDS
from service.reports.plan import KINDS, ReportError, Rollup, english_date, english_time, thai_date, thai_time
from service.reports.workbook import ENGLISH_STATUS

MEDIA_TYPE = "application/pdf"
FONTS = Path(__file__).resolve().parent.parent / "dashboard" / "static" / "fonts"
#: the subsets the dashboard ships, each with the characters it covers (as @fontsource declares them)
SUBSETS = {
    "thai": "U+02D7, U+0303, U+0331, U+0E01-0E5B, U+200C-200D, U+25CC",
    "latin": "U+0000-00FF, U+0131, U+0152-0153, U+02BB-02BC, U+02C6, U+02DA, U+02DC, U+0304, U+0308, "
    "U+0329, U+2000-206F, U+20AC, U+2122, U+2191, U+2193, U+2212, U+2215, U+FEFF, U+FFFD",
}
WEIGHTS = (400, 600, 700)
UNKNOWN = "—"


#: one family per subset file: WeasyPrint embeds fonts by family, weight and style, so two files under
#: one family name shared one PDF font and drew Thai with Latin glyph numbers (and the reverse)
FAMILY = ", ".join(f"'Sarabun {subset.title()}'" for subset in SUBSETS)


def _font_faces() -> str:
    return "\n".join(
        f"@font-face {{ font-family: 'Sarabun {subset.title()}'; font-weight: {weight}; unicode-range: {ranges}; "
        f"src: url('{(FONTS / f'sarabun-{subset}-{weight}-normal.woff2').as_uri()}') format('woff2'); }}"
        for subset, ranges in SUBSETS.items()
        for weight in WEIGHTS
    )


CSS = """
@page { size: A4; margin: 16mm 14mm 18mm 14mm;
  @bottom-left { content: string(running); font: 8.5pt FAMILY; color: #5b6472; }
  @bottom-right { content: "PAGE_WORD " counter(page) "/" counter(pages); font: 8.5pt FAMILY; color: #5b6472; } }
@page :first { @bottom-left { content: none; } }
html { font-family: FAMILY; font-size: 10.5pt; line-height: 1.45; color: #1f2a44; }
body { margin: 0; }
.running { string-set: running content(); font-size: 9pt; color: #5b6472; margin-bottom: 3mm; }
h1 { font-size: 22pt; font-weight: 700; margin: 0 0 6mm; line-height: 1.3; }
h2 { font-size: 14pt; font-weight: 700; margin: 7mm 0 2.5mm; padding-bottom: 1mm; border-bottom: 1.2pt solid #1f2a44;
  break-after: avoid; }
h3 { font-size: 12pt; font-weight: 700; margin: 5mm 0 2mm; break-after: avoid; }
h4 { font-size: 10.5pt; font-weight: 600; margin: 3mm 0 1.5mm; break-after: avoid; }
p { margin: 0 0 2mm; }
.cover { page-break-after: always; padding-top: 35mm; }
.cover .kicker { font-size: 13pt; font-weight: 600; letter-spacing: 0.02em; color: #3b4a6b; margin-bottom: 4mm; }
.cover .meeting { font-size: 15pt; font-weight: 600; margin: 0 0 2mm; }
.cover dl { margin: 12mm 0 0; display: block; }
.cover dt { font-weight: 600; color: #3b4a6b; margin-top: 2.5mm; }
.cover dd { margin: 0; }
.cover .generated { margin-top: 20mm; font-size: 9pt; color: #5b6472; }
table { width: 100%; table-layout: fixed; border-collapse: collapse; margin: 0 0 3mm; }
thead { display: table-header-group; }
th, td { border: 0.5pt solid #9aa3b2; padding: 1.2mm 1.6mm; vertical-align: top; text-align: left;
  overflow-wrap: anywhere; }
th { background: #e6ebf3; font-weight: 600; font-size: 9.5pt; }
tr { break-inside: avoid; }
td.num, th.num { text-align: right; }
td.num { white-space: nowrap; }
td.no, th.no { text-align: center; }
.note { font-size: 9pt; color: #4b5567; break-after: avoid; }
.tag { display: inline-block; font-size: 8.5pt; font-weight: 600; border: 0.6pt solid #1f2a44; border-radius: 2pt;
  padding: 0 1.2mm; margin-top: 0.8mm; }
.empty { color: #5b6472; }
.goal { font-size: 9.5pt; color: #3b4a6b; break-after: avoid; }
tr.total td { font-weight: 700; background: #f3f4f6; }
.reported { font-size: 9.5pt; }
"""


class _Writer:
    def __init__(self, pack: MeetingPack) -> None:
        self.pack = pack
        self.w = WORDS[pack.lang]
        self.parts: list[str] = []

    def day(self, value: str | date | None) -> str:
        if value is None:
            return UNKNOWN
        day = date.fromisoformat(value) if isinstance(value, str) else value
        return thai_date(day) if self.pack.lang == "th" else english_date(day)

    def status(self, status: str | None, label: str | None) -> str:
        if status is None:
            return UNKNOWN
        return ENGLISH_STATUS.get(status, status) if self.pack.lang == "en" else (label or status)

    def label(self, family: str, value: str | None, thai: str | None) -> str:
        """An enum value's words: the API's Thai label, or English."""
        if value is None:
            return UNKNOWN
        return ENGLISH_LABELS[family].get(value, value) if self.pack.lang == "en" else (thai or value)

    def add(self, text: str) -> None:
        self.parts.append(text)

    def table(self, headers: list[tuple[str, str]], rows: list[list[tuple[str, str]]], widths: list[str]) -> None:
        """headers and cells as (class, already escaped HTML)."""
        cols = "".join(f'<col style="width:{width}">' for width in widths)
        head = "".join(f'<th scope="col" class="{c}">{text}</th>' for c, text in headers)
        body = "".join("<tr>" + "".join(f'<td class="{c}">{text}</td>' for c, text in row) + "</tr>" for row in rows)
        self.add(f"<table><colgroup>{cols}</colgroup><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _number(value: float | None) -> str:
    return UNKNOWN if value is None else f"{value:.2f}"


def build_pdf(pack: MeetingPack) -> bytes:
    """The PDF file's bytes."""
    try:
        from weasyprint import HTML  # imported here: Pango loads once, on the first pack asked for
    except OSError as error:  # WeasyPrint is installed, the system's Pango is not
        raise ReportError(
            500, f"the PDF needs Pango (apt-get install libpango-1.0-0 libpangoft2-1.0-0): {error}"
        ) from None

    document = build_html(pack)
    return bytes(HTML(string=document, base_url=str(FONTS)).write_pdf())


def build_html(pack: MeetingPack) -> str:
    """The pack as one HTML document (what the PDF is rendered from)."""
    out = _Writer(pack)
    _cover(out)
    _attendance(out)
    _summary(out)
    _activities(out)
    _changes(out)
    _action_items(out)
    _risks(out)
    w = out.w
    css = _font_faces() + CSS.replace("PAGE_WORD", w["page"]).replace("FAMILY", FAMILY)
    title = _e(w["title"].format(code=pack.meeting["code"]))
    return (
        f'<!doctype html><html lang="{pack.lang}"><head><meta charset="utf-8"><title>{title}</title>'
        f'<meta name="author" content="planledger"><style>{css}</style></head><body>{"".join(out.parts)}</body></html>'
    )


def _cover(out: _Writer) -> None:
    pack, w = out.pack, out.w
    meeting, plan = pack.meeting, pack.plan
    running = f"{plan.code} · {w['meeting_code'].format(code=meeting['code'])}"
    out.add(f'<section class="cover"><div class="running">{_e(running)}</div>')
    out.add(f'<div class="kicker">{_e(w["kicker"])}</div><h1>{_e(plan.title)}</h1>')
    out.add(f'<p class="meeting">{_e(w["meeting_of"].format(body=meeting["body"], code=meeting["code"]))}</p>')
    out.add(f'<p class="meeting">{_e(out.day(meeting["date"]))}</p><dl>')
    facts: list[tuple[str, str | None]] = [
        (w["plan_code"], plan.code),
        (w["committee"], meeting["body"]),
        (w["time"], " – ".join(t[:5] for t in (meeting["startsAt"], meeting["endsAt"]) if t) or None),
        (w["venue"], " · ".join(v for v in (meeting["venue"], meeting["modeLabel"]) if v) or None),
        (w["as_of"], w["as_of_meeting"].format(date=out.day(meeting["date"]))),
    ]
    if pack.previous is not None:
        previous = w["meeting_code"].format(code=pack.previous["code"]) + " · " + out.day(pack.previous["date"])
        facts.append((w["previous"], previous))
    if plan.fiscal_year is not None:
        facts.append((w["fiscal_year"], str(plan.fiscal_year)))
    if plan.known_at is not None:
        facts.append((w["known_at"], _moment(pack, plan.known_at)))
    for name, value in facts:
        if value:
            out.add(f"<dt>{_e(name)}</dt><dd>{_e(value)}</dd>")
    out.add(f'</dl><p class="generated">{_e(w["generated"].format(time=_moment(pack, pack.generated)))}</p></section>')


def _moment(pack: MeetingPack, moment: Any) -> str:
    return thai_time(moment) if pack.lang == "th" else english_time(moment)


def _attendance(out: _Writer) -> None:
    w = out.w
    people = out.pack.meeting["attendance"]
    out.add(f"<h2>{_e(w['attendance'])}</h2>")
    if not people:
        out.add(f'<p class="empty">{_e(w["no_attendance"])}</p>')
        return
    rows = [
        [
            ("no", str(n)),
            ("", _e(p["name"])),
            ("", _e(p["position"])),
            ("", _e(out.label("role", p["role"], p["roleLabel"]))),
            ("", _e(out.label("presence", p["presence"], p["presenceLabel"]))),
        ]
        for n, p in enumerate(people, start=1)
    ]
    headers = [
        ("no", _e(w["no"])),
        ("", _e(w["name"])),
        ("", _e(w["position"])),
        ("", _e(w["role"])),
        ("", _e(w["presence"])),
    ]
    out.table(headers, rows, ["7%", "27%", "36%", "15%", "15%"])


def _figures_text(out: _Writer, figures: list[dict[str, Any]]) -> str:
    w = out.w
    lines = []
    for f in figures:
        unit = f["unitLabel"] or w.get(f["unit"], f["unit"])
        where = f" ({_e(w['meeting_code'].format(code=f['meeting']['code']))})" if f["meeting"] else ""
        lines.append(f"{_e(f['label'])}: <b>{_number(f['value'])}</b> {_e(unit)}{where}")
    return "<br>".join(lines) or UNKNOWN


def _summary(out: _Writer) -> None:
    pack, w = out.pack, out.w
    plan = pack.plan
    out.add(f"<h2>{_e(w['summary'])}</h2><p class='note'>{_e(w['summary_note'])}</p>")

    def row(name: str, rollup: Rollup, figures: list[dict[str, Any]], total: bool = False) -> list[tuple[str, str]]:
        share = None if rollup.share_completed is None or not rollup.total else rollup.share_completed * 100
        return [
            ("", _e(name)),
            ("num", str(rollup.total)),
            ("num", str(rollup.by_status.get("COMPLETED", 0))),
            ("num", _number(share)),
            ("num", _number(rollup.mean_progress)),
            ("num", f"{rollup.progress_known}/{rollup.total}"),
            ("reported", _figures_text(out, figures)),
        ]

    figures = plan.figures
    rows = [
        row(
            w["strategy"].format(number=s.number) + " " + s.title,
            s.rollup,
            [f for f in figures if f["strategyNumber"] == s.number],
        )
        for s in plan.strategies
    ]
    kinds = plan.by_kind()
    rows += [
        row(w[kind], kinds[kind], [f for f in figures if f["strategyNumber"] is None and f["kind"] == kind])
        for kind in KINDS
    ]
    rows.append(
        row(w["whole_plan"], plan.rollup, [f for f in figures if f["strategyNumber"] is None and f["kind"] is None])
    )
    headers = [
        ("", _e(w["about"])),
        ("num", _e(w["total"])),
        ("num", _e(w["completed"])),
        ("num", _e(w["share"])),
        ("num", _e(w["mean"])),
        ("num", _e(w["known"])),
        ("", _e(w["as_reported"])),
    ]
    out.table(headers, rows, ["24%", "8%", "9%", "11%", "11%", "10%", "27%"])


def _activities(out: _Writer) -> None:
    pack, w = out.pack, out.w
    heard = {c["activityId"] for c in pack.changes}
    out.add(f"<h2>{_e(w['activities'])}</h2>")
    for strategy in pack.plan.strategies:
        out.add(f"<h3>{_e(w['strategy'].format(number=strategy.number))} {_e(strategy.title)}</h3>")
        if strategy.goal:
            out.add(f'<p class="goal">{_e(w["goal"])} {_e(strategy.goal)}</p>')
        if not any(strategy.activities.get(kind) for kind in KINDS):
            out.add(f'<p class="empty">{_e(w["none"])}</p>')
            continue
        for kind in KINDS:
            activities = strategy.activities.get(kind, [])
            if not activities:
                continue
            out.add(f"<h4>{_e(w[kind])}</h4>")
            rows = []
            for n, a in enumerate(activities, start=1):
                title = _e(a["title"])
                if a["id"] in heard:
                    title += f'<br><span class="tag">{_e(w["changed_tag"])}</span>'
                status = _e(out.status(a["status"], a["statusLabel"]))
                if a["statusReason"]:
                    status += f'<br><span class="note">{_e(a["statusReason"])}</span>'
                units = ", ".join(a["responsibleUnits"]) or UNKNOWN
                rows.append(
                    [
                        ("no", str(n)),
                        ("", title),
                        ("", status),
                        ("num", _number(a["progress"])),
                        ("", _e(a["outcome"] or UNKNOWN)),
                        ("", _e(units)),
                    ]
                )
            headers = [
                ("no", _e(w["no"])),
                ("", _e(w["activity"])),
                ("", _e(w["status"])),
                ("num", _e(w["progress"])),
                ("", _e(w["outcome"])),
                ("", _e(w["units"])),
            ]
            out.table(headers, rows, ["7%", "30%", "13%", "10%", "26%", "14%"])


def _values(out: _Writer, values: dict[str, Any] | None, field: str) -> str:
    if values is None:
        return UNKNOWN
    if field == "status":
        return _e(out.status(values["status"], values["statusLabel"]))
    if field == "progress":
        return _number(values["progress"])
    return _e(values.get(field) or UNKNOWN)


def _changes(out: _Writer) -> None:
    pack, w = out.pack, out.w
    since = (
        w["since_meeting"].format(code=pack.previous["code"], date=out.day(pack.previous["date"]))
        if pack.previous
        else w["since_start"]
    )
    out.add(f"<h2>{_e(w['changes'])}</h2><p class='note'>{_e(since)}</p>")
    if not pack.changes:
        out.add(f'<p class="empty">{_e(w["no_changes"])}</p>')
        return
    rows = []
    for c in pack.changes:
        for field in c["changed"]:
            heard = (
                w["meeting_code"].format(code=c["heardAt"])
                if c["heardAt"]
                else w["live_update"].format(date=out.day(c["effectiveOn"]))
            )
            rows.append(
                [
                    ("", _e(c["title"])),
                    ("", _e(w[CHANGED[field]] if field in CHANGED else field)),
                    ("", _values(out, c["before"], field)),
                    ("", _values(out, c["after"], field)),
                    ("", _e(heard)),
                ]
            )
    headers = [
        ("", _e(w["activity"])),
        ("", _e(w["what"])),
        ("", _e(w["before"])),
        ("", _e(w["after"])),
        ("", _e(w["heard_at"])),
    ]
    out.table(headers, rows, ["28%", "12%", "22%", "22%", "16%"])


def _action_items(out: _Writer) -> None:
    pack, w = out.pack, out.w
    out.add(f"<h2>{_e(w['action_items'])}</h2>")
    if not pack.action_items:
        out.add(f'<p class="empty">{_e(w["no_action_items"])}</p>')
        return
    overdue = sum(1 for i in pack.action_items if i["state"] == "OVERDUE")
    out.add(f"<p class='note'>{_e(w['overdue_count'].format(n=overdue, total=len(pack.action_items)))}</p>")
    rows = []
    for item in pack.action_items:
        due = out.day(item["dueOn"]) if item["dueOn"] else None
        if item["dueMeeting"]:
            due = (due + " · " if due else "") + w["meeting_code"].format(code=item["dueMeeting"])
        state = w["state_" + item["state"]]
        rows.append(
            [
                ("", f"<b>{_e(state)}</b>" if item["state"] == "OVERDUE" else _e(state)),
                ("", _e(item["description"])),
                ("", _e(item["owner"])),
                ("", _e(w["meeting_code"].format(code=item["meetingCode"]))),
                ("", _e(due or UNKNOWN)),
            ]
        )
    headers = [
        ("", _e(w["state"])),
        ("", _e(w["work"])),
        ("", _e(w["owner"])),
        ("", _e(w["assigned_at"])),
        ("", _e(w["due"])),
    ]
    out.table(headers, rows, ["13%", "40%", "17%", "14%", "16%"])


def _risks(out: _Writer) -> None:
    pack, w = out.pack, out.w
    out.add(f"<h2>{_e(w['risks'])}</h2>")
    if not pack.risks:
        out.add(f'<p class="empty">{_e(w["no_risks"])}</p>')
        return
    rows = []
    for r in pack.risks:
        assessed = r["score"] is not None
        level = _e(out.label("level", r["level"], r["levelLabel"])) if assessed else _e(w["not_assessed"])
        score = f"{r['score']} ({r['likelihood']}×{r['impact']})" if assessed else UNKNOWN
        activity = r["activity"]
        about = (
            UNKNOWN
            if activity is None
            else f"{activity['title']} ({w['strategy'].format(number=activity['strategyNumber'])})"
        )
        rows.append(
            [
                ("", _e(r["title"])),
                ("", _e(about)),
                ("", f"<b>{level}</b>" if assessed else level),
                ("num", score),
                ("", _e(out.label("riskStatus", r["status"], r["statusLabel"]))),
                ("", _e(r["owner"] or UNKNOWN)),
                ("", _e(r["mitigation"] or UNKNOWN)),
            ]
        )
    headers = [
        ("", _e(w["risk"])),
        ("", _e(w["activity"])),
        ("", _e(w["level"])),
        ("num", _e(w["score"])),
        ("", _e(w["status"])),
        ("", _e(w["owner"])),
        ("", _e(w["mitigation"])),
    ]
    out.table(headers, rows, ["23%", "20%", "11%", "10%", "8%", "10%", "18%"])
