"""`planledger serve`: reach the database, bring its schema up to date, make the first admin
token on a fresh embedded database, then run uvicorn with the app."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from service.application.projector_status import STATUS_FILE
from service.cli.common import EXIT_OK, EXIT_USAGE, on, progress_bar, settings
from service.cli.projector import MODE, MODES, ProjectorProcess, mode_of

#: the sample minutes the README and `serve --example` use (in a checkout, beside service/)
SAMPLE_MINUTES = Path(__file__).resolve().parents[2] / "examples" / "minutes" / "1-2564.txt"

if TYPE_CHECKING:
    import asyncpg

    from service.store.database import Database


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve until stopped; `--example` serves the sample minutes from a throwaway database."""
    import shutil
    import tempfile

    import uvicorn

    from service.web.http_protocol import PROTOCOL as HTTP_PROTOCOL

    if args.workers < 1:
        print("planledger: --workers must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    mode = mode_of(args)
    if mode is None:
        print(f"planledger: {MODE} must be one of {', '.join(MODES)}", file=sys.stderr)
        return EXIT_USAGE
    example = None
    if args.example:
        if not SAMPLE_MINUTES.is_file():
            print(
                f"planledger: --example needs the sample minutes at {SAMPLE_MINUTES} (a checkout has them)",
                file=sys.stderr,
            )
            return EXIT_USAGE
        # a throwaway embedded database, whatever DATABASE_URL says: the example never touches real data
        example = tempfile.mkdtemp(prefix="planledger-example-")
        os.environ.pop("DATABASE_URL", None)
        args.database_url, args.data_dir = None, example
    config = settings(args)
    from service.store.database import open_database

    # Reach the database first: a bad one is one clear line, before any worker starts. The
    # handle stays open while the workers run, so they share this embedded server.
    database = open_database(config)  # type: ignore[arg-type]
    # uvicorn re-raises SIGTERM after its shutdown; with a Python handler in place that
    # becomes SystemExit, so the `finally` below still stops the embedded server.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    if args.verbose:
        os.environ["PLANLEDGER_VERBOSE"] = "1"  # for the worker processes' logs
    # Several processes (workers, the projector process) share their metrics through files in a
    # folder of this run's own (set before they import prometheus_client); one keeps them in memory.
    in_process = mode == "worker" and args.workers == 1
    shared = None if in_process else tempfile.mkdtemp(prefix="planledger-metrics-")
    for name in ("PROMETHEUS_MULTIPROC_DIR", "prometheus_multiproc_dir", STATUS_FILE):
        os.environ.pop(name, None)
    if shared is not None:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = shared
    projector: ProjectorProcess | None = None
    try:
        _upgrade(database)
        if example is not None:
            _import_sample(database)
        _first_start_token(config, database, args.host, args.port)
        if mode == "process" and shared is not None:
            status = Path(shared) / "projector.status"
            os.environ[STATUS_FILE] = str(status)  # the workers' /readyz reads it
            projector = ProjectorProcess(database.address.url(), status)
            projector.start()
            if not projector.wait_active():  # another instance's projector holds the lock: fine
                print("planledger: the projector process stands by (another projector is active)", file=sys.stderr)
        address = f"http://{args.host}:{args.port}"
        print(f"planledger: serving GraphQL at {address}/graphql and the dashboard at {address}/", file=sys.stderr)
        uvicorn.run(
            "service.web.app:create_app",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            log_level="info" if args.verbose else "warning",
            lifespan="on",
            # subscription frames are small and the same bytes go to many sockets: compressing
            # each per socket cost more CPU than it saved
            ws_per_message_deflate=False,
            http=HTTP_PROTOCOL,  # httptools, answering requests that are not valid HTTP in JSON
            # the client's address is the connection's peer: uvicorn believes X-Forwarded-For from
            # 127.0.0.1 by default, and anyone on the machine could name an address
            # PLANLEDGER_METRICS_FROM lets in
            proxy_headers=False,
        )
    finally:
        if projector is not None:
            projector.stop()
        if shared is not None:
            shutil.rmtree(shared, ignore_errors=True)
        database.close()
        if example is not None:
            shutil.rmtree(example, ignore_errors=True)
    return EXIT_OK


def _import_sample(database: Database) -> None:
    """`serve --example`: the sample minutes recorded into the throwaway database before serving."""
    import asyncio

    from service.application.ledger import PlanLedger
    from service.minutes.importer import import_minutes
    from service.minutes.parser import parse_minutes

    minutes = parse_minutes(SAMPLE_MINUTES.read_text(encoding="utf-8"), source=SAMPLE_MINUTES.name)
    app = PlanLedger.connect(database.address)
    try:
        report = asyncio.run(import_minutes(app, minutes, "example"))
    finally:
        app.close()
    print(
        f"planledger: example: the minutes of meeting {minutes.code} ({minutes.date}) imported "
        f"({report.recorded} facts) into a throwaway database, removed when this server stops",
        file=sys.stderr,
    )


def _upgrade(database: Any) -> None:
    """Bring the schema up to date before serving: read models of an older version are rebuilt
    (old tables serve until the switch; run `planledger migrate` ahead to keep serving meanwhile)."""
    import asyncio

    from service.application.migrate import migrate

    done = asyncio.run(migrate(database.address, progress=progress_bar))
    if done.rebuilt_events is not None:
        print(f"\nplanledger: {done.describe()}", file=sys.stderr)


def _first_start_token(settings: object, database: Database, host: str, port: int) -> None:
    """On the embedded default with no token yet: make an admin token and say how to use it."""
    from service.application import tokens

    if getattr(settings, "database_url", None):
        return

    async def make(conn: asyncpg.Connection) -> tuple[object, str] | None:
        async with conn.transaction():
            await tokens.ensure_table(conn)
            await conn.execute(f"LOCK TABLE {tokens.TABLE} IN EXCLUSIVE MODE")
            if await tokens.any_token(conn):
                return None
            return await tokens.create(conn, "admin", None, "admin")

    made = on(database.address, make)
    if made is None:
        return
    _, secret = made
    # On standard output (the terminal), never on stderr: that is the log stream, which log
    # collectors keep and forward.
    print(
        "planledger: first start: an admin token was made for you (it is shown only this once):\n\n"
        f"    {secret}\n\n"
        f"  Sign in to the dashboard at http://{host}:{port}/ with it, or open http://{host}:{port}/graphql\n"
        "  and add the header\n"
        f'    {{"Authorization": "Bearer {secret}"}}\n'
        "  Make more with `planledger token create --role ROLE`.\n",
        flush=True,
    )
    print("planledger: first start: an admin token was made (printed on standard output)", file=sys.stderr)
