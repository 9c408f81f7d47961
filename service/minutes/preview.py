"""What importing a set of minutes would do, before anything is recorded (`import-minutes --dry-run`,
and `--json` for the dashboard's import page): one JSON-able document per file.

It holds, each grouped by kind (the command's name): what would be recorded; what already is
(the step's idempotency key already used by this actor, its meeting, plan or activity already
there, or a re-reported status, outcome, progress or risk already as the minutes say) — or None
with the reason when no database was reachable to look; why the whole file would be refused
(`refused`: the body's meeting of that number recorded on another day); what stays unknown (`importer.unknowns`);
what could not be placed (file:line and why); and the facts themselves (`facts.facts_of`).
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from datetime import date, time
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from domain import commands as c
from domain.activity import Activity
from domain.errors import NotFound
from domain.meeting import Meeting, meeting_id_for
from domain.plan import Plan, plan_id_for
from service.application.idempotency import key_stream_id
from service.application.ledger import PlanLedger
from service.minutes.facts import facts_of
from service.minutes.importer import (
    Step,
    other_meeting_on,
    plan_steps,
    recorded_steps,
    unchanged,
    unknowns,
)
from service.minutes.model import ParsedMinutes


def plain(value: Any) -> Any:
    """A command's field as JSON: dates ISO, decimals and ids as strings, value objects as objects."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):  # a correction's changes (an attendance's corrected attendees)
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (date, time, UUID, Decimal)):
        return value.isoformat() if isinstance(value, (date, time)) else str(value)
    return value


def step_json(step: Step) -> dict[str, Any]:
    shown = {k: plain(v) for k, v in vars(step.command).items() if v not in (None, (), "")}
    return {
        "effective_on": step.effective_on.isoformat(),
        "key": step.key,
        "command": type(step.command).__name__,
        "fields": shown,
        "reason": step.reason,
        "describe": step.describe(),
    }


def _exists(ledger: PlanLedger, kind: type[Any], stream_id: UUID) -> bool:
    try:
        ledger.load(kind, stream_id, read_only=True)
    except (NotFound, AggregateNotFoundError):
        return False
    return True


def already_recorded(ledger: PlanLedger, step: Step, actor: str) -> bool:
    """Would importing this step record nothing new? (See the module docstring for the tests.)"""
    for stream in (key_stream_id(step.key, actor), key_stream_id(step.key)):
        try:
            ledger.repository.get(stream)
        except AggregateNotFoundError:
            continue
        return True
    command = step.command
    if isinstance(command, c.RegisterActivity) and command.activity_id is not None:
        return _exists(ledger, Activity, command.activity_id)
    if isinstance(command, c.CreatePlan):
        return _exists(ledger, Plan, plan_id_for(command.code))
    if isinstance(command, c.ScheduleMeeting):
        return _exists(ledger, Meeting, meeting_id_for(command.body, command.code))
    return step.only_if_changed and unchanged(ledger, step)


def _fixes_a_new_meeting(ledger: PlanLedger | None, step: Step) -> bool:
    """The step naming a meeting's plan (for a meeting first known without one, `plan_steps`) when
    the meeting is not recorded yet (or the database was not checked): its scheduling in this same
    import names the plan, so the step records nothing and is neither to record nor recorded."""
    command = step.command
    if not (isinstance(command, c.CorrectEvent) and step.key.endswith(":plan-named")):
        return False
    return ledger is None or not _exists(ledger, Meeting, command.stream_id)


def preview(
    minutes: ParsedMinutes, ledger: PlanLedger | None, actor: str, not_checked: str | None = None
) -> dict[str, Any]:
    """The preview of one file; `ledger` None means the database was not checked (`not_checked`
    says why) and `already_recorded` is None: unknown, not empty."""
    would: dict[str, list[dict[str, Any]]] = {}
    already: dict[str, list[dict[str, Any]]] | None = None if ledger is None else {}
    # as the import would record them (what depends on the database only when it was checked)
    minutes, steps = (minutes, list(plan_steps(minutes))) if ledger is None else recorded_steps(ledger, minutes)
    for step in steps:
        if _fixes_a_new_meeting(ledger, step):
            continue
        entry = step_json(step)
        if ledger is not None and already is not None and already_recorded(ledger, step, actor):
            already.setdefault(entry["command"], []).append(entry)
        else:
            would.setdefault(entry["command"], []).append(entry)
    held_on = (
        None if ledger is None else other_meeting_on(ledger, meeting_id_for(minutes.body, minutes.code), minutes.date)
    )
    refused = (
        []
        if held_on is None
        else [f"meeting {minutes.code} is already recorded as held on {held_on}: the import would record nothing"]
    )
    return {
        "file": minutes.source,
        "meeting": {"body": minutes.body, "code": minutes.code, "date": minutes.date.isoformat()},
        "database": "checked" if ledger is not None else f"not checked: {not_checked or 'no database'}",
        "refused": refused,
        "would_record": would,
        "already_recorded": already,
        "unknown": unknowns(minutes),
        "unplaced": [
            {"file": minutes.source, "line": u.line_no, "text": u.text, "why": u.why} for u in minutes.unplaced
        ],
        "facts": facts_of(minutes),
    }
