"""The dashboard in real headless Chromium against a real server process holding the seed minutes
(imported with the importer) and a few facts recorded through the API. Every expected number is
asked of the API, never written down here. Screenshots go to the test artifacts folder."""

from __future__ import annotations

import json
import re
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import date
from io import BytesIO
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from service.config import ServerAddress
from tests.e2e.browser import artifacts
from tests.e2e.dashboard_data import mutate, plan_and_meetings, query, seeded
from tests.e2e.server_process import Server

SHOTS = artifacts("dashboard")
SUMMARY = "total completed byStatus { status statusLabel count }"
PLAN_AT = f"""query($plan: ID!, $asOf: AsOf) {{ plan(id: $plan, asOf: $asOf) {{
  title summary {{ {SUMMARY} }} strategies {{ number summary {{ {SUMMARY} }} }}
  activities {{ id status kind responsibleUnits milestones {{ id slipDays }} }} }} }}"""
RISKS_AT = "query($plan: ID, $asOf: AsOf) { risks(planId: $plan, asOf: $asOf) { id title likelihood impact status } }"


@pytest.fixture(scope="module")
def ledger(server: ServerAddress) -> Iterator[Server]:
    with seeded(server) as process:
        yield process


@pytest.fixture(scope="module")
def ids(ledger: Server) -> dict[str, Any]:
    plan, meetings = plan_and_meetings(ledger)
    return {"plan": plan, "9/2563": meetings["9/2563"], "1/2564": meetings["1/2564"]}


