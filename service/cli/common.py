"""What every command shares: exit codes, the configured database and event store, a connection
for a piece of async work, and the rebuild's progress bar."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Awaitable, Callable, Iterator
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    import asyncpg

    from projections.rebuild import Progress
    from service.application.ledger import PlanLedger
    from service.config import ServerAddress
    from service.store.database import Database

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
T = TypeVar("T")


def settings(args: argparse.Namespace) -> object:
    if getattr(args, "database_url", None):
        os.environ["DATABASE_URL"] = args.database_url
    if getattr(args, "data_dir", None):
        os.environ["PLANLEDGER_DATA_DIR"] = args.data_dir
    from service.config import Settings

    return Settings.from_env()


@contextlib.contextmanager
def store(args: argparse.Namespace) -> Iterator[tuple[Database, PlanLedger]]:
    """The configured database and the event store on it (its tables created if missing)."""
    from service.application.ledger import PlanLedger
    from service.store.database import open_database

    with open_database(settings(args)) as database:  # type: ignore[arg-type]
        app = PlanLedger.connect(database.address)
        try:
            yield database, app
        finally:
            app.close()


def progress_bar(progress: Progress) -> None:
    done, total, rate, eta = progress.done, progress.total or 1, progress.rate, progress.eta
    width = 30
    filled = int(width * min(1.0, done / total))
    eta_text = "--" if eta is None else f"{eta:5.1f}s"
    line = f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} events  {rate:8.0f} events/s  ETA {eta_text}"
    print(line, end="", file=sys.stderr, flush=True)


def on(address: ServerAddress, work: Callable[[asyncpg.Connection], Awaitable[T]]) -> T:
    """Run `work(conn)` on an asyncpg connection to `address`."""
    import asyncio

    import asyncpg

    async def run() -> T:
        conn = await asyncpg.connect(**address.asyncpg_args())
        try:
            return await work(conn)
        finally:
            await conn.close()

    return asyncio.run(run())


def with_conn(args: argparse.Namespace, work: Callable[[asyncpg.Connection], Awaitable[T]]) -> T:
    """Run `work(conn)` on an asyncpg connection to the configured database."""
    from service.store.database import open_database

    with open_database(settings(args)) as database:  # type: ignore[arg-type]
        return on(database.address, work)
