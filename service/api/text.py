"""Text PostgreSQL cannot store: a lone UTF-16 surrogate (U+D800..U+DFFF on its own).

JSON may carry one (`"\\ud800"` decodes to a str Python holds but cannot encode as UTF-8), so a
variable, an input field or an idempotency key could bring one in; encoding it for the database
failed as an internal error. Every text input is looked at where it enters: a mutation's whole
input in `mutations.run` (a typed ValidationError naming the field), a query's or subscription's
variables in the schema's `NoNulInText` (a BAD_USER_INPUT error). A surrogate pair written as two
JSON escapes is one character by the time it arrives, and passes.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from enum import Enum
from typing import Any

LONE_SURROGATE = re.compile("[\ud800-\udfff]")
MESSAGE = "holds a lone surrogate ({code}), which is not a character; send the text as valid Unicode"


def lone_surrogate(text: str) -> str | None:
    """The first lone surrogate in `text` as U+XXXX, or None."""
    found = LONE_SURROGATE.search(text)
    return None if found is None else f"U+{ord(found.group()):04X}"


def _camel(name: str) -> str:
    head, *rest = name.rstrip("_").split("_")
    return head + "".join(part.title() for part in rest)


def _fields(value: Any) -> list[tuple[str, Any]]:
    """An input object's fields by their GraphQL names."""
    definition = getattr(type(value), "__strawberry_definition__", None)
    if definition is not None:
        return [(f.graphql_name or _camel(f.python_name), getattr(value, f.python_name)) for f in definition.fields]
    return [(_camel(f.name), getattr(value, f.name)) for f in dataclasses.fields(value)]


def find_lone_surrogate(value: Any, path: str = "", in_json: bool = False) -> tuple[str, str] | None:
    """Where in a value (an input object, a list, a JSON-like value; without recursion) a string,
    or a key, holds a lone surrogate: (the path, e.g. "actionItems[1].owner", and U+XXXX). Inside
    a JSON value (a dict, or anything under `in_json`) the path stops at the field holding it."""
    if not _holds_lone_surrogate(value):  # the common case, without naming every field on the way
        return None
    pending: list[tuple[str, Any, bool]] = [(path, value, in_json)]
    while pending:
        where, item, raw = pending.pop()
        if isinstance(item, str):
            code = lone_surrogate(item)
            if code is not None:
                return where, code
        elif isinstance(item, dict):
            pending.extend((where, key, True) for key in item)
            pending.extend((where, inner, True) for inner in item.values())
        elif isinstance(item, list | tuple):
            pending.extend((where if raw else f"{where}[{n}]", inner, raw) for n, inner in enumerate(item))
        elif dataclasses.is_dataclass(item) and not isinstance(item, type) and not isinstance(item, Enum):
            pending.extend((f"{where}.{name}" if where else name, inner, False) for name, inner in _fields(item))
    return None


def _texts(value: Any, objects: bool = False) -> Iterator[str]:
    """Every string and key inside a JSON-like value, without recursion; with `objects`, inside
    every attribute of an object too (a superset of an input's fields, walked once each)."""
    pending: list[Any] = [value]
    seen: set[int] = set()
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            pending.extend(item)
            pending.extend(item.values())
        elif isinstance(item, list | tuple):
            pending.extend(item)
        elif not objects or isinstance(item, type | Enum):
            continue
        elif hasattr(item, "__dict__"):
            if id(item) not in seen:  # (an object holding itself: walked once)
                seen.add(id(item))
                pending.extend(vars(item).values())
        elif dataclasses.is_dataclass(item):
            pending.extend(getattr(item, f.name) for f in dataclasses.fields(item))


def _holds_lone_surrogate(value: Any) -> bool:
    """Whether any text inside `value` holds a lone surrogate: one walk without the paths, which
    cost 5.6 % of the server's time under 16 writers when built for every input (py-spy, 2026-12-04)."""
    search = LONE_SURROGATE.search
    return any(search(text) is not None for text in _texts(value, objects=True))


NUL = "\x00"


def has_nul(value: Any) -> bool:
    """Whether a JSON-like value holds a string (or a key) with a NUL character (which PostgreSQL
    text cannot hold); without recursion."""
    return any(NUL in text for text in _texts(value))
