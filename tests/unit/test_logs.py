"""Log lines: JSON off a terminal, with the request's id, operation and actor; never a token."""

from __future__ import annotations

import io
import json
import logging

from service import logs


def test_a_request_s_lines_carry_its_id_operation_and_actor() -> None:
    out = io.StringIO()
    logs.configure(stream=out)
    logs.request_id.set("abc123")
    logs.operation.set("Q")
    logs.actor.set("Somsri")
    try:
        logging.getLogger("planledger.test").warning("something happened", extra={"status": 200})
    finally:
        logs.request_id.set(None)
        logs.operation.set(None)
        logs.actor.set(None)
    line = json.loads(out.getvalue().splitlines()[-1])
    assert line["message"] == "something happened" and line["level"] == "warning"
    assert (line["request_id"], line["operation"], line["actor"], line["status"]) == ("abc123", "Q", "Somsri", 200)


def test_on_a_terminal_lines_are_readable() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    out = Terminal()
    logs.configure(stream=out)
    logs.request_id.set("r1")
    try:
        logging.getLogger("planledger.test").warning("hello")
    finally:
        logs.request_id.set(None)
    text = out.getvalue().splitlines()[-1]
    assert "hello" in text and "request_id=r1" in text and not text.startswith("{")
