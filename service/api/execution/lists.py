"""An activity's milestones and risks written as JSON by PostgreSQL, for direct execution.

A whole plan is ≈ 270 activities but ≈ 850 milestones and 250 risks: reading those rows into dicts
(asyncpg's decoding, `_family_rows`, `_judged`, the reschedules' JSON) and completing their fields
one generated line at a time was over a third of a whole-plan query's CPU with the response cache
defeated. Where the query asks of `Activity.milestones` / `Activity.risks` only fields this module
knows how to write, one statement has PostgreSQL write each activity's list as the JSON text normal
execution would give (the same keys in the same order, the same values, the same escaping), and
the HTTP layer splices it into the response (`orjson.Fragment`) unread.

Exact by construction where it can be, and doubtful otherwise:

- keys, `__typename`, enum names and labels are constants computed here by the schema's own
  serializers and written by orjson (a `CASE` over the values the row readers know); strings are
  `to_json(text)`, which escapes as orjson does (the same characters, `\\u00xx` in lower case:
  checked for every character below U+0800 and more); integers, booleans and dates (`YYYY-MM-DD`
  for years 1–9999) print as Python prints them;
- every row is checked for what would make normal execution (or the Python direct path) answer
  anything else: an unknown enum value, a null in a non-null field, a date out of range, a
  reschedule `date.fromisoformat` might refuse, a planned milestone without a due date (`_judged`
  cannot compare it), a database not in UTF-8. Such a row is *doubtful*: the statement counts
  them, and a count above zero raises `Doubt`, on which the operation is answered by the Python
  direct path (which in turn falls back to normal execution where that fails).

Anything else — a field it does not know (`reschedules`, `activity`, `history`), a float, a
fragment spread on another type, a caller that does not write with orjson (`Context.fragments`) —
and the list is completed in Python as before.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

import asyncpg
import orjson
from graphql import (
    GraphQLBoolean,
    GraphQLID,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLString,
    is_leaf_type,
)

from projections import queries as q
from projections.queries.rows import AS_OF, _table, _times
from projections.schema import BY_NAME

#: an activity without milestones (or risks)
EMPTY = orjson.Fragment(b"[]")
STRAWBERRY = "strawberry-definition"
FIRST_DAY, LAST_DAY = "'0001-01-01'::date", "'9999-12-31'::date"


#: the checked columns' values (an activity's reschedules, as PostgreSQL wrote them) that passed the
#: reader's check, which depends on the text alone: not checked again (a whole plan's, ≈ 220
#: milestones' worth, decoded and checked was ≈ 4% of its CPU)
_CHECKED: set[bytes] = set()
CHECKED_ENTRIES = 20_000  # cleared when full; an activity's are ≈ 200 bytes (at most ≈ 1 kB): a few MB


class Doubt(Exception):
    """A row the statement cannot write exactly as normal execution would: answer in Python."""


@dataclass(frozen=True)
class Kind:
    """One list an activity has: its type, table, order, and how each field of its rows is written."""

    type_name: str
    family: str
    order: str  # within one activity, as plan_milestones / plan_risks order the rows
    #: python name -> (column, how): "text", "int", "date", "uuid", "enum" (its RowField's `safe`),
    #: or an SQL expression giving the JSON text itself
    fields: dict[str, tuple[str, str]]
    #: columns the Python path always reads (and so decodes) besides the selected ones
    always: tuple[str, ...]
    #: doubtful rows whatever is selected (what the Python path's read fails on)
    doubt: tuple[str, ...] = ()


MILESTONES = Kind(
    "Milestone",
    "milestone",
    "original_due_on, milestone_id",
    {
        "id": ("milestone_id", "text"),
        "title": ("title", "text"),
        "due_on": ("due_on", "date"),
        "original_due_on": ("original_due_on", "date"),
        "planned_on": ("planned_on", "date"),
        "achieved_on": ("achieved_on", "date"),
        "dropped_on": ("dropped_on", "date"),
        "status": ("status", "enum"),
        "status_label": ("status", "enum"),
        "slip_days": ("slip_days", "COALESCE(slip_days, 0)::text"),
        "overdue": ("overdue", "CASE WHEN status = 'PLANNED' AND due_on < $5 THEN 'true' ELSE 'false' END"),
        "activity_id": ("stream_id", "uuid"),
    },
    always=("status", "due_on"),
    doubt=("(status = 'PLANNED' AND due_on IS NULL)",),
)
RISKS = Kind(
    "Risk",
    "risk",
    "risk_id",
    {
        "id": ("risk_id", "text"),
        "title": ("title", "text"),
        "likelihood": ("likelihood", "int"),
        "impact": ("impact", "int"),
        "score": ("score", "int"),
        "level": ("level", "enum"),
        "level_label": ("level", "enum"),
        "status": ("status", "enum"),
        "status_label": ("status", "enum"),
        "owner": ("owner", "text"),
        "mitigation": ("mitigation", "text"),
        "review_on": ("review_on", "date"),
        "noted_on": ("noted_on", "date"),
        "closed_on": ("closed_on", "date"),
        "activity_id": ("stream_id", "uuid"),
    },
    always=(),
)
#: (type, field) -> the list it is
KINDS: dict[tuple[str, str], Kind] = {("Activity", "milestones"): MILESTONES, ("Activity", "risks"): RISKS}


def _literal(text: str) -> str:
    """`text` as an SQL string constant, whatever standard_conforming_strings says."""
    tag = "j"
    while f"${tag}$" in text:
        tag += "j"
    return f"${tag}${text}${tag}$"


def _date_serializer_is_iso(kind: Any) -> bool:
    try:
        return all(kind.serialize(d) == d.isoformat() for d in (date(2021, 1, 31), date(5, 2, 28), date(9999, 12, 31)))
    except Exception:
        return False


@dataclass(frozen=True)
class Listed:
    """One list of a query: the SQL writing each row's JSON (NULL where doubtful) and its kind."""

    kind: Kind
    row: str  # SQL: the row's JSON text, or NULL where the row is doubtful
    #: (jsonb column, the row reader's check): the column's values, where not null or [], are sent
    #: back and checked in Python by the reader's own check (a reschedule `date.fromisoformat` reads)
    checked: tuple[tuple[str, Callable[[dict[str, Any]], Any]], ...] = ()

    def statement(self, index: int) -> str:
        """The rows of every plan asked for, one per activity: (list, plan, activity, its JSON, doubtful
        rows, the checked column's values as a JSON array or null)."""
        order = self.kind.order
        checked, inner = "NULL::bytea", ""
        for column, _ in self.checked:  # one at most
            wanted = f"{column} IS NOT NULL AND {column} <> '[]'"
            checked = f"convert_to('[' || string_agg({column}::text, ',') FILTER (WHERE {wanted}) || ']', 'UTF8')"
            inner = f", {column}"
        # bytes (convert_to in a UTF-8 database: a copy), which orjson writes as they are: as text,
        # asyncpg decoded and orjson encoded again each list's UTF-8 (Thai titles), 5% of the CPU
        # OFFSET 0: the subquery is not pulled up, so each row's JSON is computed once, not once per
        # aggregate that reads it (2.9 against 4.5 ms for a whole plan's 769 milestones)
        return (
            f"SELECT {index} AS list, plan_id, stream_id, "
            f"convert_to('[' || string_agg(o, ',' ORDER BY {order}) || ']', 'UTF8'), "
            f"count(*) - count(o), {checked} FROM (SELECT plan_id, stream_id, {order}{inner}, {self.row} AS o "
            f"FROM {_table(self.kind.family)} WHERE plan_id = ANY($1::uuid[]) AND {AS_OF} OFFSET 0) r "
            "GROUP BY plan_id, stream_id"
        )


