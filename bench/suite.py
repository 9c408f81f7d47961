"""The registry of measures: what `python -m bench` (and `planledger bench`) runs, in this order.

Adding a measure is one function and one line here:

    # bench/reports.py
    def progress_report_measure(ctx: Context) -> list[Result]:
        server = ctx.planledger(1)          # or ctx.projected() for the database, ctx.token("reader"), ...
        ...                                 # time it and its baseline in the same run
        return [Result(measure="progress_report", name="...", target="p95 <= 50 ms", passed=...,
                       baseline="...", latency=Stats.of(ms), baseline_latency=Stats.of(base_ms),
                       ratio=...)]

    # below
    Measure("progress_report", "progressReport p95 vs ...", "bench.reports:progress_report_measure"),

The function gets the run's `bench.context.Context` (sizes, the generated ledger, servers, tokens,
scratch databases; everything it starts through the context is stopped at the end) and returns
result rows (`bench.core.Result`). New size knobs go on `bench.context.Sizes` (and SMOKE).
The order matters: `rebuild` runs on the log as generated, later measures add events to it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bench.context import Context
    from bench.core import Result


@dataclass(frozen=True)
class Measure:
    name: str  #: what --only takes
    title: str  #: the issue's row: what is measured against what
    function: str  #: "module:function", imported only when the measure runs

    def load(self) -> Callable[[Context], list[Result]]:
        module, _, attribute = self.function.partition(":")
        function: Callable[[Context], list[Result]] = getattr(importlib.import_module(module), attribute)
        return function


MEASURES: tuple[Measure, ...] = (
    Measure("rebuild", "rebuild of all read models vs a raw read of the log", "bench.projections:rebuild_measure"),
    Measure("import", "bulk import (import-log) vs asyncpg COPY of the same rows", "bench.writes:import_measure"),
    Measure("as_of", "whole plan as of a random past date vs eventsourcing replay", "bench.projections:as_of_measure"),
    Measure("whole_plan", "whole-plan query req/s vs PostGraphile on the same tables", "bench.api:whole_plan_measure"),
    Measure(
        "mutations",
        "mutation -> committed event, 1 and 16 clients vs raw asyncpg inserts",
        "bench.writes:mutations_measure",
    ),
    Measure(
        "visible", "commit -> visible in the read models and -> delivered to a subscriber", "bench.api:visible_measure"
    ),
    Measure("fanout", "subscription fan-out to 1,000 WebSocket subscribers", "bench.api:fanout_measure"),
    Measure(
        "minutes",
        "the sample minutes imported; a 200-page PDF read and parsed (issue 18)",
        "bench.minutes:minutes_measure",
    ),
    Measure(
        "reporting",
        "progressReport and a whole plan's health roll-ups as of a past date (issue 10)",
        "bench.reporting:reporting_measure",
    ),
)
BY_NAME = {m.name: m for m in MEASURES}


def select(only: str | None) -> list[Measure]:
    """The measures `--only a,b` names (in registry order), or all; ValueError naming the unknown."""
    if not only:
        return list(MEASURES)
    wanted = [name.strip() for name in only.split(",") if name.strip()]
    unknown = [name for name in wanted if name not in BY_NAME]
    if unknown or not wanted:
        raise ValueError(f"--only: unknown measure {', '.join(unknown) or '(none)'}; known: {', '.join(BY_NAME)}")
    return [m for m in MEASURES if m.name in wanted]