@pytest.fixture
def page(browser: Any, ledger: Server, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh tab (its own sessionStorage) that fails the test on any error in the page."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, accept_downloads=True)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.on("console", lambda message: errors.append(message.text) if _is_error(message) else None)
    yield tab
    tab.screenshot(path=SHOTS / f"{request.node.name}.png", full_page=True)
    context.close()
    assert not errors, errors


def _is_error(message: Any) -> bool:
    """A console error, but for the browser's own line about a refused request (a 401 is expected)."""
    return bool(message.type == "error" and not message.text.startswith("Failed to load resource"))


def signed_in(page: Page, ledger: Server, at: str = "", lang: str = "en") -> Page:
    """Open the page with the token already in the tab's sessionStorage (as after signing in)."""
    page.add_init_script(
        f"sessionStorage.setItem('planledger.token', {json.dumps(ledger.token)});"
        f"localStorage.setItem('planledger.lang', {json.dumps(lang)});"
    )
    page.goto(f"{ledger.url}/{'#' + at if at else ''}")
    page.wait_for_selector("body[data-state=ready]")
    return page


def wait_point(page: Page, point: str) -> None:
    page.wait_for_selector(f"body[data-point='{point}'][data-state=ready]")


def counts_on_page(page: Page) -> dict[str, int]:
    cells = page.locator("[data-testid=status-count]")
    return {
        cells.nth(i).get_attribute("data-status") or "": int(cells.nth(i).get_attribute("data-count") or -1)
        for i in range(cells.count())
    }


def strategies_on_page(page: Page) -> dict[int, dict[str, int]]:
    found: dict[int, dict[str, int]] = {}
    cards = page.locator("[data-testid=strategy]")
    for i in range(cards.count()):
        card = cards.nth(i)
        counts = card.locator(".mini-count")
        by_status = {
            counts.nth(j).get_attribute("data-status") or "": int(counts.nth(j).get_attribute("data-count") or -1)
            for j in range(counts.count())
        }
        by_status["total"] = int(card.get_attribute("data-total") or -1)
        by_status["completed"] = int(card.get_attribute("data-completed") or -1)
        found[int(card.get_attribute("data-number") or -1)] = by_status
    return found


def plan_at(ledger: Server, plan: str, as_of: dict[str, str] | None) -> dict[str, Any]:
    found: dict[str, Any] = query(ledger, PLAN_AT, {"plan": plan, "asOf": as_of})["plan"]
    return found


def expected_strategies(plan: dict[str, Any]) -> dict[int, dict[str, int]]:
    return {
        s["number"]: {
            **{c["status"]: c["count"] for c in s["summary"]["byStatus"] if c["count"]},
            "total": s["summary"]["total"],
            "completed": s["summary"]["completed"],
        }
        for s in plan["strategies"]
    }


def heat_on_page(page: Page) -> dict[tuple[int, int], int]:
    cells = page.locator("[data-testid=heat-cell]")
    assert cells.count() == 25
    return {
        (
            int(cells.nth(i).get_attribute("data-likelihood") or 0),
            int(cells.nth(i).get_attribute("data-impact") or 0),
        ): int(cells.nth(i).get_attribute("data-count") or -1)
        for i in range(25)
    }


def heat_from_api(ledger: Server, plan: str, as_of: dict[str, str] | None) -> dict[tuple[int, int], int]:
    risks = query(ledger, RISKS_AT, {"plan": plan, "asOf": as_of})["risks"]
    counted = Counter((r["likelihood"], r["impact"]) for r in risks if r["status"] != "CLOSED")
    return {
        (likelihood, impact): counted.get((likelihood, impact), 0)
        for likelihood in range(1, 6)
        for impact in range(1, 6)
    }


# -- the tests ------------------------------------------------------------------------------------


def test_the_page_asks_for_a_token_and_then_shows_the_plan(page: Page, ledger: Server, ids: dict[str, Any]) -> None:
    response = page.goto(ledger.url + "/")
    assert response is not None and response.ok
    assert "default-src 'self'" in (response.headers.get("content-security-policy") or "")
    page.click("[data-testid=lang-en]")
    expect(page.locator("#token")).to_be_visible()
    page.screenshot(path=SHOTS / "sign-in.png")

    page.fill("#token", "plt_not-a-token")
    page.click("button[type=submit]")
    expect(page.locator("[data-testid=login-error]")).to_contain_text("not valid")

    page.fill("#token", ledger.token)
    page.click("button[type=submit]")
    page.wait_for_selector("body[data-state=ready]")
    title = plan_at(ledger, ids["plan"], None)["title"]
    expect(page.locator("[data-testid=hero-title]")).to_have_text(title)
    expect(page.locator("[data-testid=live-status]")).to_have_attribute("data-live", "live")
    assert counts_on_page(page) == {
        c["status"]: c["count"] for c in plan_at(ledger, ids["plan"], None)["summary"]["byStatus"]
    }
    # the token stays with the tab: a reload needs no second sign-in
    page.reload()
    page.wait_for_selector("body[data-state=ready]")
    expect(page.locator("[data-testid=hero-title]")).to_have_text(title)


def test_moving_from_meeting_9_2563_to_1_2564_changes_the_counts_as_the_data_says(
    page: Page, ledger: Server, ids: dict[str, Any]
) -> None:
    signed_in(page, ledger)
    before = plan_at(ledger, ids["plan"], {"meeting": ids["9/2563"]})
    after = plan_at(ledger, ids["plan"], {"meeting": ids["1/2564"]})
    counts_before = {c["status"]: c["count"] for c in before["summary"]["byStatus"]}
    counts_after = {c["status"]: c["count"] for c in after["summary"]["byStatus"]}
    assert counts_before != counts_after  # the minutes of 1/2564 report the FY 2563 results

    page.select_option("[data-testid=point-select]", f"m:{ids['9/2563']}")
    wait_point(page, f"m:{ids['9/2563']}")
    expect(page.locator("[data-testid=as-of]")).to_contain_text("9/2563")
    assert counts_on_page(page) == counts_before
    assert strategies_on_page(page) == expected_strategies(before)
    page.screenshot(path=SHOTS / "overview-9-2563.png", full_page=True)

    page.select_option("[data-testid=point-select]", f"m:{ids['1/2564']}")
    wait_point(page, f"m:{ids['1/2564']}")
    expect(page.locator("[data-testid=as-of]")).to_contain_text("1/2564")
    assert counts_on_page(page) == counts_after
    assert strategies_on_page(page) == expected_strategies(after)
    page.screenshot(path=SHOTS / "overview-1-2564.png", full_page=True)

    # the slider: a date moves the point the same way (2 Dec 2020 is the day of 9/2563)
    day = date(2020, 12, 2)
    page.locator("[data-testid=date-slider]").evaluate(
        "(el, day) => { el.value = String(day); el.dispatchEvent(new Event('input', { bubbles: true }));"
        " el.dispatchEvent(new Event('change', { bubbles: true })); }",
        (day - date(1970, 1, 1)).days,
    )
    wait_point(page, f"d:{day.isoformat()}")
    on_the_day = plan_at(ledger, ids["plan"], {"date": day.isoformat()})
    assert counts_on_page(page) == {c["status"]: c["count"] for c in on_the_day["summary"]["byStatus"]}


def test_the_page_says_which_question_it_answers_and_switches_between_the_two_readings_of_a_day(
    page: Page, ledger: Server, ids: dict[str, Any]
) -> None:
    """Issue 20: "as the committee knew it at 1/2564" or "as we know it now, on 6 Jan 2021", and
    a switch between the two; each shows what the API answers for its point."""
    signed_in(page, ledger, at=f"at=m:{ids['1/2564']}")
    wait_point(page, f"m:{ids['1/2564']}")
    question = page.locator("[data-testid=as-of-question]")
    expect(question).to_have_text("As the committee knew it at 1/2564")
    told = plan_at(ledger, ids["plan"], {"meeting": ids["1/2564"]})
    assert counts_on_page(page) == {c["status"]: c["count"] for c in told["summary"]["byStatus"]}

    page.locator("[data-testid=question-switch]").click()
    wait_point(page, "d:2021-01-06")
    expect(question).to_have_text("As we know it now, on 6 January 2021")
    world = plan_at(ledger, ids["plan"], {"date": "2021-01-06"})
    assert counts_on_page(page) == {c["status"]: c["count"] for c in world["summary"]["byStatus"]}

    page.locator("[data-testid=question-switch]").click()  # and back to the meeting's reading
    wait_point(page, f"m:{ids['1/2564']}")

    page.click("[data-testid=lang-th]")  # in Thai, at 9/2563, and its day (2 Dec 2020: 2 ธันวาคม 2563)
    page.select_option("[data-testid=point-select]", f"m:{ids['9/2563']}")
    wait_point(page, f"m:{ids['9/2563']}")
    expect(question).to_have_text("ตามที่คณะกรรมการทราบ ณ การประชุมครั้งที่ 9/2563")
    page.locator("[data-testid=question-switch]").click()
    wait_point(page, "d:2020-12-02")
    expect(question).to_have_text("ตามที่ทราบในปัจจุบัน ณ วันที่ 2 ธันวาคม 2563")


def test_thai_shows_buddhist_era_dates_and_the_minutes_status_labels(
    page: Page, ledger: Server, ids: dict[str, Any]
) -> None:
    signed_in(page, ledger, at=f"at=m:{ids['1/2564']}", lang="th")
    wait_point(page, f"m:{ids['1/2564']}")
    expect(page.locator("[data-testid=as-of]")).to_contain_text("6 มกราคม 2564")
    labels = {c["status"]: c["statusLabel"] for c in plan_at(ledger, ids["plan"], None)["summary"]["byStatus"]}
    legend = page.locator("[data-testid=status-count][data-status=COMPLETED] .status-name")
    expect(legend).to_have_text(labels["COMPLETED"])  # แล้วเสร็จ, as the minutes write it
    expect(page.locator("[data-testid=status-count][data-status=NOT_IMPLEMENTED] .status-name")).to_have_text(
        labels["NOT_IMPLEMENTED"]
    )
    page.screenshot(path=SHOTS / "overview-thai.png", full_page=True)

    page.click("[data-testid=lang-en]")
    expect(page.locator("[data-testid=as-of]")).to_contain_text("6 January 2021")
    expect(legend).to_have_text("Completed")


def test_the_heat_map_counts_the_risks_by_likelihood_and_impact(
    page: Page, ledger: Server, ids: dict[str, Any]
) -> None:
    signed_in(page, ledger)
    expected = heat_from_api(ledger, ids["plan"], None)
    assert sum(expected.values()) > 0 and len([c for c in expected.values() if c]) > 1
    assert heat_on_page(page) == expected

    likelihood, impact = max(expected, key=lambda cell: (expected[cell], cell))
    page.click(f"[data-testid=heat-cell][data-likelihood='{likelihood}'][data-impact='{impact}']")
    risks = query(ledger, RISKS_AT, {"plan": ids["plan"], "asOf": None})["risks"]
    titles = sorted(
        r["title"] for r in risks if (r["likelihood"], r["impact"]) == (likelihood, impact) and r["status"] != "CLOSED"
    )
    listed = page.locator("[data-testid=cell-risk] .risk-title")
    expect(listed).to_have_count(len(titles))
    assert sorted(listed.all_inner_texts()) == titles

    # at an earlier point the map shows what was known to hold then
    page.select_option("[data-testid=point-select]", f"m:{ids['1/2564']}")
    wait_point(page, f"m:{ids['1/2564']}")
    assert heat_on_page(page) == heat_from_api(ledger, ids["plan"], {"meeting": ids["1/2564"]})


def test_a_risk_noted_through_the_api_appears_live_without_a_reload(
    page: Page, ledger: Server, ids: dict[str, Any]
) -> None:
    signed_in(page, ledger)
    expect(page.locator("[data-testid=live-status]")).to_have_attribute("data-live", "live")
    page.evaluate("window.__sameDocument = true")
    cell = page.locator("[data-testid=heat-cell][data-likelihood='5'][data-impact='4']")
    before = int(cell.get_attribute("data-count") or -1)

    activity = plan_at(ledger, ids["plan"], None)["activities"][0]["id"]
    title = f"ระบบสารสนเทศบุคลากรล่ม {uuid.uuid4().hex[:6]}"
    mutate(
        ledger,
        "noteRisk",
        {"activityId": activity, "title": title, "likelihood": 5, "impact": 4, "owner": "สำนักงาน ก.ก."},
    )

    expect(cell).to_have_attribute("data-count", str(before + 1), timeout=10_000)
    expect(page.locator(".toast", has_text=title)).to_be_visible()
    expect(page.locator("[data-testid=feed-item]", has_text=title)).to_be_visible()
    assert page.evaluate("window.__sameDocument") is True  # no reload happened
    page.screenshot(path=SHOTS / "live-risk.png", full_page=True)


def test_the_activities_table_filters_and_a_row_opens_its_history(
    page: Page, ledger: Server, ids: dict[str, Any]
) -> None:
    signed_in(page, ledger, at="tab=activities")
    activities = plan_at(ledger, ids["plan"], None)["activities"]
    rows = page.locator("[data-testid=activity-row]")
    expect(rows).to_have_count(len(activities))

    page.select_option("[data-testid=filter-status]", "IN_PROGRESS")
    expect(rows).to_have_count(sum(1 for a in activities if a["status"] == "IN_PROGRESS"))
    page.select_option("[data-testid=filter-kind]", "CONTINUING")
    wanted = [a for a in activities if a["status"] == "IN_PROGRESS" and a["kind"] == "CONTINUING"]
    expect(rows).to_have_count(len(wanted))
    assert {rows.nth(i).get_attribute("data-activity-id") for i in range(rows.count())} == {a["id"] for a in wanted}

    first = rows.nth(0).get_attribute("data-activity-id")
    rows.nth(0).click()
    history = query(
        ledger,
        "query($id: ID!) { activity(id: $id) { history(first: 200) { edges { node { type } } } } }",
        {"id": first},
    )["activity"]["history"]["edges"]
    items = page.locator("[data-testid=drawer] [data-testid=history-item]")
    expect(items).to_have_count(len(history))
    assert [items.nth(i).get_attribute("data-type") for i in range(items.count())] == [
        e["node"]["type"] for e in history
    ]
    page.screenshot(path=SHOTS / "activity-history.png")
    page.keyboard.press("Escape")
    expect(page.locator("[data-testid=drawer]")).to_have_count(0)


UNKNOWNS = """query($plan: ID!) {
  plan(id: $plan) { periodStart periodStartYear periodEndYear activities { id progress }
    reportedFigures { value } strategies { number reportedFigures { value } } }
  risks(planId: $plan) { id likelihood status } }"""


def test_what_nobody_reported_shows_as_unknown_and_reported_figures_beside_computed_ones(
    page: Page, ledger: Server, ids: dict[str, Any]
) -> None:
    found = query(ledger, UNKNOWNS, {"plan": ids["plan"]})
    plan, risks = found["plan"], found["risks"]
    signed_in(page, ledger)
    # the period as the minutes state it: the years, no days made up
    assert plan["periodStart"] is None
    expect(page.locator("[data-testid=plan-period]")).to_contain_text(
        f"{plan['periodStartYear']}–{plan['periodEndYear']}"
    )
    # risks not yet assessed have no cell in the heat map: counted beside it
    unassessed = [r for r in risks if r["likelihood"] is None and r["status"] != "CLOSED"]
    assert unassessed
    expect(page.locator("[data-testid=to-assess]")).to_have_attribute("data-count", str(len(unassessed)))
    expect(page.locator("[data-testid=to-assess-risk]")).to_have_count(len(unassessed))
    assert sum(heat_on_page(page).values()) == sum(1 for r in risks if r["likelihood"] and r["status"] != "CLOSED")
    # the strategy cards: the computed share, and beside it what the minutes reported
    for strategy in plan["strategies"]:
        figures = page.locator(
            f"[data-testid=strategy][data-number='{strategy['number']}'] [data-testid=strategy-figure]"
        )
        expect(figures).to_have_count(len(strategy["reportedFigures"]))
        values = [figures.nth(i).get_attribute("data-value") for i in range(figures.count())]
        assert [float(v or "nan") for v in values] == [f["value"] for f in strategy["reportedFigures"]]
    assert {s["number"]: [f["value"] for f in s["reportedFigures"]] for s in plan["strategies"]}[5] == [100]
    plan_figures = page.locator("[data-testid=plan-figure]")
    expect(plan_figures).to_have_count(len(plan["reportedFigures"]))
    page.screenshot(path=SHOTS / "unknowns-overview.png", full_page=True)

    # progress: "—" where nothing was reported (no bar), a bar where it was
    page.click("[data-testid=tab-activities]")
    unknown = [a for a in plan["activities"] if a["progress"] is None]
    assert unknown and len(unknown) < len(plan["activities"])
    expect(page.locator("[data-testid=activity-row] [data-testid=progress-unknown]")).to_have_count(len(unknown))
    page.click(f"[data-testid=activity-row][data-activity-id='{unknown[0]['id']}']")
    drawer = page.locator("[data-testid=drawer-progress]")
    expect(drawer.locator("[data-testid=progress-unknown]")).to_have_text("—")
    expect(drawer.locator(".progress")).to_have_count(0)  # no empty bar
    page.keyboard.press("Escape")

    # the register lists them, "to assess", after the scored ones
    page.click("[data-testid=tab-risks]")
    rows = page.locator("[data-testid=risk-row]")
    expect(rows).to_have_count(len(risks))
    levels = [rows.nth(i).get_attribute("data-level") for i in range(rows.count())]
    assert levels[-len(unassessed) :] == [""] * len(unassessed) and "" not in levels[: -len(unassessed)]


def test_the_timeline_draws_every_milestone_with_its_slip(page: Page, ledger: Server, ids: dict[str, Any]) -> None:
    signed_in(page, ledger, at="tab=timeline")
    milestones = [m for a in plan_at(ledger, ids["plan"], None)["activities"] for m in a["milestones"]]
    assert any(m["slipDays"] > 0 for m in milestones)
    rows = page.locator("[data-testid=milestone-row]")
    expect(rows).to_have_count(len(milestones))
    shown = {
        rows.nth(i).get_attribute("data-milestone"): int(rows.nth(i).get_attribute("data-slip-days") or -1)
        for i in range(rows.count())
    }
    assert shown == {m["id"]: m["slipDays"] for m in milestones}
    page.screenshot(path=SHOTS / "timeline.png", full_page=True)


def test_compare_with_lists_what_changed_between_two_meetings(page: Page, ledger: Server, ids: dict[str, Any]) -> None:
    signed_in(page, ledger, at=f"at=m:{ids['1/2564']}")
    page.select_option("[data-testid=compare-select]", ids["9/2563"])
    page.wait_for_selector("[data-testid=changes]")
    changes = query(
        ledger,
        "query($plan: ID!, $from: AsOf!, $to: AsOf!) { changes(planId: $plan, from: $from, to: $to) "
        "{ activities { activityId } resolutionsPassed { id } } }",
        {"plan": ids["plan"], "from": {"meeting": ids["9/2563"]}, "to": {"meeting": ids["1/2564"]}},
    )["changes"]
    changed = page.locator("[data-testid=change-activity]")
    expect(changed).to_have_count(min(60, len(changes["activities"])))
    assert changes["activities"]


def test_the_meeting_page_shows_attendance_resolutions_and_action_items(
    page: Page, ledger: Server, ids: dict[str, Any]
) -> None:
    signed_in(page, ledger, at="tab=meetings")
    page.click(f"[data-testid=meeting-item][data-meeting='{ids['1/2564']}']")
    page.wait_for_selector(f"[data-testid=meeting-detail][data-meeting='{ids['1/2564']}']")
    meeting = query(
        ledger,
        "query($id: String!) { meeting(id: $id) { attendance { name } resolutions { kind actionItems { state } } } }",
        {"id": ids["1/2564"]},
    )["meeting"]
    expect(page.locator("[data-testid=attendee]")).to_have_count(len(meeting["attendance"]))
    expect(page.locator("[data-testid=resolution]")).to_have_count(len(meeting["resolutions"]))
    states = [i["state"] for r in meeting["resolutions"] for i in r["actionItems"]]
    assert states
    items = page.locator("[data-testid=action-item]")
    expect(items).to_have_count(len(states))
    assert Counter(items.nth(i).get_attribute("data-state") for i in range(items.count())) == Counter(states)
    page.screenshot(path=SHOTS / "meeting-1-2564.png", full_page=True)


def test_the_report_downloads_from_the_page_as_of_the_chosen_point(
    page: Page, ledger: Server, ids: dict[str, Any]
) -> None:
    signed_in(page, ledger, at=f"at=m:{ids['9/2563']}")
    with page.expect_download() as download:
        page.click("[data-testid=download-xlsx]")
    saved = SHOTS / "plan-9-2563.xlsx"
    download.value.save_as(saved)
    assert re.fullmatch(r"plan-.+-meeting-9-2563\.xlsx", download.value.suggested_filename)
    book = load_workbook(BytesIO(saved.read_bytes()))
    ids_in_book = [row[8] for row in book.worksheets[0].iter_rows(values_only=True) if _is_id(row[8])]
    expected = plan_at(ledger, ids["plan"], {"meeting": ids["9/2563"]})["activities"]
    assert sorted(ids_in_book) == sorted(a["id"] for a in expected)


def _is_id(value: object) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def test_the_page_and_its_files_are_served_with_no_token_but_hold_no_data(ledger: Server) -> None:
    page = httpx.get(ledger.url + "/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    script = httpx.get(ledger.url + "/dashboard/app.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert httpx.get(ledger.url + "/dashboard/fonts/sarabun-thai-400-normal.woff2").status_code == 200
    for outside in ("/dashboard/__init__.py", "/dashboard/../__init__.py", "/dashboard/%2e%2e/app.py"):
        assert httpx.get(ledger.url + outside).status_code == 404, outside
    # the data itself is only ever behind a token
    assert httpx.post(ledger.url + "/graphql", json={"query": "{ plans { id } }"}).status_code == 401


PACK_AT = """query($plan: ID!, $meeting: String!) {
  plan(id: $plan, asOf: { meeting: $meeting }) { activities { id progress } }
  meeting(id: $meeting) { attendance { name } }
  progressReport(planId: $plan, meeting: $meeting) { changedActivities { changed } openActionItems { state } }
  risks(planId: $plan, asOf: { meeting: $meeting }) { id level }
}"""


def test_the_meeting_pack_page_shows_what_the_pdf_holds_in_thai_and_english(
    page: Page, ledger: Server, ids: dict[str, Any]
) -> None:
    meeting = ids["1/2564"]
    found = query(ledger, PACK_AT, {"plan": ids["plan"], "meeting": meeting})
    signed_in(page, ledger, at=f"at=m:{meeting}&tab=pack", lang="th")
    pack = page.locator(f"[data-testid=pack][data-meeting='{meeting}'][data-state=ready]")
    expect(pack).to_be_visible()
    expect(page.locator("[data-testid=tab-pack]")).to_have_text("เอกสารประกอบการประชุม")
    expect(page.locator("[data-testid=pack-cover]")).to_contain_text("6 มกราคม 2564")
    # every activity as of the meeting, its progress "—" when nobody reported one
    activities = found["plan"]["activities"]
    expect(page.locator("[data-testid=pack-activity]")).to_have_count(len(activities))
    unknown = sum(1 for a in activities if a["progress"] is None)
    expect(page.locator("[data-testid=pack-activity] .progress-unknown")).to_have_count(unknown)
    report = found["progressReport"]
    expect(page.locator("[data-testid=pack-change]")).to_have_count(
        sum(len(c["changed"]) for c in report["changedActivities"])
    )
    expect(page.locator("[data-testid=pack-action-item]")).to_have_count(len(report["openActionItems"]))
    expect(page.locator("[data-testid=pack-attendee]")).to_have_count(len(found["meeting"]["attendance"]))
    # risks: one row each; one not yet assessed says so in words (not by colour alone)
    risks = found["risks"]
    expect(page.locator("[data-testid=pack-risk]")).to_have_count(len(risks))
    if any(r["level"] is None for r in risks):
        expect(page.locator("[data-testid=pack-risk][data-level='']").first).to_contain_text("ยังไม่ประเมิน")
    # the figures the minutes reported, beside the computed ones
    expect(page.locator("[data-testid=pack-summary-row]").last).to_contain_text("83.20")
    # headings and table headers a screen reader can walk
    assert pack.locator("h2").count() >= 7
    for i in range(pack.locator("table").count()):
        assert pack.locator("table").nth(i).locator("thead th[scope=col]").count() >= 4
    page.screenshot(path=SHOTS / "pack-1-2564-th.png", full_page=True)

    # the same pack as a PDF, downloaded from beside it
    with page.expect_download() as download:
        page.click("[data-testid=pack-pdf]")
    assert re.fullmatch(r"pack-.+-meeting-1-2564\.pdf", download.value.suggested_filename)
    saved = SHOTS / "pack-1-2564.pdf"
    download.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF-")

    # another meeting from the view's own picker; then English
    page.select_option("[data-testid=pack-meeting]", ids["9/2563"])
    expect(page.locator(f"[data-testid=pack][data-meeting='{ids['9/2563']}'][data-state=ready]")).to_be_visible()
    page.click("[data-testid=lang-en]")
    expect(page.locator("[data-testid=tab-pack]")).to_have_text("Meeting pack")
    expect(page.locator("[data-testid=pack][data-state=ready] [data-testid=pack-cover]")).to_contain_text("2020")
    page.screenshot(path=SHOTS / "pack-9-2563-en.png", full_page=True)
