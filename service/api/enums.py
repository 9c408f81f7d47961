"""GraphQL enums mirroring the domain's vocabularies (values as in the domain; labels in Thai)."""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry

from domain import vocabulary as v

#: what each value means, in English (its Thai label, the domain's, is added to it)
MEANINGS: dict[str, dict[str, str]] = {
    "ActivityStatus": {
        "PLANNED": "In the action plan; nothing reported yet.",
        "NOT_STARTED": "Not started yet.",
        "IN_PROGRESS": "Under way.",
        "COMPLETED": "Done.",
        "NOT_IMPLEMENTED": "Not carried out (the year ended without it).",
        "ON_HOLD": "Slowed down or paused.",
        "CANCELLED": "Cancelled: it has no health and is not chased for updates.",
    },
    "ActivityKind": {
        "ONE_YEAR": "Carried out within one fiscal year.",
        "CONTINUING": "Continues across fiscal years.",
    },
    "MilestoneStatus": {
        "PLANNED": "Still planned: overdue once its due date has passed.",
        "ACHIEVED": "Achieved (on `achievedOn`).",
        "DROPPED": "Dropped: no longer expected.",
    },
    "RiskStatus": {
        "OPEN": "Noted, nothing done about it yet.",
        "MITIGATING": "Being mitigated.",
        "CLOSED": "Closed (with closeRisk).",
    },
    "RiskLevel": {
        "LOW": "Score 1 to 4.",
        "MEDIUM": "Score 5 to 9.",
        "HIGH": "Score 10 to 16.",
        "VERY_HIGH": "Score 17 to 25.",
    },
    "ResolutionKind": {
        "ACKNOWLEDGED": "The meeting took note.",
        "APPROVED": "The meeting approved.",
        "APPROVED_WITH_AMENDMENTS": "The meeting approved, with amendments to be made.",
        "REJECTED": "The meeting did not approve.",
        "ASSIGNED": "The meeting assigned work (see the action items).",
    },
    "Presence": {
        "IN_ROOM": "Present in the meeting room.",
        "ONLINE": "Present online.",
        "PRESENT": "Present; the minutes do not say in the room or online.",
        "ABSENT": "Absent.",
        "OTHER": "Attended without being a member (e.g. invited officials).",
    },
    "MeetingRole": {
        "CHAIR": "Chaired the meeting.",
        "MEMBER": "A member of the committee.",
        "SECRETARY": "The committee's secretary.",
        "ASSISTANT_SECRETARY": "An assistant secretary.",
        "ATTENDEE": "Attended without a role in the committee.",
    },
    "MeetingMode": {
        "IN_PERSON": "Sat in a meeting room.",
        "ONLINE": "Held online.",
        "HYBRID": "Both online and in a meeting room.",
    },
    "MeasureUnit": {
        "COUNT": "A number of things.",
        "PERCENT": "A percentage.",
        "PERSONS": "A number of people.",
        "BAHT": "An amount of money, in baht.",
        "DAYS": "A number of days.",
        "OTHER": "Another unit, named in `unitLabel`.",
    },
    "Direction": {
        "INCREASE": "Should rise from the baseline to the target.",
        "DECREASE": "Should fall from the baseline to the target.",
        "AT_LEAST": "Should stay at or above the target all along.",
        "AT_MOST": "Should stay at or below the target all along.",
    },
    "Frequency": {
        "PER_MEETING": "Measured for every meeting.",
        "MONTHLY": "Measured every month.",
        "QUARTERLY": "Measured every quarter.",
        "HALF_YEARLY": "Measured every half year.",
        "YEARLY": "Measured every year.",
    },
    "Health": {
        "ON_TRACK": "As the plan's evaluation rules expect (default: attainment at or above the expected).",
        "AT_RISK": "Falling behind (default: at least 90 % of the expected attainment); an activity with "
        "overdue milestones or on hold.",
        "OFF_TRACK": "Behind (default: under 90 % of the expected attainment); an activity both, or not implemented.",
        "NO_DATA": "Nothing measured in the last reporting period (since the meeting before the last one held).",
    },
}


def _meaning(domain: type[v.Labelled], member: v.Labelled) -> str:
    meaning = MEANINGS.get(domain.__name__, {}).get(member.name)
    thai = f"In Thai: {member.label}." if member.label else ""
    return " ".join(part for part in (meaning, thai) if part)


def _mirror(domain: type[v.Labelled], description: str) -> Any:
    members = {m.name: strawberry.enum_value(m.value, description=_meaning(domain, m)) for m in domain}
    mirrored = Enum(domain.__name__, members)  # type: ignore[misc]
    return strawberry.enum(mirrored, description=description)


ActivityStatus = _mirror(v.ActivityStatus, "Where an activity stands. `statusLabel` gives the Thai wording.")
ActivityKind = _mirror(v.ActivityKind, "A one-year activity or one that continues across fiscal years.")
MilestoneStatus = _mirror(v.MilestoneStatus, "Whether a milestone is still planned, achieved or dropped.")
RiskLevel = _mirror(v.RiskLevel, "Level of a risk from its score (likelihood × impact), lowest first.")
RiskStatus = _mirror(v.RiskStatus, "Whether a risk is open, being mitigated or closed.")
ResolutionKind = _mirror(v.ResolutionKind, "What the meeting resolved on an agenda item.")
Presence = _mirror(v.Presence, "How a person attended a meeting.")
MeetingRole = _mirror(v.MeetingRole, "A person's role at a meeting.")
MeetingMode = _mirror(v.MeetingMode, "In the room, online or both.")
Health = _mirror(v.Health, "Computed from the numbers, never claimed: on track, at risk, off track or no data.")
MeasureUnit = _mirror(v.MeasureUnit, "What a key result counts (OTHER: see unitLabel).")
Direction = _mirror(v.Direction, "Which way a key result should move, or the side of its target to keep to.")
Frequency = _mirror(v.Frequency, "How often a key result is measured.")


@strawberry.enum(description="Open, done or overdue, judged on a date.")
class ActionItemState(Enum):
    OPEN = strawberry.enum_value("OPEN", description="Not done, and not past its due date.")
    DONE = strawberry.enum_value("DONE", description="Done (on `doneOn`).")
    OVERDUE = strawberry.enum_value("OVERDUE", description="Not done, and past its due date.")


@strawberry.enum(description="Whom a membership change concerns: a named person, or a seat defined by a position.")
class MembershipChangeKind(Enum):
    PERSON = strawberry.enum_value("PERSON", description="A named person left and another joined.")
    POSITION = strawberry.enum_value(
        "POSITION", description="A seat defined by a position was redefined (the holder of one position for another's)."
    )


@strawberry.enum(description="Whether a mutation returns at once or once the read models include its write.")
class Consistency(Enum):
    EVENTUAL = strawberry.enum_value(
        "EVENTUAL", description="Answer as soon as the fact is recorded; the read models follow a moment later."
    )
    READ_YOUR_WRITES = strawberry.enum_value(
        "READ_YOUR_WRITES", description="Answer once the read models include the write (waits up to 5 seconds)."
    )


def of(enum: Any, value: str | None) -> Any:
    """The GraphQL enum member for a stored value (None stays None)."""
    return None if value is None else enum[value]


def label(domain: type[v.Labelled], value: Any) -> str | None:
    """The Thai label of a stored value or GraphQL member."""
    if value is None:
        return None
    raw = value.value if isinstance(value, Enum) else value
    return domain(raw).label
