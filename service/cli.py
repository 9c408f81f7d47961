"""The `planledger` command line. Imports stay lazy so `--help` is instant."""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
from collections.abc import Awaitable, Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import asyncpg

    from projections.rebuild import Progress
    from service.config import ServerAddress
    from service.database import Database
    from service.ledger import PlanLedger

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
T = TypeVar("T")


def _settings(args: argparse.Namespace) -> object:
    if getattr(args, "database_url", None):
        os.environ["DATABASE_URL"] = args.database_url
    if getattr(args, "data_dir", None):
        os.environ["PLANLEDGER_DATA_DIR"] = args.data_dir
    from service.config import Settings

    return Settings.from_env()


@contextlib.contextmanager
def _store(args: argparse.Namespace) -> Iterator[tuple[Database, PlanLedger]]:
    """The configured database and the event store on it (its tables created if missing)."""
    from service.database import open_database
    from service.ledger import PlanLedger

    with open_database(_settings(args)) as database:  # type: ignore[arg-type]
        app = PlanLedger.connect(database.address)
        try:
            yield database, app
        finally:
            app.close()


def cmd_serve(args: argparse.Namespace) -> int:
    import shutil
    import tempfile

    import uvicorn

    from service.http_protocol import PROTOCOL as HTTP_PROTOCOL

    settings = _settings(args)
    from service.database import open_database

    if args.workers < 1:
        print("planledger: --workers must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    # Reach the database first: a bad one is one clear line, before any worker starts. The
    # handle stays open while the workers run, so they share this embedded server.
    database = open_database(settings)  # type: ignore[arg-type]
    # uvicorn re-raises SIGTERM after its shutdown; with a Python handler in place that
    # becomes SystemExit, so the `finally` below still stops the embedded server.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    if args.verbose:
        os.environ["PLANLEDGER_VERBOSE"] = "1"  # for the worker processes' logs
    # Several workers share their metrics through files in a folder of this run's own (set before
    # they import prometheus_client); one process keeps them in memory.
    shared = tempfile.mkdtemp(prefix="planledger-metrics-") if args.workers > 1 else None
    for name in ("PROMETHEUS_MULTIPROC_DIR", "prometheus_multiproc_dir"):
        os.environ.pop(name, None)
    if shared is not None:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = shared
    try:
        _upgrade(database)
        _first_start_token(settings, database, args.host, args.port)
        print(f"planledger: serving GraphQL at http://{args.host}:{args.port}/graphql", file=sys.stderr)
        uvicorn.run(
            "service.app:create_app",
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
        if shared is not None:
            shutil.rmtree(shared, ignore_errors=True)
        database.close()
    return EXIT_OK


def _upgrade(database: Any) -> None:
    """Bring the schema up to date before serving: read models of an older version are rebuilt
    (old tables serve until the switch; run `planledger migrate` ahead to keep serving meanwhile)."""
    import asyncio

    from service.migrate import migrate

    done = asyncio.run(migrate(database.address, progress=_progress_bar))
    if done.rebuilt_events is not None:
        print(f"\nplanledger: {done.describe()}", file=sys.stderr)


def cmd_import_minutes(args: argparse.Namespace) -> int:
    from pathlib import Path

    from domain.minutes import MinutesFormatError, parse_minutes
    from service.importer import import_minutes, plan_steps

    parsed = []
    for name in args.files:
        path = Path(name)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            print(f"planledger: cannot read {name}: {getattr(error, 'strerror', None) or error}", file=sys.stderr)
            return EXIT_USAGE
        try:
            minutes = parse_minutes(text, source=name)
        except MinutesFormatError as error:
            print(f"planledger: {name}: {error}", file=sys.stderr)
            return EXIT_FAILED
        for line in minutes.unplaced:
            print(f"{name}:{line.line_no}: could not place this line: {line.text[:120]}", file=sys.stderr)
        parsed.append(minutes)
    parsed.sort(key=lambda m: m.date)  # earlier meetings first, so later ones add to them
    if args.dry_run:
        for minutes in parsed:
            print(f"# {minutes.source}: meeting {minutes.code} of {minutes.date}")
            for step in plan_steps(minutes):
                print(step.describe())
        return EXIT_OK
    with _store(args) as (_, app):
        for minutes in parsed:
            report = import_minutes(app, minutes, args.actor)
            print(
                f"{minutes.source}: meeting {minutes.code} ({minutes.date}): {report.recorded} recorded, "
                f"{report.already} already recorded, {report.unchanged} unchanged, "
                f"{len(report.refused)} refused, {len(minutes.unplaced)} lines not placed"
            )
            for refusal in report.refused:
                print(f"  refused: {refusal}", file=sys.stderr)
    return EXIT_OK


def _progress_bar(progress: Progress) -> None:
    done, total, rate, eta = progress.done, progress.total or 1, progress.rate, progress.eta
    width = 30
    filled = int(width * min(1.0, done / total))
    eta_text = "--" if eta is None else f"{eta:5.1f}s"
    line = f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} events  {rate:8.0f} events/s  ETA {eta_text}"
    print(line, end="", file=sys.stderr, flush=True)


def cmd_rebuild(args: argparse.Namespace) -> int:
    import asyncio
    import time

    from service.rebuilding import rebuild_reporting

    with _store(args) as (database, _):
        started = time.perf_counter()
        count = asyncio.run(rebuild_reporting(database.address.asyncpg_args(), _progress_bar))
        elapsed = time.perf_counter() - started
    print(file=sys.stderr)
    print(f"rebuilt the read models from {count} events in {elapsed:.1f} s ({count / max(elapsed, 1e-9):.0f} events/s)")
    return EXIT_OK


def cmd_verify(args: argparse.Namespace) -> int:
    import asyncio

    from projections.rebuild import verify

    with _store(args) as (database, _):
        differences = asyncio.run(verify(database.address.asyncpg_args()))
    if differences:
        print("the live read models differ from a rebuild of the log:")
        for difference in differences:
            print(f"  {difference}")
        return EXIT_FAILED
    print("verify: the live read models match a rebuild of the log")
    return EXIT_OK


def _on(address: ServerAddress, work: Callable[[asyncpg.Connection], Awaitable[T]]) -> T:
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


def _with_conn(args: argparse.Namespace, work: Callable[[asyncpg.Connection], Awaitable[T]]) -> T:
    """Run `work(conn)` on an asyncpg connection to the configured database."""
    from service.database import open_database

    with open_database(_settings(args)) as database:  # type: ignore[arg-type]
        return _on(database.address, work)


def cmd_token(args: argparse.Namespace) -> int:
    from domain.errors import ValidationError
    from service import tokens

    action = getattr(args, "token_command", None)
    if action is None:
        print("planledger token: say create, list or revoke (see planledger token --help)", file=sys.stderr)
        return EXIT_USAGE
    try:
        if action == "create":
            tokens.checked(args.role, args.unit, args.name)  # refuse before touching the database
            token, secret = _with_conn(args, lambda conn: tokens.create(conn, args.role, args.unit, args.name))
            print(secret)
            unit = f", unit {token.unit}" if token.unit else ""
            print(
                f"planledger: token {token.id} for {token.name} (role {token.role}{unit}); it is shown only once",
                file=sys.stderr,
            )
        elif action == "list":
            found = _with_conn(args, tokens.all_tokens)
            for t in found:
                state = f"revoked {t.revoked_at:%Y-%m-%d %H:%M}" if t.revoked_at else "active"
                print(f"{t.id}  {t.role:<11} {t.unit or '-':<20} {t.name:<30} {t.created_at:%Y-%m-%d %H:%M}  {state}")
        else:
            gone = _with_conn(args, lambda conn: tokens.revoke(conn, args.token_id))
            print(f"planledger: token {gone.id} ({gone.name}) is revoked", file=sys.stderr)
    except ValidationError as error:
        print(f"planledger token: {error.message}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK


def _first_start_token(settings: object, database: Database, host: str, port: int) -> None:
    """On the embedded default with no token yet: make an admin token and say how to use it."""
    from service import tokens

    if getattr(settings, "database_url", None):
        return

    async def make(conn: asyncpg.Connection) -> tuple[object, str] | None:
        async with conn.transaction():
            await tokens.ensure_table(conn)
            await conn.execute(f"LOCK TABLE {tokens.TABLE} IN EXCLUSIVE MODE")
            if await tokens.any_token(conn):
                return None
            return await tokens.create(conn, "admin", None, "admin")

    made = _on(database.address, make)
    if made is None:
        return
    _, secret = made
    # On standard output (the terminal), never on stderr: that is the log stream, which log
    # collectors keep and forward.
    print(
        "planledger: first start: an admin token was made for you (it is shown only this once):\n\n"
        f"    {secret}\n\n"
        f"  Open http://{host}:{port}/graphql and add the header\n"
        f'    {{"Authorization": "Bearer {secret}"}}\n'
        "  Make more with `planledger token create --role ROLE`.\n",
        flush=True,
    )
    print("planledger: first start: an admin token was made (printed on standard output)", file=sys.stderr)


def cmd_export(args: argparse.Namespace) -> int:
    import contextlib as ctx

    from service.portable import export_log, position_after

    try:
        after = position_after(args.after)
    except ValueError as error:
        print(f"planledger export: {error}", file=sys.stderr)
        return EXIT_USAGE
    with (
        _store(args) as (database, _),
        ctx.ExitStack() as stack,
    ):  # the store's tables exist: an empty log exports nothing
        out = sys.stdout if args.file in (None, "-") else stack.enter_context(open(args.file, "w", encoding="utf-8"))
        count = _on(database.address, lambda conn: export_log(conn, out, after))
    print(f"planledger: exported {count} events", file=sys.stderr)
    return EXIT_OK


def cmd_import_log(args: argparse.Namespace) -> int:
    import asyncio
    import time
    from pathlib import Path
    from typing import BinaryIO

    from service.portable import LogFormatError, import_log
    from service.rebuilding import rebuild_reporting

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

    with _store(args) as (database, _):
        try:
            with path.open("rb") as file:
                done = _on(database.address, lambda conn: import_log(conn, lines(file), loaded))
        except LogFormatError as error:
            print(f"\nplanledger import-log: {args.file} {error}; nothing was loaded", file=sys.stderr)
            return EXIT_FAILED
        print(file=sys.stderr)
        asyncio.run(rebuild_reporting(database.address.asyncpg_args(), _progress_bar))
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


def cmd_migrate(args: argparse.Namespace) -> int:
    import asyncio

    from service.database import open_database
    from service.migrate import migrate

    with open_database(_settings(args)) as database:  # type: ignore[arg-type]
        done = asyncio.run(migrate(database.address, progress=_progress_bar))
    if done.rebuilt_events is not None:
        print(file=sys.stderr)
    print(f"planledger migrate: {done.describe()}")
    return EXIT_OK


def cmd_bench(args: argparse.Namespace) -> int:
    from bench.__main__ import run

    return run(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="planledger",
        description="An event-sourced ledger of a committee's strategic and action plans.",
        epilog="Configuration: DATABASE_URL (postgresql://...) or, without it, an embedded "
        "PostgreSQL in PLANLEDGER_DATA_DIR (default ./.planledger/).",
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, help_text: str, run: Callable[[argparse.Namespace], int]) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.add_argument("--database-url", help="PostgreSQL URL (overrides DATABASE_URL)")
        sub.add_argument("--data-dir", help="data folder of the embedded database (overrides PLANLEDGER_DATA_DIR)")
        sub.add_argument("-v", "--verbose", action="store_true", help="say more")
        sub.set_defaults(run=run)
        return sub

    serve = command("serve", "run the GraphQL API and the projector", cmd_serve)
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    serve.add_argument("--workers", type=int, default=1, help="server processes (default 1)")

    imp = command("import-minutes", "record meeting minutes (text files) as events", cmd_import_minutes)
    imp.add_argument("files", nargs="+", metavar="FILE")
    imp.add_argument("--dry-run", action="store_true", help="print the events without recording them")
    imp.add_argument("--actor", default="import-minutes", help="who is recorded as the actor (default import-minutes)")
    command("rebuild", "drop and rebuild every read model from the event log", cmd_rebuild)
    command("verify", "rebuild into scratch tables and compare with the live read models", cmd_verify)
    export = command("export", "write every event as NDJSON in log order", cmd_export)
    export.add_argument("file", nargs="?", metavar="FILE", help="where to write (default: standard output)")
    export.add_argument("--after", metavar="CURSOR", help="only events after this position or event cursor")
    imp_log = command(
        "import-log", "load an NDJSON export into an empty database, then rebuild the read models", cmd_import_log
    )
    imp_log.add_argument("file", metavar="FILE")
    command("migrate", "bring the database schema up to date (idempotent; safe from several instances)", cmd_migrate)
    bench = commands.add_parser(
        "bench",
        help="run the benchmark suite (each target against a baseline measured in the same run)",
        description="Run the benchmark suite: generate a ledger in a scratch database, measure every speed "
        "target against its baseline in the same run, print the table (and --json). See bench/__main__.py.",
    )
    from bench.__main__ import add_arguments  # argparse only: nothing of the server is imported

    add_arguments(bench)
    bench.set_defaults(run=cmd_bench, verbose=False)

    token = command("token", "manage API tokens", cmd_token)
    token_commands = token.add_subparsers(dest="token_command", metavar="ACTION")
    create = token_commands.add_parser("create", help="print a new API token (shown only once)")
    create.add_argument("--role", required=True, choices=["admin", "secretariat", "unit", "committee", "reader"])
    create.add_argument("--unit", help="for --role unit: the unit whose activities it may update")
    create.add_argument("--name", help="its owner, recorded as the actor of every event it records")
    token_commands.add_parser("list", help="list tokens (never the secrets)")
    revoke = token_commands.add_parser("revoke", help="revoke a token")
    revoke.add_argument("token_id", help="the token's id (or its first characters), as token list shows")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        from importlib.metadata import version

        print(version("planledger"))
        return EXIT_OK
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    from service.logs import configure

    configure(verbose=args.verbose)
    from service.errors import ConfigurationError

    try:
        return int(args.run(args))
    except ConfigurationError as error:
        print(f"planledger: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # the last line of defence: one line, never a traceback
        if os.environ.get("PLANLEDGER_DEBUG"):
            raise
        print(f"planledger: unexpected {type(error).__name__}: {error}", file=sys.stderr)
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
