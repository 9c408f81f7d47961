"""GraphQL enums mirroring the domain's vocabularies (values as in the domain; labels in Thai)."""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry

from domain import vocabulary as v


def _mirror(domain: type[v.Labelled], description: str) -> Any:
    members = {m.name: m.value for m in domain}
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
    OPEN = "OPEN"
    DONE = "DONE"
    OVERDUE = "OVERDUE"


@strawberry.enum(description="Whether a mutation returns at once or once the read models include its write.")
class Consistency(Enum):
    EVENTUAL = "EVENTUAL"
    READ_YOUR_WRITES = "READ_YOUR_WRITES"


def of(enum: Any, value: str | None) -> Any:
    """The GraphQL enum member for a stored value (None stays None)."""
    return None if value is None else enum[value]


def label(domain: type[v.Labelled], value: Any) -> str | None:
    """The Thai label of a stored value or GraphQL member."""
    if value is None:
        return None
    raw = value.value if isinstance(value, Enum) else value
    return domain(raw).label
