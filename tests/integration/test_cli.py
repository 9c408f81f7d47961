"""The command line as a person meets it: help everywhere, one clear line for bad configuration."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
COMMANDS = ["serve", "import-minutes", "rebuild", "verify", "export", "import-log", "migrate", "bench", "token"]


def planledger(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args],
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


def test_later_commands_say_they_are_not_yet_available() -> None:
    result = planledger("migrate")
    assert result.returncode == 1
    assert "not yet available" in result.stderr
