"""The command line as a person meets it: help everywhere, one clear line for bad configuration."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from tests.paths import ROOT, SAMPLE_MINUTES

COMMANDS = ["serve", "import-minutes", "rebuild", "verify", "export", "import-log", "migrate", "token"]


def planledger(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return run_module("service.cli", *args, env=env)


def bench(*args: str) -> subprocess.CompletedProcess[str]:
    """The benchmark suite, run from the checkout as the README says (it is not installed)."""
    return run_module("bench", *args)


def run_module(module: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_is_everywhere(command: str | None) -> None:
    result = planledger(*([command] if command else []), "--help")
    assert result.returncode == 0
    assert "usage: planledger" in result.stdout


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql://postgres@127.0.0.1:1/nowhere", "cannot reach PostgreSQL at postgres@127.0.0.1:1/nowhere"),
        ("mysql://root@localhost/x", "DATABASE_URL must start with postgresql://"),
        ("postgresql://postgres@127.0.0.1:notaport/x", "port that is not a number"),
    ],
)
def test_bad_configuration_is_one_line_and_exit_2(url: str, expected: str) -> None:
    result = planledger("serve", env={"DATABASE_URL": url})
    assert result.returncode == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_an_unwritable_data_folder_is_one_line_and_exit_2(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = planledger("serve", env={"DATABASE_URL": "", "PLANLEDGER_DATA_DIR": str(blocker / "data")})
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr


def test_token_create_list_and_revoke(database_url: str) -> None:
    env = {"DATABASE_URL": database_url}
    made = planledger("token", "create", "--role", "unit", "--unit", "HR office", "--name", "Somsri", env=env)
    assert made.returncode == 0, made.stderr
    secret = made.stdout.strip()
    assert secret.startswith("plt_") and len(secret) > 40 and "shown only once" in made.stderr
    listed = planledger("token", "list", env=env)
    assert "Somsri" in listed.stdout and "HR office" in listed.stdout and "active" in listed.stdout
    assert secret not in listed.stdout
    token_id = listed.stdout.split()[0]
    revoked = planledger("token", "revoke", token_id[:8], env=env)
    assert revoked.returncode == 0, revoked.stderr
    assert "revoked" in planledger("token", "list", env=env).stdout
    for bad in (["--role", "unit"], ["--role", "reader", "--unit", "HR"], ["--role", "king"]):
        refused = planledger("token", "create", *bad, env=env)
        assert refused.returncode == 2 and "Traceback" not in refused.stderr, refused.stderr
    unknown = planledger("token", "revoke", "ffffffff", env=env)
    assert unknown.returncode == 2 and "no token" in unknown.stderr


def test_token_revoke_takes_an_id_prefix_not_a_pattern(database_url: str) -> None:
    # `token revoke '_7ed6%'` revoked the token whose id starts 17ed6: the prefix went into LIKE
    env = {"DATABASE_URL": database_url}
    assert planledger("token", "create", "--role", "admin", "--name", "victim", env=env).returncode == 0
    victim = "17ed6a2c-0000-4000-8000-000000000001"
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("UPDATE planledger_tokens SET id = %s WHERE name = 'victim'", (victim,))
    for pattern in ("_7ed6%", "%%%%%%", "17ed6_", "17ed6%", "17ED6A2C\\"):
        refused = planledger("token", "revoke", pattern, env=env)
        assert refused.returncode == 2 and "Traceback" not in refused.stderr, (pattern, refused.stderr)
    assert "revoked" not in planledger("token", "list", env=env).stdout
    revoked = planledger("token", "revoke", victim[:10].upper(), env=env)  # hyphens and capitals are fine
    assert revoked.returncode == 0, revoked.stderr
    assert "revoked" in planledger("token", "list", env=env).stdout


def test_help_imports_nothing_of_the_server() -> None:
    probe = (
        "import sys; from service.cli import build_parser; build_parser().parse_args(['serve', '--port', '1']); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('strawberry', 'uvicorn', 'starlette', 'asyncpg', 'psycopg', 'httpx', 'eventsourcing') "
        "or m in ('service.web.app', 'bench.context', 'bench.api')))"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


#: what `import-minutes` of a text file has no use for: the server, the API, the reports, the read
#: side, and the readers of other file formats (each loaded when a command or a format needs it)
NOT_FOR_A_TEXT_IMPORT = (
    "strawberry",
    "starlette",
    "uvicorn",
    "uvloop",
    "websockets",
    "weasyprint",
    "openpyxl",
    "prometheus_client",
    "orjson",
    "asyncpg",
    "httpx",
    "pypdfium2",
    "docx",
    "pytesseract",
    "PIL",
    "projections",
    "service.web",
    "service.api",
    "service.reports",
    "service.dashboard",
)


def test_import_minutes_loads_only_the_parser_the_application_and_the_store(database_url: str) -> None:
    # the import's start-up is mostly Python importing modules (issue 18: the sample in under 2 s):
    # a module of the server pulled in by the command line would cost more than the import itself
    probe = (
        "import json, sys; from service.cli import main; "
        f"code = main(['import-minutes', '--database-url', {database_url!r}, {str(SAMPLE_MINUTES)!r}]); "
        "print(json.dumps([code, sorted(m for m in sys.modules if m.startswith(tuple(sys.argv[1:])))]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, *NOT_FOR_A_TEXT_IMPORT], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    *said, last = result.stdout.splitlines()
    code, loaded = json.loads(last)
    assert code == 0, result.stderr
    assert "0 refused" in said[0] and "recorded" in said[0]
    assert loaded == []


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--only", "rebuild,nope"], "unknown measure nope"),
        (["--set", "colour=blue"], "say NAME=VALUE with NAME one of events"),
        (["--set", "subscribers=many"], "'many' is not a whole number"),
        (["--events", "0"], "--events must be at least 1"),
        (["--database-url", "mysql://root@localhost/x"], "must start with postgresql://"),
    ],
)
def test_bench_refuses_bad_arguments_in_one_line_before_starting_anything(args: list[str], expected: str) -> None:
    result = bench(*args)
    assert result.returncode == 2, result.stderr
    assert expected in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_bench_is_run_from_the_checkout_not_installed() -> None:
    """`planledger bench` is not a command of the installed tool (its load generators and peers are
    the checkout's business); `python -m bench` is."""
    assert "bench" not in planledger("--help").stdout
    assert planledger("bench", "--list").returncode == 2


def test_bench_lists_its_measures() -> None:
    result = bench("--list")
    assert result.returncode == 0, result.stderr
    for name in ("rebuild", "import", "as_of", "whole_plan", "mutations", "visible", "fanout", "subscribers"):
        assert name in result.stdout


def test_import_minutes_dry_run_prints_the_events_and_records_nothing(tmp_path: Path) -> None:
    result = planledger("import-minutes", "--dry-run", str(SAMPLE_MINUTES), env={"PLANLEDGER_DATA_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("# ") and "1/2564" in lines[0]
    assert sum("ChangeActivityStatus(" in line for line in lines) == 31
    assert "## would record, ChangeActivityStatus: 31" in lines
    # and every value it leaves unknown, by kind
    assert "# unknown: progress (no percentage reported for the activity: null, never 0): 31" in lines
    # (4: one per stated cause; the enterprise-architecture project gives two numbered reasons)
    assert sum(line.startswith("# unknown: risk likelihood and impact") and line.endswith(": 4") for line in lines) == 1
    assert sum(line.startswith("# unknown: meeting mode") and line.endswith(": 12") for line in lines) == 1
    assert not any("ReportProgress" in line for line in lines)
    assert sum("ReportFigure(" in line for line in lines) == 5
    assert not (tmp_path / "postgres").exists()  # a dry run never starts a database


def test_import_minutes_reports_lines_it_cannot_place_with_their_numbers(tmp_path: Path) -> None:
    text = SAMPLE_MINUTES.read_text(encoding="utf-8").splitlines()
    text.insert(7, "ข้อความแปลกปลอมก่อนรายชื่อ")  # line 8: before the first list heading, fits nowhere
    noisy = tmp_path / "noisy.txt"
    noisy.write_text("\n".join(text) + "\n", encoding="utf-8")
    result = planledger("import-minutes", "--dry-run", str(noisy))
    assert result.returncode == 0
    assert f"{noisy}:8: could not place this line: ข้อความแปลกปลอมก่อนรายชื่อ" in result.stderr


def test_import_minutes_of_a_missing_file_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = planledger("import-minutes", str(tmp_path / "missing.txt"))
    assert result.returncode == 2
    assert "cannot read" in result.stderr and "Traceback" not in result.stderr


def test_rebuild_then_verify_is_clean_and_a_tampered_read_model_fails_verify(database_url: str) -> None:
    import psycopg

    env = {"DATABASE_URL": database_url}
    assert planledger("import-minutes", str(SAMPLE_MINUTES), env=env).returncode == 0
    rebuilt = planledger("rebuild", env=env)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "rebuilt the read models from" in rebuilt.stdout and "events/s" in rebuilt.stderr
    assert planledger("verify", env=env).returncode == 0
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("UPDATE rm_activity SET status = 'CANCELLED' WHERE status = 'NOT_IMPLEMENTED'")
    tampered = planledger("verify", env=env)
    assert tampered.returncode == 1
    assert "differ" in tampered.stdout and "CANCELLED" in tampered.stdout
    assert "Traceback" not in tampered.stderr
