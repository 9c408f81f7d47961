"""Headless Chromium for the dashboard tests: Debian's chromium driven by Playwright, never a
browser Playwright downloads. No tests here."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("PLANLEDGER_CHROMIUM", "/usr/bin/chromium")
MISSING = (
    f"the browser tests need Chromium at {CHROMIUM}: run 'apt-get install chromium' as root "
    "(./run test does it when it can), or set PLANLEDGER_CHROMIUM=/path/to/chromium"
)
#: no background traffic (this machine's network is closed, and a test should not depend on one);
#: Playwright gives every launch a fresh, empty profile folder of its own
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: where the tests save screenshots and downloads
ARTIFACTS = Path(
    os.environ.get("PLANLEDGER_TEST_ARTIFACTS") or Path(tempfile.gettempdir()) / "planledger-test-artifacts"
)


def launch(playwright: Any) -> Any:
    """Debian's chromium, headless; fails (never skips) when it is not installed."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(MISSING, pytrace=False)
    return playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)


def artifacts(kind: str) -> Path:
    folder = ARTIFACTS / kind
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def watched(page: Any, errors: list[str]) -> Any:
    """`page`, with every error it throws or logs appended to `errors` (a failed resource load is the
    network's, not the page's: left out)."""
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda m: errors.append(m.text) if m.type == "error" and not m.text.startswith("Failed to load") else None,
    )
    return page


def signed_in_as(page: Any, token: str, lang: str) -> None:
    """Every document `page` opens from now on starts signed in with `token`, in `lang`."""
    page.add_init_script(
        f"sessionStorage.setItem('planledger.token', {json.dumps(token)});"
        f"localStorage.setItem('planledger.lang', {json.dumps(lang)});"
    )
