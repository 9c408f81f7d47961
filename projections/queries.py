"""Questions answered from the read models (never by replaying events).

Every as-of function takes `on` (valid time: the effective date; None = every fact, whatever its
date) and `known_at` (transaction time: None = everything recorded). It returns plain dicts
(JSON columns decoded) or dataclasses. Bitemporal columns (`valid_from` etc.) are dropped.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from itertools import groupby, islice
from operator import itemgetter
from typing import Any
from uuid import UUID

import asyncpg

from domain.vocabulary import ActivityStatus, RiskLevel
from projections.schema import ALL_DATES, ALL_TIMES, BY_NAME, PREFIX

AS_OF = "valid_from <= $2 AND $2 < valid_to AND recorded_from <= $3 AND $3 < recorded_to"
HIDDEN = {"valid_from", "valid_to", "recorded_from", "recorded_to", "stream_id"}


@dataclass(frozen=True)
class Point:
    """A point in both times: effective date `on`, as known at `known_at` (None = latest)."""

    on: date | None = None
    known_at: datetime | None = None


def _times(on: date | None, known_at: datetime | None) -> tuple[date, datetime]:
    return (on or ALL_DATES, known_at or ALL_TIMES)


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


# -- plans and activities ----------------------------------------------------------------------


@dataclass
class Rollup:
    """Counts by status, share completed (0..1) and mean progress (percent) of some activities."""

    total: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    completed: int = 0
    share_completed: Decimal | None = None
    mean_progress: Decimal | None = None

    @classmethod
    def of(cls, activities: Iterable[Mapping[str, Any]]) -> Rollup:
        items = list(activities)
        if not items:
            return cls()
        statuses = Counter(str(a["status"]) for a in items)
        progress = sum((Decimal(a["progress"]) for a in items), Decimal(0))
        return cls.counted(statuses, progress)

    @classmethod
    def counted(cls, statuses: Mapping[str, int], progress: Decimal) -> Rollup:
        """From the number of activities at each status and the sum of their progress."""
        total = sum(statuses.values())
        if not total:
            return cls()
        completed = statuses.get(ActivityStatus.COMPLETED.value, 0)
        return cls(
            total=total,
            by_status=dict(sorted(statuses.items())),
            completed=completed,
            share_completed=(Decimal(completed) / total).quantize(Decimal("0.0001")),
            mean_progress=(progress / total).quantize(Decimal("0.01")),
        )


def _as_of(alias: str) -> str:
    return (
        f"{alias}.valid_from <= $2 AND $2 < {alias}.valid_to "
        f"AND {alias}.recorded_from <= $3 AND $3 < {alias}.recorded_to"
    )


def _value_columns(family: str, id_name: str | None) -> tuple[tuple[str, str, str], ...]:
    """(column, name `_row` gives it, SQL type) of what `_row` keeps of `family`, in its order."""
    spec = BY_NAME[family]
    out = [("stream_id", id_name, "uuid")] if id_name else []
    if spec.key:
        out.append((spec.key[0], spec.key[0], spec.key[1]))
    return (*out, *((name, name, kind) for name, kind in spec.columns))


@dataclass(frozen=True)
class _PlanStatement:
    sorted: str  # activities in the answer's order (by strategy, title in the database's collation, id)
    unsorted: str  # the same rows in no order, for a database whose text order is Python's
    activity: dict[str, Any]  # an activity's keys in `_row`'s order (to copy and fill in)
    activity_read: tuple[str, ...]  # the keys of the columns read (all but plan_id, which is the plan's)
    plan_names: tuple[str, ...]
    plan_json: frozenset[str]
    strategy_names: tuple[str, ...]


#: whether the database's default collation orders text by code point, as Python compares str:
#: the builtin provider (PostgreSQL 17+), or libc's C / POSIX / C.UTF-8 on a UTF-8 database
CODE_POINT_ORDER = (
    "(SELECT datlocprovider = 'b' OR (datlocprovider = 'c' AND pg_encoding_to_char(encoding) = 'UTF8' "
    "AND lower(datcollate) IN ('c', 'posix', 'c.utf-8', 'c.utf8')) "
    "FROM pg_database WHERE datname = current_database())"
)


@cache
def _plan_statement() -> _PlanStatement:
    """The whole plan in one statement. Each row: an activity's columns (but its plan_id: that is
    the plan's id), `k` (1 for an activity, 0 for the plan), then, in the plan's row only, the
    plan (a record), its strategies (an array of records) and whether the database orders text by
    code point. The columns are those `_row` keeps, taken from the schema's families."""
    plan = _value_columns("plan", "id")
    strategy = _value_columns("strategy", None)
    activity = _value_columns("activity", "id")
    if _json_columns("strategy") or _json_columns("activity"):
        raise NotImplementedError("plan_as_of decodes JSON columns of the plan only")
    read = tuple(c for c in activity if c[0] != "plan_id")
    strategies = (
        f"ARRAY(SELECT ROW({', '.join(f's.{c}' for c, _, _ in strategy)}) FROM {_table('strategy')} s "
        f"WHERE s.stream_id = $1 AND {_as_of('s')} ORDER BY s.number)"
    )
    activity_nulls = ", ".join(f"NULL::{kind} AS a_{c}" for c, _, kind in read)
    sql = (
        f"SELECT {activity_nulls}, 0 AS k, ROW({', '.join(f'p.{c}' for c, _, _ in plan)}), {strategies}, "
        f"{CODE_POINT_ORDER} FROM {_table('plan')} p WHERE p.stream_id = $1 AND {_as_of('p')} "
        f"UNION ALL SELECT {', '.join(f'a.{c}' for c, _, _ in read)}, 1, NULL::record, NULL::record[], "
        f"NULL::boolean FROM {_table('activity')} a WHERE a.plan_id = $1 AND {_as_of('a')}"
    )
    return _PlanStatement(
        sorted=f"{sql} ORDER BY k, a_strategy_number, a_title, a_stream_id",
        unsorted=sql,
        activity=dict.fromkeys(n for _, n, _ in activity),
        activity_read=tuple(n for _, n, _ in read),
        plan_names=tuple(n for _, n, _ in plan),
        plan_json=_json_columns("plan"),
        strategy_names=tuple(n for _, n, _ in strategy),
    )


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


