"""uvicorn's httptools protocol, answering a request that is not valid HTTP in JSON like every
other answer of the service (uvicorn's own answer is plain text).

httptools parses requests much faster than h11 (the cheapest GraphQL request: ~1,900 -> ~3,100
requests/s here), but it is also stricter: a header value with a control character, say, is
refused before the request reaches the application. The answer stays a 400 that closes the
connection; only its body changes to the GraphQL error shape, with a request id.

It also sends a response's head and body in one write: uvicorn writes the status line and headers
as soon as the application starts the response and the body when it comes, two `send` system
calls (and two TCP segments) per answer. On this machine's VM a loopback send costs 20-40 µs, the
head's write alone was 9-13% of the server's CPU under 16 writers (py-spy, 2026-12-04).
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from service.logs import new_request_id
from service.web.responses import error_body

#: what `planledger serve` passes to uvicorn as its HTTP protocol
PROTOCOL = "service.web.http_protocol:JsonHttpToolsProtocol"


class HeadWithBody:
    """A response's transport that holds its first write (the head) until the next one (the body)
    and sends both at once. Whatever else comes first flushes it: a close, or the loop's next turn
    (a streamed or bodiless answer, whose body does not follow in the same step, gets its head
    then). Anything else is the connection's transport's."""

    __slots__ = ("_held", "_started", "_transport")

    def __init__(self, transport: asyncio.Transport) -> None:
        self._transport = transport
        self._held: bytes | None = None
        self._started = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if not self._started:
            self._started = True
            self._held = bytes(data)
            asyncio.get_running_loop().call_soon(self.flush)
            return
        held, self._held = self._held, None
        self._transport.write(data if held is None else held + data)

    def flush(self) -> None:
        held, self._held = self._held, None
        if held is not None and not self._transport.is_closing():
            self._transport.write(held)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class JsonHttpToolsProtocol(HttpToolsProtocol):
    def on_headers_complete(self) -> None:
        before = self.cycle
        super().on_headers_complete()
        cycle = self.cycle
        if cycle is not None and cycle is not before:  # (not an upgrade to a WebSocket)
            # its task has not run yet, here or when it waits behind a pipelined request
            cycle.transport = HeadWithBody(self.transport)  # type: ignore[assignment]

    def send_400_response(self, msg: str) -> None:
        request_id = new_request_id()
        body = error_body(f"not a valid HTTP request: {msg}", request_id)
        content = [STATUS_LINE[400]]
        for name, value in self.server_state.default_headers:
            content.extend([name, b": ", value, b"\r\n"])
        content.extend(
            [
                b"content-type: application/json\r\n",
                b"content-length: " + str(len(body)).encode("ascii") + b"\r\n",
                b"x-request-id: " + request_id.encode("ascii") + b"\r\n",
                b"connection: close\r\n",
                b"\r\n",
                body,
            ]
        )
        self.transport.write(b"".join(content))
        self.transport.close()
