"""`planledger import-minutes`: parse minutes, then record them (or, with --dry-run, print what
would be recorded)."""

from __future__ import annotations

import argparse
import sys

from service.cli.common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, store


def cmd_import_minutes(args: argparse.Namespace) -> int:
    import asyncio
    from pathlib import Path

    from service.minutes.files import MinutesFileError, read_minutes
    from service.minutes.importer import ImportReport, import_minutes, plan_steps, unknowns

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
                print(f"{name}:{line.line_no}: could not place this line: {line.text[:120]}", file=sys.stderr)
        parsed.extend(found)
    parsed.sort(key=lambda m: m.date)  # earlier meetings first, so later ones add to them
    if args.dry_run:
        for minutes in parsed:
            print(f"# {minutes.source}: meeting {minutes.code} of {minutes.date}")
            for step in plan_steps(minutes):
                print(step.describe())
            left = unknowns(minutes)
            print(f"# left unknown (the minutes do not state them; null, never guessed): {len(left)} kinds")
            for group, items in left.items():
                print(f"# unknown: {group}: {len(items)}")
                for item in items:
                    print(f"#   - {item}")
        return EXIT_OK
    failed = False
    with store(args) as (_, app):
        for minutes in parsed:
            report = ImportReport()
            try:
                asyncio.run(import_minutes(app, minutes, args.actor, report))
            except Exception as error:  # the database gone midway: say what was recorded, and that a re-run is safe
                print(
                    f"planledger: {minutes.source}: stopped after {report.recorded} recorded "
                    f"({type(error).__name__}: {(str(error).strip().splitlines() or [''])[0]}); "
                    "importing it again records only the rest (idempotent)",
                    file=sys.stderr,
                )
                return EXIT_FAILED
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
    return EXIT_FAILED if failed else EXIT_OK
