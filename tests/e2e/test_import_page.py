"""The import of minutes from the browser, as the secretariat does it, in real Chromium against a
real server on an empty PostgreSQL database: pick the sample, read the preview's counts (as the
server's preview gives them), confirm, and find the plan's activities on the dashboard; the same
file again records nothing; a bad file is announced and records nothing; a reader has no such view.
axe-core runs on the view's every state (empty, previewed, imported) in Thai and English: 0
critical, 0 serious. Every expected number is asked of the server, never written down here."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from service.config import ServerAddress
from tests.e2e.accessibility import blocking, describe, save, violations
from tests.e2e.browser import artifacts, signed_in_as, watched
from tests.e2e.server_process import Server, on_a_new_database
from tests.paths import SAMPLE_MINUTES

SHOTS = artifacts("import-page")


@pytest.fixture(scope="module")
def empty(server: ServerAddress) -> Iterator[Server]:
    """A server on a database with nothing in it yet."""
    with on_a_new_database(server) as process:
        yield process


class Pages:
    """Tabs opened by a test, each failing it on any error the page logged; the CSP bypassed so axe
    can be injected (the page runs as served)."""

    def __init__(self, browser: Any, name: str) -> None:
        self.browser = browser
        self.name = name
        self.contexts: list[Any] = []
        self.errors: list[str] = []

    def open(self, server: Server, token: str, lang: str, at: str = "tab=import") -> Page:
        context = self.browser.new_context(viewport={"width": 1440, "height": 1000}, bypass_csp=True)
        self.contexts.append(context)
        page = watched(context.new_page(), self.errors)
        signed_in_as(page, token, lang)
        page.goto(f"{server.url}/#{at}")
        page.wait_for_selector("body[data-state=ready]")
        return page

    def close(self) -> None:
        for n, context in enumerate(self.contexts):
            for page in context.pages:
                page.screenshot(path=SHOTS / f"{self.name}-{n}.png", full_page=True)
            context.close()
        assert not self.errors, self.errors


@pytest.fixture
def pages(browser: Any, request: pytest.FixtureRequest) -> Iterator[Pages]:
    opened = Pages(browser, request.node.name)
    yield opened
    opened.close()


def server_preview(server: Server, token: str, path: Path) -> dict[str, Any]:
    """What the server previews for the file, asked directly (the page must show the same)."""
    answer = httpx.post(
        f"{server.url}/imports/minutes/preview",
        params={"name": path.name},
        content=path.read_bytes(),
        headers={"Authorization": f"Bearer {token}"},
        timeout=120,
    )
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


def position(server: Server) -> int:
    found: int = httpx.get(f"{server.url}/readyz", timeout=5).json()["logPosition"]
    return found


def focused_testid(page: Page) -> str:
    found: str = page.evaluate("document.activeElement?.dataset?.testid || ''")
    return found


def tab_to(page: Page, testid: str, most: int = 200) -> None:
    """Press Tab until the control is focused (the keyboard's way there), failing past `most`."""
    for _ in range(most):
        if focused_testid(page) == testid:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {testid}")


def shows_the_preview(page: Page, expected: dict[str, Any]) -> None:
    [shown] = expected["files"]
    card = page.locator("[data-testid=import-file-preview]")
    expect(card).to_have_attribute("data-meeting", shown["meeting"]["code"])
    would = {kind: len(steps) for kind, steps in shown["would_record"].items()}
    already = {kind: len(steps) for kind, steps in (shown["already_recorded"] or {}).items()}
    expect(card.locator("[data-testid=count-would]")).to_have_attribute("data-count", str(sum(would.values())))
    expect(card.locator("[data-testid=count-already]")).to_have_attribute("data-count", str(sum(already.values())))
    expect(card.locator("[data-testid=count-unknown]")).to_have_attribute("data-count", str(len(shown["unknown"])))
    expect(card.locator("[data-testid=count-unplaced]")).to_have_attribute("data-count", str(len(shown["unplaced"])))
    for testid, grouped in (("would-record-kind", would), ("already-recorded-kind", already)):
        rows = card.locator(f"[data-testid={testid}]")
        expect(rows).to_have_count(len(grouped))
        assert {
            rows.nth(i).get_attribute("data-kind"): int(rows.nth(i).get_attribute("data-count") or -1)
            for i in range(rows.count())
        } == grouped
    groups = card.locator("[data-testid=unknown-group]")
    expect(groups).to_have_count(len(shown["unknown"]))
    assert [int(groups.nth(i).get_attribute("data-count") or -1) for i in range(groups.count())] == [
        len(items) for items in shown["unknown"].values()
    ]
    expect(card.locator("[data-testid=unplaced-line]")).to_have_count(len(shown["unplaced"]))


def axe_clean(page: Page, found: dict[str, list[dict[str, Any]]], where: str) -> None:
    found[where] = violations(page)


def test_the_secretariat_imports_the_sample_then_sees_its_activities(pages: Pages, empty: Server) -> None:
    secretariat = empty.make_token("secretariat", name="the secretariat")
    found: dict[str, list[dict[str, Any]]] = {}
    start = position(empty)
    expected = server_preview(empty, secretariat, SAMPLE_MINUTES)
    assert sum(len(steps) for steps in expected["files"][0]["would_record"].values()) > 0

    # in Thai, from the keyboard: the file picked, the preview asked for, read, confirmed
    page = pages.open(empty, secretariat, "th")
    expect(page.locator("[data-testid=tab-import]")).to_have_attribute("aria-selected", "true")
    expect(page.locator("label[for=import-file]")).to_have_text("ไฟล์รายงานการประชุม")
    axe_clean(page, found, "th: empty ledger, nothing picked")
    page.click("[data-testid=import-preview]")  # no file yet: said, in the alert region
    expect(page.locator("[data-testid=import-problem]")).to_contain_text("โปรดเลือกไฟล์ก่อน")
    page.set_input_files("[data-testid=import-file]", str(SAMPLE_MINUTES))
    page.focus("[data-testid=import-file]")
    tab_to(page, "import-preview")
    page.keyboard.press("Enter")
    expect(page.locator("[data-testid=import-status]")).to_contain_text("ตรวจดูแล้ว")
    shows_the_preview(page, expected)
    assert page.evaluate("document.activeElement.id") == "import-preview-title"  # focus moved to what came
    page.locator("[data-testid=would-record-kind] summary").first.click()  # a kind opened: its steps listed
    # in Thai, each kind of value left unknown is named in Thai (the importer's groups, translated)
    groups = page.locator("[data-testid=unknown-group] summary")
    for i in range(groups.count()):
        assert re.search("[\u0e01-\u0e5b]", groups.nth(i).inner_text().split(":")[0]), groups.nth(i).inner_text()
    axe_clean(page, found, "th: previewed")
    before = position(empty)
    assert before == start  # a preview records nothing
    tab_to(page, "import-confirm")
    page.keyboard.press("Enter")
    result = page.locator("[data-testid=import-result-file]")
    expect(result).to_have_count(1, timeout=120_000)
    recorded = int(result.get_attribute("data-recorded") or -1)
    assert recorded > 0 and position(empty) > before
    expect(page.locator("[data-testid=result-refused]")).to_have_attribute("data-count", "0")
    expect(page.locator("[data-testid=import-status]")).to_contain_text(f"บันทึก {recorded} รายการ")
    assert page.evaluate("document.activeElement.id") == "import-result-title"
    axe_clean(page, found, "th: imported")
    page.screenshot(path=SHOTS / "imported-th.png", full_page=True)

    # the plan is on the dashboard now, with its activities, as the API lists them
    plans = empty.post("query { plans { id title activities { id } } }", token=secretariat).json()["data"]["plans"]
    [plan] = plans
    tab_to(page, "import-show-activities")
    page.keyboard.press("Enter")
    page.wait_for_selector("#view[data-view=activities]")
    expect(page.locator("[data-testid=plan-title]")).to_have_text(plan["title"])
    expect(page.locator("[data-testid=activity-row]")).to_have_count(len(plan["activities"]))
    assert {
        page.locator("[data-testid=activity-row]").nth(i).get_attribute("data-activity-id")
        for i in range(len(plan["activities"]))
    } == {a["id"] for a in plan["activities"]}

    # in English, the same file again: the preview finds it all recorded, the confirm records nothing
    again = server_preview(empty, secretariat, SAMPLE_MINUTES)
    assert again["files"][0]["would_record"] == {}
    page = pages.open(empty, secretariat, "en")
    expect(page.locator("label[for=import-file]")).to_have_text("Minutes file")
    axe_clean(page, found, "en: nothing picked")
    page.set_input_files("[data-testid=import-file]", str(SAMPLE_MINUTES))
    page.click("[data-testid=import-preview]")
    shows_the_preview(page, again)
    axe_clean(page, found, "en: previewed, all recorded already")
    after = position(empty)
    page.dblclick("[data-testid=import-confirm]")  # a double click: one request, nothing new either way
    expect(page.locator("[data-testid=import-result-file]")).to_have_attribute("data-recorded", "0")
    expect(page.locator("[data-testid=import-status]")).to_contain_text("0 recorded")
    assert position(empty) == after
    axe_clean(page, found, "en: imported again")

    save(SHOTS / "axe-import.json", found)
    serious = {where: blocking(v) for where, v in found.items() if blocking(v)}
    assert not serious, "\n".join(f"[{where}]\n{describe(v)}" for where, v in serious.items())


def test_a_bad_file_is_announced_and_records_nothing(pages: Pages, empty: Server, tmp_path: Path) -> None:
    cut = tmp_path / "cut.txt"
    lines = SAMPLE_MINUTES.read_text(encoding="utf-8").splitlines()
    cut.write_text("\n".join(lines[:213]), encoding="utf-8")
    # the server's own line for this file, asked of it
    answer = httpx.post(
        f"{empty.url}/imports/minutes/preview",
        params={"name": cut.name},
        content=cut.read_bytes(),
        headers={"Authorization": f"Bearer {empty.token}"},
        timeout=60,
    )
    assert answer.status_code == 422
    message = answer.json()["errors"][0]["message"]
    before = position(empty)
    page = pages.open(empty, empty.token, "en")
    page.set_input_files("[data-testid=import-file]", str(cut))
    page.click("[data-testid=import-preview]")
    problem = page.locator("[data-testid=import-problem]")
    expect(problem).to_have_attribute("role", "alert")
    expect(problem).to_have_text(f"Not imported: {message}")
    expect(page.locator("[data-testid=import-confirm]")).to_have_count(0)  # nothing to confirm
    assert focused_testid(page) == "import-file"  # back on the picker, to pick another
    found = {"en: a bad file refused": violations(page)}
    assert not blocking(found["en: a bad file refused"]), describe(blocking(found["en: a bad file refused"]))
    assert position(empty) == before


def test_a_reader_and_a_unit_have_no_import_view(pages: Pages, empty: Server) -> None:
    for role, unit in (("reader", None), ("unit", "กองทดสอบ"), ("committee", None)):
        token = empty.make_token(role, unit=unit, name=f"no importer: {role}")
        page = pages.open(empty, token, "en")
        expect(page.locator("[data-testid=tab-import]")).to_have_count(0)
        expect(page.locator("[data-testid=import]")).to_have_count(0)
