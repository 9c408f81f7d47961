"""Run one projector process: `python -m projections.run --url postgresql://...`.

It stands by until it holds the projector lock, then follows the log until SIGTERM/SIGINT.
`--status-file` gets the word "active" written once this process is the active projector.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
from pathlib import Path

from projections.projector import Projector


async def serve(args: argparse.Namespace) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    projector = Projector(
        args.url,
        batch_size=args.batch_size,
        poll_interval=args.poll,
        standby_interval=args.standby,
        pause_before_commit=args.pause_before_commit,
    )
    task = asyncio.create_task(projector.run(stop))
    reported = False
    while not task.done():
        if args.status_file and projector.active and not reported:
            Path(args.status_file).write_text("active")
            reported = True
        await asyncio.sleep(0.05)
    await task


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m projections.run", description=__doc__)
    parser.add_argument("--url", required=True, help="postgresql:// URL of the ledger's database")
    parser.add_argument("--batch-size", type=int, default=2000)
    parser.add_argument("--poll", type=float, default=1.0, help="polling fallback, seconds")
    parser.add_argument("--standby", type=float, default=0.5, help="how often a standby tries the lock")
    parser.add_argument("--pause-before-commit", type=float, default=0.0, help=argparse.SUPPRESS)
    parser.add_argument("--status-file", default=None)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    asyncio.run(serve(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
