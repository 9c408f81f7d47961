"""axe-core in the page under test, and what it finds (no tests here).

axe-core 4.14.1 (npm `axe-core`, MPL-2.0) is vendored in tests/e2e/vendor/axe-core/ (fetched once
with `npm pack axe-core`, its LICENSE beside it): the page's Content-Security-Policy allows scripts
from 'self' only, so it is injected through Playwright's CDP-backed `add_script_tag(content=…)`
with the CSP bypassed for the test's browser context, never loaded from a CDN."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
#: the impacts a view must have none of (axe's four: minor, moderate, serious, critical)
BLOCKING = ("serious", "critical")
#: WCAG 2.1 A and AA, and axe's best practices (where aria-dialog-name and
#: scrollable-region-focusable live)
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def violations(page: Page, context: str = "body") -> list[dict[str, Any]]:
    """axe's violations on the page as it is now (injected once per document)."""
    # colours are judged as they end: not halfway through a fade or a slide (a spinner never ends)
    page.wait_for_function(
        "document.getAnimations().every((a) => a.playState !== 'running'"
        " || a.effect?.getComputedTiming().iterations === Infinity)"
    )
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    found: list[dict[str, Any]] = page.evaluate(
        """async ([context, tags]) => {
             const result = await axe.run(document.querySelector(context), { runOnly: { type: 'tag', values: tags } });
             return result.violations.map((v) => ({
               id: v.id, impact: v.impact, help: v.help,
               nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
             }));
           }""",
        [context, TAGS],
    )
    return found


def blocking(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [v for v in found if v["impact"] in BLOCKING]


def describe(found: list[dict[str, Any]]) -> str:
    """A short readable account for an assertion message."""
    lines = []
    for v in found:
        lines.append(f"{v['impact']} {v['id']} ({len(v['nodes'])}): {v['help']}")
        for node in v["nodes"][:4]:
            lines.append(f"    {node['target']}: {node['summary'][:300]!s}".replace("\n", " "))
    return "\n".join(lines)


def save(path: Path, found: dict[str, list[dict[str, Any]]]) -> None:
    path.write_text(json.dumps(found, ensure_ascii=False, indent=1), encoding="utf-8")
