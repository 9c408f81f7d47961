"""Objects that one module of types shows on behalf of another, looked up by type name.

A key result's `activity` field returns an Activity, and an Activity's `keyResults` return key
results: the two modules would import each other. strawberry's `lazy` breaks the cycle for the
annotations; this breaks it for the objects: the module that defines a type registers how to show
one (`@shows("Activity")`), and the other asks for it by name (`await show("Activity", …)`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

from projections import queries as q
from service.api.context import Context

Show = Callable[[Context, UUID, q.Point], Awaitable[Any]]
_SHOWN: dict[str, Show] = {}


def shows(type_name: str) -> Callable[[Show], Show]:
    """Registers `fn(context, id, point)` as how objects of `type_name` are shown."""

    def register(fn: Show) -> Show:
        _SHOWN[type_name] = fn
        return fn

    return register


async def show(type_name: str, context: Context, key: UUID, point: q.Point) -> Any:
    """The object of `type_name` with that id as of `point` (None when there is none)."""
    return await _SHOWN[type_name](context, key, point)
