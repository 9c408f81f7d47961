"""An idempotency key's fingerprint survives a command gaining a field: a client that retries
across an upgrade, without the new field, still gets its first answer replayed."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from uuid import UUID

from domain import commands as c
from domain.facts import Meta
from service.application.idempotency import fingerprint

MEETING = UUID("1762f4be-4eb8-54e1-92e9-704ad1054627")
META = Meta(date(2021, 1, 20), "secretariat", str(MEETING))


def test_a_field_added_later_and_left_out_keeps_the_fingerprint_the_command_had_before() -> None:
    # what the first release (AddAgendaItem of number and title only) stored for this command
    before = json.dumps(
        [
            "AddAgendaItem",
            {"meeting_id": str(MEETING), "number": 1, "title": "Progress"},
            {"effective_on": "2021-01-20", "actor": "secretariat", "meeting_id": str(MEETING), "reason": None},
        ],
        sort_keys=True,
    )
    assert fingerprint(c.AddAgendaItem(MEETING, 1, "Progress"), META) == hashlib.sha256(before.encode()).hexdigest()


def test_a_field_added_later_and_given_makes_it_another_command() -> None:
    plain = fingerprint(c.AddAgendaItem(MEETING, 1, "Progress"), META)
    assert fingerprint(c.AddAgendaItem(MEETING, 1, "Progress", "The FY 2564 plan"), META) != plain
    # fields that were always there still count when they hold their default
    assert fingerprint(c.AdoptResolution(MEETING, "APPROVED", "ok"), META) != fingerprint(
        c.AdoptResolution(MEETING, "APPROVED", "ok", agenda_item=3), META
    )
