"""`planledger token create | list | revoke`: API tokens, stored only as hashes."""

from __future__ import annotations

import argparse
import sys

from service.cli.common import EXIT_OK, EXIT_USAGE, with_conn


def cmd_token(args: argparse.Namespace) -> int:
    from domain.errors import ValidationError
    from service.application import tokens

    action = getattr(args, "token_command", None)
    if action is None:
        print("planledger token: say create, list or revoke (see planledger token --help)", file=sys.stderr)
        return EXIT_USAGE
    try:
        if action == "create":
            tokens.checked(args.role, args.unit, args.name)  # refuse before touching the database
            token, secret = with_conn(args, lambda conn: tokens.create(conn, args.role, args.unit, args.name))
            print(secret)
            unit = f", unit {token.unit}" if token.unit else ""
            print(
                f"planledger: token {token.id} for {token.name} (role {token.role}{unit}); it is shown only once",
                file=sys.stderr,
            )
        elif action == "list":
            found = with_conn(args, tokens.all_tokens)
            for t in found:
                state = f"revoked {t.revoked_at:%Y-%m-%d %H:%M}" if t.revoked_at else "active"
                print(f"{t.id}  {t.role:<11} {t.unit or '-':<20} {t.name:<30} {t.created_at:%Y-%m-%d %H:%M}  {state}")
        else:
            gone = with_conn(args, lambda conn: tokens.revoke(conn, args.token_id))
            print(f"planledger: token {gone.id} ({gone.name}) is revoked", file=sys.stderr)
    except ValidationError as error:
        print(f"planledger token: {error.message}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK
