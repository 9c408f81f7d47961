"""The dashboard: a static page at `/` (HTML, one JS module per concern, CSS, a Thai font), part
of the package, with no build step. It holds no data: everything it shows it reads from
`/graphql` with the token the person signs in with (kept in the tab's sessionStorage)."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Message, Receive, Scope, Send

STATIC = Path(__file__).resolve().parent / "static"

#: nothing from elsewhere: scripts, styles and fonts from this server, data from its API
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; font-src 'self'; img-src 'self' data: blob:; "
        "connect-src 'self' ws: wss:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


class Assets(StaticFiles):
    """A page's files, revalidated on every load (so an upgrade shows at once), with its security
    headers (the dashboard's by default; GraphiQL's page has its own, service/web/graphiql.py)."""

    def __init__(self, *, directory: Path, headers: dict[str, str] = SECURITY_HEADERS) -> None:
        super().__init__(directory=directory)
        self.extra = [(b"cache-control", b"no-cache"), *((k.lower().encode(), v.encode()) for k, v in headers.items())]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *self.extra]
            await send(message)

        await super().__call__(scope, receive, with_headers)


async def index(_: Request) -> Response:
    return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache", **SECURITY_HEADERS})


def routes() -> list[Route | Mount]:
    return [
        Route("/", index, methods=["GET", "HEAD"]),
        Mount("/dashboard", Assets(directory=STATIC), name="dashboard"),
    ]
