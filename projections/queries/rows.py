"""What every query of the read side shares: the point in both times (Point) and the AS_OF clause
with its parameters (_times); a read-model record as a plain dict (_row: bitemporal columns
dropped, JSON columns decoded) and a family's table (_table); the batched read of one family for
many keys (_family_rows, _group) that the API's DataLoaders rest on; and ConnectionFacts, a fact
cached per connection. Kept apart so that the subject modules (and keyresults.py, report.py) depend
on it and never on each other; its underscored helpers are shared by the read side, not the
queries' API (which `projections.queries` re-exports).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

import asyncpg

from projections.schema import ALL_DATES, ALL_TIMES, BY_NAME, PREFIX

#: the point's three times: $2 the effective date, $3 known at, $4 the reporting date (what the
#: committee had been told by then; ALL_DATES: everything reported)
AS_OF = (
    "valid_from <= $2 AND $2 < valid_to AND recorded_from <= $3 AND $3 < recorded_to "
    "AND reported_from <= $4 AND $4 < reported_to"
)
#: every row version as reported by now (a history: one row per change in valid and recorded time)
ALL_REPORTED = "reported_to > '9999-12-30'::date"
HIDDEN = {"valid_from", "valid_to", "reported_from", "reported_to", "recorded_from", "recorded_to", "stream_id"}


@dataclass(frozen=True)
class Point:
    """A point in the three times: effective date `on`, as the committee had been told by
    `reported` (a meeting's date; None = everything reported), as known at `known_at` (None = latest)."""

    on: date | None = None
    known_at: datetime | None = None
    reported: date | None = None


def _times(on: date | None, known_at: datetime | None, reported: date | None = None) -> tuple[date, datetime, date]:
    return (on or ALL_DATES, known_at or ALL_TIMES, reported or ALL_DATES)


@cache
def _json_columns(family: str) -> frozenset[str]:
    return frozenset(name for name, kind in BY_NAME[family].columns if kind == "jsonb")


def _row(record: asyncpg.Record, family: str, id_name: str | None = None) -> dict[str, Any]:
    json_columns = _json_columns(family)
    out: dict[str, Any] = {}
    for name, value in record.items():
        if name == "stream_id" and id_name:
            out[id_name] = value
        elif name in HIDDEN:
            continue
        elif name in json_columns and isinstance(value, str):
            out[name] = json.loads(value)
        else:
            out[name] = value
    return out


def _table(family: str) -> str:
    return BY_NAME[family].table(PREFIX)


def _value_columns(family: str, id_name: str | None) -> tuple[tuple[str, str, str], ...]:
    """(column, name `_row` gives it, SQL type) of what `_row` keeps of `family`, in its order."""
    spec = BY_NAME[family]
    out = [("stream_id", id_name, "uuid")] if id_name else []
    if spec.key:
        out.append((spec.key[0], spec.key[0], spec.key[1]))
    return (*out, *((name, name, kind) for name, kind in spec.columns))


class ConnectionFacts:
    """A fact about each connection's database, once asked (None: not asked yet); e.g. its text order.

    Keyed by the connection's settings object (one per server connection, also behind a pool's
    proxies); the entries hold it, so its id stays its own, and the oldest are dropped."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._known: dict[int, tuple[object, bool]] = {}

    def get(self, conn: asyncpg.Connection) -> bool | None:
        found = self._known.get(id(conn.get_settings()))
        return None if found is None else found[1]

    def put(self, conn: asyncpg.Connection, value: bool) -> None:
        settings = conn.get_settings()
        self._known[id(settings)] = (settings, value)
        while len(self._known) > self.size:
            del self._known[next(iter(self._known))]


# -- batched reads (one statement for many keys: what the API's DataLoaders call) --------------


def _group(rows: Iterable[dict[str, Any]], key: str) -> dict[Any, list[dict[str, Any]]]:
    out: dict[Any, list[dict[str, Any]]] = {}
    for row in rows:
        out.setdefault(row[key], []).append(row)
    return out


@cache
def _reading(
    family: str, id_name: str, only: frozenset[str] | None = None
) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """The columns `_row` keeps of `family` (select list, the names it gives them, the JSON ones);
    `only`: just those of these names."""
    columns = tuple(c for c in _value_columns(family, id_name) if only is None or c[1] in only)
    json_names = _json_columns(family)
    return (
        ", ".join(c for c, _, _ in columns),
        tuple(n for _, n, _ in columns),
        tuple(n for _, n, _ in columns if n in json_names),
    )


def _decoded(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    return [] if value == "[]" else json.loads(value)


async def _family_rows(
    conn: asyncpg.Connection,
    family: str,
    column: str,
    keys: Iterable[Any],
    point: Point,
    order: str,
    id_name: str,
    only: frozenset[str] | None = None,
) -> list[dict[str, Any]]:
    """Rows of `family` whose `column` is one of `keys`, at `point` (column from a fixed list), as
    `_row` makes them (reading only the columns it keeps; `only`: just those of these names)."""
    assert column in {"stream_id", "plan_id"}, column
    d, t, rep = _times(point.on, point.known_at, point.reported)
    selected, names, json_names = _reading(family, id_name, only)
    records = await conn.fetch(
        f"SELECT {selected} FROM {_table(family)} WHERE {column} = ANY($1::uuid[]) AND {AS_OF} ORDER BY {order}",
        list(keys),
        d,
        t,
        rep,
    )
    rows = [dict(zip(names, r.values(), strict=True)) for r in records]
    for name in json_names:
        for row in rows:
            row[name] = _decoded(row[name])
    return rows
