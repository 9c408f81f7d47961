"""Commands per second through the application layer vs raw asyncpg single-row inserts.

    python -m bench.store_throughput [--url postgresql://...] [--seconds 5] [--clients 1] [-- env KEY=VALUE ...]

Both run against the same server, one after the other, on `clients` connections (threads) each:
the application loads an activity, changes it and saves it (each thread its own activity); the
baseline commits one-row INSERTs of an event-sized row into a table shaped like the event store's.
The ratio is what counts on a shared machine. The `mutations` measure of `python -m bench` uses
these two beside the GraphQL mutations; this command is for trying application settings.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import threading
import time
import uuid
from datetime import date
from decimal import Decimal

import asyncpg

from domain import commands as c
from domain.facts import Meta
from service.application.ledger import PlanLedger
from service.config import ServerAddress
from service.store.database import create_scratch_database, drop_scratch_database

RAW_TABLE = "bench_raw_events"
#: about the size of a stored progress report (eventsourcing's JSON state)
STATE = (
    b'{"timestamp":{"_type_":"datetime_iso","_data_":"2026-11-25T08:00:00.000000+00:00"},'
    b'"effective_on":{"_type_":"date_iso","_data_":"2026-11-25"},"actor":"bench","meeting_id":null,'
    b'"reason":null,"progress":{"_type_":"decimal_str","_data_":"42.50"}}'
) + b" " * 150
TOPIC = "domain.activity:Activity.ProgressReported"
INSERT = f"INSERT INTO {RAW_TABLE} (originator_id, originator_version, topic, state) VALUES ($1, $2, $3, $4)"


async def raw_inserts(address: ServerAddress, seconds: float, connections: int = 1) -> tuple[int, float, list[float]]:
    """Single-row INSERT transactions on `connections` connections at once for `seconds`:
    (rows, elapsed seconds, latency of each in ms)."""
    setup = await asyncpg.connect(**address.asyncpg_args())
    await setup.execute(
        f"CREATE TABLE IF NOT EXISTS {RAW_TABLE} (originator_id uuid NOT NULL, originator_version bigint NOT NULL, "
        "topic text NOT NULL, state bytea NOT NULL, notification_id bigserial UNIQUE, "
        "PRIMARY KEY (originator_id, originator_version))"
    )
    conns = [await asyncpg.connect(**address.asyncpg_args()) for _ in range(connections)]
    latencies: list[float] = []
    try:
        started = time.perf_counter()
        deadline = started + seconds

        async def insert(conn: asyncpg.Connection) -> None:
            stream, version = uuid.uuid4(), 0
            while time.perf_counter() < deadline:
                version += 1
                began = time.perf_counter()
                await conn.execute(
                    INSERT,
                    stream,
                    version,
                    TOPIC,
                    STATE,
                )
                latencies.append((time.perf_counter() - began) * 1000)

        await asyncio.gather(*(insert(conn) for conn in conns))
        elapsed = time.perf_counter() - started
    finally:
        for conn in conns:
            await conn.close()
        await setup.execute(f"DROP TABLE IF EXISTS {RAW_TABLE}")
        await setup.close()
    return len(latencies), elapsed, latencies


def _new_activity(app: PlanLedger, history: int) -> uuid.UUID:
    meta = Meta(date(2021, 1, 6), "bench")
    plan = app.execute(
        c.CreatePlan(
            code=f"B-{uuid.uuid4().hex[:8]}",
            title="bench",
            period_start=date(2018, 1, 1),
            period_end=date(2022, 12, 31),
        ),
        meta,
    )
    app.execute(c.AddStrategy(plan_id=plan.stream_id, number=1, title="s"), meta)
    activity = app.execute(
        c.RegisterActivity(
            plan_id=plan.stream_id,
            strategy_number=1,
            fiscal_year=2564,
            kind="ONE_YEAR",
            title="a",
            responsible_units=("u",),
        ),
        meta,
    ).stream_id
    for i in range(history):  # an activity with a realistic history
        app.execute(c.ReportProgress(activity_id=activity, progress=Decimal(i % 100)), meta)
    return activity


def app_commands(
    address: ServerAddress, seconds: float, settings: dict[str, str], history: int, threads: int = 1
) -> tuple[int, float, list[float]]:
    """`PlanLedger.execute(ReportProgress)` in `threads` threads at once, each on its own activity:
    (commands, elapsed seconds, latency of each in ms)."""
    app = PlanLedger.connect(address, **settings)
    latencies: list[float] = []
    try:
        activities = [_new_activity(app, history) for _ in range(threads)]
        meta = Meta(date(2021, 1, 6), "bench")
        start = threading.Barrier(threads + 1)
        deadline = [0.0]

        def work(activity: uuid.UUID) -> None:
            start.wait()
            count = 0
            while time.perf_counter() < deadline[0]:
                began = time.perf_counter()
                app.execute(c.ReportProgress(activity_id=activity, progress=Decimal(count % 100)), meta)
                latencies.append((time.perf_counter() - began) * 1000)
                count += 1

        workers = [threading.Thread(target=work, args=(a,), daemon=True) for a in activities]
        for worker in workers:
            worker.start()
        started = time.perf_counter()
        deadline[0] = started + seconds
        start.wait()
        for worker in workers:
            worker.join()
        elapsed = time.perf_counter() - started
    finally:
        app.close()
    return len(latencies), elapsed, latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--url", default=os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    )
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=1, help="connections / threads at once")
    parser.add_argument("--history", type=int, default=40, help="events already on each activity")
    parser.add_argument("env", nargs="*", help="extra application settings KEY=VALUE")
    args = parser.parse_args()
    settings = dict(item.split("=", 1) for item in args.env)
    address = create_scratch_database(ServerAddress.from_url(args.url), "bench")
    try:
        rows, raw_elapsed, _ = asyncio.run(raw_inserts(address, args.seconds, args.clients))
        commands, app_elapsed, _ = app_commands(address, args.seconds, settings, args.history, args.clients)
    finally:
        drop_scratch_database(ServerAddress.from_url(args.url), address)
    raw, app = rows / raw_elapsed, commands / app_elapsed
    print(f"raw asyncpg single-row inserts, {args.clients} connection(s): {raw:8.0f} /s")
    print(f"application commands (load, change, save), {args.clients} thread(s): {app:8.0f} /s")
    print(f"ratio: {app / raw:.2f}x   settings: {settings or 'defaults'}")


if __name__ == "__main__":
    main()
