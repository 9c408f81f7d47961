"""A minutes file to the parsed minutes it holds, all checked before anything is recorded: read
whatever it comes as (sources.py), split into the minutes it holds and each checked whole
(completeness.py), parsed; the same minutes twice in one file are kept once.

Everything here happens before the first write, so a file refused here records nothing."""

from __future__ import annotations

from pathlib import Path

from service.minutes.completeness import IncompleteMinutes, check_complete, split_minutes
from service.minutes.importer import plan_steps
from service.minutes.model import MinutesFormatError, ParsedMinutes
from service.minutes.parser import parse_minutes
from service.minutes.sources import SourceError, read_source


class MinutesFileError(Exception):
    """A file refused before anything is recorded; the message is one line a person can act on."""


def read_minutes(path: Path) -> list[ParsedMinutes]:
    """The minutes in the file at `path`, or MinutesFileError saying why none are taken."""
    name = str(path)
    try:
        source = read_source(path)
    except SourceError as error:
        raise MinutesFileError(str(error)) from None
    found: list[ParsedMinutes] = []
    keys: dict[tuple[str, str], tuple[list[str], int]] = {}
    for part in split_minutes(source.text):
        try:
            check_complete(part, name)
            minutes = parse_minutes(part.text, source=name)
        except IncompleteMinutes as error:
            raise MinutesFileError(str(error)) from None
        except MinutesFormatError as error:
            raise MinutesFileError(f"{name}:{part.first_line}: {error}") from None
        steps = [step.key for step in plan_steps(minutes)]
        earlier = keys.get((minutes.body, minutes.code))
        if earlier is not None:
            if earlier[0] == steps:
                continue  # the same minutes again (a file concatenated with itself): once
            raise MinutesFileError(
                f"{name}:{part.first_line}: a second, different set of minutes of meeting {minutes.code} "
                f"(the first starts at line {earlier[1]}); nothing recorded"
            )
        keys[(minutes.body, minutes.code)] = (steps, part.first_line)
        found.append(minutes)
    return found
