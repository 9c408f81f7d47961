"""GraphiQL, served by this server alone: its page (what a browser opening /graphql gets) and the
files it loads, vendored from their npm packages with their licences in static/graphiql/ (see the
README.md there), so it works on a machine that cannot reach the internet. The page signs its
requests with the token the dashboard keeps in the tab's sessionStorage (static/graphiql/start.js).
"""

from __future__ import annotations

from pathlib import Path

from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount

from service.dashboard import Assets

STATIC = Path(__file__).resolve().parent / "static" / "graphiql"
#: where the page finds its files
PREFIX = "/graphiql"

#: nothing from elsewhere: scripts, styles and fonts from this server (GraphiQL's stylesheet embeds
#: its fonts and icons as data: URLs), requests to its API (HTTP and WebSocket)
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; font-src 'self' data:; "
        "img-src 'self' data: blob:; connect-src 'self' ws: wss:; object-src 'none'; base-uri 'none'; "
        "frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


_PAGE = (STATIC / "index.html").read_text(encoding="utf-8")


def page() -> Response:
    """GraphiQL's page: it holds no data (what it shows, it asks /graphql for, with a token)."""
    return HTMLResponse(_PAGE, headers={"Cache-Control": "no-cache", **SECURITY_HEADERS})


def routes() -> list[Mount]:
    return [Mount(PREFIX, Assets(directory=STATIC, headers=SECURITY_HEADERS), name="graphiql")]
