"""The schema as the GraphQL ecosystem reads it: graphql-js's standard introspection query (what
GraphiQL, Apollo, graphql-codegen, Postman, Altair and gql send; here graphql-core's copy of it)
answers without errors, and a client schema built from its answer is the checked-in schema.graphql.
(tests/e2e/test_graphql_clients.py does the same over HTTP with gql and graphql-js themselves.)"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from graphql import (
    GraphQLSchema,
    ObjectValueNode,
    build_client_schema,
    build_schema,
    find_breaking_changes,
    find_dangerous_changes,
    get_introspection_query,
    parse_value,
)
from strawberry import ID

from domain.commands import CorrectEvent
from service.api.inputs import CorrectEventInput
from service.api.schema import schema
from tests.paths import ROOT

#: every option graphql-js's getIntrospectionQuery has, as the newest clients send it
FULL = get_introspection_query(
    descriptions=True,
    specified_by_url=True,
    directive_is_repeatable=True,
    schema_description=True,
    input_value_deprecation=True,
)


def introspection() -> dict[str, Any]:
    result = schema.execute_sync(FULL)
    assert result.errors is None, result.errors
    assert result.data is not None
    return result.data


def test_the_standard_introspection_query_answers_without_errors_or_error_logs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING):
        data = introspection()
        # as graphql-js's oldest form, too (no descriptions, no input deprecations)
        assert schema.execute_sync(get_introspection_query(descriptions=False)).errors is None
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text
    # every default is a literal, and none an object: graphql-js 16's printSchema cannot print one of
    # a custom scalar (`changes: JSON! = {}` was one), and clients failed on the schema
    defaults = [
        parse_value(given["defaultValue"])
        for kind in data["__schema"]["types"]
        for field in (kind["fields"] or []) + (kind["inputFields"] or [])
        for given in (field.get("args") or []) + ([field] if "defaultValue" in field else [])
        if given["defaultValue"] is not None
    ]
    assert len(defaults) > 50
    assert not [d for d in defaults if isinstance(d, ObjectValueNode)]


def test_a_client_schema_built_from_it_is_the_checked_in_schema() -> None:
    client = build_client_schema(introspection())  # type: ignore[arg-type]
    checked_in = build_schema((ROOT / "schema.graphql").read_text())
    for old, new in ((checked_in, client), (client, checked_in)):
        assert find_breaking_changes(old, new) == []
        assert find_dangerous_changes(old, new) == []
    assert set(_named(client)) == set(_named(checked_in))


def test_a_correction_without_changes_still_corrects_with_none() -> None:
    """`changes` is nullable with no default (an object default is what clients could not print):
    left out, it is no change, as the `{}` default was."""
    given = CorrectEventInput(stream_id=ID("0b7c6a6e-52c4-4c5c-9a55-1d2a3f5e0c11"), version=2, void=True)
    command = given.to_command()
    assert isinstance(command, CorrectEvent) and command.changes == {} and command.void is True


def _named(graphql_schema: GraphQLSchema) -> list[str]:
    return [name for name in graphql_schema.type_map if not name.startswith("__")]


def _coverage(data: dict[str, Any]) -> dict[str, tuple[int, list[str]]]:
    """For types, fields (of objects, interfaces and inputs), arguments and enum values, as the
    introspection query answers them: how many there are, and those with no description."""
    found: dict[str, tuple[int, list[str]]] = {k: (0, []) for k in ("types", "fields", "arguments", "enum values")}

    def count(kind: str, name: str, description: str | None) -> None:
        total, missing = found[kind]
        found[kind] = (total + 1, missing + ([] if (description or "").strip() else [name]))

    for kind in data["__schema"]["types"]:
        name = kind["name"]
        if name.startswith("__"):  # the introspection types are graphql-core's, described there
            continue
        count("types", name, kind["description"])
        for field in (kind["fields"] or []) + (kind["inputFields"] or []):
            count("fields", f"{name}.{field['name']}", field["description"])
            for argument in field.get("args") or []:
                count("arguments", f"{name}.{field['name']}({argument['name']})", argument["description"])
        for value in kind["enumValues"] or []:
            count("enum values", f"{name}.{value['name']}", value["description"])
    return found


def test_the_schema_describes_every_type_field_argument_and_enum_value() -> None:
    """What GraphiQL's docs, codegen comments and IDE hovers show: at least 95 % of each kind
    described (all of them now; the margin is for a new field in a hurry, not for a new type)."""
    found = _coverage(introspection())
    shares = {kind: 1 - len(missing) / total for kind, (total, missing) in found.items()}
    undescribed = {kind: missing for kind, (_, missing) in found.items() if missing}
    assert all(share >= 0.95 for share in shares.values()), (shares, undescribed)
    assert found["types"][0] > 150 and found["enum values"][0] > 60  # the whole schema was counted
