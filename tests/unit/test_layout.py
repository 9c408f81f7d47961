"""The README's layout section is the map a newcomer reads first: every package, and every module
of the code, must be on it, so a room that exists and is not on the map fails here."""

from __future__ import annotations

import re
import subprocess

from tests.paths import ROOT

CODE = ("domain", "projections", "service")


def _layout() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Layout", 1)[1].split("\n## ", 1)[0]
    return section.split("```", 2)[1]


def _packages() -> list[str]:
    found = []
    for top in CODE:
        for init in sorted((ROOT / top).rglob("__init__.py")):
            found.append(init.parent.relative_to(ROOT).as_posix())
    return found


def test_every_package_is_on_the_map() -> None:
    layout = _layout()
    missing = [package for package in _packages() if f"{package.rsplit('/', 1)[-1]}/" not in layout]
    assert not missing, f"packages the README's layout does not mention: {missing}"


def test_every_module_is_on_the_map() -> None:
    words = set(re.findall(r"[a-z_]+", _layout()))
    missing = [
        path.relative_to(ROOT).as_posix()
        for top in CODE
        for path in sorted((ROOT / top).rglob("*.py"))
        if path.stem not in ("__init__", "__main__") and path.stem not in words
    ]
    assert not missing, f"modules the README's layout does not mention: {missing}"


def test_every_top_level_folder_is_on_the_map() -> None:
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    folders = sorted({line.split("/", 1)[0] for line in tracked.splitlines() if "/" in line and line[0] != "."})
    assert "service" in folders
    layout = "\n" + _layout()
    missing = [name for name in folders if f"\n{name}/" not in layout]
    assert not missing, f"top-level folders the README's layout does not mention: {missing}"
