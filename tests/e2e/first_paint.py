"""How long each view takes to paint after sign-in (no tests here): the performance measure app.js
records from the sign-in form's submit to the second animation frame after the view rendered with
its data. Reported in the test artifacts, never asserted as a timing (the machine is shared)."""

from __future__ import annotations

import json

from playwright.sync_api import Page

from tests.e2e.server_process import Server


def first_paints(page: Page, server: Server, views: list[str]) -> dict[str, float]:
    """ms to first paint after signing in on each view, in a fresh document each time."""
    measured: dict[str, float] = {}
    for view in views:
        page.goto(f"{server.url}/#tab={view}")
        page.evaluate("sessionStorage.clear()")
        page.reload()
        page.wait_for_selector("#token")
        page.fill("#token", server.token)
        page.click("button[type=submit]")
        name = f"first-paint-after-sign-in:{view}"
        page.wait_for_function(
            f"performance.getEntriesByName({json.dumps(name)}, 'measure').length > 0", timeout=60_000
        )
        duration = page.evaluate(f"performance.getEntriesByName({json.dumps(name)}, 'measure')[0].duration")
        assert duration > 0
        measured[view] = round(duration, 1)
    return measured
