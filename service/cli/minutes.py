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

    from service.minutes.files import MinutesFileError, read_minutes
    from service.minutes.importer import import_minutes

    # every file read, checked whole and parsed before anything is recorded (service/minutes/files.py)
    parsed = []
    for name in args.files:
        try:
            found = read_minutes(Path(name))
        except MinutesFileError as error:
            print(f"planledger: {error}", file=sys.stderr)
            return EXIT_USAGE if str(error).startswith("cannot read") else EXIT_FAILED
        for minutes in found:
            for line in minutes.unplaced:
                print(
                    f"{name}:{line.line_no}: could not place this line: {line.text[:120]} ({line.why})", file=sys.stderr
                )
        parsed.extend(found)
    parsed.sort(key=lambda m: m.date)  # earlier meetings first, so later ones add to them
    unplaced = sum(len(m.unplaced) for m in parsed)
    if getattr(args, "strict", False) and unplaced:
        files = sum(1 for m in parsed if m.unplaced)
        print(
            f"planledger: --strict: {unplaced} line(s) of {files} file(s) could not be placed; nothing recorded",
            file=sys.stderr,
        )
        if args.dry_run:
            _dry_run(args, parsed)
        return EXIT_FAILED
    if args.dry_run:
        _dry_run(args, parsed)
        return EXIT_OK
    return _record(args, parsed, asyncio.run, import_minutes)


def _record(args: argparse.Namespace, parsed: list[ParsedMinutes], run: Any, import_minutes: Any) -> int:
    """Record each file in date order; EXIT_FAILED when anything was refused or the store went away
    midway (said with how much was recorded: a re-run records only the rest)."""
    from service.minutes.importer import ImportReport

    reports: list[dict[str, Any]] = []
    failed = False
    with store(args) as (_, app):
        for minutes in parsed:
            report = ImportReport()
            try:
                run(import_minutes(app, minutes, args.actor, report))
            except Exception as error:  # the database gone midway: say what was recorded, and that a re-run is safe
                print(
                    f"planledger: {minutes.source}: stopped after {report.recorded} recorded "
                    f"({type(error).__name__}: {(str(error).strip().splitlines() or [''])[0]}); "
                    "importing it again records only the rest (idempotent)",
                    file=sys.stderr,
                )
                return EXIT_FAILED
            reports.append(
                {
                    "file": minutes.source,
                    "meeting": minutes.code,
                    "recorded": report.recorded,
                    "already": report.already,
                    "unchanged": report.unchanged,
                    "refused": report.refused,
                    "held_back": report.held_back,
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
            for held in report.held_back:
                print(f"  not recorded, as something above was refused: {held}", file=sys.stderr)
            failed = failed or bool(report.refused)
    if args.json:
        print(json.dumps({"files": reports}, ensure_ascii=False, indent=2))
    return EXIT_FAILED if failed else EXIT_OK


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
