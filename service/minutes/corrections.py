"""Minutes arriving after their approval, as the approval corrected them.

When meeting A adopts the minutes of meeting E "with corrections", the record of E is E's minutes
as corrected (domain/corrections.py). Recorded before the approval, E's facts are corrected by the
approval itself (the ApproveMinutes handler); arriving after it, E's minutes have every text they
give corrected before anything is recorded (`corrected_minutes`) — and the record comes out the
same either way.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from domain.committee import Committee, committee_id_for
from domain.corrections import corrected, corrected_text
from domain.errors import NotFound
from domain.meeting import Meeting, meeting_id_for
from domain.values import MinutesCorrection
from service.application.handlers import Loader
from service.minutes.model import ParsedMinutes

__all__ = ["approved_corrections", "corrected_minutes", "corrected_text"]


def corrected_minutes(minutes: ParsedMinutes, corrections: Sequence[MinutesCorrection]) -> ParsedMinutes:
    """The minutes as the approval corrected them (every text they give; `source` kept)."""
    if not corrections:
        return minutes
    out: ParsedMinutes = corrected(minutes, corrections)
    return dataclasses.replace(out, source=minutes.source)


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
