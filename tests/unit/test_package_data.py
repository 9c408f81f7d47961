"""What the server serves from disk (the dashboard, GraphiQL's vendored files) is package data: an
installed planledger (not only a checkout) has every file, as pyproject.toml's globs say."""

from __future__ import annotations

import hashlib
import tomllib
from fnmatch import fnmatch

from tests.paths import ROOT

SERVED = ("service/dashboard/static", "service/web/static")


def test_every_file_served_from_disk_is_package_data() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    globs = config["tool"]["setuptools"]["package-data"]["service"]
    files = [
        path.relative_to(ROOT / "service").as_posix()
        for top in SERVED
        for path in (ROOT / top).rglob("*")
        if path.is_file()
    ]
    assert any(f.startswith("web/static/graphiql/") for f in files)
    missing = [f for f in files if not any(_installs(glob, f) for glob in globs)]
    assert not missing, f"served but not installed (add them to package-data in pyproject.toml): {missing}"


def _installs(glob: str, file: str) -> bool:
    """Whether a package-data glob takes the file (as setuptools reads it: `*` stays in its folder)."""
    folder = glob.rsplit("/", 1)[0]
    return fnmatch(file, glob) and "/" not in file[len(folder) + 1 :]


def test_graphiqls_vendored_files_are_the_published_ones() -> None:
    """The sums its README records: the files are the npm packages' own, unchanged."""
    folder = ROOT / "service/web/static/graphiql"
    readme = (folder / "README.md").read_text()
    recorded = dict(
        reversed(line.split())
        for line in readme.split("```")[-2].strip().splitlines()  # type: ignore[misc]
    )
    assert set(recorded) == {p.name for p in folder.glob("*.min.*")}
    for name, digest in recorded.items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, name
    for licence in ("LICENSE.graphiql", "LICENSE.react", "LICENSE.react-dom"):
        assert "MIT License" in (folder / licence).read_text(), licence
