"""Errors a command can meet. Each carries a message a person can act on."""

from __future__ import annotations


class DomainError(Exception):
    """A command broke a rule; nothing was recorded."""

    code = "DOMAIN_ERROR"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationError(DomainError):
    """A value is out of range, malformed or missing."""

    code = "VALIDATION"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


class InvalidTransition(DomainError):
    """The thing is not in a state that allows this change."""

    code = "INVALID_TRANSITION"

    def __init__(self, message: str, *, current: str = "", requested: str = "") -> None:
        super().__init__(message)
        self.current = current
        self.requested = requested


class NotFound(DomainError):
    code = "NOT_FOUND"

    def __init__(self, kind: str, key: str) -> None:
        super().__init__(f"no {kind} with id or code {key!r}")
        self.kind = kind
        self.key = key


class DuplicateCode(DomainError):
    code = "DUPLICATE"

    def __init__(self, kind: str, key: str) -> None:
        super().__init__(f"a {kind} {key!r} already exists")
        self.kind = kind
        self.key = key


class VersionConflict(DomainError):
    """The caller's view of the stream is stale."""

    code = "VERSION_CONFLICT"

    def __init__(self, stream: str, expected: int, actual: int) -> None:
        super().__init__(f"{stream} is at version {actual}, not the expected {expected}; reload it and try again")
        self.expected = expected
        self.actual = actual


class IdempotencyKeyReused(DomainError):
    """The same idempotency key came with a different command."""

    code = "IDEMPOTENCY_KEY_REUSED"

    def __init__(self, key: str) -> None:
        super().__init__(
            f"idempotency key {key!r} was already used for a different command; use a new key for a new command"
        )
        self.key = key


class Forbidden(DomainError):
    code = "FORBIDDEN"


class PeriodLocked(DomainError):
    """The fact would be recorded as reported at a meeting closed by approved minutes."""

    code = "PERIOD_LOCKED"

    def __init__(
        self,
        effective_on: str,
        locked_through: str,
        meeting_code: str,
        approved_at: str,
        reported_at: str | None = None,
    ) -> None:
        at = meeting_code if reported_at is None else reported_at
        super().__init__(
            f"meeting {at} is closed: the minutes of meeting {meeting_code} (held {locked_through}) were approved "
            f"at meeting {approved_at}, so nothing new may be recorded as reported at {meeting_code} or an earlier "
            f"meeting (this fact, effective {effective_on}, names {at}); record it as a correction of the fact, "
            "with a reason, or report it at a later meeting (a late report)"
        )
        self.effective_on = effective_on
        self.locked_through = locked_through
        self.meeting_code = meeting_code
        self.approved_at = approved_at
        self.reported_at = at


class ReportDateOutOfRange(DomainError):
    """A report (a status that says what happened, a progress, an outcome) would take effect
    after the meeting that heard it — a report cannot describe the future; a decision may take
    effect later — or before the plan began. `code` says which: REPORT_AFTER_MEETING or
    REPORT_BEFORE_PLAN."""

    code = "REPORT_DATE"

    def __init__(self, what: str, effective_on: str, limit: str, meeting_code: str | None = None) -> None:
        if meeting_code is not None:
            message = (
                f"{what} effective {effective_on} is after meeting {meeting_code} (held {limit}), which heard it: "
                f"a report cannot describe the future; give a date on or before {limit}, or report it at a "
                "later meeting"
            )
            self.code = "REPORT_AFTER_MEETING"
        else:
            message = (
                f"{what} effective {effective_on} is before the plan began ({limit}); give a date on or after {limit}"
            )
            self.code = "REPORT_BEFORE_PLAN"
        super().__init__(message)
        self.effective_on = effective_on
        self.limit = limit
        self.meeting_code = meeting_code
