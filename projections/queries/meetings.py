"""Meetings and what they decide: a meeting by id or code (such as "1/2564") with its resolutions
and their action items (`state` OPEN / DONE / OVERDUE, judged as of a date), the point a meeting
stands for (at_meeting, date_of_meeting), meetings in date order and by page, action items by
owner or state, and the batched reads by meeting (meetings_by_id, meeting_ids_by_code,
resolutions_of, meeting_page). Together because resolutions and action items are kept in the
meeting's stream.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any
from uuid import UUID

import asyncpg

from projections.queries.rows import ALL_REPORTED, AS_OF, Point, _family_rows, _group, _row, _table, _times
from projections.schema import ALL_DATES, ALL_TIMES


async def _meeting_id(conn: asyncpg.Connection, id_or_code: UUID | str) -> UUID | None:
    if isinstance(id_or_code, UUID):
        return id_or_code
    try:
        return UUID(id_or_code)
    except ValueError:
        value = await conn.fetchval(
            f"SELECT stream_id FROM {_table('meeting')} WHERE code = $1 AND {ALL_REPORTED} "
            "ORDER BY recorded_to DESC, valid_to DESC "
            "LIMIT 1",
            id_or_code.strip(),
        )
        return value if isinstance(value, UUID) else None


async def date_of_meeting(
    conn: asyncpg.Connection, id_or_code: UUID | str, known_at: datetime | None = None
) -> date | None:
    """The date a meeting (by id or code such as "1/2564") was held, as known at `known_at` (default: now)."""
    meeting_id = await _meeting_id(conn, id_or_code)
    if meeting_id is None:
        return None
    value = await conn.fetchval(
        f"SELECT meeting_on FROM {_table('meeting')} WHERE stream_id = $1 AND {AS_OF}",
        meeting_id,
        ALL_DATES,
        known_at or ALL_TIMES,
        ALL_DATES,
    )
    return value if isinstance(value, date) else None


async def at_meeting(conn: asyncpg.Connection, id_or_code: UUID | str, known_at: datetime | None = None) -> Point:
    """The meeting's date as a point in valid time only (as known at `known_at`): everything
    reported, whenever, as it stood on that date. What the committee had been told by the meeting
    (the API's `asOf: {meeting}`) is `told_by`."""
    on = await date_of_meeting(conn, id_or_code, known_at)
    if on is None:
        raise LookupError(f"no meeting {id_or_code}")
    return Point(on, known_at)


async def told_by(conn: asyncpg.Connection, id_or_code: UUID | str, known_at: datetime | None = None) -> Point:
    """What the committee had been told by a meeting (facts reported at it or an earlier meeting,
    and live updates recorded by its date), as it stood on its date, as known at `known_at`."""
    on = await date_of_meeting(conn, id_or_code, known_at)
    if on is None:
        raise LookupError(f"no meeting {id_or_code}")
    return Point(on, known_at, reported=on)


async def meeting(
    conn: asyncpg.Connection, id_or_code: UUID | str, known_at: datetime | None = None
) -> dict[str, Any] | None:
    """A meeting with attendance, agenda, minutes approvals (with corrections), resolutions and
    their action items (each with `state` open / done / overdue as of today)."""
    meeting_id = await _meeting_id(conn, id_or_code)
    if meeting_id is None:
        return None
    point = Point(None, known_at)
    result = (await meetings_by_id(conn, [meeting_id], point)).get(meeting_id)
    if result is None:
        return None
    result["resolutions"] = (await resolutions_of(conn, [meeting_id], point)).get(meeting_id, [])
    return result


#: a meeting named by its code at the end of an action item's `due_meeting` ("<body> ครั้งที่ 2/2564")
_NAMED_MEETING = re.compile(r"ครั้งที่\s*(?P<code>[0-9]{1,3}/[0-9]{4})$")


def _action_item(record: asyncpg.Record, today: date, following: dict[str, dict[str, date]]) -> dict[str, Any]:
    """An action item with its `state` as of `today`: DONE once done; OVERDUE after its due date
    while open; else OPEN. A periodic item ("report to this meeting periodically") is due again at
    each meeting of its body after the one that assigned it until it is done: its `due_on` is the
    first of those on or after `today` (None when no such meeting is known), so it is never
    overdue by a meeting gone by — the next one asks again. An item due at a meeting of its own
    body named by code ("… ครั้งที่ 2/2564") whose date its minutes did not know is due on that
    meeting's date once the read models know it."""
    item = _row(record, "action_item", "meeting_id")
    held = following.get(item.get("body") or "", {})
    named = _NAMED_MEETING.search(item["due_meeting"] or "")
    if item["due_on"] is None and named is not None and item["due_meeting"].startswith(item.get("body") or "\0"):
        item["due_on"] = held.get(named["code"])  # this body's meeting named by code, once its date is known
    if item.get("periodic") and item["due_on"] is None:
        later = [on for on in held.values() if on > item["meeting_on"] and on >= today]
        item["due_on"] = min(later, default=None)
    if item["done_on"] is not None and item["done_on"] <= today:
        item["state"] = "DONE"
    elif item["due_on"] is not None and item["due_on"] < today:
        item["state"] = "OVERDUE"
    else:
        item["state"] = "OPEN"
    return item


async def judged_action_items(
    conn: asyncpg.Connection, records: list[asyncpg.Record], today: date
) -> list[dict[str, Any]]:
    """Action item records with their `state` (and a periodic item's next `due_on`) as of `today`."""
    following = await _meeting_days(conn, records)
    return [_action_item(r, today, following) for r in records]


async def _meeting_days(conn: asyncpg.Connection, records: Iterable[asyncpg.Record]) -> dict[str, dict[str, date]]:
    """Code -> day of the meetings (as now known) of the bodies of the items among `records` that
    may need them (periodic, or due at a meeting with no date yet)."""
    bodies = sorted(
        {
            r["body"]
            for r in records
            if r["body"] is not None and (r["periodic"] or (r["due_on"] is None and r["due_meeting"] is not None))
        }
    )
    if not bodies:
        return {}
    rows = await conn.fetch(
        f"SELECT body, code, meeting_on FROM {_table('meeting')} WHERE body = ANY($1::text[]) AND {AS_OF} "
        "ORDER BY meeting_on",
        bodies,
        ALL_DATES,
        ALL_TIMES,
        ALL_DATES,
    )
    days: dict[str, dict[str, date]] = {}
    for row in rows:
        days.setdefault(row["body"], {})[row["code"]] = row["meeting_on"]
    return days


async def action_items(
    conn: asyncpg.Connection,
    plan_id: UUID | None = None,
    owner: str | None = None,
    state: str | None = None,
    as_of: date | None = None,
    known_at: datetime | None = None,
) -> list[dict[str, Any]]:
    """Action items (assigned work): `state` OPEN / DONE / OVERDUE judged as of `as_of` (default today)."""
    today = as_of or date.today()
    d, t, rep = _times(as_of, known_at)
    records = await conn.fetch(
        f"SELECT * FROM {_table('action_item')} WHERE ($1::uuid IS NULL OR plan_id = $1) AND {AS_OF} "
        "AND ($5::text IS NULL OR owner = $5) ORDER BY meeting_on, item_id",
        plan_id,
        d,
        t,
        rep,
        owner,
    )
    following = await _meeting_days(conn, records)
    items = [_action_item(r, today, following) for r in records]
    return [i for i in items if state is None or i["state"] == state.upper()]


async def meetings(
    conn: asyncpg.Connection, plan_id: UUID | None = None, first: int = 20, after: date | None = None
) -> list[dict[str, Any]]:
    """Meetings (as now known) in date order, `first` of them after date `after`."""
    records = await conn.fetch(
        f"SELECT * FROM {_table('meeting')} WHERE ($1::uuid IS NULL OR plan_id = $1) AND {AS_OF} "
        "AND ($5::date IS NULL OR meeting_on > $5) ORDER BY meeting_on, code LIMIT $6",
        plan_id,
        ALL_DATES,
        ALL_TIMES,
        ALL_DATES,
        after,
        max(0, min(first, 1000)),
    )
    return [_row(r, "meeting", "id") for r in records]


# -- batched reads (one statement for many keys: what the API's DataLoaders call) --------------


async def meetings_by_id(
    conn: asyncpg.Connection, ids: Iterable[UUID], point: Point = Point()
) -> dict[UUID, dict[str, Any]]:
    rows = await _family_rows(conn, "meeting", "stream_id", ids, point, "stream_id", "id")
    return {r["id"]: r for r in rows}


async def meeting_ids_by_code(conn: asyncpg.Connection, code: str, body: str | None = None) -> list[UUID]:
    """The meetings (as now known) with this code, newest first; several when bodies share codes."""
    records = await conn.fetch(
        f"SELECT stream_id FROM {_table('meeting')} WHERE code = $1 AND ($2::text IS NULL OR body = $2) "
        f"AND valid_to > $3 AND recorded_to > $4 AND {ALL_REPORTED} ORDER BY meeting_on DESC, stream_id",
        code.strip(),
        body,
        ALL_DATES,
        ALL_TIMES,
    )
    return [r["stream_id"] for r in records]


async def resolutions_of(
    conn: asyncpg.Connection, meeting_ids: Iterable[UUID], point: Point = Point(), today: date | None = None
) -> dict[UUID, list[dict[str, Any]]]:
    """Each meeting's resolutions with their action items (`state` OPEN / DONE / OVERDUE as of `today`)."""
    ids = list(meeting_ids)
    resolutions = await _family_rows(
        conn, "resolution", "stream_id", ids, point, "stream_id, agenda_item NULLS LAST, resolution_id", "meeting_id"
    )
    d, t, rep = _times(point.on, point.known_at, point.reported)
    items = await conn.fetch(
        f"SELECT * FROM {_table('action_item')} WHERE stream_id = ANY($1::uuid[]) AND {AS_OF} ORDER BY item_id",
        ids,
        d,
        t,
        rep,
    )
    judge = today or point.on or date.today()
    following = await _meeting_days(conn, items)
    by_resolution: dict[tuple[UUID, str], list[dict[str, Any]]] = {}
    for item in items:
        by_resolution.setdefault((item["stream_id"], item["resolution_id"]), []).append(
            _action_item(item, judge, following)
        )
    for r in resolutions:
        r["action_items"] = by_resolution.get((r["meeting_id"], r["resolution_id"]), [])
    return _group(resolutions, "meeting_id")


async def meeting_page(
    conn: asyncpg.Connection,
    plan_id: UUID | None,
    first: int,
    after: tuple[date, str, UUID] | None = None,
) -> list[dict[str, Any]]:
    """Meetings (as now known) in (date, code, id) order, `first` of them after the key `after`."""
    on, code, stream_id = after or (date.min, "", UUID(int=0))
    records = await conn.fetch(
        f"SELECT * FROM {_table('meeting')} WHERE ($1::uuid IS NULL OR plan_id = $1) AND {AS_OF} "
        "AND ($5::boolean OR (meeting_on, code, stream_id) > ($6, $7, $8)) "
        "ORDER BY meeting_on, code, stream_id LIMIT $9",
        plan_id,
        ALL_DATES,
        ALL_TIMES,
        ALL_DATES,
        after is None,
        on,
        code,
        stream_id,
        first,
    )
    return [_row(r, "meeting", "id") for r in records]


async def membership_changes(
    conn: asyncpg.Connection, body: str | None = None, meeting_ids: Iterable[UUID] | None = None
) -> list[dict[str, Any]]:
    """Changes of committees' membership (as now known): of one body, or announced at these
    meetings, in the order they were recorded as known."""
    ids = None if meeting_ids is None else [str(m) for m in meeting_ids]
    records = await conn.fetch(
        f"SELECT * FROM {_table('membership_change')} WHERE {AS_OF} "
        "AND ($1::text IS NULL OR body = $1) AND ($5::text[] IS NULL OR meeting_id = ANY($5::text[])) "
        "ORDER BY recorded_on, change_id",
        body,
        ALL_DATES,
        ALL_TIMES,
        ALL_DATES,
        ids,
    )
    return [_row(r, "membership_change", "committee_id") for r in records]
