"""`planledger import-minutes --dry-run [--json]` and `--strict` through the real command line.

The preview shows what would be recorded, what already is (looked up on DATABASE_URL when it
answers, else said to be not checked), what stays unknown and what could not be placed, grouped
by kind; --json gives the same as one document (the dashboard's import page reads it), with the
facts of `service.minutes.facts.facts_of` — the corpus's golden files' shape.
"""

from __future__ import annotations

import json

from tests.fixtures.minutes import corpus, golden_path
from tests.integration.test_cli import planledger
from tests.paths import SAMPLE_MINUTES

CORPUS = corpus()
LATER = CORPUS["hr-2-2564-progress-to-note"]
OUT_OF_PLACE = CORPUS["hr-5-2564-rows-out-of-place"]
NO_DATABASE = {"DATABASE_URL": ""}


def _json(*args: str, env: dict[str, str]) -> dict:
    result = planledger("import-minutes", "--dry-run", "--json", *args, env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_json_preview_without_a_database_says_it_did_not_check() -> None:
    document = _json(str(LATER), env=NO_DATABASE)
    [shown] = document["files"]
    assert shown["meeting"]["code"] == "2/2564"
    assert shown["database"].startswith("not checked") and shown["refused"] == []
    assert shown["already_recorded"] is None  # unknown, not empty
    assert len(shown["would_record"]["ChangeActivityStatus"]) == 4
    assert [step["fields"]["progress"] for step in shown["would_record"]["ReportProgress"]] == ["80"]
    assert shown["unplaced"] == []
    assert shown["facts"] == json.loads(golden_path("hr-2-2564-progress-to-note").read_text(encoding="utf-8"))


def test_text_preview_is_grouped_by_kind_and_says_what_is_not_checked() -> None:
    result = planledger("import-minutes", "--dry-run", str(OUT_OF_PLACE), env=NO_DATABASE)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "## would record, ChangeActivityStatus: 1" in lines
    assert "# already recorded: not checked: no DATABASE_URL (a dry run starts no database)" in lines
    assert "# could not be placed: 2" in lines
    assert any(line.startswith(f"#   {OUT_OF_PLACE}:19: a result row with no strategy heading") for line in lines)
    assert any(line.startswith("# unknown: activity kind") and line.endswith(": 1") for line in lines)


def test_preview_on_a_database_splits_what_is_recorded_from_what_would_be(database_url: str) -> None:
    env = {"DATABASE_URL": database_url}
    imported = planledger("import-minutes", str(SAMPLE_MINUTES), env=env)
    assert imported.returncode == 0, imported.stderr
    [shown] = _json(str(LATER), env=env)["files"]
    assert shown["database"] == "checked"
    already, would = shown["already_recorded"], shown["would_record"]
    # the four activities and the plan are the sample's; two are now completed, two still in progress
    assert len(already["RegisterActivity"]) == 4 and "RegisterActivity" not in would
    assert "CreatePlan" in already and "CreatePlan" not in would
    assert [s["fields"]["status"] for s in would["ChangeActivityStatus"]] == ["COMPLETED", "COMPLETED"]
    assert [s["fields"]["status"] for s in already["ChangeActivityStatus"]] == ["IN_PROGRESS", "IN_PROGRESS"]

    recorded = planledger("import-minutes", str(LATER), env=env)
    assert recorded.returncode == 0, recorded.stderr
    [again] = _json(str(LATER), env=env)["files"]
    assert again["would_record"] == {}  # everything is recorded now


def test_strict_records_nothing_when_a_line_cannot_be_placed(database_url: str) -> None:
    env = {"DATABASE_URL": database_url}
    result = planledger("import-minutes", "--strict", str(LATER), str(OUT_OF_PLACE), env=env)
    assert result.returncode == 1
    assert "--strict: 2 line(s) of 1 file(s) could not be placed; nothing recorded" in result.stderr
    assert f"{OUT_OF_PLACE}:35: could not place this line" in result.stderr and "Traceback" not in result.stderr
    [shown] = _json(str(LATER), env=env)["files"]
    assert shown["already_recorded"] == {}  # the clean file was not recorded either
    strict_clean = planledger("import-minutes", "--strict", "--json", str(LATER), env=env)
    assert strict_clean.returncode == 0, strict_clean.stderr
    [report] = json.loads(strict_clean.stdout)["files"]
    assert report["recorded"] > 0 and report["refused"] == [] and report["unplaced"] == 0
