"""The benchmark suite: every speed target of the project, each against a baseline measured in the
same run, as one table (printed, Markdown) and JSON.

    python -m bench                              # the large run: 1,000,000 events (tens of minutes)
    python -m bench --smoke                      # every measure at a tiny size (what CI runs)
    python -m bench --events 100000 --only rebuild,as_of --json out.json
    python -m bench --set subscribers=200 --set seconds=5      # any size knob (see --list)
    planledger bench ...                         # the same

It generates a ledger (`bench.generate`: plans × 5 strategies × activities with status changes,
progress, milestones and reschedules, risks, meetings with resolutions, corrections and backdated
reports over years) into a scratch database `bench_<hex>` on the PostgreSQL server that
`--database-url` (or BENCH_DATABASE_URL, or DATABASE_URL) names, or, without one, on an embedded
PostgreSQL started for the run; it never writes to the database the URL names. It installs
PostGraphile from npm by itself, starts `planledger serve` and PostGraphile on 127.0.0.1, and stops
everything it started and drops its databases at the end, also on an error, Ctrl-C or SIGTERM.
Exit status: 0 when every measure ran (missed targets are FAIL rows, not errors), 1 when a measure
could not run, 2 for bad arguments.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from bench.suite import MEASURES

    parser.add_argument("--events", type=int, help="size of the generated ledger (default 1,000,000; --smoke 2,500)")
    parser.add_argument(
        "--smoke", action="store_true", help="every measure at a tiny size: seconds, numbers meaningless"
    )
    parser.add_argument(
        "--only", metavar="NAMES", help=f"comma-separated measures to run: {', '.join(m.name for m in MEASURES)}"
    )
    parser.add_argument("--json", metavar="FILE", help="also write the results (and the run's facts) here as JSON")
    parser.add_argument(
        "--database-url",
        metavar="URL",
        help="PostgreSQL server for the scratch databases (default BENCH_DATABASE_URL or DATABASE_URL; "
        "without either, an embedded PostgreSQL started for the run)",
    )
    parser.add_argument(
        "--set", action="append", default=[], metavar="NAME=VALUE", help="change a size knob (see --list)"
    )
    parser.add_argument(
        "--load-generator",
        choices=("auto", "wrk", "python"),
        default="auto",
        help="for whole-plan req/s: wrk if installed (auto), else an asyncio + httpx one",
    )
    parser.add_argument("--list", action="store_true", help="list the measures and the size knobs, then exit")


def _list(sizes: Any) -> None:
    import dataclasses

    from bench.context import SMOKE
    from bench.suite import MEASURES

    print("measures (in the order they run):")
    for m in MEASURES:
        print(f"  {m.name:<11} {m.title}")
    print("size knobs (--set NAME=VALUE): NAME  default  smoke")
    for f in dataclasses.fields(sizes):
        print(f"  {f.name:<14} {getattr(sizes, f.name)!s:<10} {getattr(SMOKE, f.name)!s}")


def run(args: argparse.Namespace) -> int:
    import copy
    import dataclasses
    import json
    import shutil
    import signal
    import tempfile
    import time
    import traceback
    from pathlib import Path

    from bench.context import SMOKE, Context, Sizes
    from bench.core import Result, load_average, machine, table
    from bench.suite import select
    from service.config import ServerAddress
    from service.errors import ConfigurationError

    began = time.monotonic()

    def say(line: str) -> None:
        print(f"[bench {time.monotonic() - began:7.1f}s] {line}", file=sys.stderr, flush=True)

    sizes = copy.deepcopy(SMOKE) if args.smoke else Sizes()
    if args.list:
        _list(sizes)
        return 0
    try:
        if args.events is not None:
            sizes.set(f"events={args.events}")
        for assignment in args.set:
            sizes.set(assignment)
        if sizes.events < 1:
            raise ValueError("--events must be at least 1")
        measures = select(args.only)
        url = args.database_url or os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL")
        server = ServerAddress.from_url(url) if url else None
    except (ValueError, ConfigurationError) as error:
        print(f"bench: {error}", file=sys.stderr)
        return 2
    generator = args.load_generator
    if generator == "auto":
        generator = "wrk" if shutil.which("wrk") else "python"
    elif generator == "wrk" and not shutil.which("wrk"):
        print("bench: --load-generator wrk: wrk is not installed (apt-get install wrk)", file=sys.stderr)
        return 2

    def stop(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)  # unwinds through every `finally`: servers stopped, databases dropped

    previous = signal.signal(signal.SIGTERM, stop)
    report: dict[str, Any] = {
        "started": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "machine": machine(),
        "load_average_before": load_average(),
        "sizes": dataclasses.asdict(sizes),
        "smoke": bool(args.smoke),
        "measures_run": [m.name for m in measures],
        "load_generator": generator,
    }
    results: list[Result] = []
    ctx: Context | None = None
    embedded = None
    try:
        if server is None:
            from service.store.embedded import EmbeddedServer

            folder = Path(tempfile.mkdtemp(prefix="bench-pg-"))
            embedded = EmbeddedServer(folder)
            say(f"no database URL: starting an embedded PostgreSQL in {folder}")
            started = embedded.start()
            server = ServerAddress(started.host, started.port, started.user, started.password, "postgres")
        else:
            from service.store.database import check_reachable

            check_reachable(server)
        ctx = Context(server, sizes, say, generator)
        report["postgres"] = _postgres_version(server)
        report["database_server"] = "embedded" if embedded else server.describe()
        say(f"PostgreSQL {report['postgres']}; load average {load_average()}; load generator {generator}")
        timings: dict[str, float] = {}
        for measure in measures:
            say(f"== {measure.name}: {measure.title}")
            t0 = time.monotonic()
            try:
                rows = measure.load()(ctx)
            except Exception as error:
                traceback.print_exc(file=sys.stderr)
                rows = [Result(measure=measure.name, name=measure.title, error=f"{type(error).__name__}: {error}")]
            timings[measure.name] = round(time.monotonic() - t0, 1)
            results += rows
            for row in rows:
                say(f"   {row.verdict:<5} {row.name}")
        report["seconds_per_measure"] = timings
        report["facts"] = ctx.facts
    except ConfigurationError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 2
    finally:
        if ctx is not None:
            say("stopping what the run started")
            ctx.close()
        if embedded is not None:
            embedded.stop()
            shutil.rmtree(embedded.data_dir, ignore_errors=True)
        signal.signal(signal.SIGTERM, previous)
    report["load_average_after"] = load_average()
    report["seconds"] = round(time.monotonic() - began, 1)
    report["results"] = [r.as_dict() for r in results]
    smoke = " (SMOKE: sizes too small for the numbers to mean anything)" if args.smoke else ""
    print(
        f"planledger bench, {report['started']}: {sizes.events:,} events generated, PostgreSQL {report['postgres']}, "
        f"{report['machine']['cpus']} CPUs, load average {report['load_average_before']} -> "
        f"{report['load_average_after']}{smoke}"
    )
    print(table(results))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n")
        say(f"wrote {args.json}")
    return 1 if any(r.error for r in results) else 0


def _postgres_version(server: Any) -> str:
    import psycopg

    with psycopg.connect(server.dsn(), connect_timeout=5) as conn:
        row = conn.execute("SHOW server_version").fetchone()
    return str(row[0]) if row else "?"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_arguments(parser)
    try:
        return run(parser.parse_args(argv))
    except KeyboardInterrupt:
        print("bench: interrupted; everything it started was stopped", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
