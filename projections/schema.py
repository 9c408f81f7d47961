"""The read-model tables: one bitemporal table per kind of row, the event index, the position.

Every row of a bitemporal table ("family") says: this entity had these values for effective dates
`valid_from <= D < valid_to`, as the committee had been told by reporting dates
`reported_from <= R < reported_to` (the reporting axis: `projections/reported.py`), as the ledger
believed from `recorded_from` until `recorded_to` (half-open on every axis). Rows still believed
have `recorded_to = END_TIME`; rows valid for every later date have `valid_to = END_DATE`, and rows
still told at every later reporting date `reported_to = END_DATE` (finite sentinels, not
PostgreSQL's `infinity`, so values round-trip unchanged through asyncpg).

Table names are fixed identifiers from this module plus a prefix chosen by the code (`rm_` for
the live tables, another for scratch copies): never from user input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

import asyncpg

END_DATE = date(9999, 12, 31)
END_TIME = datetime(9999, 12, 31, tzinfo=UTC)
#: what "every date" / "everything recorded" is in a query (strictly before the sentinels)
ALL_DATES = date(9999, 12, 30)
ALL_TIMES = datetime(9999, 12, 30, tzinfo=UTC)

PREFIX = "rm_"
EVENTS_TABLE = "planledger_events"
EVENTS_CHANNEL = "planledger_events"
PROJECTED_CHANNEL = "planledger_projected"
POSITION_TABLE = "projection_position"
#: component -> the version of it the database holds (`planledger migrate` keeps it)
SCHEMA_TABLE = "planledger_schema"
READ_MODELS = "read_models"
#: advisory lock keys (arbitrary constants): the one active projector, and schema changes
PROJECTOR_LOCK = 0x706C616E5F726D  # "plan_rm"
SCHEMA_LOCK = 0x706C616E5F736368  # "plan_sch"


#: the three times' columns in the order an as-of index takes them (current beliefs first): every
#: condition of the as-of test is then checked in the index, and only matching rows are read from
#: the table. (Without the reporting axis's two, a plan as of a date read every reporting epoch's
#: row version of its 256 activities and dropped most: 3.8 ms median at 1M events, against 1.45 ms
#: before the axis existed.)
AS_OF_COLUMNS = ("recorded_to", "reported_to", "valid_to", "valid_from", "recorded_from", "reported_from")


@dataclass(frozen=True)
class Family:
    """One bitemporal table: rows of one kind of entity within a stream."""

    name: str
    stream_kind: str
    key: tuple[str, str] | None
    columns: tuple[tuple[str, str], ...]
    indexes: tuple[tuple[str, ...], ...] = ()

    def table(self, prefix: str = PREFIX) -> str:
        return f"{prefix}{self.name}"

    @property
    def value_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.columns)

    @property
    def all_names(self) -> tuple[str, ...]:
        key = (self.key[0],) if self.key else ()
        return (
            "stream_id",
            *key,
            *self.value_names,
            "valid_from",
            "valid_to",
            "reported_from",
            "reported_to",
            "recorded_from",
            "recorded_to",
        )

    @property
    def json_positions(self) -> tuple[int, ...]:
        return tuple(i for i, (_, kind) in enumerate(self.columns) if kind == "jsonb")


PLAN = Family(
    "plan",
    "plan",
    None,
    (
        ("code", "text"),
        ("title", "text"),
        ("period_start", "date"),
        ("period_end", "date"),
        ("period_start_year", "integer"),
        ("period_end_year", "integer"),
        ("vision", "text"),
        ("action_plans", "jsonb"),
        ("evaluation_rules", "jsonb"),
        ("lock", "jsonb"),
    ),
    (("code",),),
)
STRATEGY = Family("strategy", "plan", ("number", "integer"), (("title", "text"), ("goal", "text")))
#: figures reported (by the minutes) about the plan, a kind of activity, a strategy or an activity
FIGURE = Family(
    "figure",
    "plan",
    ("figure_id", "text"),
    (
        ("label", "text"),
        ("value", "numeric"),
        ("unit", "text"),
        ("unit_label", "text"),
        ("strategy_number", "integer"),
        ("kind", "text"),
        ("activity_id", "uuid"),
        ("fiscal_year", "integer"),
        ("agenda_item", "integer"),
        ("meeting_id", "text"),
        ("reported_on", "date"),
    ),
)
#: a proposal for a year's action plan, with the units the minutes list for its strategy
PROPOSAL = Family(
    "proposal",
    "plan",
    ("proposal_id", "text"),
    (
        ("fiscal_year", "integer"),
        ("strategy_number", "integer"),
        ("source", "text"),
        ("text", "text"),
        ("units", "jsonb"),
    ),
)
ACTIVITY = Family(
    "activity",
    "activity",
    None,
    (
        ("plan_id", "uuid"),
        ("strategy_number", "integer"),
        ("fiscal_year", "integer"),
        ("kind", "text"),
        ("title", "text"),
        ("units", "text[]"),
        ("status", "text"),
        ("status_reason", "text"),
        ("progress", "numeric"),
        ("outcome", "text"),
        ("status_reasons", "text[]"),
    ),
    # plan_as_of: every condition of the as-of test on the index, so only matching rows are read
    (("plan_id", *AS_OF_COLUMNS),),
)
MILESTONE = Family(
    "milestone",
    "activity",
    ("milestone_id", "text"),
    (
        ("plan_id", "uuid"),
        ("title", "text"),
        ("original_due_on", "date"),
        ("due_on", "date"),
        ("planned_on", "date"),
        ("reschedules", "jsonb"),
        ("reschedule_count", "integer"),
        ("achieved_on", "date"),
        ("dropped_on", "date"),
        ("status", "text"),
        ("slip_days", "integer"),
    ),
    (("plan_id", "valid_to", "recorded_to"),),
)
RISK = Family(
    "risk",
    "activity",
    ("risk_id", "text"),
    (
        ("plan_id", "uuid"),
        ("title", "text"),
        ("likelihood", "integer"),
        ("impact", "integer"),
        ("score", "integer"),
        ("level", "text"),
        ("level_rank", "integer"),
        ("owner", "text"),
        ("mitigation", "text"),
        ("review_on", "date"),
        ("noted_on", "date"),
        ("status", "text"),
        ("closed_on", "date"),
    ),
    (("plan_id", "valid_to", "recorded_to"), ("valid_to", "recorded_to", "level_rank")),
)
MEETING = Family(
    "meeting",
    "meeting",
    None,
    (
        ("plan_id", "uuid"),
        ("body", "text"),
        ("code", "text"),
        ("meeting_on", "date"),
        ("starts_at", "time"),
        ("ends_at", "time"),
        ("venue", "text"),
        ("mode", "text"),
        ("by_reference", "boolean"),
        ("extraordinary", "boolean"),
        ("attendance", "jsonb"),
        ("agenda", "jsonb"),
        ("comments", "jsonb"),
        ("minutes_approvals", "jsonb"),
        ("next_meeting", "jsonb"),
    ),
    (("plan_id", "meeting_on"), ("code",)),
)
RESOLUTION = Family(
    "resolution",
    "meeting",
    ("resolution_id", "text"),
    (
        ("plan_id", "uuid"),
        ("meeting_code", "text"),
        ("meeting_on", "date"),
        ("agenda_item", "integer"),
        ("kind", "text"),
        ("text", "text"),
    ),
    (("plan_id", "valid_to", "recorded_to"),),
)
ACTION_ITEM = Family(
    "action_item",
    "meeting",
    ("item_id", "text"),
    (
        ("plan_id", "uuid"),
        ("resolution_id", "text"),
        ("meeting_code", "text"),
        ("meeting_on", "date"),
        ("description", "text"),
        ("owner", "text"),
        ("due_on", "date"),
        ("due_meeting", "text"),
        ("done_on", "date"),
        ("periodic", "boolean"),
        ("body", "text"),
    ),
    (("plan_id", "valid_to", "recorded_to"), ("owner", "valid_to", "recorded_to")),
)
#: a change of a committee's membership: who left, who joined, by which resolution, when
MEMBERSHIP_CHANGE = Family(
    "membership_change",
    "committee",
    ("change_id", "text"),
    (
        ("body", "text"),
        ("left_member", "text"),
        ("joined_member", "text"),
        ("kind", "text"),
        ("resolution_body", "text"),
        ("resolution_code", "text"),
        ("resolution_on", "date"),
        ("takes_effect_on", "date"),
        ("text", "text"),
        ("meeting_id", "text"),
        ("recorded_on", "date"),
    ),
    (("body", "valid_to", "recorded_to"),),
)

KEY_RESULT = Family(
    "key_result",
    "key_result",
    None,
    (
        ("plan_id", "uuid"),
        ("activity_id", "uuid"),
        ("strategy_number", "integer"),
        ("fiscal_year", "integer"),
        ("title", "text"),
        ("unit", "text"),
        ("unit_label", "text"),
        ("baseline", "numeric"),
        ("target", "numeric"),
        ("direction", "text"),
        ("starts_on", "date"),
        ("due_on", "date"),
        ("frequency", "text"),
        ("defined_on", "date"),
        ("retired_on", "date"),
        ("retired_reason", "text"),
        ("retargets", "jsonb"),
    ),
    (("plan_id", *AS_OF_COLUMNS),),
)
MEASUREMENT = Family(
    "measurement",
    "key_result",
    ("measurement_id", "text"),
    (
        ("plan_id", "uuid"),
        ("activity_id", "uuid"),
        ("value", "numeric"),
        ("measured_on", "date"),
        ("meeting_id", "text"),
        ("source", "text"),
        ("note", "text"),
    ),
    (("plan_id", *AS_OF_COLUMNS),),
)

FAMILIES: tuple[Family, ...] = (
    PLAN,
    STRATEGY,
    FIGURE,
    PROPOSAL,
    ACTIVITY,
    MILESTONE,
    RISK,
    MEETING,
    RESOLUTION,
    ACTION_ITEM,
    MEMBERSHIP_CHANGE,
    KEY_RESULT,
    MEASUREMENT,
)
BY_NAME: dict[str, Family] = {f.name: f for f in FAMILIES}

EVENT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("position", "bigint"),
    ("stream_id", "uuid"),
    ("version", "integer"),
    ("stream_kind", "text"),
    ("type", "text"),
    ("plan_id", "uuid"),
    ("meeting_id", "text"),
    ("actor", "text"),
    ("effective_on", "date"),
    ("recorded_at", "timestamptz"),
    ("reported_on", "date"),
    ("reason", "text"),
    ("corrects", "integer"),
    ("void", "boolean"),
    ("payload", "jsonb"),
)
EVENT_NAMES: tuple[str, ...] = tuple(name for name, _ in EVENT_COLUMNS)
EVENT_INDEXES: tuple[tuple[str, ...], ...] = (
    ("stream_id", "version"),
    ("type", "position"),
    ("plan_id", "position"),
    ("plan_id", "effective_on"),
    ("meeting_id", "position"),
    ("actor", "position"),
    ("effective_on", "position"),
    ("recorded_at",),
)


def family_ddl(family: Family, prefix: str, temporary: bool = False) -> list[str]:
    table = family.table(prefix)
    columns = ["stream_id uuid NOT NULL"]
    if family.key:
        columns.append(f"{family.key[0]} {family.key[1]} NOT NULL")
    columns += [f"{name} {kind}" for name, kind in family.columns]
    columns += [
        "valid_from date NOT NULL",
        "valid_to date NOT NULL",
        "reported_from date NOT NULL",
        "reported_to date NOT NULL",
        "recorded_from timestamptz NOT NULL",
        "recorded_to timestamptz NOT NULL",
    ]
    scope = "TEMPORARY " if temporary else ""
    tail = " ON COMMIT DROP" if temporary else ""
    return [f"CREATE {scope}TABLE IF NOT EXISTS {table} ({', '.join(columns)}){tail}"]


def family_indexes(family: Family, prefix: str) -> list[tuple[str, str]]:
    """(index name without prefix, its CREATE statement)."""
    table = family.table(prefix)
    key = f", {family.key[0]}" if family.key else ""
    indexes = [(f"{family.name}_stream", f"(stream_id{key}, valid_to, recorded_to, reported_to)")]
    # an as-of index ranges over the reporting axis too (its last column)
    indexes += [
        (_index_name(family, i), f"({', '.join((*i, 'reported_to') if i[-1] == 'recorded_to' else i)})")
        for i in family.indexes
    ]
    return [(name, f"CREATE INDEX IF NOT EXISTS {prefix}{name} ON {table} {columns}") for name, columns in indexes]


def _index_name(family: Family, columns: tuple[str, ...]) -> str:
    if columns[-len(AS_OF_COLUMNS) :] == AS_OF_COLUMNS:
        return f"{family.name}_{'_'.join(columns[: -len(AS_OF_COLUMNS)])}_as_of_reported"
    return f"{family.name}_{'_'.join(columns)}"


def event_ddl(prefix: str, temporary: bool = False, primary_key: bool = True) -> list[str]:
    """The event table; without `primary_key`, `position` is only NOT NULL (a bulk load then adds
    the key with `event_primary_key`: one sorted build instead of an index insert per row)."""
    table = f"{prefix}event"
    key = " PRIMARY KEY" if primary_key else " NOT NULL"
    columns = [f"{name} {kind}" + (key if name == "position" else "") for name, kind in EVENT_COLUMNS]
    scope = "TEMPORARY " if temporary else ""
    tail = " ON COMMIT DROP" if temporary else ""
    return [f"CREATE {scope}TABLE IF NOT EXISTS {table} ({', '.join(columns)}){tail}"]


def event_indexes(prefix: str) -> list[tuple[str, str]]:
    table = f"{prefix}event"
    return [
        (f"event_{'_'.join(i)}", f"CREATE INDEX IF NOT EXISTS {prefix}event_{'_'.join(i)} ON {table} ({', '.join(i)})")
        for i in EVENT_INDEXES
    ]


def event_primary_key(prefix: str) -> tuple[str, str]:
    """(the unique index, the statement that makes it the primary key) of a table made by
    `event_ddl(prefix, primary_key=False)`: the same key `event_ddl` declares, named the same."""
    table, name = f"{prefix}event", f"{prefix}event_pkey"
    return (
        f"CREATE UNIQUE INDEX {name} ON {table} (position)",
        f"ALTER TABLE {table} ADD CONSTRAINT {name} PRIMARY KEY USING INDEX {name}",
    )


def all_indexes(prefix: str) -> list[tuple[str, str]]:
    indexes: list[tuple[str, str]] = []
    for family in FAMILIES:
        indexes += family_indexes(family, prefix)
    return indexes + event_indexes(prefix)


def ddl(prefix: str = PREFIX, temporary: bool = False, indexes: bool = True) -> list[str]:
    """The tables (`indexes=False`: bare, without the event table's primary key either; see
    `event_primary_key`)."""
    statements: list[str] = []
    for family in FAMILIES:
        statements += family_ddl(family, prefix, temporary)
    statements += event_ddl(prefix, temporary, primary_key=indexes or temporary)
    if not temporary and indexes:
        statements += [statement for _, statement in all_indexes(prefix)]
    if not temporary:
        statements.append(
            f"CREATE TABLE IF NOT EXISTS {POSITION_TABLE} (name text PRIMARY KEY, position bigint NOT NULL, "
            "updated_at timestamptz NOT NULL DEFAULT now())"
        )
        statements.append(
            f"CREATE TABLE IF NOT EXISTS {SCHEMA_TABLE} (component text PRIMARY KEY, version integer NOT NULL, "
            "migrated_at timestamptz NOT NULL DEFAULT now())"
        )
    return statements


def all_tables(prefix: str = PREFIX) -> list[str]:
    return [f.table(prefix) for f in FAMILIES] + [f"{prefix}event"]


def lock_tables(mode: str, prefix: str = PREFIX) -> str:
    """LOCK every read-model table in `mode`, always in the same order.

    A reading snapshot takes ACCESS SHARE before its first query; a rebuild's switch takes ACCESS
    EXCLUSIVE. So a snapshot never starts before a switch and reads a table after it (an older
    snapshot would see the switched-in tables empty: their rows were committed after it began),
    and the two never deadlock (one order)."""
    return f"LOCK TABLE {', '.join(all_tables(prefix))} IN {mode} MODE"


async def create_tables(conn: asyncpg.Connection, prefix: str = PREFIX, temporary: bool = False) -> None:
    """Create the read-model tables (idempotent). Serialised across processes by an advisory lock.

    `temporary=True` makes session tables dropped at commit (for `verify`); call it inside a
    transaction then.
    """
    if temporary:
        for statement in ddl(prefix, temporary=True):
            await conn.execute(statement)
        return
    statements = ddl(prefix)
    if await _all_there(conn, statements, prefix):
        return
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", SCHEMA_LOCK)
        for statement in statements:
            await conn.execute(statement)
        await conn.execute(
            f"INSERT INTO {POSITION_TABLE} (name, position) VALUES ($1, 0) ON CONFLICT (name) DO NOTHING",
            prefix,
        )


_CREATED = re.compile(r"\s*CREATE (?:TABLE|INDEX) IF NOT EXISTS (\S+)")


async def _all_there(conn: asyncpg.Connection, statements: list[str], prefix: str) -> bool:
    """Whether every table and index the statements create exists, and the position row: then
    creating nothing takes no lock. (Even when it exists, CREATE INDEX IF NOT EXISTS takes a SHARE
    lock on its table until the transaction ends: a web worker starting while the projector
    process projected deadlocked with it, the worker's start failing.)"""
    names = [found[1] for statement in statements if (found := _CREATED.match(statement))]
    if len(names) != len(statements):
        return False
    missing = await conn.fetchval("SELECT count(*) FROM unnest($1::text[]) AS n WHERE to_regclass(n) IS NULL", names)
    if missing:
        return False
    return bool(await conn.fetchval(f"SELECT EXISTS (SELECT 1 FROM {POSITION_TABLE} WHERE name = $1)", prefix))


async def events_table_exists(conn: asyncpg.Connection) -> bool:
    return bool(await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", EVENTS_TABLE))