_code_point_order = ConnectionFacts()
_STRATEGY_NUMBER = itemgetter("strategy_number")
_IN_ORDER = itemgetter("strategy_number", "title", "id")  # as `activities_of` orders them
_STATUS = itemgetter("status")
_PROGRESS = itemgetter("progress")


def _nulls_last(activity: Mapping[str, Any]) -> tuple[Any, ...]:
    number, title = activity["strategy_number"], activity["title"]
    return (number is None, number or 0, title is None, title or "", activity["id"])


def _rollup(activities: list[dict[str, Any]]) -> Rollup:
    """`Rollup.of` of activities read by `plan_as_of` (progress is numeric: a Decimal already),
    counted in C loops."""
    if not activities:
        return Rollup()
    progress = sum(map(_PROGRESS, activities), Decimal(0))
    return Rollup.counted(Counter(map(str, map(_STATUS, activities))), progress)


async def plan_as_of(
    conn: asyncpg.Connection, plan_id: UUID, on: date | None = None, known_at: datetime | None = None
) -> dict[str, Any] | None:
    """The plan with its strategies, each with its activities and roll-up, and the plan's roll-up.

    None when the plan did not exist at that point. One statement (`_plan_statement`); where the
    database orders text as Python does, the activities are put in order here rather than there.
    """
    d, t = _times(on, known_at)
    statement = _plan_statement()
    python_sorts = _code_point_order.get(conn)
    records = await conn.fetch(statement.unsorted if python_sorts else statement.sorted, plan_id, d, t)
    rows: Iterable[asyncpg.Record]
    if records and records[0]["k"] == 0:
        plan_row, rows = records[0], islice(records, 1, None)
    else:  # the plan's row comes first in practice; without ORDER BY nothing promises it
        plan_row = next((r for r in records if r["k"] == 0), None)
        if plan_row is None:
            return None
        rows = (r for r in records if r is not plan_row)
    plan = plan_row.values()
    for _ in range(len(statement.activity_read) + 1):  # the activity's columns and `k`
        next(plan)
    result: dict[str, Any] = {}
    for name, value in zip(statement.plan_names, next(plan), strict=True):
        result[name] = json.loads(value) if name in statement.plan_json and isinstance(value, str) else value
    plan_uuid = result["id"]  # every activity's plan_id: they were read by it
    template, read = statement.activity, statement.activity_read
    acts = []
    for r in rows:
        activity = template.copy()  # the keys in `_row`'s order
        activity.update(zip(read, r.values()))  # noqa: B905 - the activity's columns come first
        activity["plan_id"] = plan_uuid
        acts.append(activity)
    strategy_rows, code_point_order = next(plan), next(plan)
    if python_sorts is None:
        _code_point_order.put(conn, bool(code_point_order))
    elif python_sorts:
        try:
            acts.sort(key=_IN_ORDER)
        except TypeError:  # a NULL strategy number or title: last, as PostgreSQL puts them
            acts.sort(key=_nulls_last)
    by_strategy = {number: list(group) for number, group in groupby(acts, _STRATEGY_NUMBER)}
    result["strategies"] = []
    for s in strategy_rows:
        strategy = dict(zip(statement.strategy_names, s, strict=True))
        mine = by_strategy.get(strategy["number"], [])
        strategy["activities"] = mine
        strategy["rollup"] = _rollup(mine)
        result["strategies"].append(strategy)
    result["activities"] = acts
    result["rollup"] = _rollup(acts)
    return result


