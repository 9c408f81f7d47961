"""The `planledger` command line, one module per group of commands (serve, minutes, read models,
log, tokens), each importing what it needs only when it runs, so `--help` is instant."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from service.application.roles import Role
from service.cli.common import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from service.cli.log import cmd_export, cmd_import_log
from service.cli.minutes import cmd_import_minutes
from service.cli.projector import add_arguments as projector_arguments
from service.cli.projector import cmd_project
from service.cli.read_models import cmd_migrate, cmd_rebuild, cmd_verify
from service.cli.serve import cmd_serve
from service.cli.tokens import cmd_token


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
    serve.add_argument(
        "--example",
        action="store_true",
        help="serve the sample minutes (examples/minutes/1-2564.txt) from a throwaway embedded database",
    )

    projector_arguments(serve)
    command(
        "project",
        "follow the event log and keep the read models (the projector process `serve` starts; one is "
        "active per database, others stand by)",
        cmd_project,
    )

    imp = command("import-minutes", "record meeting minutes (text files) as events", cmd_import_minutes)
    imp.add_argument("files", nargs="+", metavar="FILE")
    imp.add_argument(
        "--dry-run",
        action="store_true",
        help="show what would be recorded, what already is (on DATABASE_URL, if it answers), what stays unknown "
        "and what could not be placed; record nothing",
    )
    imp.add_argument("--json", action="store_true", help="write the preview (or the import's report) as JSON on stdout")
    imp.add_argument(
        "--strict", action="store_true", help="if any line of any file cannot be placed, record nothing and exit 1"
    )
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
    token = command("token", "manage API tokens", cmd_token)
    token_commands = token.add_subparsers(dest="token_command", metavar="ACTION")
    create = token_commands.add_parser("create", help="print a new API token (shown only once)")
    create.add_argument("--role", required=True, choices=list(Role))
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
