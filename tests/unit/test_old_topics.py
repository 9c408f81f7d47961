"""Stored events name their classes by the module they lived in when they were recorded. Modules
that moved keep those names readable, so every event ever stored still loads (the v1-v3 fixtures
in tests/integration/test_event_shapes.py load them from a database; this pins the names)."""

from __future__ import annotations

import pytest
from eventsourcing.utils import resolve_topic

from domain.facts import Corrected
from service.application.idempotency import IdempotencyKey


@pytest.mark.parametrize(
    ("topic", "expected"),
    [
        ("domain.ledger:Corrected", Corrected),
        ("domain.facts:Corrected", Corrected),
        ("service.idempotency:IdempotencyKey", IdempotencyKey),
        ("service.idempotency:IdempotencyKey.Used", IdempotencyKey.Used),
    ],
)
def test_a_topic_recorded_before_a_move_still_resolves(topic: str, expected: type) -> None:
    assert resolve_topic(topic) is expected