async def activity_as_of(
    conn: asyncpg.Connection, activity_id: UUID, on: date | None = None, known_at: datetime | None = None
) -> dict[str, Any] | None:
    """One activity with its milestones and risks at that point; None if it did not exist."""
    point = Point(on, known_at)
    result = (await activities_by_id(conn, [activity_id], point)).get(activity_id)
    if result is None:
        return None
    result["milestones"] = (await milestones_of(conn, [activity_id], point)).get(activity_id, [])
    result["risks"] = (await risks_of(conn, [activity_id], point)).get(activity_id, [])
    return result


def _milestone(record: asyncpg.Record, overdue_on: date) -> dict[str, Any]:
    return _judged(_row(record, "milestone", "activity_id"), overdue_on)


def _judged(milestone: dict[str, Any], overdue_on: date) -> dict[str, Any]:
    """The milestone with `overdue`: still planned and due before `overdue_on`."""
    milestone["overdue"] = milestone["status"] == "PLANNED" and milestone["due_on"] < overdue_on
    return milestone


async def milestones(
    conn: asyncpg.Connection,
    plan_id: UUID | None = None,
    activity_id: UUID | None = None,
    on: date | None = None,
    known_at: datetime | None = None,
    overdue_on: date | None = None,
    only_overdue: bool = False,
) -> list[dict[str, Any]]:
    """Milestone timelines: original due date, every reschedule, achieved/dropped, slip, overdue.

    `overdue` is judged as of `overdue_on` (default: `on`, else today).
    """
    d, t = _times(on, known_at)
    judge = overdue_on or on or date.today()
    records = await conn.fetch(
        f"SELECT * FROM {_table('milestone')} WHERE ($1::uuid IS NULL OR plan_id = $1) AND {AS_OF} "
        "AND ($4::uuid IS NULL OR stream_id = $4) "
        "AND (NOT $5 OR (status = 'PLANNED' AND due_on < $6)) "
        "ORDER BY due_on, milestone_id",
        plan_id,
        d,
        t,
        activity_id,
        only_overdue,
        judge,
    )
    return [_milestone(r, judge) for r in records]


