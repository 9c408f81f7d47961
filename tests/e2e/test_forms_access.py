"""axe-core inside every form the dashboard opens, in Thai and English (issue 19, point 5: "axe-core
runs on every view, drawer and form").

Each form is opened on its own (the activity drawer's as an admin, who may run them all; the meeting
desk's; the tokens view's), checked by axe with the form as the context, then submitted with its
fields left as they opened, so that the errors a person meets show beside their fields, and checked
again where the form stays open with them. 0 critical and 0 serious violations, and every form
found is checked (the test fails on a drawer or desk with no forms in it). Real Chromium, a real
server on the seed minutes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from service.config import ServerAddress
from tests.e2e.accessibility import blocking, describe, save, violations
from tests.e2e.browser import artifacts, signed_in_as, watched
from tests.e2e.dashboard_data import seeded
from tests.e2e.server_process import Server

SHOTS = artifacts("forms-access")
LANGS = ["th", "en"]
#: where each set of forms lives: the tab, how to reach the forms, the menu that holds them
PLACES = {
    "drawer": ("activities", "[data-testid=activity-row]", "[data-testid=activity-form-menu]"),
    "desk": ("desk", None, "[data-testid=desk-menu]"),
    "desk-schedule": ("desk", None, "[data-testid=desk-schedule]"),
    "tokens": ("tokens", None, "[data-testid=tokens]"),
}


@pytest.fixture(scope="module")
def ledger(server: ServerAddress) -> Iterator[Server]:
    with seeded(server) as process:
        yield process


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh tab failing the test on any error in the page; its CSP bypassed so that axe can be
    injected (the page itself runs exactly as served)."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, bypass_csp=True)
    errors: list[str] = []
    tab = watched(context.new_page(), errors)
    yield tab
    context.close()
    assert not errors, errors


def signed_in(page: Page, ledger: Server, lang: str, view: str) -> None:
    signed_in_as(page, ledger.token, lang)
    page.goto(f"{ledger.url}/#tab={view}")
    page.reload()  # a fresh document: no drawer left open from the place before
    page.wait_for_selector("body[data-state=ready][data-extras=ready]")
    page.wait_for_selector(f"#view[data-view={view}] > :not(.loading)")


def forms_in(page: Page, menu: str) -> list[str]:
    """The names of the forms a menu opens (its buttons' `open-<name>`), or of the forms a view
    shows open (the tokens view's)."""
    page.wait_for_selector(f"{menu} [data-testid^=open-], {menu} [data-testid^=form-][data-testid$=Token]")
    if not page.locator(f"{menu} [data-testid^=open-]").count():
        shown: list[str] = page.eval_on_selector_all(
            f"{menu} form[data-testid^=form-]", "els => els.map((el) => el.dataset.testid.slice('form-'.length))"
        )
        return shown
    names: list[str] = page.eval_on_selector_all(
        f"{menu} [data-testid^=open-]", "els => els.map((el) => el.dataset.testid.slice('open-'.length))"
    )
    return names


def check_form(page: Page, menu: str, name: str, found: dict[str, list[dict[str, Any]]], where: str) -> None:
    """Open the form, axe it; submit it as it opened, axe it again with its errors if it stays. A
    form with nothing to act on (no key results to measure, no milestone to move) says so instead:
    that note is checked."""
    button = page.locator(f"{menu} [data-testid=open-{name}]")
    if button.count():
        if button.get_attribute("aria-expanded") != "true":
            button.click()
        host = f"{menu} .form-host"
        page.wait_for_function(
            "(sel) => { const host = document.querySelector(sel);"
            " return host && host.children.length && !host.querySelector('.loading'); }",
            arg=host,
        )
        if not page.locator(f"{host} [data-testid=form-{name}]").count():
            found[f"{where}: {name} (nothing to act on)"] = violations(page, host)
            return
    form = page.locator(f"[data-testid=form-{name}]")
    form.wait_for()
    found[f"{where}: {name}"] = violations(page, f"[data-testid=form-{name}]")
    form.locator("[data-testid=form-submit], [data-testid=token-create]").click()
    problem = form.locator("[data-testid=form-problem]:not(:empty), [aria-invalid=true]")
    try:
        problem.first.wait_for(timeout=5_000)
    except Exception:  # nothing to complain of: it recorded (the menu closed it) or took it as it was
        return
    found[f"{where}: {name} with its errors"] = violations(page, f"[data-testid=form-{name}]")


@pytest.mark.parametrize("lang", LANGS)
def test_axe_finds_nothing_serious_inside_any_form(page: Page, ledger: Server, lang: str) -> None:
    found: dict[str, list[dict[str, Any]]] = {}
    checked: dict[str, list[str]] = {}
    for where, (view, opener, menu) in PLACES.items():
        signed_in(page, ledger, lang, view)
        if opener:
            page.locator(opener).first.click()
            page.wait_for_selector("[data-testid=drawer] h2")
        names = forms_in(page, menu)
        assert names, f"no forms in {where}"
        checked[where] = names
        for name in names:
            check_form(page, menu, name, found, where)
        page.screenshot(path=SHOTS / f"{where}-{lang}.png", full_page=True)
    save(SHOTS / f"axe-forms-{lang}.json", found)
    # every command a role may run from the dashboard is somewhere here
    assert {"reportProgress", "changeActivityStatus", "noteRisk"} <= set(checked["drawer"]), checked
    assert {"recordAttendance", "adoptResolution", "approveMinutes"} <= set(checked["desk"]), checked
    serious = {where: blocking(v) for where, v in found.items() if blocking(v)}
    assert not serious, "\n".join(f"[{where}]\n{describe(v)}" for where, v in serious.items())
    print(f"\naxe inside {len(found)} form states ({lang}): {sorted(found)}")


# -- keyboard only ----------------------------------------------------------------------------------

FOCUSED = (
    "(() => { const el = document.activeElement; return { tag: el.tagName, testid: el.dataset.testid || '',"
    " name: el.name || '', inForm: !!el.closest('form') }; })()"
)


def tab_to(page: Page, testid: str, limit: int = 120) -> None:
    """Tab until the element with `testid` has the focus (it must be reachable from the keyboard)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(FOCUSED)["testid"] == testid:
            return
    raise AssertionError(f"{testid} not reached in {limit} Tabs")


def test_a_form_from_the_keyboard_only(page: Page, ledger: Server) -> None:
    """Open an activity's drawer, open its progress form, fill it and submit it, all with keys:
    the form takes the focus when it opens, Enter submits it, "Recorded" is announced and the focus
    stays where it was; the API has the value."""
    signed_in(page, ledger, "en", "activities")
    row = page.locator("[data-testid=activity-row]").first
    activity_id = row.get_attribute("data-activity-id")
    tab_to(page, "activity-row")  # the first row, reached from the page's top
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-testid=drawer] h2")
    tab_to(page, "open-reportProgress")
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-testid=form-reportProgress]")
    focus = page.evaluate(FOCUSED)
    assert focus["inForm"] and focus["name"] == "progress", focus  # the form's first field
    page.keyboard.press("Control+A")
    page.keyboard.type("42.5")
    page.keyboard.press("Enter")
    form = page.locator("[data-testid=form-reportProgress]")
    expect(form.locator("[data-testid=form-status]")).to_contain_text("Recorded")  # role=status: announced
    assert page.evaluate(FOCUSED)["tag"] != "BODY"  # the focus is not lost
    found = ledger.post("query($id: ID!) { activity(id: $id) { progress } }", {"id": activity_id}).json()
    assert found["data"]["activity"]["progress"] == 42.5, found
