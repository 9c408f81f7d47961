"""Small immutable values that travel inside facts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from domain.errors import ValidationError
from domain.facts import MAX_NAME, MAX_TEXT, check_date, optional_text, require_text
from domain.vocabulary import Health, MeetingRole, Presence

#: marks a field a value or command gained after it was first released: left at its default, it
#: leaves the idempotency fingerprint of a command carrying it as it was, so a retry across an
#: upgrade still replays
ADDED_LATER = "added_later"


def _added_later(default: object) -> object:
    return field(default=default, metadata={ADDED_LATER: True})


@dataclass(frozen=True)
class Attendee:
    """A person at (or absent from) a meeting. Since read models version 5 (events stored before
    have none of them: unknown): `absence_reason`, why an absent member did not come in its
    canonical word ('ติดราชการ'), and `absence_note`, the words as the minutes wrote them
    ('ตติราชการ'); `roles`, every role the person held where more than one ('อ.ก.ก. และเลขานุการ':
    MEMBER and SECRETARY), empty when `role` alone says it. `remark`: what the minutes add of the
    person, as written ('เข้าประชุมเวลา ๑๐.๐๐ น.', 'ทำหน้าที่ประธาน'); None where they add nothing (and
    in events stored before it existed: not stated)."""

    name: str
    position: str
    role: str
    presence: str
    absence_reason: str | None = _added_later(None)  # type: ignore[assignment]
    absence_note: str | None = _added_later(None)  # type: ignore[assignment]
    roles: tuple[str, ...] = _added_later(())  # type: ignore[assignment]
    remark: str | None = _added_later(None)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if not isinstance(self.roles, tuple):  # stored events give a JSON list
            object.__setattr__(self, "roles", tuple(self.roles or ()))

    def checked(self, field: str) -> Attendee:
        presence = Presence.parse(self.presence, f"{field}.presence")
        reason = optional_text(f"{field}.absenceReason", self.absence_reason, MAX_NAME)
        note = optional_text(f"{field}.absenceNote", self.absence_note, MAX_NAME)
        if (reason or note) and presence is not Presence.ABSENT:
            raise ValidationError(f"{field}.absenceReason", f"gives a reason for absence to someone {presence.value}")
        roles = tuple(MeetingRole.parse(r, f"{field}.roles[{i}]").value for i, r in enumerate(self.roles or ()))
        role = MeetingRole.parse(self.role, f"{field}.role").value
        if roles and role not in roles:
            raise ValidationError(f"{field}.roles", f"does not include the role {role}")
        return Attendee(
            name=require_text(f"{field}.name", self.name, MAX_NAME),
            position=optional_text(f"{field}.position", self.position, MAX_TEXT) or "",
            role=role,
            presence=presence.value,
            absence_reason=reason,
            absence_note=note,
            roles=roles,
            remark=optional_text(f"{field}.remark", self.remark, MAX_TEXT),
        )


@dataclass(frozen=True)
class ActionItem:
    """Work a resolution assigns: to an owner, due by a date or at a meeting."""

    id: str
    description: str
    owner: str
    due_on: date | None = None
    due_meeting: str | None = None
    done_on: date | None = None
    periodic: bool = False  # "report progress to this meeting periodically"

    def checked(self, field: str) -> ActionItem:
        if self.due_on is not None:
            check_date(f"{field}.dueOn", self.due_on)
        return ActionItem(
            id=require_text(f"{field}.id", self.id, MAX_NAME),
            description=require_text(f"{field}.description", self.description),
            owner=require_text(f"{field}.owner", self.owner, MAX_NAME),
            due_on=self.due_on,
            due_meeting=optional_text(f"{field}.dueMeeting", self.due_meeting, MAX_NAME),
            done_on=self.done_on,
            periodic=bool(self.periodic),
        )


@dataclass(frozen=True)
class MinutesCorrection:
    """One correction of earlier minutes: where in them, from what, to what."""

    where: str
    from_text: str
    to_text: str

    def checked(self, field: str) -> MinutesCorrection:
        corrected = MinutesCorrection(
            where=require_text(f"{field}.where", self.where, MAX_NAME),
            from_text=require_text(f"{field}.from", self.from_text),
            to_text=require_text(f"{field}.to", self.to_text),
        )
        if corrected.from_text == corrected.to_text:
            raise ValidationError(f"{field}.to", "is the same as 'from'; nothing to correct")
        return corrected


@dataclass(frozen=True)
class EvaluationRule:
    """One line of a plan's evaluation rules: a key result whose attainment is at least
    `at_least` times the attainment expected by then has this health. Rules are read top to
    bottom; a key result that meets none is OFF_TRACK."""

    health: str
    at_least: Decimal

    def checked(self, field: str) -> EvaluationRule:
        health = Health.parse(self.health, f"{field}.health")
        if health is Health.NO_DATA:
            raise ValidationError(f"{field}.health", "NO_DATA is decided by missing measurements, not by a rule")
        try:
            at_least = Decimal(str(self.at_least))
        except (InvalidOperation, ValueError):
            raise ValidationError(f"{field}.atLeast", f"{self.at_least!r} is not a number") from None
        if not at_least.is_finite() or not Decimal(0) <= at_least <= Decimal(10):
            raise ValidationError(f"{field}.atLeast", f"{self.at_least} is not between 0 and 10 (times expected)")
        return EvaluationRule(health.value, at_least)


VALUE_TYPES: tuple[type, ...] = (Attendee, ActionItem, MinutesCorrection, EvaluationRule)