async def risks(
    conn: asyncpg.Connection,
    plan_id: UUID | None = None,
    on: date | None = None,
    known_at: datetime | None = None,
    min_level: str | None = None,
    statuses: Iterable[str] | None = None,
) -> list[dict[str, Any]]:
    """The risk register at that point, highest score first."""
    d, t = _times(on, known_at)
    rank = RiskLevel.parse(min_level, "minLevel").rank if min_level else 0
    wanted = list(statuses) if statuses is not None else None
    records = await conn.fetch(
        f"SELECT * FROM {_table('risk')} WHERE ($1::uuid IS NULL OR plan_id = $1) AND {AS_OF} "
        "AND level_rank >= $4 AND ($5::text[] IS NULL OR status = ANY($5)) "
        "ORDER BY score DESC, noted_on, risk_id",
        plan_id,
        d,
        t,
        rank,
        wanted,
    )
    return [_row(r, "risk", "activity_id") for r in records]


async def risk_history(conn: asyncpg.Connection, activity_id: UUID, risk_id: str) -> list[dict[str, Any]]:
    """Every version of a risk ever believed, with its valid and recorded intervals."""
    records = await conn.fetch(
        f"SELECT * FROM {_table('risk')} WHERE stream_id = $1 AND risk_id = $2 ORDER BY recorded_from, valid_from",
        activity_id,
        risk_id,
    )
    out = []
    for r in records:
        row = _row(r, "risk", "activity_id")
        row.update(
            valid_from=r["valid_from"],
            valid_to=r["valid_to"],
            recorded_from=r["recorded_from"],
            recorded_to=r["recorded_to"],
        )
        out.append(row)
    return out


# -- meetings -----------------------------------------------------------------------------------


async def _meeting_id(conn: asyncpg.Connection, id_or_code: UUID | str) -> UUID | None:
    if isinstance(id_or_code, UUID):
        return id_or_code
    try:
        return UUID(id_or_code)
    except ValueError:
        value = await conn.fetchval(
            f"SELECT stream_id FROM {_table('meeting')} WHERE code = $1 ORDER BY recorded_to DESC, valid_to DESC "
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
    )
    return value if isinstance(value, date) else None


async def at_meeting(conn: asyncpg.Connection, id_or_code: UUID | str, known_at: datetime | None = None) -> Point:
    """The point a meeting stands for: its date (as known at `known_at`)."""
    on = await date_of_meeting(conn, id_or_code, known_at)
    if on is None:
        raise LookupError(f"no meeting {id_or_code}")
    return Point(on, known_at)


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


def _action_item(record: asyncpg.Record, today: date) -> dict[str, Any]:
    item = _row(record, "action_item", "meeting_id")
    if item["done_on"] is not None and item["done_on"] <= today:
        item["state"] = "DONE"
    elif item["due_on"] is not None and item["due_on"] < today:
        item["state"] = "OVERDUE"
    else:
        item["state"] = "OPEN"
    return item


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
    d, t = _times(as_of, known_at)
    records = await conn.fetch(
        f"SELECT * FROM {_table('action_item')} WHERE ($1::uuid IS NULL OR plan_id = $1) AND {AS_OF} "
        "AND ($4::text IS NULL OR owner = $4) ORDER BY meeting_on, item_id",
        plan_id,
        d,
        t,
        owner,
    )
    items = [_action_item(r, today) for r in records]
    return [i for i in items if state is None or i["state"] == state.upper()]


async def meetings(
    conn: asyncpg.Connection, plan_id: UUID | None = None, first: int = 20, after: date | None = None
) -> list[dict[str, Any]]:
    """Meetings (as now known) in date order, `first` of them after date `after`."""
    records = await conn.fetch(
        f"SELECT * FROM {_table('meeting')} WHERE ($1::uuid IS NULL OR plan_id = $1) AND {AS_OF} "
        "AND ($4::date IS NULL OR meeting_on > $4) ORDER BY meeting_on, code LIMIT $5",
        plan_id,
        ALL_DATES,
        ALL_TIMES,
        after,
        max(0, min(first, 1000)),
    )
    return [_row(r, "meeting", "id") for r in records]