#: compiled lists by (kind, type, (response key, field name) of each selected field): what a list's
#: SQL depends on (the schema's fields and serializers are the process's); ≈ 2% of a whole plan's
#: CPU when compiled per request
_COMPILED: dict[tuple[Any, ...], Listed | None] = {}
COMPILED_ENTRIES = 1024


def compile_list(
    kind: Kind,
    item: GraphQLObjectType,
    grouped: dict[str, Any],
    row_fields: dict[str, Any],
    leaf: Callable[[Any, bool], Callable[[Any, Any], Any]],
) -> Listed | None:
    """`_compile_list`, once per shape of selection."""
    fields = tuple((key, details[0].node.name.value) for key, details in grouped.items())
    shape = (kind.type_name, item, id(row_fields), leaf, fields)
    try:
        return _COMPILED[shape]
    except KeyError:
        pass
    except TypeError:  # unhashable: compile it
        return _compile_list(kind, item, grouped, row_fields, leaf)
    if len(_COMPILED) >= COMPILED_ENTRIES:
        _COMPILED.clear()
    found = _COMPILED[shape] = _compile_list(kind, item, grouped, row_fields, leaf)
    return found


def _compile_list(
    kind: Kind,
    item: GraphQLObjectType,
    grouped: dict[str, Any],
    row_fields: dict[str, Any],
    leaf: Callable[[Any, bool], Callable[[Any, Any], Any]],
) -> Listed | None:
    """The SQL writing one row of `kind` as normal execution completes the selection `grouped`
    (response key -> its field details, in order); None where it cannot say (a field it does not
    know). `leaf(kind, non_null)` completes a leaf value as direct execution does."""
    family = BY_NAME[kind.family]
    columns = dict(family.columns)
    columns["stream_id"] = "uuid"
    if family.key is not None:
        columns[family.key[0]] = family.key[1]
    parts: list[str] = []
    checks: list[str] = list(kind.doubt)
    dated = set(c for c in kind.always if columns.get(c) == "date")  # read, so decoded, by the Python path
    for key, details in grouped.items():
        node = details[0].node
        name = node.name.value
        prefix = ("{" if not parts else ",") + orjson.dumps(key).decode() + ":"
        if name == "__typename":
            parts.append(_literal(prefix + orjson.dumps(item.name).decode()))
            continue
        definition = item.fields.get(name)
        strawberry_field = definition.extensions.get(STRAWBERRY) if definition is not None else None
        if (
            definition is None
            or definition.args
            or strawberry_field is None
            or not strawberry_field.is_basic_field
            or strawberry_field.python_name not in kind.fields
            or node.selection_set is not None
        ):
            return None
        python_name = strawberry_field.python_name
        column, how = kind.fields[python_name]
        graphql_type = definition.type
        non_null = isinstance(graphql_type, GraphQLNonNull)
        base = graphql_type.of_type if isinstance(graphql_type, GraphQLNonNull) else graphql_type
        if isinstance(base, GraphQLList) or not is_leaf_type(base):
            return None
        sql_type = columns.get(column)
        if how == "text" and sql_type == "text" and base in (GraphQLString, GraphQLID):
            value = f"to_json({column})::text"
        elif how == "uuid" and sql_type == "uuid" and base in (GraphQLString, GraphQLID):
            value = f"'\"' || {column}::text || '\"'"
        elif how == "int" and sql_type == "integer" and base is GraphQLInt:
            value = f"{column}::text"
        elif how == "date" and sql_type == "date" and _date_serializer_is_iso(base):
            dated.add(column)
            value = f"to_json({column})::text"  # YYYY-MM-DD whatever DateStyle says (in range: below)
        elif how == "enum":
            enum = _enum(row_fields[python_name], base, non_null, leaf)
            if enum is None:
                return None
            value = enum
        elif (python_name == "slip_days" and base is GraphQLInt) or (
            python_name == "overdue" and base is GraphQLBoolean
        ):
            value = how  # computed as their reads compute them, never null
        else:
            return None
        if not non_null and how != "enum":
            value = f"COALESCE({value}, 'null')"  # else a null makes the row's JSON null: doubtful
        parts.append(_literal(prefix))
        parts.append(value)
    if not parts:
        return None
    checked: list[tuple[str, Callable[[dict[str, Any]], Any]]] = []
    # what from_row reads and can fail on, selected or not (as the Python path checks it)
    for row_field in row_fields.values():
        if not row_field.fallible:
            continue
        if row_field.safe is None:
            column = (row_field.columns or ("",))[0]
            if row_field.columns is None or len(row_field.columns) != 1 or columns.get(column) != "jsonb" or checked:
                return None
            checked.append((column, row_field.check or row_field.read))
            continue
        column, values = row_field.safe
        known = [v for v in values if v is not None]
        if not all(isinstance(v, str) for v in known):
            return None
        listed = ", ".join(_literal(v) for v in sorted(known)) or "NULL"
        allowed = f"{column} IN ({listed})"
        checks.append(f"NOT COALESCE({allowed}, false)" if None not in values else f"{column} NOT IN ({listed})")
    # a date asyncpg cannot decode (or one it decodes to date.max: infinity): doubtful
    checks += [f"NOT ({c} IS NULL OR {c} BETWEEN {FIRST_DAY} AND {LAST_DAY})" for c in sorted(dated)]
    row = " || ".join([*parts, "'}'"])
    doubtful = " OR ".join(f"COALESCE({c}, false)" for c in dict.fromkeys(checks))  # each once
    return Listed(kind, f"CASE WHEN {doubtful} THEN NULL ELSE {row} END", tuple(checked))


