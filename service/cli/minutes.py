"""`planledger import-minutes`: parse minutes, then record them (or, with --dry-run, print what
would be recorded)."""

from __future__ import annotations

import argparse
import sys

from service.cli.common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, store


def cmd_import_minutes(args: argparse.Namespace) -> int:
    import asyncio
    from pathlib import Path

    from service.minutes.importer import import_minutes, plan_steps, unknowns
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
            print(f"{name}:{line.line_no}: could not place this line: {line.text[:120]}", file=sys.stderr)
        parsed.append(minutes)
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
    with store(args) as (_, app):
        for minutes in parsed:
            report = asyncio.run(import_minutes(app, minutes, args.actor))
            print(
                f"{minutes.source}: meeting {minutes.code} ({minutes.date}): {report.recorded} recorded, "
                f"{report.already} already recorded, {report.unchanged} unchanged, "
                f"{len(report.refused)} refused, {len(minutes.unplaced)} lines not placed"
            )
            for refusal in report.refused:
                print(f"  refused: {refusal}", file=sys.stderr)
    return EXIT_OK