# -- the event index --------------------------------------------------------------------------

EVENT_FILTERS = ("stream_id", "type", "plan_id", "meeting_id", "actor")
STREAM_TYPES = ("Plan", "Activity", "Meeting")


def _types(wanted: str | list[str] | None) -> list[str] | None:
    """Event types as stored ("Activity.StatusChanged", or "Corrected" for any stream); a bare name
    ("StatusChanged") matches it in any kind of stream."""
    if wanted is None:
        return None
    names = [wanted] if isinstance(wanted, str) else list(wanted)
    out: list[str] = []
    for name in names:
        out += [name] if "." in name else [name, *(f"{kind}.{name}" for kind in STREAM_TYPES)]
    return out


async def events(
    conn: asyncpg.Connection,
    first: int = 50,
    after: int | None = None,
    filter: Mapping[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Events in log order after position `after`, filtered by any of stream_id, type, plan_id,
    meeting_id, actor (equality) and effective_from / effective_to (inclusive dates)."""
    f = dict(filter or {})
    unknown = set(f) - {*EVENT_FILTERS, "effective_from", "effective_to"}
    if unknown:
        raise ValueError(f"unknown event filters: {sorted(unknown)}")
    records = await conn.fetch(
        f"SELECT * FROM {PREFIX}event WHERE position > $1 "
        "AND ($2::uuid IS NULL OR stream_id = $2) AND ($3::text[] IS NULL OR type = ANY($3)) "
        "AND ($4::uuid IS NULL OR plan_id = $4) AND ($5::text IS NULL OR meeting_id = $5) "
        "AND ($6::text IS NULL OR actor = $6) AND ($7::date IS NULL OR effective_on >= $7) "
        "AND ($8::date IS NULL OR effective_on <= $8) ORDER BY position LIMIT $9",
        after or 0,
        f.get("stream_id"),
        _types(f.get("type")),
        f.get("plan_id"),
        f.get("meeting_id"),
        f.get("actor"),
        f.get("effective_from"),
        f.get("effective_to"),
        max(0, min(first, 10_000)),
    )
    out = []
    for r in records:
        row = dict(r)
        row["payload"] = json.loads(row["payload"]) if row["payload"] else None
        out.append(row)
    return out


# -- baseline comparison ----------------------------------------------------------------------


@dataclass
class Changes:
    """What changed in a plan between two points."""

    activities: list[dict[str, Any]] = field(default_factory=list)
    milestones_met: list[dict[str, Any]] = field(default_factory=list)
    milestones_slipped: list[dict[str, Any]] = field(default_factory=list)
    risks_noted: list[dict[str, Any]] = field(default_factory=list)
    risks_rescored: list[dict[str, Any]] = field(default_factory=list)
    risks_closed: list[dict[str, Any]] = field(default_factory=list)
    resolutions_passed: list[dict[str, Any]] = field(default_factory=list)


async def _rows_at(conn: asyncpg.Connection, family: str, plan_id: UUID, point: Point) -> list[asyncpg.Record]:
    d, t = _times(point.on, point.known_at)
    result: list[asyncpg.Record] = await conn.fetch(
        f"SELECT * FROM {_table(family)} WHERE plan_id = $1 AND {AS_OF}", plan_id, d, t
    )
    return result


async def changes(
    conn: asyncpg.Connection, plan_id: UUID, from_point: Point, to_point: Point, only: frozenset[str] | None = None
) -> Changes:
    """Activities whose status, progress or outcome changed; milestones met or slipped; risks
    noted, re-scored or closed; resolutions passed — between `from_point` and `to_point`.
    `only`: just these families (activity, milestone, risk, resolution); the rest stay empty."""
    out = Changes()
    wanted = only or frozenset({"activity", "milestone", "risk", "resolution"})

    async def both(family: str, key: str) -> tuple[dict[Any, dict[str, Any]], dict[Any, dict[str, Any]]]:
        rows = []
        for point in (from_point, to_point):
            records = await _rows_at(conn, family, plan_id, point)
            rows.append({(r["stream_id"], r[key] if key else None): r for r in records})
        return (
            {k: _row(v, family, "stream_id") for k, v in rows[0].items()},
            {k: _row(v, family, "stream_id") for k, v in rows[1].items()},
        )

    before, after = await both("activity", "") if "activity" in wanted else ({}, {})
    for k, new in after.items():
        old = before.get(k)
        changed = [f for f in ("status", "progress", "outcome") if old is None or old[f] != new[f]]
        if changed:
            out.activities.append(
                {
                    "activity_id": k[0],
                    "title": new["title"],
                    "changed": changed,
                    "before": None if old is None else {f: old[f] for f in changed},
                    "after": {f: new[f] for f in changed},
                }
            )
    before, after = await both("milestone", "milestone_id") if "milestone" in wanted else ({}, {})
    for k, new in after.items():
        old = before.get(k)
        if new["status"] == "ACHIEVED" and (old is None or old["status"] != "ACHIEVED"):
            out.milestones_met.append({"activity_id": k[0], **new})
        if old is not None and new["due_on"] > old["due_on"]:
            out.milestones_slipped.append(
                {
                    "activity_id": k[0],
                    **new,
                    "due_before": old["due_on"],
                    "slipped_days": (new["due_on"] - old["due_on"]).days,
                }
            )
    before, after = await both("risk", "risk_id") if "risk" in wanted else ({}, {})
    for k, new in after.items():
        old = before.get(k)
        if old is None:
            out.risks_noted.append({"activity_id": k[0], **new})
            continue
        if old["score"] != new["score"]:
            out.risks_rescored.append(
                {"activity_id": k[0], **new, "score_before": old["score"], "level_before": old["level"]}
            )
        if new["status"] == "CLOSED" and old["status"] != "CLOSED":
            out.risks_closed.append({"activity_id": k[0], **new})
    before, after = await both("resolution", "resolution_id") if "resolution" in wanted else ({}, {})
    out.resolutions_passed = [{"meeting_id": k[0], **v} for k, v in after.items() if k not in before]
    return out


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
    d, t = _times(point.on, point.known_at)
    selected, names, json_names = _reading(family, id_name, only)
    records = await conn.fetch(
        f"SELECT {selected} FROM {_table(family)} WHERE {column} = ANY($1::uuid[]) AND {AS_OF} ORDER BY {order}",
        list(keys),
        d,
        t,
    )
    rows = [dict(zip(names, r.values(), strict=True)) for r in records]
    for name in json_names:
        for row in rows:
            row[name] = _decoded(row[name])
    return rows


async def all_plans(conn: asyncpg.Connection, point: Point = Point()) -> list[dict[str, Any]]:
    """Every plan that existed at `point`, by code."""
    d, t = _times(point.on, point.known_at)
    records = await conn.fetch(
        f"SELECT * FROM {_table('plan')} WHERE $1::int IS NULL AND {AS_OF} ORDER BY code", None, d, t
    )
    return [_row(r, "plan", "id") for r in records]


async def plans_by_id(conn: asyncpg.Connection, ids: Iterable[UUID], point: Point) -> dict[UUID, dict[str, Any]]:
    rows = await _family_rows(conn, "plan", "stream_id", ids, point, "code", "id")
    return {r["id"]: r for r in rows}


async def strategies_of(
    conn: asyncpg.Connection, plan_ids: Iterable[UUID], point: Point
) -> dict[UUID, list[dict[str, Any]]]:
    rows = await _family_rows(conn, "strategy", "stream_id", plan_ids, point, "stream_id, number", "plan_id")
    return _group(rows, "plan_id")


async def activities_of(
    conn: asyncpg.Connection, plan_ids: Iterable[UUID], point: Point
) -> dict[UUID, list[dict[str, Any]]]:
    rows = await _family_rows(conn, "activity", "plan_id", plan_ids, point, "strategy_number, title, stream_id", "id")
    return _group(rows, "plan_id")


async def activities_by_id(conn: asyncpg.Connection, ids: Iterable[UUID], point: Point) -> dict[UUID, dict[str, Any]]:
    rows = await _family_rows(conn, "activity", "stream_id", ids, point, "stream_id", "id")
    return {r["id"]: r for r in rows}


async def milestones_of(
    conn: asyncpg.Connection, activity_ids: Iterable[UUID], point: Point
) -> dict[UUID, list[dict[str, Any]]]:
    """Each activity's milestones at `point`; `overdue` judged on the point's date (else today)."""
    rows = await _family_rows(
        conn, "milestone", "stream_id", activity_ids, point, "stream_id, original_due_on, milestone_id", "activity_id"
    )
    judge = point.on or date.today()
    return _group([_judged(m, judge) for m in rows], "activity_id")


async def risks_of(
    conn: asyncpg.Connection, activity_ids: Iterable[UUID], point: Point
) -> dict[UUID, list[dict[str, Any]]]:
    rows = await _family_rows(conn, "risk", "stream_id", activity_ids, point, "stream_id, risk_id", "activity_id")
    return _group(rows, "activity_id")


def _by_plan_and_activity(rows: list[dict[str, Any]]) -> dict[UUID, dict[UUID, list[dict[str, Any]]]]:
    out: dict[UUID, dict[UUID, list[dict[str, Any]]]] = {}
    for row in rows:
        out.setdefault(row["plan_id"], {}).setdefault(row["activity_id"], []).append(row)
    return out


def _at_least(names: Iterable[str] | None, *needed: str) -> frozenset[str] | None:
    return None if names is None else frozenset((*names, *needed))


async def plan_milestones(
    conn: asyncpg.Connection, plan_ids: Iterable[UUID], point: Point, names: Iterable[str] | None = None
) -> dict[UUID, dict[UUID, list[dict[str, Any]]]]:
    """`milestones_of` every activity of each plan: {plan: {activity: milestones}}, one statement.
    `names`: the milestones' keys wanted (None: all); those it groups and judges by are always read."""
    only = _at_least(names, "plan_id", "activity_id", "status", "due_on")
    rows = await _family_rows(
        conn, "milestone", "plan_id", plan_ids, point, "stream_id, original_due_on, milestone_id", "activity_id", only
    )
    judge = point.on or date.today()
    return _by_plan_and_activity([_judged(m, judge) for m in rows])


async def plan_risks(
    conn: asyncpg.Connection, plan_ids: Iterable[UUID], point: Point, names: Iterable[str] | None = None
) -> dict[UUID, dict[UUID, list[dict[str, Any]]]]:
    """`risks_of` every activity of each plan: {plan: {activity: risks}}, one statement. `names`: the
    risks' keys wanted (None: all); those it groups by are always read."""
    only = _at_least(names, "plan_id", "activity_id")
    rows = await _family_rows(conn, "risk", "plan_id", plan_ids, point, "stream_id, risk_id", "activity_id", only)
    return _by_plan_and_activity(rows)


async def risk_histories(
    conn: asyncpg.Connection, keys: Iterable[tuple[UUID, str]]
) -> dict[tuple[UUID, str], list[dict[str, Any]]]:
    """Every version of each (activity, risk) ever believed, with its valid and recorded intervals."""
    pairs = list(keys)
    records = await conn.fetch(
        f"SELECT r.* FROM {_table('risk')} r JOIN unnest($1::uuid[], $2::text[]) AS k(stream_id, risk_id) "
        "ON r.stream_id = k.stream_id AND r.risk_id = k.risk_id ORDER BY r.recorded_from, r.valid_from",
        [p[0] for p in pairs],
        [p[1] for p in pairs],
    )
    out: dict[tuple[UUID, str], list[dict[str, Any]]] = {}
    for r in records:
        row = _row(r, "risk", "activity_id")
        row.update(
            valid_from=r["valid_from"],
            valid_to=r["valid_to"],
            recorded_from=r["recorded_from"],
            recorded_to=r["recorded_to"],
        )
        out.setdefault((r["stream_id"], r["risk_id"]), []).append(row)
    return out


async def stream_versions(
    conn: asyncpg.Connection, stream_ids: Iterable[UUID], known_at: datetime | None = None
) -> dict[UUID, int]:
    """Each stream's version as known at `known_at` (what an expectedVersion is checked against)."""
    records = await conn.fetch(
        f"SELECT stream_id, max(version) AS version FROM {PREFIX}event WHERE stream_id = ANY($1::uuid[]) "
        "AND recorded_at <= $2 GROUP BY stream_id",
        list(stream_ids),
        known_at or ALL_TIMES,
    )
    return {r["stream_id"]: int(r["version"]) for r in records}


def _event(record: asyncpg.Record) -> dict[str, Any]:
    row = dict(record)
    row["payload"] = json.loads(row["payload"]) if row["payload"] else None
    return row


async def stream_histories(
    conn: asyncpg.Connection, stream_ids: Iterable[UUID], first: int, after: int = 0
) -> dict[UUID, list[dict[str, Any]]]:
    """For each stream, its first `first` events after position `after`, in log order."""
    records = await conn.fetch(
        f"SELECT * FROM (SELECT e.*, row_number() OVER (PARTITION BY stream_id ORDER BY position) AS n "
        f"FROM {PREFIX}event e WHERE stream_id = ANY($1::uuid[]) AND position > $2) s WHERE n <= $3 "
        "ORDER BY stream_id, position",
        list(stream_ids),
        after,
        first,
    )
    out: dict[UUID, list[dict[str, Any]]] = {}
    for r in records:
        row = _event(r)
        row.pop("n", None)
        out.setdefault(r["stream_id"], []).append(row)
    return out


async def meetings_by_id(
    conn: asyncpg.Connection, ids: Iterable[UUID], point: Point = Point()
) -> dict[UUID, dict[str, Any]]:
    rows = await _family_rows(conn, "meeting", "stream_id", ids, point, "stream_id", "id")
    return {r["id"]: r for r in rows}


async def meeting_ids_by_code(conn: asyncpg.Connection, code: str, body: str | None = None) -> list[UUID]:
    """The meetings (as now known) with this code, newest first; several when bodies share codes."""
    records = await conn.fetch(
        f"SELECT stream_id FROM {_table('meeting')} WHERE code = $1 AND ($2::text IS NULL OR body = $2) "
        f"AND valid_to > $3 AND recorded_to > $4 ORDER BY meeting_on DESC, stream_id",
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
    d, t = _times(point.on, point.known_at)
    items = await conn.fetch(
        f"SELECT * FROM {_table('action_item')} WHERE stream_id = ANY($1::uuid[]) AND {AS_OF} ORDER BY item_id",
        ids,
        d,
        t,
    )
    judge = today or point.on or date.today()
    by_resolution: dict[tuple[UUID, str], list[dict[str, Any]]] = {}
    for item in items:
        by_resolution.setdefault((item["stream_id"], item["resolution_id"]), []).append(_action_item(item, judge))
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
        "AND ($4::boolean OR (meeting_on, code, stream_id) > ($5, $6, $7)) "
        "ORDER BY meeting_on, code, stream_id LIMIT $8",
        plan_id,
        ALL_DATES,
        ALL_TIMES,
        after is None,
        on,
        code,
        stream_id,
        first,
    )
    return [_row(r, "meeting", "id") for r in records]
