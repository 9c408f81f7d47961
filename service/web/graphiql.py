"""GraphiQL, served by this server alone: its page (what a browser opening /graphql gets) and the
files it loads, vendored from their npm packages with their licences in static/graphiql/ (see the
README.md there), so it works on a machine that cannot reach the internet. The page signs its
requests with the token the dashboard keeps in the tab's sessionStorage (static/graphiql/start.js).
"""

from __future__ import annotations

from pathlib import Path

from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import Message, Receive, Scope, Send

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


class Assets(StaticFiles):
    """GraphiQL's files, revalidated on every load (an upgrade shows at once), with the headers."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"cache-control", b"no-cache"))
                headers.extend((k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items())
                message["headers"] = headers
            await send(message)

        await super().__call__(scope, receive, with_headers)


_PAGE = (STATIC / "index.html").read_text(encoding="utf-8")


def page() -> Response:
    """GraphiQL's page: it holds no data (what it shows, it asks /graphql for, with a token)."""
    return HTMLResponse(_PAGE, headers={"Cache-Control": "no-cache", **SECURITY_HEADERS})


def routes() -> list[Mount]:
    return [Mount(PREFIX, Assets(directory=STATIC), name="graphiql")]
