"""How the domain's value types are written into stored events (JSON)."""

from __future__ import annotations

import dataclasses
from datetime import date, time
from typing import Any

from eventsourcing.persistence import Transcoding


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class TimeAsISO(Transcoding):
    type = time
    name = "time_iso"

    def encode(self, obj: time) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> time:
        return time.fromisoformat(data)


class ValueAsDict(Transcoding):
    """A frozen value dataclass, as a dict of its fields (nested values transcode in turn)."""

    def __init__(self, cls: type[Any]) -> None:
        self.type = cls
        self.name = cls.__name__

    def encode(self, obj: Any) -> dict[str, Any]:
        return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}

    def decode(self, data: dict[str, Any]) -> Any:
        return self.type(**data)


def domain_transcodings() -> list[Transcoding]:
    from domain.values import VALUE_TYPES

    return [DateAsISO(), TimeAsISO(), *(ValueAsDict(cls) for cls in VALUE_TYPES)]
