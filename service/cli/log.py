"""`planledger export` and `import-log`: the event log as NDJSON, out and in, exactly."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator

from service.cli.common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, on, progress_bar, store


def cmd_export(args: argparse.Namespace) -> int:
    import contextlib as ctx

    from service.store.portable import export_log, position_after

    try:
        after = position_after(args.after)
    except ValueError as error:
        print(f"planledger export: {error}", file=sys.stderr)
        return EXIT_USAGE
    with (
        store(args) as (database, _),
        ctx.ExitStack() as stack,
    ):  # the store's tables exist: an empty log exports nothing
        out = sys.stdout if args.file in (None, "-") else stack.enter_context(open(args.file, "w", encoding="utf-8"))
        count = on(database.address, lambda conn: export_log(conn, out, after))
    print(f"planledger: exported {count} events", file=sys.stderr)
    return EXIT_OK


def cmd_import_log(args: argparse.Namespace) -> int:
    import asyncio
    import time
    from pathlib import Path
    from typing import BinaryIO

    from service.store.portable import LogFormatError, import_log
    from service.store.rebuilding import rebuild_reporting

    path = Path(args.file)
    if not path.is_file():
        print(f"planledger import-log: no file {args.file}", file=sys.stderr)
        return EXIT_USAGE
    size = path.stat().st_size
    read = [0]
    started = time.perf_counter()

    def lines(file: BinaryIO) -> Iterator[str]:
        for number, raw in enumerate(file, start=1):
            read[0] += len(raw)
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError:
                raise LogFormatError(number, "is not UTF-8 text; an export is") from None

    def loaded(count: int) -> None:
        _load_bar(read[0], size, count, time.perf_counter() - started)

    with store(args) as (database, _):
        try:
            with path.open("rb") as file:
                done = on(database.address, lambda conn: import_log(conn, lines(file), loaded))
        except LogFormatError as error:
            print(f"\nplanledger import-log: {args.file} {error}; nothing was loaded", file=sys.stderr)
            return EXIT_FAILED
        print(file=sys.stderr)
        asyncio.run(rebuild_reporting(database.address.asyncpg_args(), progress_bar))
    print(file=sys.stderr)
    print(f"imported {done.events} events (last position {done.last_position}) and rebuilt the read models")
    return EXIT_OK


def _load_bar(done: int, size: int, events: int, elapsed: float) -> None:
    """import-log's bar: bytes of the file loaded (the number of events is not known ahead)."""
    width, share = 30, min(1.0, done / size) if size else 1.0
    filled = int(width * share)
    rate = events / elapsed if elapsed > 0 else 0.0
    eta = "--" if share <= 0 else f"{elapsed * (1 - share) / share:5.1f}s"
    print(
        f"\rloading [{'#' * filled}{'.' * (width - filled)}] {done / 1e6:.1f}/{size / 1e6:.1f} MB  "
        f"{events} events  {rate:8.0f} events/s  ETA {eta}",
        end="",
        file=sys.stderr,
        flush=True,
    )
