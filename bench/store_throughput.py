"""Commands per second through the application layer vs raw asyncpg single-row inserts.

    python -m bench.store_throughput [--url postgresql://...] [--seconds 5] [-- env KEY=VALUE ...]

Both run in the same process against the same server, one after the other, on one connection
(one thread) each: the application loads an activity, changes it and saves it; the baseline
commits one-row INSERTs. The ratio is what counts on a shared machine.
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from datetime import date
from decimal import Decimal

import asyncpg

from domain import commands as c
from domain.ledger import Meta
from service.config import ServerAddress
from service.database import create_scratch_database, drop_scratch_database
from service.ledger import PlanLedger


async def raw_inserts(address: ServerAddress, seconds: float) -> float:
    conn = await asyncpg.connect(**address.asyncpg_args())
    await conn.execute("CREATE TABLE IF NOT EXISTS bench_raw (id bigserial PRIMARY KEY, body bytea)")
    body = b'{"progress": "42"}' * 4
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        await conn.execute("INSERT INTO bench_raw (body) VALUES ($1)", body)
        count += 1
    elapsed = time.perf_counter() - started
    await conn.close()
    return count / elapsed


def app_commands(address: ServerAddress, seconds: float, settings: dict[str, str], history: int) -> float:
    app = PlanLedger.connect(address, **settings)
    meta = Meta(date(2021, 1, 6), "bench")
    plan = app.execute(
        c.CreatePlan(code=f"B-{uuid.uuid4().hex[:6]}", title="bench", period_start=date(2018, 1, 1),
                     period_end=date(2022, 12, 31)),
        meta,
    )
    app.execute(c.AddStrategy(plan_id=plan.stream_id, number=1, title="s"), meta)
    activity = app.execute(
        c.RegisterActivity(plan_id=plan.stream_id, strategy_number=1, fiscal_year=2564, kind="ONE_YEAR",
                           title="a", responsible_units=("u",)),
        meta,
    ).stream_id
    for i in range(history):  # an activity with a realistic history
        app.execute(c.ReportProgress(activity_id=activity, progress=Decimal(i % 100)), meta)
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        app.execute(c.ReportProgress(activity_id=activity, progress=Decimal(count % 100)), meta)
        count += 1
    elapsed = time.perf_counter() - started
    app.close()
    return count / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--history", type=int, default=40, help="events already on the activity")
    parser.add_argument("env", nargs="*", help="extra application settings KEY=VALUE")
    args = parser.parse_args()
    settings = dict(item.split("=", 1) for item in args.env)
    address = create_scratch_database(ServerAddress.from_url(args.url), "bench")
    try:
        raw = asyncio.run(raw_inserts(address, args.seconds))
        app = app_commands(address, args.seconds, settings, args.history)
    finally:
        drop_scratch_database(ServerAddress.from_url(args.url), address)
    print(f"raw asyncpg single-row inserts, 1 connection: {raw:8.0f} /s")
    print(f"application commands (load, change, save):  {app:8.0f} /s")
    print(f"ratio: {app / raw:.2f}x   settings: {settings or 'defaults'}")


if __name__ == "__main__":
    main()
