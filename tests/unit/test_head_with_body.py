"""A response's head and body leave in one write (service/web/http_protocol.py HeadWithBody), and a
head whose body does not follow at once still leaves: at the loop's next turn, or on a close."""

from __future__ import annotations

import asyncio
from typing import Any

from service.web.http_protocol import HeadWithBody


class Transport:
    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        self.writes.append(bytes(data))

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return ("127.0.0.1", 1) if name == "peername" else default


def wrapped(transport: Transport) -> Any:
    return HeadWithBody(transport)  # type: ignore[arg-type]


async def test_head_and_body_in_one_write() -> None:
    transport = Transport()
    response = wrapped(transport)
    response.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n")
    assert transport.writes == []
    response.write(b"{}")
    assert transport.writes == [b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}"]
    await asyncio.sleep(0)  # the flush finds nothing held
    assert len(transport.writes) == 1


async def test_a_head_alone_leaves_at_the_next_turn_and_a_stream_s_chunks_follow_in_order() -> None:
    transport = Transport()
    response = wrapped(transport)
    response.write(b"HEAD")
    await asyncio.sleep(0)
    assert transport.writes == [b"HEAD"]
    response.write(b"chunk 1")
    response.write(b"chunk 2")
    assert transport.writes == [b"HEAD", b"chunk 1", b"chunk 2"]


async def test_a_close_sends_what_is_held_first_and_the_rest_is_the_transport_s() -> None:
    transport = Transport()
    response = wrapped(transport)
    response.write(b"HTTP/1.1 400 Bad Request\r\n\r\n")
    assert response.get_extra_info("peername") == ("127.0.0.1", 1)
    response.close()
    assert transport.writes == [b"HTTP/1.1 400 Bad Request\r\n\r\n"] and transport.closed
    await asyncio.sleep(0)
    assert len(transport.writes) == 1
