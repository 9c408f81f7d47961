"""Turning rows of the event store into domain facts, without importing the service layer."""

from __future__ import annotations

import dataclasses
import json
import json.scanner
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    Mapper,
    StoredEvent,
    Transcoding,
    UUIDAsHex,
)
from eventsourcing.utils import resolve_topic

from domain.facts import Corrected, Fact
from domain.transcodings import DateAsISO, TimeAsISO, domain_transcodings

#: module of a topic -> the kind of stream it belongs to
STREAM_KINDS = {
    "domain.plan": "plan",
    "domain.activity": "activity",
    "domain.meeting": "meeting",
    "domain.keyresult": "key_result",
    "domain.committee": "committee",
}


def make_mapper() -> Mapper[UUID]:
    transcoder = JSONTranscoder()
    for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO(), *domain_transcodings()):
        transcoder.register(transcoding)
    return Mapper(transcoder=transcoder)


@dataclass(slots=True)
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


#: transcodings whose decode is exactly one builtin call: the builtin, called directly
BUILTIN_DECODERS: dict[type[Transcoding], Callable[[Any], Any]] = {
    DateAsISO: date.fromisoformat,
    TimeAsISO: time.fromisoformat,
    DatetimeAsISO: datetime.fromisoformat,
    DecimalAsStr: Decimal,
    UUIDAsHex: UUID,
}


class _NotExact(Exception):
    """orjson's parse may differ from the json module's here (a float: orjson also makes one of an
    integer beyond 64 bits)."""


class Decoder:
    """Decodes rows (position, originator_id, originator_version, topic, state) into facts.

    The same facts `Mapper.to_domain_event` makes (the same transcodings, and an event stored in
    an older shape upcast by its class's `upcast_vN_vN+1` methods up to its `class_version`), made
    faster: a stored state is parsed by orjson and its transcoded values ({"_type_", "_data_"})
    decoded bottom-up as the json module's object hook does (states with a float, or that orjson
    refuses, by the json module's C scanner with that hook), and the fact is made the way the
    mapper makes it (its `__dict__` set from the state).
    """

    def __init__(self) -> None:
        self.mapper = make_mapper()
        transcoder = self.mapper.transcoder
        names = dict(getattr(transcoder, "names", {}))
        decoders: dict[str, Any] = {name: BUILTIN_DECODERS.get(type(t), t.decode) for name, t in names.items()}
        get = decoders.get

        def hook(d: dict[str, Any]) -> Any:
            if len(d) == 2 and "_type_" in d and "_data_" in d:
                decode = get(d["_type_"])
                if decode is not None:
                    return decode(d["_data_"])
            return d

        def revive(d: dict[str, Any]) -> Any:
            for key, value in d.items():
                kind = type(value)
                if kind is dict:
                    if len(value) == 2:  # the usual transcoded value, a date say: decoded here, at once
                        data = value.get("_data_")
                        if type(data) is str:
                            name = value.get("_type_")
                            decode = None if name is None else get(name)
                            if decode is not None:
                                d[key] = decode(data)
                                continue
                    d[key] = revive(value)
                elif kind is list:
                    revive_list(value)
                elif kind is float:
                    raise _NotExact
            if len(d) == 2 and "_type_" in d and "_data_" in d:
                decode = get(d["_type_"])
                if decode is not None:
                    return decode(d["_data_"])
            return d

        def revive_list(items: list[Any]) -> None:
            for index, value in enumerate(items):
                kind = type(value)
                if kind is dict:
                    items[index] = revive(value)
                elif kind is list:
                    revive_list(value)
                elif kind is float:
                    raise _NotExact

        self._scan: Any = json.scanner.make_scanner(json.JSONDecoder(object_hook=hook))  # type: ignore[arg-type]
        self._revive = revive
        self._fast = isinstance(transcoder, JSONTranscoder) and not self.mapper.compressor and not self.mapper.cipher
        self._classes: dict[str, tuple[type[Fact], int] | None] = {}

    def parse(self, state: bytes) -> dict[str, Any]:
        """A stored state as the transcoder's JSON decoder gives it."""
        try:
            parsed = orjson.loads(state)
            if type(parsed) is not dict:
                raise _NotExact
            fields = self._revive(parsed)
        except (_NotExact, orjson.JSONDecodeError):
            fields, _ = self._scan(bytes(state).decode("utf8"), 0)
        if type(fields) is not dict:
            raise TypeError(f"a stored event's state is {type(fields).__name__}, not an object")
        return fields

    def _class(self, topic: str) -> tuple[type[Fact], int] | None:
        """The fact class of a topic and its current class_version (None: not a fact)."""
        try:
            return self._classes[topic]
        except KeyError:
            cls = resolve_topic(topic)
            known = (cls, getattr(cls, "class_version", 1)) if isinstance(cls, type) and issubclass(cls, Fact) else None
            self._classes[topic] = known
            return known

    def decode(self, position: int, stream_id: UUID, version: int, topic: str, state: bytes) -> Decoded | None:
        """The fact, or None for events that are not the domain's (e.g. idempotency keys)."""
        if not topic.startswith("domain."):
            return None
        known = self._class(topic) if self._fast else None
        event: Any
        if known is None:
            event = self.mapper.to_domain_event(
                StoredEvent(originator_id=stream_id, originator_version=version, topic=topic, state=state)
            )
            if not isinstance(event, Fact):
                return None
        else:
            cls, current = known
            fields = self.parse(state)
            stored = fields.pop("class_version", 1)
            while stored < current:  # an older shape: upcast as the mapper does, one version at a time
                getattr(cls, f"upcast_v{stored}_v{stored + 1}")(fields)
                stored += 1
            fields["originator_id"] = stream_id
            fields["originator_version"] = version
            event = object.__new__(cls)
            object.__setattr__(event, "__dict__", fields)
        return Decoded(position, stream_id, version, topic, event)


