"""What a set of parsed minutes says, as one JSON-able document: the corpus's golden files, the
`import-minutes --dry-run --json` preview and the dashboard's import page all read this one shape.

`facts_of(parsed)` keeps a stable key order (the order written here) and plain values: dates ISO
('2021-01-06'), times 'HH:MM', percentages as written ('83.20', a string: no float rounding),
null for what the minutes do not state. Each activity carries the date it takes effect
(`importer.result_effective_on`: the row's own date, else the end of the period the table
reports, else the meeting's) and the percentage its own outcome states for it (the last, where
it states several; null where none: never 0). The source path is left out, so a file gives the
same facts wherever it lies.
"""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal
from typing import Any

from service.minutes.figures import activity_percentage
from service.minutes.importer import result_effective_on, stated_mode
from service.minutes.model import ActivityResult, Figure, ParsedMinutes
from service.minutes.reasons import split_reasons

#: bump when the shape changes (a golden file names the version it was written with)
#: 2: absence reasons, roles, due meetings, comments' strategies, reasons, membership changes;
#: 3: whether the meeting was extraordinary; 4: an attendee's remark (came late, left early, presided)
FACTS_VERSION = 4


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _clock(value: time | None) -> str | None:
    return None if value is None else value.strftime("%H:%M")


def _number(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def facts_of(parsed: ParsedMinutes) -> dict[str, Any]:
    """Every fact `parsed` holds, in the order the minutes give them (see the module docstring)."""
    return {
        "version": FACTS_VERSION,
        "meeting": {
            "body": parsed.body,
            "code": parsed.code,
            "date": _day(parsed.date),
            "starts_at": _clock(parsed.starts_at),
            "ends_at": _clock(parsed.ends_at),
            "venue": parsed.venue,
            "electronic": parsed.electronic,
            "extraordinary": parsed.extraordinary,
            "mode": stated_mode(parsed),
        },
        "attendance": [
            {
                "name": a.name,
                "position": a.position,
                "role": a.role,
                "presence": a.presence,
                "note": a.note,
                "absence_reason": a.absence_reason,
                "roles": list(a.roles),
                "remark": a.remark,
            }
            for a in parsed.attendance
        ],
        "agenda": [
            {
                "number": item.number,
                "title": item.title,
                "subject": item.subject,
                "text": item.text,
                "resolutions": [
                    {
                        "line": r.line_no,
                        "kind": r.kind,
                        "text": r.text,
                        "action_items": [
                            {
                                "owner": a.owner,
                                "description": a.description,
                                "due_on": _day(a.due_on),
                                "due_meeting": a.due_meeting,
                                "due_meeting_code": a.due_meeting_code,
                                "periodic": a.periodic,
                            }
                            for a in r.action_items
                        ],
                    }
                    for r in item.resolutions
                ],
            }
            for item in parsed.agenda
        ],
        "minutes_adoption": None
        if parsed.minutes_adoption is None
        else {
            "of_code": parsed.minutes_adoption.of_code,
            "of_date": _day(parsed.minutes_adoption.of_date),
            "corrections": [
                {"where": c.where, "from": c.from_text, "to": c.to_text} for c in parsed.minutes_adoption.corrections
            ],
        },
        "plan": None
        if parsed.plan is None
        else {
            "title": parsed.plan.title,
            "period_be": [parsed.plan.period_start_be, parsed.plan.period_end_be],
            "vision": parsed.plan.vision,
            "strategies": [{"number": s.number, "title": s.title, "goal": s.goal} for s in parsed.plan.strategies],
            "approved_at": [{"body": m.body, "code": m.code, "date": _day(m.date)} for m in parsed.plan.approvals],
            "action_plans": [
                {"fiscal_year": a.fiscal_year_be, "body": a.approved_by, "code": a.approved_at_code}
                for a in parsed.plan.action_plans
            ],
        },
        "activities": [_activity(parsed, result) for result in parsed.activity_results],
        "proposals": [
            {
                "fiscal_year": p.fiscal_year_be,
                "strategy": p.strategy_number,
                "source": p.column,
                "text": p.text,
                "units": list(p.responsible_units),
            }
            for p in parsed.proposals
        ],
        "comments": [
            {"agenda": c.agenda_number, "number": c.number, "text": c.text, "strategies": list(c.strategy_numbers)}
            for c in parsed.comments
        ],
        "membership_changes": [
            {
                "agenda": m.agenda_number,
                "left": m.left,
                "joined": m.joined,
                "kind": m.kind,
                "resolution": {"body": m.resolution_body, "code": m.resolution_code, "date": _day(m.resolution_on)},
                "effective_on": _day(m.effective_on),
                "text": m.text,
            }
            for m in parsed.membership_changes
        ],
        "figures": [_figure(figure) for figure in parsed.figures],
        "next_meeting": None
        if parsed.next_meeting is None
        else {
            "code": parsed.next_meeting.code,
            "date": _day(parsed.next_meeting.date),
            "starts_at": _clock(parsed.next_meeting.starts_at),
            "venue": parsed.next_meeting.venue,
        },
        "cited_meetings": [{"body": m.body, "code": m.code, "date": _day(m.date)} for m in parsed.cited_meetings],
        "signatories": [{"name": s.name, "position": s.position} for s in parsed.signatories],
        "unplaced": [{"line": u.line_no, "text": u.text, "why": u.why} for u in parsed.unplaced],
    }


def _activity(parsed: ParsedMinutes, result: ActivityResult) -> dict[str, Any]:
    return {
        "line": result.line_no,
        "agenda": result.agenda_number or None,
        "fiscal_year": result.fiscal_year_be,
        "strategy": result.strategy_number,
        "kind": result.kind,
        "title": result.title,
        "status": result.status,
        "outcome": result.outcome,
        "reason": result.reason,
        "reasons": list(split_reasons(result.reason)),
        "as_at": _day(result.as_at),
        "effective_on": _day(result_effective_on(result, parsed.date)),
        "percentage": _number(activity_percentage(parsed.figures, result)),
    }


def _figure(figure: Figure) -> dict[str, Any]:
    return {
        "value": _number(figure.value),
        "label": figure.label,
        "subject": figure.subject,
        "strategy": figure.strategy_number,
        "kind": figure.kind,
        "activity": figure.activity_title,
        "fiscal_year": figure.fiscal_year_be,
        "agenda": figure.agenda_number,
    }
