"""schema.graphql is generated from the code; this fails when the two drift apart."""

from service.api.schema import export_schema
from tests.paths import ROOT

SCHEMA_FILE = ROOT / "schema.graphql"


def test_checked_in_schema_matches_the_code() -> None:
    assert SCHEMA_FILE.read_text() == export_schema(), (
        "schema.graphql is out of date: run `./run schema` (python -m service.api.export_schema)"
    )
