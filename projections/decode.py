"""Turning rows of the event store into domain facts, without importing the service layer."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    Mapper,
    StoredEvent,
    UUIDAsHex,
)

from domain.ledger import Corrected, Fact
from domain.transcodings import domain_transcodings

#: module of a topic -> the kind of stream it belongs to
STREAM_KINDS = {"domain.plan": "plan", "domain.activity": "activity", "domain.meeting": "meeting"}


def make_mapper() -> Mapper[UUID]:
    transcoder = JSONTranscoder()
    for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO(), *domain_transcodings()):
        transcoder.register(transcoding)
    return Mapper(transcoder=transcoder)


@dataclass(frozen=True)
class Decoded:
    """One stored domain event with its place in the log."""

    position: int
    stream_id: UUID
    version: int
    topic: str
    fact: Fact

    @property
    def stream_kind(self) -> str:
        return STREAM_KINDS.get(self.topic.partition(":")[0], "other")

    @property
    def type_name(self) -> str:
        return self.topic.partition(":")[2]


class Decoder:
    """Decodes rows (position, originator_id, originator_version, topic, state) into facts."""

    def __init__(self) -> None:
        self.mapper = make_mapper()

    def decode(self, position: int, stream_id: UUID, version: int, topic: str, state: bytes) -> Decoded | None:
        """The fact, or None for events that are not the domain's (e.g. idempotency keys)."""
        if not topic.startswith("domain."):
            return None
        event = self.mapper.to_domain_event(
            StoredEvent(originator_id=stream_id, originator_version=version, topic=topic, state=state)
        )
        if not isinstance(event, Fact):
            return None
        return Decoded(position, stream_id, version, topic, event)


def plain(value: Any) -> Any:
    """A JSON-ready copy of a payload value."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (date, datetime, time)):
        return value.isoformat()
    if isinstance(value, (Decimal, UUID)):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return str(value)


def to_json(value: Any) -> str:
    return json.dumps(plain(value), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def payload_json(fact: Fact) -> str:
    """The fact's own fields (without the common ones kept in columns), as JSON."""
    skip = {"effective_on", "actor", "meeting_id", "reason"}
    payload = {k: v for k, v in fact.payload().items() if k not in skip}
    if isinstance(fact, Corrected):
        payload = {"corrects": fact.corrects, "changes": fact.changes, "void": fact.void}
    return to_json(payload)
