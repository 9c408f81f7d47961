"""`planledger import-minutes`: parse minutes, then record them (or, with --dry-run, show what
would be recorded, what already is, what stays unknown and what could not be placed; --json gives
the same as one JSON document on stdout). --strict refuses the whole import, recording nothing,
when any line of any file could not be placed."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from service.cli.common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, store

if TYPE_CHECKING:
    from service.minutes.model import ParsedMinutes


def cmd_import_minutes(args: argparse.Namespace) -> int:
    import asyncio
    from pathlib import Path

    from service.minutes.importer import import_minutes
    from service.minutes.model import MinutesFormatError
    from service.minutes.parser import parse_minutes

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
            print(f"{name}:{line.line_no}: could not place this line: {line.text[:120]} ({line.why})", file=sys.stderr)
        parsed.append(minutes)
    parsed.sort(key=lambda m: m.date)  # earlier meetings first, so later ones add to them
    unplaced = sum(len(m.unplaced) for m in parsed)
    refuse = bool(getattr(args, "strict", False) and unplaced)
    if args.dry_run:
        _dry_run(args, parsed)
    elif not refuse:
        _record(args, parsed, asyncio.run, import_minutes)
    if refuse:
        files = sum(1 for m in parsed if m.unplaced)
        print(
            f"planledger: --strict: {unplaced} line(s) of {files} file(s) could not be placed; nothing recorded",
            file=sys.stderr,
        )
        return EXIT_FAILED
    return EXIT_OK


def _record(args: argparse.Namespace, parsed: list[ParsedMinutes], run: Any, import_minutes: Any) -> None:
    reports: list[dict[str, Any]] = []
    with store(args) as (_, app):
        for minutes in parsed:
            report = run(import_minutes(app, minutes, args.actor))
            reports.append(
                {
                    "file": minutes.source,
                    "meeting": minutes.code,
                    "recorded": report.recorded,
                    "already": report.already,
                    "unchanged": report.unchanged,
                    "refused": report.refused,
                    "unplaced": len(minutes.unplaced),
                }
            )
            if not args.json:
                print(
                    f"{minutes.source}: meeting {minutes.code} ({minutes.date}): {report.recorded} recorded, "
                    f"{report.already} already recorded, {report.unchanged} unchanged, "
                    f"{len(report.refused)} refused, {len(minutes.unplaced)} lines not placed"
                )
            for refusal in report.refused:
                print(f"  refused: {refusal}", file=sys.stderr)
    if args.json:
        print(json.dumps({"files": reports}, ensure_ascii=False, indent=2))


def _dry_run(args: argparse.Namespace, parsed: list[ParsedMinutes]) -> None:
    """The preview of every file; what is already recorded is looked up only on a database named
    by DATABASE_URL (a dry run starts no embedded server), else said to be not checked."""
    from service.minutes.preview import preview

    with _reachable_ledger(args) as (ledger, why_not):
        previews = [preview(minutes, ledger, args.actor, why_not) for minutes in parsed]
    if args.json:
        print(json.dumps({"files": previews}, ensure_ascii=False, indent=2))
        return
    for shown in previews:
        _print_preview(shown)


def _print_preview(shown: dict[str, Any]) -> None:
    meeting = shown["meeting"]
    print(f"# {shown['file']}: meeting {meeting['code']} of {meeting['date']}")
    for refusal in shown["refused"]:
        print(f"# refused: {refusal}")
    would = shown["would_record"]
    print(f"# would record: {sum(map(len, would.values()))}")
    for kind, steps in would.items():
        print(f"## would record, {kind}: {len(steps)}")
        for step in steps:
            print(step["describe"])
    already = shown["already_recorded"]
    if already is None:
        print(f"# already recorded: {shown['database']}")
    else:
        print(f"# already recorded: {sum(map(len, already.values()))}")
        for kind, steps in already.items():
            print(f"## already recorded, {kind}: {len(steps)}")
            for step in steps:
                print(f"#   {step['describe']}")
    left = shown["unknown"]
    print(f"# left unknown (the minutes do not state them; null, never guessed): {len(left)} kinds")
    for group, items in left.items():
        print(f"# unknown: {group}: {len(items)}")
        for item in items:
            print(f"#   - {item}")
    print(f"# could not be placed: {len(shown['unplaced'])}")
    for line in shown["unplaced"]:
        print(f"#   {line['file']}:{line['line']}: {line['why']}: {line['text'][:120]}")


@contextlib.contextmanager
def _reachable_ledger(args: argparse.Namespace) -> Iterator[tuple[Any, str | None]]:
    """(ledger, None) on the database DATABASE_URL names when it answers; else (None, why not)."""
    url = getattr(args, "database_url", None) or os.environ.get("DATABASE_URL")
    if not url:
        yield None, "no DATABASE_URL (a dry run starts no database)"
        return
    from service.application.ledger import PlanLedger
    from service.config import ServerAddress
    from service.store.database import check_reachable

    try:
        address = ServerAddress.from_url(url)
        check_reachable(address)
        ledger = PlanLedger.connect(address)
    except Exception as error:  # whatever keeps it from answering: said, never a traceback
        yield None, (str(error).splitlines() or [type(error).__name__])[0]
        return
    try:
        yield ledger, None
    finally:
        ledger.close()
