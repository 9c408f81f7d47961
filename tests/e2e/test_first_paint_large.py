"""First paint after sign-in on a plan of about 1,000 activities (issue 19: "under 2 s on a plan of
1,000 activities, measured in the browser test, reported, not asserted as a timing").

The plan is the benchmark's synthetic ledger (bench/generate.py: real domain facts through the
aggregates, five fiscal years of status changes, progress, milestones, risks, meetings) with its
17,000 events given to one plan: over 1,000 activities. Every view is signed into afresh and timed
by the page's own performance measure; the numbers go to the test artifacts beside the sample's
(tests/e2e/test_dashboard_access.py) and are printed. What is asserted is that every view paints
with the whole plan in it.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from bench.generate import generate
from service.config import ServerAddress
from tests.conftest import create_database, drop_database, url_of
from tests.e2e.browser import artifacts, watched
from tests.e2e.dashboard_data import caught_up, query
from tests.e2e.first_paint import first_paints
from tests.e2e.server_process import Server
from tests.e2e.test_dashboard_access import VIEWS

SHOTS = artifacts("first-paint-large")
EVENTS = 17_000


@pytest.fixture(scope="module")
def large(server: ServerAddress) -> Iterator[Server]:
    address = create_database(server)
    try:
        url = url_of(address)
        generate(url, events=EVENTS, seed=7, workers=1, plans=1)
        log = Path(tempfile.mkdtemp(prefix="planledger-large-")) / "serve.log"
        process = Server(url, log_file=log).start()
        try:
            caught_up(process, timeout=180)
            yield process
        finally:
            process.stop()
    finally:
        drop_database(server, address)


@pytest.fixture
def page(browser: Any) -> Iterator[Page]:
    # the CSP bypassed for the test's own polling scripts (the page itself runs as served)
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, bypass_csp=True)
    errors: list[str] = []
    tab = watched(context.new_page(), errors)
    yield tab
    context.close()
    assert not errors, errors


def test_first_paint_after_sign_in_on_a_plan_of_a_thousand_activities(page: Page, large: Server) -> None:
    plans = query(large, "query { plans { id activities { id } } }")["plans"]
    assert len(plans) == 1
    activities = len(plans[0]["activities"])
    assert activities >= 1_000, activities
    measured = first_paints(page, large, VIEWS)
    # the activities view lists the whole plan, not a first page of it
    page.goto(f"{large.url}/#tab=activities")
    page.wait_for_selector("body[data-state=ready][data-extras=ready]")
    page.wait_for_selector("#view[data-view=activities] [data-testid=activity-row]")
    page.screenshot(path=SHOTS / "activities.png")
    report = {
        "what": "ms from the sign-in form's submit to the second animation frame after the view rendered "
        f"with its data (performance marks in app.js), on one plan of {activities} activities "
        f"({EVENTS:,} events of bench/generate.py)",
        "firstPaintMs": measured,
    }
    (SHOTS / "first-paint.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    print(f"\nfirst paint after sign-in on {activities} activities (ms): {measured}")
