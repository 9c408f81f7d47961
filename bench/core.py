"""What every measure shares: a result row, percentiles, the printed table and the JSON report."""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (q from 0 to 100), linear between the nearest ranks; NaN when empty."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass
class Stats:
    """Latencies in milliseconds: median, p95, p99 and how many samples."""

    median: float
    p95: float
    p99: float
    samples: int
    max: float = float("nan")

    @classmethod
    def of(cls, values: Sequence[float]) -> Stats:
        return cls(
            percentile(values, 50),
            percentile(values, 95),
            percentile(values, 99),
            len(values),
            max(values) if values else float("nan"),
        )


@dataclass
class Result:
    """One row of the table: a measured thing, the baseline measured beside it in the same run,
    their ratio, the target and whether it was met (`passed` None: a row for information)."""

    measure: str  #: the registered measure that made it (what `--only` names)
    name: str
    target: str = ""
    passed: bool | None = None
    baseline: str = "-"
    rate: float | None = None  #: throughput (`rate_unit`), e.g. events/s, req/s, commits/s
    rate_unit: str = ""
    latency: Stats | None = None  #: ms
    baseline_rate: float | None = None
    baseline_unit: str = ""  #: when it differs from `rate_unit`
    baseline_latency: Stats | None = None
    #: measured rate ÷ baseline rate, or (latencies) baseline median ÷ measured median: "times faster"
    ratio: float | None = None
    notes: dict[str, Any] = field(default_factory=dict)
    error: str | None = None

    @property
    def verdict(self) -> str:
        if self.error is not None:
            return "ERROR"
        if self.passed is None:
            return "info"
        return "PASS" if self.passed else "FAIL"

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["verdict"] = self.verdict
        return out


def load_average() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def machine() -> dict[str, Any]:
    import platform

    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GB"
    except (OSError, ValueError, IndexError):
        pass
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu": model,
        "memory": memory,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "hostname": platform.node(),
    }


# -- the table ---------------------------------------------------------------------------------------


def _number(value: float | None, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:,.{digits}f}"


def _rate(value: float | None, unit: str) -> str:
    return "-" if value is None else f"{_number(value, 0 if value >= 100 else 1)} {unit}".strip()


def _stats(stats: Stats | None) -> str:
    if stats is None:
        return "-"
    return f"{_number(stats.median, 2)} / {_number(stats.p95, 2)} / {_number(stats.p99, 2)}"


def table_rows(results: Sequence[Result]) -> list[list[str]]:
    head = [
        "measure",
        "rate",
        "median ms",
        "p95 ms",
        "p99 ms",
        "baseline (same run)",
        "baseline rate",
        "baseline ms (p50/p95/p99)",
        "ratio",
        "target",
        "result",
    ]
    rows = [head]
    for r in results:
        lat = r.latency
        rows.append(
            [
                r.name,
                _rate(r.rate, r.rate_unit),
                "-" if lat is None else _number(lat.median, 2),
                "-" if lat is None else _number(lat.p95, 2),
                "-" if lat is None else _number(lat.p99, 2),
                r.baseline,
                _rate(r.baseline_rate, r.baseline_unit or r.rate_unit),
                _stats(r.baseline_latency),
                "-" if r.ratio is None else f"{r.ratio:,.2f}x",
                r.target or "-",
                r.verdict if r.error is None else f"ERROR: {r.error[:80]}",
            ]
        )
    return rows


def table(results: Sequence[Result]) -> str:
    """A Markdown table (aligned, so it reads as text too)."""
    rows = table_rows(results)
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["| " + " | ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)) + " |" for row in rows]
    lines.insert(1, "| " + " | ".join("-" * w for w in widths) + " |")
    return "\n".join(lines)
