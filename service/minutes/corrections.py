"""Where and with which corrections a set of minutes was approved, as the ledger records it.

When meeting A adopts the minutes of meeting E "with corrections", the record of E is E's minutes
as written, corrected from A on (domain/corrections.py): each fact E's minutes gave whose text holds
a corrected passage — on E's own stream and on any other (an activity's outcome heard at E) — is
corrected by a correction reported at A. Recorded before the approval, E's meeting facts are
corrected by the approval itself (the ApproveMinutes handler) and the rest by the importer right
after it; arriving after it, E's minutes are recorded as written and then corrected the same way
(`service.minutes.importer.approval_steps`) — and the record comes out the same either way.
"""

from __future__ import annotations

from domain.committee import Committee, committee_id_for
from domain.corrections import corrected_text
from domain.errors import NotFound
from domain.meeting import Meeting, meeting_id_for
from domain.values import MinutesCorrection
from service.application.handlers import Loader

__all__ = ["approved_corrections", "corrected_text"]


def approved_corrections(loader: Loader, body: str, code: str) -> tuple[str, list[MinutesCorrection]] | None:
    """Where the minutes of meeting `code` of `body` were approved (the approving meeting's code)
    and with which corrections; None while no approval of them is recorded."""
    try:
        committee = loader.load(Committee, committee_id_for(body), read_only=True).state
    except NotFound:
        return None
    for closing in committee.closings:
        if closing.meeting_code != code:
            continue
        try:
            approving = loader.load(Meeting, meeting_id_for(body, closing.approved_at), read_only=True).state
        except NotFound:
            continue
        for approval in approving.minutes_approvals:
            if approval.of_code == code:
                return closing.approved_at, list(approval.corrections)
    return None
