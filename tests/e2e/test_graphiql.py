"""GraphiQL at /graphql in real headless Chromium, against a real server process, with every
request that is not to this machine aborted (as on a machine without internet): the page renders,
its docs explorer shows the schema's types and their descriptions, and its requests carry the token
the dashboard keeps in the tab's sessionStorage. Screenshots go to the test artifacts folder."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page, expect

from service.config import ServerAddress
from tests.conftest import create_database, drop_database, url_of
from tests.e2e.browser import artifacts
from tests.e2e.server_process import Server

SHOTS = artifacts("graphiql")
TOKEN_KEY = "planledger.token"  # where the dashboard keeps the token (service/dashboard/static/app.js)


@pytest.fixture(scope="module")
def served(server: ServerAddress) -> Iterator[Server]:
    address = create_database(server)
    process = Server(url_of(address)).start()
    try:
        made = process.post(
            'mutation { createPlan(input: { code: "HR-2561", title: "HR strategy", periodStart: "2018-01-01", '
            'periodEnd: "2022-12-31", consistency: READ_YOUR_WRITES }) { __typename } }'
        )
        assert made.json()["data"]["createPlan"]["__typename"] == "PlanRecorded", made.text
        yield process
    finally:
        process.stop()
        drop_database(server, address)


class Offline:
    """A tab whose every request not to 127.0.0.1 is aborted (and remembered), with the console's
    errors and the Authorization header of each request to /graphql."""

    def __init__(self, browser: Any) -> None:
        self.context = browser.new_context(viewport={"width": 1400, "height": 900})
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.authorization: list[str | None] = []
        self.context.route("**/*", self._route)
        self.page: Page = self.context.new_page()
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", lambda message: self.errors.append(message.text) if message.type == "error" else None)
        self.page.on("request", self._request)

    def _route(self, route: Any) -> None:
        if urlparse(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()

    def _request(self, request: Any) -> None:
        if urlparse(request.url).path == "/graphql" and request.method == "POST":
            self.authorization.append(request.headers.get("authorization"))


@pytest.fixture
def offline(browser: Any, request: pytest.FixtureRequest) -> Iterator[Offline]:
    tab = Offline(browser)
    yield tab
    tab.page.screenshot(path=SHOTS / f"{request.node.name}.png")
    tab.context.close()
    assert not tab.outside, f"the page asked for something outside this machine: {tab.outside}"


def test_graphiql_renders_its_docs_offline_with_the_signed_in_token(served: Server, offline: Offline) -> None:
    page = offline.page
    page.add_init_script(f"sessionStorage.setItem({json.dumps(TOKEN_KEY)}, {json.dumps(served.token)});")
    page.goto(f"{served.url}/graphql")
    expect(page.locator(".graphiql-container")).to_be_visible(timeout=20_000)
    expect(page.locator(".graphiql-query-editor")).to_contain_text("Requests carry your dashboard token")
    # the docs explorer, from the schema GraphiQL fetched by introspection with the token
    page.get_by_role("button", name="Show Documentation Explorer").click()
    docs = page.locator(".graphiql-doc-explorer")
    docs.get_by_role("link", name="Query", exact=True).click()
    expect(docs).to_contain_text("One plan by ID or by code")
    docs.get_by_role("link", name="plan", exact=True).first.click()
    docs.get_by_role("link", name="Plan", exact=True).first.click()
    expect(docs).to_contain_text("A five-year strategic plan with its strategies and activities.")
    expect(docs).to_contain_text("Node")  # the interfaces it implements
    # the query the page opens with runs, signed with the same token
    page.locator(".graphiql-execute-button").click()
    expect(page.locator(".graphiql-response")).to_contain_text("HR-2561", timeout=10_000)
    assert offline.authorization and set(offline.authorization) == {f"Bearer {served.token}"}
    # the token stays in the tab's sessionStorage: GraphiQL keeps its history in localStorage
    stored = page.evaluate("JSON.stringify(Object.assign({}, localStorage))")
    assert "HR-2561" in page.locator(".graphiql-response").inner_text() and served.token not in stored, stored
    assert not offline.errors, offline.errors


def test_graphiql_without_a_token_says_where_to_give_one(served: Server, offline: Offline) -> None:
    page = offline.page
    page.goto(f"{served.url}/graphql")
    expect(page.locator(".graphiql-container")).to_be_visible(timeout=20_000)
    expect(page.locator(".graphiql-query-editor")).to_contain_text("Sign in on the dashboard")
    expect(page.get_by_role("region", name="Headers")).to_be_visible()
    # its introspection went without a token, and the server's 401 says what to send
    expect(page.locator(".graphiql-response")).to_contain_text("send a valid API token", timeout=10_000)
    assert offline.authorization and set(offline.authorization) == {None}
    assert all("401" in e or "Failed to load resource" in e for e in offline.errors), offline.errors
