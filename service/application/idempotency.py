"""Idempotency keys as a stream of their own, saved in the same transaction as the facts.

The key's stream id is derived from the key, so a second save of the same key collides on the
store's primary key: the store itself, not a check before it, makes a key record events once.

A key is the actor's own: its stream id is derived from the actor (the token's owner, whom every
event names) and the key, so a key another token used first, even a predictable one, claims
nothing of this actor's. Keys saved before that were derived from the key alone; such a record
still answers its own actor's retry (see `PlanLedger._earlier_result`).
"""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import fields, is_dataclass
from datetime import date, time
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate
from eventsourcing.utils import register_topic

from domain.commands import ADDED_LATER

KEY_NAMESPACE = UUID("2a1f7c44-8e0e-4b8e-a0f5-5c3f0f5e9d10")


def key_stream_id(key: str, actor: str | None = None) -> UUID:
    """The stream of `actor`'s key; without an actor, the unscoped stream of keys saved before
    keys were scoped (read only, for their replays)."""
    if actor is None:
        return uuid5(KEY_NAMESPACE, key)
    return uuid5(KEY_NAMESPACE, json.dumps(["actor-scoped", actor, key]))


def fingerprint(command: object, meta: object) -> str:
    """A stable hash of what was asked, to tell a retry from a different command."""
    text = json.dumps([type(command).__name__, _plain(command), _plain(meta)], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _plain(getattr(value, f.name))
            for f in fields(value)
            if not (f.metadata.get(ADDED_LATER) and getattr(value, f.name) == f.default)
        }
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (date, time, UUID, Decimal)):
        return str(value)
    return value


class IdempotencyKey(Aggregate):
    """Remembers what a key's command did: which stream, which version."""

    class Used(Aggregate.Created):
        key: str
        fingerprint: str
        stream_id: UUID
        version: int

    def __init__(self, key: str, fingerprint: str, stream_id: UUID, version: int) -> None:
        self.key = key
        self.fingerprint = fingerprint
        self.stream_id = stream_id
        self.result_version = version

    @classmethod
    def use(cls, key: str, actor: str, fingerprint: str, stream_id: UUID, version: int) -> IdempotencyKey:
        return cls._create(
            cls.Used,
            id=key_stream_id(key, actor),
            key=key,
            fingerprint=fingerprint,
            stream_id=stream_id,
            version=version,
        )


# The keys stored before this module moved name it `service.idempotency`: they still load.
register_topic("service.idempotency", sys.modules[__name__])
