"""The GraphQL ecosystem's own clients, unmodified, load the schema from a real server process:
Python's gql with `fetch_schema_from_transport=True`, and graphql-js (npm's `graphql`, 16 and 17,
installed into a temporary folder) with `getIntrospectionQuery` and `buildClientSchema`, as GraphiQL,
Apollo, graphql-codegen, Postman and Altair do. What they load is the checked-in schema.graphql, and
the server logs no error on the way."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from gql import Client, gql
from gql.transport.httpx import HTTPXTransport
from graphql import (
    GraphQLSchema,
    build_schema,
    find_breaking_changes,
    find_dangerous_changes,
    print_schema,
)
from graphql.error import GraphQLError

from service.config import ServerAddress
from tests.conftest import create_database, drop_database, url_of
from tests.e2e.server_process import Server
from tests.paths import ROOT

#: graphql-js's two current majors: 16 (what GraphiQL 3, Apollo and codegen bundle) and 17
GRAPHQL_JS = {"graphql16": "16.15.0", "graphql17": "17.1.0"}
#: fetches the introspection query a version of graphql-js makes, and builds a client schema from the answer
FETCH = """
const [name, url, token, full] = process.argv.slice(2);
const { getIntrospectionQuery, buildClientSchema, validateSchema, printSchema, version } = require(name);
const options = full === "full"
  ? { descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true,
      inputValueDeprecation: true }
  : undefined;
(async () => {
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/graphql-response+json",
               Authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: getIntrospectionQuery(options) }),
  });
  const body = await response.json();
  if (!body.data || body.errors) throw new Error(`${response.status} ${JSON.stringify(body.errors)}`);
  const schema = buildClientSchema(body.data);
  const invalid = validateSchema(schema).map(String);
  process.stdout.write(JSON.stringify({ version, status: response.status, invalid, sdl: printSchema(schema) }));
})().catch((error) => { console.error(error.stack || String(error)); process.exit(1); });
"""


@pytest.fixture(scope="module")
def served(server: ServerAddress, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    address = create_database(server)
    process = Server(url_of(address), log_file=tmp_path_factory.mktemp("server") / "server.log").start()
    try:
        made = process.post(
            'mutation { createPlan(input: { code: "HR-2561", title: "HR strategy", periodStart: "2018-01-01", '
            'periodEnd: "2022-12-31", consistency: READ_YOUR_WRITES }) { __typename } }'
        )
        assert made.json()["data"]["createPlan"]["__typename"] == "PlanRecorded", made.text
        yield process
    finally:
        process.stop()
        drop_database(server, address)


@pytest.fixture(scope="module")
def graphql_js(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with graphql-js installed from npm (both majors, under aliases) and the script."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("graphql-js needs Node.js and npm: install them (apt-get install nodejs npm)")
    folder = tmp_path_factory.mktemp("graphql-js")
    (folder / "package.json").write_text(json.dumps({"name": "planledger-schema-check", "private": True}))
    packages = [f"{alias}@npm:graphql@{version}" for alias, version in GRAPHQL_JS.items()]
    installed = subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--loglevel=error", *packages],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert installed.returncode == 0, installed.stderr
    (folder / "fetch.js").write_text(FETCH)
    return folder


def checked_in() -> GraphQLSchema:
    return build_schema((ROOT / "schema.graphql").read_text())


def assert_same_schema(loaded: GraphQLSchema) -> None:
    """No change at all, breaking or dangerous, either way; the same types, descriptions included."""
    schema = checked_in()
    for old, new in ((schema, loaded), (loaded, schema)):
        assert find_breaking_changes(old, new) == []
        assert find_dangerous_changes(old, new) == []
    ours = {name: kind.description for name, kind in schema.type_map.items() if not name.startswith("__")}
    theirs = {name: kind.description for name, kind in loaded.type_map.items() if not name.startswith("__")}
    assert theirs == ours
    plan = loaded.get_type("Plan")
    assert plan is not None and [i.name for i in getattr(plan, "interfaces", [])] == ["Node"]
    assert loaded.query_type is not None and loaded.query_type.fields["node"].args["id"].description


def errors_logged(served: Server) -> list[str]:
    return [line for line in served.logs().splitlines() if '"level": "error"' in line or "Traceback" in line]


@pytest.mark.parametrize("introspection", ["default", "full"])
def test_gql_fetches_the_schema_from_the_server(served: Server, introspection: str) -> None:
    arguments: dict[str, Any] = {}
    if introspection == "full":
        arguments = {"specified_by_url": True, "directive_is_repeatable": True, "input_value_deprecation": True}
    transport = HTTPXTransport(url=f"{served.url}/graphql", headers=served.headers, timeout=30)
    client = Client(transport=transport, fetch_schema_from_transport=True, introspection_args=arguments)
    with client as session:
        data = session.execute(gql('{ plan(id: "HR-2561") { code ... on Node { id } } }'))
        assert data["plan"]["code"] == "HR-2561" and data["plan"]["id"]
        with pytest.raises(GraphQLError, match="Cannot query field"):  # checked against the schema it loaded
            session.execute(gql("{ plans { nope } }"))
    assert client.schema is not None
    assert_same_schema(build_schema(print_schema(client.schema)))
    assert not errors_logged(served)


@pytest.mark.parametrize("introspection", ["default", "full"])
@pytest.mark.parametrize("alias", list(GRAPHQL_JS))
def test_graphql_js_builds_a_client_schema_from_the_server(
    served: Server, graphql_js: Path, alias: str, introspection: str
) -> None:
    ran = subprocess.run(
        ["node", "fetch.js", alias, f"{served.url}/graphql", served.token, introspection],
        cwd=graphql_js,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ran.returncode == 0, ran.stderr
    answer = json.loads(ran.stdout)
    assert answer["version"] == GRAPHQL_JS[alias] and answer["status"] == 200
    assert answer["invalid"] == []
    assert_same_schema(build_schema(answer["sdl"]))
    assert not errors_logged(served)