def _enum(
    row_field: Any, base: Any, non_null: bool, leaf: Callable[[Any, bool], Callable[[Any, Any], Any]]
) -> str | None:
    """A CASE writing what the row reader and the leaf completion make of each value the reader
    knows; NULL (doubtful) for any other, and for a value completion would refuse."""
    if row_field.safe is None:
        return None
    column, values = row_field.safe
    complete = leaf(base, non_null)
    cases = []
    null_case = ""
    for raw in sorted(values, key=lambda v: (v is None, str(v))):
        try:
            written = orjson.dumps(complete(row_field.read({column: raw}), None)).decode()
        except Exception:
            continue  # normal execution would not complete it: doubtful (NULL)
        if raw is None:
            null_case = f"WHEN {column} IS NULL THEN {_literal(written)} "
        elif isinstance(raw, str):
            cases.append(f"WHEN {column} = {_literal(raw)} THEN {_literal(written)} ")
        else:
            return None
    if not cases and not null_case:
        return None
    return f"CASE {null_case}{''.join(cases)}END"


async def read_lists(
    conn: asyncpg.Connection, lists: list[Listed], plan_ids: list[UUID], point: q.Point
) -> list[dict[UUID, dict[UUID, Any]]]:
    """Each list's JSON by plan and activity ({plan: {activity: Fragment}}, one per list), in one
    statement; Doubt where a row is doubtful."""
    if getattr(conn.get_settings(), "server_encoding", None) != "UTF8":
        raise Doubt("to_json escapes as orjson does in a UTF-8 database")
    d, t, rep = _times(point.on, point.known_at, point.reported)
    sql = " UNION ALL ".join(listed.statement(i) for i, listed in enumerate(lists))
    args: list[Any] = [plan_ids, d, t, rep]
    if "$5" in sql:
        args.append(point.on or date.today())  # as _judged judges `overdue`
    found: list[dict[UUID, dict[UUID, Any]]] = [{} for _ in lists]
    fragment = orjson.Fragment
    for record in await conn.fetch(sql, *args):
        index, plan_id, activity_id, text, doubtful = record[:5]
        if doubtful:
            raise Doubt(f"{lists[index].kind.type_name}: {doubtful} doubtful rows")
        values = record[5]
        if values is not None and values not in _CHECKED:
            column, check = lists[index].checked[0]
            for value in json.loads(values):
                try:
                    check({column: value})
                except Exception as error:
                    raise Doubt(f"{lists[index].kind.type_name}.{column}: {error!r}") from None
            if len(_CHECKED) >= CHECKED_ENTRIES:
                _CHECKED.clear()
            _CHECKED.add(values)
        found[index].setdefault(plan_id, {})[activity_id] = fragment(text)
    return found
