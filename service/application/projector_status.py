"""The state a `serve` run's projector process says of itself, in a file its web workers read:
"starting", "standby", "active" or "stopped" (service/cli/projector.py writes it; /readyz reads it).
A file rather than a pipe: the workers come and go (uvicorn restarts a killed one), the state stays."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

#: the file a `serve` run's projector process writes its state to, for the workers' /readyz
STATUS_FILE = "PLANLEDGER_PROJECTOR_STATUS"


def read_state(path: str | Path) -> str | None:
    """The state the file at `path` holds, or None (not written yet, or gone)."""
    try:
        return Path(path).read_text(encoding="ascii").strip() or None
    except OSError:
        return None


def daemon_state() -> str | None:
    """What this server's projector process last said of itself, or None when it runs none."""
    path = os.environ.get(STATUS_FILE)
    return read_state(path) if path else None


def say(path: str | None, state: str) -> None:
    """Write `state` whole (a reader never sees a half-written word)."""
    if path:
        with contextlib.suppress(OSError):
            Path(path + ".new").write_text(state, encoding="ascii")
            os.replace(path + ".new", path)
