"""What the hostile-input tests share: documents shaped to cost a server dearly, a /healthz probe
that runs in a process of its own, and a server process's resident memory."""

from __future__ import annotations

import itertools
import json
import re
import subprocess
import sys
import time
from pathlib import Path

from tests.e2e.server_process import Server


def spreads(levels: int, salt: str = "") -> str:
    """Fragments that each spread the next one twice, `levels` deep: 2^levels selections, ~45 bytes a level."""
    names = [f"F{salt}{n}" for n in range(levels + 1)]
    fragments = " ".join(f"fragment {a} on Query {{ ...{b} ...{b} }}" for a, b in itertools.pairwise(names))
    return f"{{ ...{names[0]} }} {fragments} fragment {names[-1]} on Query {{ logPosition }}"


def fields(size: int, salt: str = "") -> str:
    """About `size` bytes of aliased fields."""
    count = size // len(f"f{salt}00000: logPosition ")
    return "{ " + " ".join(f"f{salt}{n:05}: logPosition" for n in range(count)) + " }"


def long_string(size: int) -> str:
    return '{ plan(id: "' + "x" * size + '") { code } }'


#: asks /healthz over and over until its stdin closes, then prints how long each answer took
HEALTHZ_PROBE = """
import json, select, sys, time
import httpx
with httpx.Client(timeout=30) as http:
    http.get(sys.argv[1])
    print("ready", flush=True)
    times = []
    while not select.select([sys.stdin], [], [], 0)[0]:
        started = time.monotonic()
        assert http.get(sys.argv[1]).status_code == 200
        times.append(time.monotonic() - started)
        time.sleep(0.005)
print(json.dumps(times), flush=True)
"""


class Healthz:
    """Asks /healthz over and over while the block runs, from a process of its own (so this one's
    work does not delay it); `slowest` is its slowest answer."""

    def __init__(self, served: Server) -> None:
        self.url = f"{served.url}/healthz"
        self.times: list[float] = []
        self._probe: subprocess.Popen[str] | None = None

    def __enter__(self) -> Healthz:
        self._probe = subprocess.Popen(
            [sys.executable, "-c", HEALTHZ_PROBE, self.url], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self._probe.stdout is not None and self._probe.stdout.readline().strip() == "ready"
        time.sleep(0.05)
        return self

    def __exit__(self, *_: object) -> None:
        time.sleep(0.05)
        assert self._probe is not None
        output, _ = self._probe.communicate("", timeout=60)
        self.times = json.loads(output)

    @property
    def slowest(self) -> float:
        assert self.times, "/healthz never answered"
        return max(self.times)


def rss(served: Server) -> int:
    assert served.process is not None
    status = Path(f"/proc/{served.process.pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) * 1024  # type: ignore[union-attr]
