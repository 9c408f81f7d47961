"""Structured logs: JSON lines when stderr is not a terminal, readable lines when it is. Every line
logged while serving a request carries its request id, operation name and actor (never a token)."""

from __future__ import annotations

import json
import logging
import secrets
import sys
from contextvars import ContextVar
from datetime import UTC, datetime

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
operation: ContextVar[str | None] = ContextVar("operation", default=None)
actor: ContextVar[str | None] = ContextVar("actor", default=None)

FIELDS = ("request_id", "operation", "actor")


def new_request_id() -> str:
    """12 hex digits: enough to find one request's log lines, short enough to read out. Every
    request id is made here (the middleware's, invalid HTTP's, a context made outside a request)."""
    return secrets.token_hex(6)


#: set by `planledger serve -v` for its worker processes
VERBOSE = "PLANLEDGER_VERBOSE"
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", *FIELDS}


class RequestFields(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        record.operation = operation.get()
        record.actor = actor.get()
        return True


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                line[name] = value
        for name, value in record.__dict__.items():
            if name not in _STANDARD and not name.startswith("_"):
                line[name] = value if isinstance(value, (str, int, float, bool, type(None))) else str(value)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


class Readable(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        tags = " ".join(f"{n}={getattr(record, n)}" for n in FIELDS if getattr(record, n, None) is not None)
        text = f"{datetime.fromtimestamp(record.created):%H:%M:%S} {record.levelname.lower():<7} {record.getMessage()}"
        text = f"{text}  [{tags}]" if tags else text
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return text


def configure(verbose: bool = False, stream: object = None) -> None:
    """Log to stderr: JSON lines unless it is a terminal. Idempotent."""
    out = stream or sys.stderr
    handler = logging.StreamHandler(out)  # type: ignore[arg-type]
    handler.addFilter(RequestFields())
    handler.setFormatter(Readable() if getattr(out, "isatty", lambda: False)() else JsonLines())
    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, "_planledger", False):
            root.removeHandler(old)
    handler._planledger = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(logging.INFO if verbose else logging.WARNING)
