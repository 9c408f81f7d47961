"""The dashboard's forms in real headless Chromium against real server processes: a unit reports
through its forms (seen live by another browser, recorded once on a double submit, a stale form
meets the conflict screen), a reader gets no form and the API refuses it anyway, an admin manages
tokens, and the secretariat records a whole meeting at the desk — whose facts equal what
`planledger import-minutes` records from the same meeting's minutes (tests/fixtures/desk/).
Every expected value is asked of the API or read from the parsed minutes, never written down here."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from service.config import ServerAddress
from service.minutes.parser import parse_minutes
from tests.conftest import create_database, drop_database, url_of
from tests.e2e.browser import artifacts, signed_in_as, watched
from tests.e2e.dashboard_data import caught_up, import_seed, mutate, plan_and_meetings, query, seeded
from tests.e2e.server_process import ROOT, Server

SHOTS = artifacts("forms")
DESK_MINUTES = ROOT / "tests" / "fixtures" / "desk" / "2-2564.txt"
ACTIVITIES = (
    """query($plan: ID!) { plan(id: $plan) { activities { id title progress version responsibleUnits status } } }"""
)
STREAM_COUNT = "query($stream: ID!) { events(filter: { streamId: $stream }) { totalCount } }"
VIEWER = "query { viewer { name role unit mutations managesTokens } }"


@pytest.fixture(scope="module")
def ledger(server: ServerAddress) -> Iterator[Server]:
    with seeded(server) as process:
        yield process


class Tabs:
    """Browser contexts opened by a test, each signed in with its own token; all closed at the end,
    failing the test on any error a page logged."""

    def __init__(self, browser: Any, ledger: Server, name: str) -> None:
        self.browser = browser
        self.ledger = ledger
        self.name = name
        self.contexts: list[Any] = []
        self.errors: list[str] = []

    def open(self, token: str, at: str = "", lang: str = "en") -> Page:
        context = self.browser.new_context(viewport={"width": 1440, "height": 1000})
        self.contexts.append(context)
        page = watched(context.new_page(), self.errors)
        signed_in_as(page, token, lang)
        page.goto(f"{self.ledger.url}/{'#' + at if at else ''}")
        page.wait_for_selector("body[data-state=ready]")
        return page

    def close(self) -> None:
        for n, context in enumerate(self.contexts):
            for m, page in enumerate(context.pages):
                page.screenshot(path=SHOTS / f"{self.name}-{n}-{m}.png", full_page=True)
            context.close()
        assert not self.errors, self.errors


@pytest.fixture
def tabs(browser: Any, ledger: Server, request: pytest.FixtureRequest) -> Iterator[Tabs]:
    opened = Tabs(browser, ledger, request.node.name)
    yield opened
    opened.close()


def plan_id(ledger: Server) -> str:
    plans = query(ledger, "query { plans { id } }")["plans"]
    found: str = plans[0]["id"]
    return found


def unit_activity(ledger: Server, skip: int = 0) -> tuple[dict[str, Any], str]:
    """An activity still going (the `skip`th), and the unit responsible for it: the seed's minutes
    name none, so one is assigned through the API the first time."""
    activities = query(ledger, ACTIVITIES, {"plan": plan_id(ledger)})["plan"]["activities"]
    activity = [a for a in activities if a["status"] != "COMPLETED"][skip]
    if not activity["responsibleUnits"]:
        unit = f"กองทดสอบ {skip + 1}"
        # effective before the committee's last meeting: the unit has not reported on it since
        mutate(
            ledger,
            "assignUnits",
            {"activityId": activity["id"], "responsibleUnits": [unit], "effectiveOn": "2021-01-06"},
        )
        activity = {**activity, "responsibleUnits": [unit]}
    return activity, activity["responsibleUnits"][0]


def stream_count(ledger: Server, stream: str) -> int:
    count: int = query(ledger, STREAM_COUNT, {"stream": stream})["events"]["totalCount"]
    return count


def open_drawer(page: Page, activity_id: str) -> None:
    page.click(f"[data-testid=activity-row][data-activity-id='{activity_id}']")
    expect(page.locator("[data-testid=drawer] h2")).to_be_visible()


def progress_in_drawer(ledger: Server, activity_id: str) -> float:
    found = query(ledger, "query($id: ID!) { activity(id: $id) { progress } }", {"id": activity_id})
    value: float = found["activity"]["progress"]
    return value


# -- a unit -----------------------------------------------------------------------------------------


def test_a_unit_lands_on_my_updates(tabs: Tabs, ledger: Server) -> None:
    activity, unit = unit_activity(ledger, 6)
    token = ledger.make_token("unit", unit, name=f"officer of {unit}")
    page = tabs.open(token)
    expect(page.locator("[data-testid=tab-updates]")).to_have_attribute("aria-selected", "true")
    due = query(
        ledger,
        "query($p: ID!, $u: String!) { dueUpdates(planId: $p, unit: $u) { activities { id } } }",
        {"p": plan_id(ledger), "u": unit},
    )
    expected = [a["id"] for a in due["dueUpdates"]["activities"]]
    assert activity["id"] in expected  # not reported on since the last meeting
    expect(page.locator("[data-testid=my-updates]")).to_be_visible()
    shown = page.locator("[data-testid=due-activity]")
    expect(shown).to_have_count(len(expected))
    assert [shown.nth(i).get_attribute("data-id") for i in range(shown.count())] == expected
    for i in range(shown.count()):  # each with its forms
        expect(shown.nth(i).locator("[data-testid=open-reportProgress]")).to_be_visible()
    # the unit may not run the desk's or an admin's commands: those tabs are not shown
    expect(page.locator("[data-testid=tab-desk]")).to_have_count(0)
    expect(page.locator("[data-testid=tab-tokens]")).to_have_count(0)


def test_a_unit_reports_progress_seen_live_elsewhere_recorded_once(tabs: Tabs, ledger: Server) -> None:
    activity, unit = unit_activity(ledger, 1)
    token = ledger.make_token("unit", unit, name=f"reporter of {unit}")
    officer = tabs.open(token, at="tab=activities")
    watcher = tabs.open(ledger.token, at="tab=activities")
    open_drawer(officer, activity["id"])
    open_drawer(watcher, activity["id"])
    expect(watcher.locator("[data-testid=live-status]")).to_have_attribute("data-live", "live")
    before = stream_count(ledger, activity["id"])
    value = 37 if activity["progress"] != 37 else 38

    officer.click("[data-testid=open-reportProgress]")
    form = officer.locator("[data-testid=form-reportProgress]")
    expect(form.locator("input[name=progress]")).to_be_focused()
    form.locator("input[name=progress]").fill(str(value))
    form.locator("[data-testid=form-submit]").dblclick()  # two submissions, one idempotency key
    expect(form.locator("[data-testid=form-status]")).to_contain_text("Recorded")

    # the other browser sees it without reloading
    expect(watcher.locator("[data-testid=drawer-progress]")).to_contain_text(f"{value}%")
    assert stream_count(ledger, activity["id"]) == before + 1
    assert progress_in_drawer(ledger, activity["id"]) == value


def test_an_error_shows_beside_its_field(tabs: Tabs, ledger: Server) -> None:
    activity, unit = unit_activity(ledger, 2)
    page = tabs.open(ledger.make_token("unit", unit, name=f"typist of {unit}"), at="tab=activities")
    open_drawer(page, activity["id"])
    before = stream_count(ledger, activity["id"])
    page.click("[data-testid=open-reportProgress]")
    form = page.locator("[data-testid=form-reportProgress]")
    form.locator("input[name=progress]").fill("140")
    form.locator("[data-testid=form-submit]").click()
    error = form.locator("[data-error-for=progress]")
    expect(error).not_to_be_empty()
    field = form.locator("input[name=progress]")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_be_focused()
    assert error.get_attribute("id") in (field.get_attribute("aria-describedby") or "").split()
    # a day that is no day is refused beside its field before anything is sent
    form.locator("input[name=progress]").fill("20")
    form.locator("input[name=effectiveOn]").fill("31/2/2564")
    form.locator("[data-testid=form-submit]").click()
    expect(form.locator("[data-error-for=effectiveOn]")).not_to_be_empty()
    assert stream_count(ledger, activity["id"]) == before


def test_a_stale_form_gets_the_conflict_screen_and_may_reapply(tabs: Tabs, ledger: Server) -> None:
    activity, unit = unit_activity(ledger, 3)
    page = tabs.open(ledger.make_token("unit", unit, name=f"slow officer of {unit}"), at="tab=activities")
    open_drawer(page, activity["id"])
    page.click("[data-testid=open-reportProgress]")
    form = page.locator("[data-testid=form-reportProgress]")
    opened_at = int(form.get_attribute("data-version") or -1)
    form.locator("input[name=progress]").fill("55")
    # meanwhile someone else records on the same activity
    mutate(ledger, "reportProgress", {"activityId": activity["id"], "progress": 12})
    expect(page.locator("[data-testid=drawer-progress]")).to_contain_text("12%")  # seen live; the form stays
    expect(form.locator("input[name=progress]")).to_have_value("55")
    form.locator("[data-testid=form-submit]").click()
    conflict = form.locator("[data-testid=conflict]")
    expect(conflict).to_be_visible()
    changed = conflict.locator("[data-testid=conflict-event]")
    expect(changed).to_have_count(1)
    assert changed.first.get_attribute("data-type") == "Activity.ProgressReported"
    assert int(changed.first.get_attribute("data-version") or -1) == opened_at + 1
    assert progress_in_drawer(ledger, activity["id"]) == 12
    conflict.locator("[data-testid=conflict-reapply]").click()
    expect(form.locator("[data-testid=form-status]")).to_contain_text("Recorded")
    assert progress_in_drawer(ledger, activity["id"]) == 55


FULL = """query($id: ID!) { activity(id: $id) { status statusReason outcome
  milestones { id title dueOn achievedOn } risks { id title likelihood impact status } } }"""


def open_form(page: Page, name: str) -> Any:
    page.click(f"[data-testid=activity-forms] [data-testid=open-{name}]")
    return page.locator(f"[data-testid=form-{name}]")


def choose(form: Any, field: str, text: str) -> None:
    """Pick the option of a select whose label holds `text`."""
    control = form.locator(f"[data-field={field}]")
    control.select_option(control.locator("option", has_text=text).first.get_attribute("value"))


def recorded(form: Any) -> None:
    """The form says it recorded (once: each form here is opened afresh)."""
    expect(form).to_have_attribute("data-recorded", "1")


def test_a_unit_records_status_outcome_milestones_risks_and_a_measurement(tabs: Tabs, ledger: Server) -> None:
    activity, unit = unit_activity(ledger, 4)
    made = query(
        ledger,
        "mutation($i: DefineKeyResultInput!) { defineKeyResult(input: $i) { ... on Recorded { streamId } } }",
        {
            "i": {
                "activityId": activity["id"],
                "title": "ผู้ผ่านการอบรม",
                "baseline": 0,
                "target": 120,
                "consistency": "READ_YOUR_WRITES",
            }
        },
    )["defineKeyResult"]
    page = tabs.open(ledger.make_token("unit", unit, name=f"busy officer of {unit}"), at="tab=activities", lang="th")
    open_drawer(page, activity["id"])

    # on hold needs a reason: said beside the reason field, nothing recorded; then with one
    form = open_form(page, "changeActivityStatus")
    form.locator("[data-field=status]").select_option("ON_HOLD")
    form.locator("[data-testid=form-submit]").click()
    expect(form.locator("[data-error-for=reason]")).not_to_be_empty()
    expect(form.locator("[data-field=reason]")).to_be_focused()
    form.locator("[data-field=reason]").fill("รอผลการจัดสรรงบประมาณ")
    form.locator("[data-testid=form-submit]").click()
    recorded(form)

    form = open_form(page, "recordOutcome")
    form.locator("[data-field=outcome]").fill("จัดทำร่างหลักเกณฑ์แล้วเสร็จ")
    form.locator("[data-testid=form-submit]").click()
    recorded(form)

    form = open_form(page, "planMilestone")
    form.locator("[data-field=title]").fill("เสนอร่างต่อ อ.ก.ก.")
    form.locator("[data-field=dueOn]").fill("31/3/2564")  # Buddhist Era, as a Thai officer writes it
    form.locator("[data-field=effectiveOn]").fill("1/3/2564")
    form.locator("[data-testid=form-submit]").click()
    recorded(form)
    # once the drawer shows the new milestone, the forms opened then offer it
    expect(page.locator("[data-testid=drawer]")).to_contain_text("เสนอร่างต่อ อ.ก.ก.")
    form = open_form(page, "rescheduleMilestone")
    choose(form, "milestoneId", "เสนอร่างต่อ อ.ก.ก.")
    form.locator("[data-field=dueOn]").fill("30/4/2564")
    form.locator("[data-field=reason]").fill("รอความเห็นของหน่วยงาน")
    form.locator("[data-testid=form-submit]").click()
    recorded(form)
    form = open_form(page, "achieveMilestone")
    choose(form, "milestoneId", "เสนอร่างต่อ อ.ก.ก.")
    form.locator("[data-field=achievedOn]").fill("2021-04-20")  # ISO is understood too
    form.locator("[data-testid=form-submit]").click()
    recorded(form)

    form = open_form(page, "noteRisk")
    form.locator("[data-field=title]").fill("ผู้เข้าอบรมไม่ครบตามเป้าหมาย")
    form.locator("[data-testid=form-submit]").click()
    recorded(form)
    expect(page.locator("[data-testid=drawer]")).to_contain_text("ผู้เข้าอบรมไม่ครบตามเป้าหมาย")
    form = open_form(page, "reassessRisk")
    choose(form, "riskId", "ผู้เข้าอบรมไม่ครบตามเป้าหมาย")
    form.locator("[data-field=likelihood]").select_option("4")
    form.locator("[data-field=impact]").select_option("3")
    form.locator("[data-testid=form-submit]").click()
    recorded(form)

    form = open_form(page, "recordMeasurement")
    form.locator("[data-field=value]").fill("45")
    form.locator("[data-testid=form-submit]").click()
    recorded(form)

    found = query(ledger, FULL, {"id": activity["id"]})["activity"]
    assert (found["status"], found["statusReason"], found["outcome"]) == (
        "ON_HOLD",
        "รอผลการจัดสรรงบประมาณ",
        "จัดทำร่างหลักเกณฑ์แล้วเสร็จ",
    )
    [milestone] = [m for m in found["milestones"] if m["title"] == "เสนอร่างต่อ อ.ก.ก."]
    assert (milestone["dueOn"], milestone["achievedOn"]) == ("2021-04-30", "2021-04-20")
    [risk] = [r for r in found["risks"] if r["title"] == "ผู้เข้าอบรมไม่ครบตามเป้าหมาย"]
    assert (risk["likelihood"], risk["impact"]) == (4, 3)
    key_result = query(ledger, "query($id: ID!) { keyResult(id: $id) { latestValue } }", {"id": made["streamId"]})
    assert key_result["keyResult"]["latestValue"] == 45


# -- a reader ---------------------------------------------------------------------------------------


def test_a_reader_sees_no_forms_and_the_api_refuses_it(tabs: Tabs, ledger: Server) -> None:
    activity, _ = unit_activity(ledger)
    token = ledger.make_token("reader", name="a reader")
    page = tabs.open(token, at="tab=activities")
    for tab in ("updates", "desk", "tokens"):
        expect(page.locator(f"[data-testid=tab-{tab}]")).to_have_count(0)
    open_drawer(page, activity["id"])
    expect(page.locator("[data-testid=activity-forms]")).to_have_count(0)
    expect(page.locator("form.command-form")).to_have_count(0)
    before = stream_count(ledger, activity["id"])
    # the API refuses it anyway, asked from the page itself with its token
    answer = page.evaluate(
        """async ([id, token]) => {
          const response = await fetch("/graphql", { method: "POST",
            headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
            body: JSON.stringify({ query: `mutation($i: ReportProgressInput!) { reportProgress(input: $i) {
              __typename ... on UserError { code message } } }`,
              variables: { i: { activityId: id, progress: 99 } } }) });
          return (await response.json()).data.reportProgress;
        }""",
        [activity["id"], token],
    )
    assert answer["__typename"] == "ForbiddenError", answer
    assert stream_count(ledger, activity["id"]) == before
    viewer = ledger.post(VIEWER, token=token).json()["data"]["viewer"]
    assert viewer == {"name": "a reader", "role": "reader", "unit": None, "mutations": [], "managesTokens": False}
    listed = ledger.post("query { tokens { id } }", token=token).json()
    assert listed["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    made = ledger.post(
        'mutation { createToken(input: { role: "admin" }) { __typename ... on UserError { code } } }', token=token
    ).json()["data"]["createToken"]
    assert made == {"__typename": "ForbiddenError", "code": "FORBIDDEN"}


# -- an admin ---------------------------------------------------------------------------------------


def test_an_admin_creates_and_revokes_a_token(tabs: Tabs, ledger: Server) -> None:
    page = tabs.open(ledger.token, at="tab=tokens")
    expect(page.locator("[data-testid=tokens]")).to_be_visible()
    form = page.locator("[data-testid=form-createToken]")
    form.locator("select[name=role]").select_option("unit")
    form.locator("[data-testid=token-create]").click()  # a unit token needs its unit
    expect(form.locator("[data-error-for=unit]")).not_to_be_empty()
    form.locator("input[name=unit]").fill("สำนักงาน ก.ก.")
    form.locator("input[name=name]").fill("browser-made officer")
    form.locator("[data-testid=token-create]").click()
    secret = page.locator("[data-testid=token-secret-value]")
    expect(secret).to_be_visible()
    made = secret.inner_text().strip()
    viewer = ledger.post(VIEWER, token=made).json()["data"]["viewer"]
    assert (viewer["role"], viewer["unit"], viewer["name"]) == ("unit", "สำนักงาน ก.ก.", "browser-made officer")
    row = page.locator("[data-testid=token-row]", has_text="browser-made officer")
    expect(row).to_have_attribute("data-revoked", "false")
    page.once("dialog", lambda dialog: dialog.accept())
    row.locator("[data-testid=token-revoke]").click()
    expect(row).to_have_attribute("data-revoked", "true")
    # a revoked token stops working once the server's token cache lets it go (seconds)
    deadline = time.monotonic() + 15
    while ledger.post(VIEWER, token=made).status_code != 401:
        assert time.monotonic() < deadline, "the revoked token still signs in"
        time.sleep(0.2)


def test_a_token_form_submitted_twice_makes_one_token(tabs: Tabs, ledger: Server) -> None:
    """A double click makes one request; and when the answer to the first is lost (made on the
    server, never seen by the page), the retry carries the form's same key: still one token, and
    the page says its secret went to the lost answer."""
    page = tabs.open(ledger.token, at="tab=tokens")
    form = page.locator("[data-testid=form-createToken]")
    form.locator("select[name=role]").select_option("reader")
    form.locator("input[name=name]").fill("double-clicked reader")
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.post_data or "") if "CreateToken" in (r.post_data or "") else None)
    form.locator("[data-testid=token-create]").dblclick()
    expect(page.locator("[data-testid=token-secret-value]")).to_be_visible()
    assert len(requests) == 1
    assert _tokens_named(ledger, "double-clicked reader") == 1

    form.locator("input[name=name]").fill("retried reader")
    lost: list[str] = []

    def lose_the_answer(route: Any) -> None:
        if "CreateToken" in (route.request.post_data or "") and not lost:
            lost.append(route.fetch().text())  # the server made it; the page never hears
            route.abort()
        else:
            route.continue_()

    page.route("**/graphql", lose_the_answer)
    form.locator("[data-testid=token-create]").click()
    expect(form.locator(".form-problem")).not_to_be_empty()  # the failure said
    assert '"secret":"plt_' in lost[0]
    form.locator("[data-testid=token-create]").click()  # the retry: the same form, the same key
    expect(page.locator("[data-testid=token-replayed]")).to_contain_text("retried reader")
    expect(page.locator("[data-testid=token-secret-value]")).to_have_count(0)
    assert _tokens_named(ledger, "retried reader") == 1
    keys = [json.loads(body)["variables"]["input"]["idempotencyKey"] for body in requests[1:]]
    assert (
        len(keys) == 2
        and keys[0] == keys[1]
        and keys[0] != json.loads(requests[0])["variables"]["input"]["idempotencyKey"]
    )


def _tokens_named(ledger: Server, name: str) -> int:
    return sum(1 for token in query(ledger, "query { tokens { name } }")["tokens"] if token["name"] == name)


# -- the meeting desk -------------------------------------------------------------------------------


def export(database_url: str) -> list[dict[str, Any]]:
    done = subprocess.run(
        [sys.executable, "-m", "service.cli", "export"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


def facts_after(lines: list[dict[str, Any]], position: int) -> list[dict[str, Any]]:
    """The domain facts recorded after `position`, without who recorded them and when (and without
    the idempotency keys' own records, which hold the keys each route used)."""
    return [
        _without_notes({k: v for k, v in line.items() if k not in ("position", "actor", "recordedAt", "state")})
        for line in lines
        if line["position"] > position and "type" in line
    ]


def _without_notes(fact: dict[str, Any]) -> dict[str, Any]:
    """An attendee's `absence_note` is the words after the name as the file writes them, OCR errors
    and all ('ตติการกิจ'); a person at the desk gives the reason itself ('ติดภารกิจ'), which both
    record: the note is the file's, not the meeting's, so it is left out of the comparison."""
    attendees = (fact.get("payload") or {}).get("attendees") if isinstance(fact.get("payload"), dict) else None
    if not attendees:
        return fact
    payload = {**fact["payload"], "attendees": [{k: v for k, v in a.items() if k != "absence_note"} for a in attendees]}
    return {**fact, "payload": payload}


@pytest.fixture(scope="module")
def imported(server: ServerAddress) -> Iterator[list[dict[str, Any]]]:
    """The facts `planledger import-minutes` records from the desk's minutes, on the seed."""
    address = create_database(server)
    try:
        url = url_of(address)
        import_seed(url)
        seed_end = export(url)[-1]["position"]
        done = subprocess.run(
            [sys.executable, "-m", "service.cli", "import-minutes", str(DESK_MINUTES)],
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": url},
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert done.returncode == 0, done.stderr
        yield facts_after(export(url), seed_end)
    finally:
        drop_database(server, address)


def fill_row(row: Any, values: dict[str, Any]) -> None:
    for name, value in values.items():
        control = row.locator(f"[data-field={name}]")
        tag = control.evaluate("el => el.tagName + (el.type ? ':' + el.type : '')")
        if tag.startswith("SELECT"):
            control.select_option(value)
        elif tag == "INPUT:checkbox":
            control.set_checked(bool(value))
        else:
            control.fill("" if value is None else str(value))


def submit(page: Page, form: Any) -> None:
    form.locator("[data-testid=form-submit]").click()
    expect(form).to_have_count(0)  # recorded: the desk closes the form
    expect(page.locator("[data-testid=desk-meeting] [data-testid=form-problem]")).to_have_count(0)


def test_the_secretariat_records_a_meeting_as_its_minutes_import_would(
    tabs: Tabs, ledger: Server, imported: list[dict[str, Any]]
) -> None:
    minutes = parse_minutes(DESK_MINUTES.read_text(encoding="utf-8"))
    assert minutes.minutes_adoption is not None and minutes.minutes_adoption.corrections
    assert sum(1 for i in minutes.agenda for r in i.resolutions if r.action_items) >= 2
    earlier = plan_and_meetings(ledger)[1][minutes.minutes_adoption.of_code]
    caught_up(ledger)
    start = export(_url(ledger))[-1]["position"]

    page = tabs.open(ledger.make_token("secretariat", name="the secretariat"), at="tab=desk", lang="th")
    expect(page.locator("[data-testid=desk]")).to_be_visible()
    day = minutes.date
    known = plan_and_meetings(ledger)[1].get(minutes.code)
    if known is None:  # schedule it (Thai mode: the date in the Buddhist Era)
        schedule(page, {"body": minutes.body, "code": minutes.code, "date": be(day), "planId": ""})
    else:  # announced as the next meeting by the earlier minutes: it is there already
        page.select_option("[data-testid=desk-meeting-select]", known)
    expect(page.locator("[data-testid=desk-title]")).to_contain_text(minutes.code)

    # when and where it sat
    page.click("[data-testid=open-recordMeetingTimes]")
    form = page.locator("[data-testid=form-recordMeetingTimes]")
    fill_row(
        form,
        {
            "startsAt": minutes.starts_at.strftime("%H:%M") if minutes.starts_at else None,
            "endsAt": minutes.ends_at.strftime("%H:%M") if minutes.ends_at else None,
            "venue": minutes.venue,
            "mode": _mode(minutes),
        },
    )
    submit(page, form)

    # attendance: one row a person
    page.click("[data-testid=open-recordAttendance]")
    form = page.locator("[data-testid=form-recordAttendance]")
    for n, person in enumerate(minutes.attendance):
        if n:
            form.locator("[data-testid=add-attendees]").click()
        fill_row(
            form.locator("[data-testid=attendees-row]").nth(n),
            {
                "name": person.name,
                "position": person.position,
                "role": person.role,
                "presence": person.presence,
                "alsoRole": next((r for r in person.roles if r != person.role), ""),
                "absenceReason": person.absence_reason,
            },
        )
    submit(page, form)
    expect(page.locator("[data-testid=desk-attendance] li")).to_have_count(len(minutes.attendance))

    # each agenda item, then its resolutions with their action items
    for item in minutes.agenda:
        page.click("[data-testid=open-addAgendaItem]")
        form = page.locator("[data-testid=form-addAgendaItem]")
        fill_row(form, {"number": item.number, "title": item.title, "subject": item.subject, "text": item.text})
        submit(page, form)
        for resolution in item.resolutions:
            page.click("[data-testid=open-adoptResolution]")
            form = page.locator("[data-testid=form-adoptResolution]")
            fill_row(form, {"agendaItem": item.number, "kind": resolution.kind, "text": resolution.text})
            for n, action in enumerate(resolution.action_items):
                form.locator("[data-testid=add-actionItems]").click()
                due = action.due_on
                fill_row(
                    form.locator("[data-testid=actionItems-row]").nth(n),
                    {
                        "description": action.description,
                        "owner": action.owner,
                        "dueOn": be(due) if due else None,
                        "dueMeeting": action.due_meeting,
                        "periodic": action.periodic,
                    },
                )
            submit(page, form)
    resolutions = sum(len(i.resolutions) for i in minutes.agenda)
    expect(page.locator("[data-testid=desk-resolution]")).to_have_count(resolutions)

    # last, the adoption of the earlier minutes, with their corrections
    page.click("[data-testid=open-approveMinutes]")
    form = page.locator("[data-testid=form-approveMinutes]")
    form.locator("[data-field=ofMeetingId]").select_option(earlier)
    for n, correction in enumerate(minutes.minutes_adoption.corrections):
        if n:
            form.locator("[data-testid=add-corrections]").click()
        fill_row(
            form.locator("[data-testid=corrections-row]").nth(n),
            {"where": correction.where, "from": correction.from_text, "to": correction.to_text},
        )
    submit(page, form)
    expect(page.locator("[data-testid=desk-approvals] li")).to_have_count(1)

    desk = facts_after(export(_url(ledger)), start)
    assert [(f["type"], f["version"]) for f in desk] == [(f["type"], f["version"]) for f in imported]
    for mine, theirs in zip(desk, imported, strict=True):
        assert mine == theirs

    # later: an action item done, and a fact corrected with a reason
    meeting = page.locator("[data-testid=desk-title]").get_attribute("data-id") or ""
    first_item = page.locator("[data-testid=desk-action-item]").first
    item_id = first_item.get_attribute("data-id")
    page.click("[data-testid=open-completeActionItem]")
    form = page.locator("[data-testid=form-completeActionItem]")
    form.locator("[data-field=actionItemId]").select_option(item_id)
    form.locator("[data-field=doneOn]").fill(be(day + timedelta(days=10)))
    submit(page, form)
    expect(page.locator(f"[data-testid=desk-action-item][data-id='{item_id}']")).to_have_attribute("data-state", "DONE")

    page.click("[data-testid=open-correctEvent]")
    form = page.locator("[data-testid=form-correctEvent]")
    agenda = next(f for f in desk if f["type"] == "Meeting.AgendaItemAdded")
    form.locator("[data-field=version]").select_option(str(agenda["version"]))
    form.locator("[data-field=changes]").fill(json.dumps({"title": agenda["payload"]["title"] + " (แก้ไข)"}))
    form.locator("[data-testid=form-submit]").click()  # no reason: said beside the reason field
    expect(form.locator("[data-error-for=reason]")).not_to_be_empty()
    form.locator("[data-field=reason]").fill("พิมพ์ชื่อวาระผิด")
    submit(page, form)
    corrected = query(
        ledger,
        'query($s: ID!) { events(filter: { streamId: $s, type: "Corrected" }) { edges { node { corrects reason } } } }',
        {"s": meeting},
    )["events"]["edges"]
    assert [e["node"] for e in corrected] == [{"corrects": agenda["version"], "reason": "พิมพ์ชื่อวาระผิด"}]


def be(day: date) -> str:
    """A day as a person types it in Thai mode: day/month/Buddhist Era year."""
    return f"{day.day}/{day.month}/{day.year + 543}"


def schedule(page: Page, values: dict[str, Any]) -> None:
    page.click("[data-testid=open-scheduleMeeting]")
    form = page.locator("[data-testid=form-scheduleMeeting]")
    fill_row(form, values)
    form.locator("[data-testid=form-submit]").click()
    expect(form).to_have_count(0)


def test_the_desk_schedules_a_meeting_on_a_buddhist_era_date(tabs: Tabs, ledger: Server) -> None:
    body = "คณะทำงานทดสอบโต๊ะประชุม"
    page = tabs.open(ledger.make_token("committee", name="a committee member"), at="tab=desk", lang="th")
    page.click("[data-testid=open-scheduleMeeting]")
    form = page.locator("[data-testid=form-scheduleMeeting]")
    fill_row(form, {"body": body, "code": "7/2564", "date": "15/7/2564", "planId": ""})
    hint = form.locator(f"#{form.locator('[data-field=date]').get_attribute('id')}-hint")
    expect(hint).to_have_text("15 กรกฎาคม 2564")  # said back in words, in the Buddhist Era
    form.locator("[data-testid=form-submit]").click()
    expect(page.locator("[data-testid=desk-title]")).to_contain_text("7/2564")
    found = query(
        ledger,
        "query($id: String!) { meeting(id: $id) { body date } }",
        {"id": page.locator("[data-testid=desk-title]").get_attribute("data-id") or ""},
    )
    assert found["meeting"] == {"body": body, "date": "2021-07-15"}
    # the same code again is refused, and said so in the form; nothing recorded
    page.click("[data-testid=open-scheduleMeeting]")
    form = page.locator("[data-testid=form-scheduleMeeting]")
    fill_row(form, {"body": body, "code": "7/2564", "date": "16/7/2564", "planId": ""})
    form.locator("[data-testid=form-submit]").click()
    expect(form.locator("[data-testid=form-problem]")).not_to_be_empty()


def _url(server: Server) -> str:
    return server.database_url


def _mode(minutes: Any) -> str:
    from service.minutes.importer import stated_mode

    return stated_mode(minutes) or ""
