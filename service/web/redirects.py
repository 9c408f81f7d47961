"""Redirects name no host: Starlette's own (`/dashboard` → `/dashboard/`, `/graphql/` → `/graphql`
for a trailing slash) build an absolute URL from the request's Host header, so a forged Host sent
the client wherever it named. Every redirect this server answers points at a path of its own."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send


def relative(location: str) -> str:
    """The path (and query) of a Location, never protocol-relative ("//host/..." → "/host/...")."""
    parts = urlsplit(location)
    path = "/" + parts.path.lstrip("/")
    return f"{path}?{parts.query}" if parts.query else path


class RelativeRedirects:
    """ASGI middleware: the Location of every 3xx answer becomes a relative path."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_relative(message: Message) -> None:
            if message["type"] == "http.response.start" and 300 <= message["status"] < 400:
                message["headers"] = [
                    (
                        name,
                        relative(value.decode("latin-1")).encode("latin-1") if name.lower() == b"location" else value,
                    )
                    for name, value in message.get("headers", [])
                ]
            await send(message)

        await self.app(scope, receive, send_relative)