_SIMPLE = (str, int, float, bool, type(None))
_FIELDS: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return names


def plain(value: Any) -> Any:
    """A JSON-ready copy of a payload value."""
    kind = type(value)
    if kind in _SIMPLE:
        return value
    if kind is date or kind is datetime or kind is time:
        return value.isoformat()
    if kind is Decimal or kind is UUID:
        return str(value)
    if kind is list or kind is tuple:
        return [plain(v) for v in value]
    if kind is dict:
        return {str(k): plain(v) for k, v in value.items()}
    return _plain_other(value)


def _plain_other(value: Any) -> Any:
    names = _FIELDS.get(type(value))
    if names is not None:  # a dataclass seen before
        return {name: plain(getattr(value, name)) for name in names}
    if isinstance(value, Enum):
        return value.value
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (date, datetime, time)):
        return value.isoformat()
    if isinstance(value, (Decimal, UUID)):
        return str(value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {name: plain(getattr(value, name)) for name in _field_names(type(value))}
    return str(value)


_ENCODE = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode
_ENCODE_UNSORTED = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
#: orjson writes str, int (64-bit), bool, None, lists, tuples, dicts with str keys, UUID and Enum
#: itself, as the json module writes what `plain` makes of them; dates, times, dataclasses and
#: anything else go through `plain` (its `default`), so the text is the same as `plain` + json
_ORJSON_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def encode_jsonb(value: Any) -> str:
    """JSON text of a plain value (what the extractors make) for a jsonb column, which keeps no key
    order. (orjson, about twice as fast; the json module for what orjson refuses, e.g. an int
    beyond 64 bits, a key that is not a string, a lone surrogate.)"""
    try:
        return orjson.dumps(value, option=_ORJSON_OPTIONS).decode()
    except TypeError:
        return _ENCODE_UNSORTED(value)


def to_json(value: Any) -> str:
    return _ENCODE(plain(value))


_COMMON = frozenset({"originator_id", "originator_version", "timestamp", "originator_topic"})
_KEPT_IN_COLUMNS = frozenset({"effective_on", "actor", "meeting_id", "reason"})
_PAYLOAD_FIELDS: dict[type, tuple[str, ...]] = {}


def payload_json(fact: Fact) -> str:
    """The fact's own fields (without the common ones kept in columns), as JSON."""
    if isinstance(fact, Corrected):
        return to_json({"corrects": fact.corrects, "changes": fact.changes, "void": fact.void})
    cls = type(fact)
    names = _PAYLOAD_FIELDS.get(cls)
    if names is None:
        names = _PAYLOAD_FIELDS[cls] = tuple(
            n for n in _field_names(cls) if n not in _COMMON and n not in _KEPT_IN_COLUMNS
        )
    payload = {name: getattr(fact, name) for name in names}
    try:
        return orjson.dumps(payload, default=plain, option=_ORJSON_OPTIONS).decode()
    except TypeError:  # (orjson.JSONEncodeError is one) what orjson refuses: see encode_jsonb
        return _ENCODE_UNSORTED({name: plain(value) for name, value in payload.items()})
