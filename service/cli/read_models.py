"""`planledger rebuild`, `verify` and `migrate`: the read models rebuilt from the log, compared
with a rebuild, or brought to the code's version."""

from __future__ import annotations

import argparse
import sys

from service.cli.common import EXIT_FAILED, EXIT_OK, progress_bar, settings, store


def cmd_rebuild(args: argparse.Namespace) -> int:
    import asyncio
    import time

    from service.store.rebuilding import rebuild_reporting

    with store(args) as (database, _):
        started = time.perf_counter()
        count = asyncio.run(rebuild_reporting(database.address.asyncpg_args(), progress_bar))
        elapsed = time.perf_counter() - started
    print(file=sys.stderr)
    print(f"rebuilt the read models from {count} events in {elapsed:.1f} s ({count / max(elapsed, 1e-9):.0f} events/s)")
    return EXIT_OK


def cmd_verify(args: argparse.Namespace) -> int:
    import asyncio

    from projections.rebuild import verify

    with store(args) as (database, _):
        differences = asyncio.run(verify(database.address.asyncpg_args()))
    if differences:
        print("the live read models differ from a rebuild of the log:")
        for difference in differences:
            print(f"  {difference}")
        return EXIT_FAILED
    print("verify: the live read models match a rebuild of the log")
    return EXIT_OK


def cmd_migrate(args: argparse.Namespace) -> int:
    import asyncio

    from service.application.migrate import migrate
    from service.store.database import open_database

    with open_database(settings(args)) as database:  # type: ignore[arg-type]
        done = asyncio.run(migrate(database.address, progress=progress_bar))
    if done.rebuilt_events is not None:
        print(file=sys.stderr)
    print(f"planledger migrate: {done.describe()}")
    return EXIT_OK
