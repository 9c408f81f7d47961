"""Writers racing while a reader follows the log: positions become visible in order, so a reader
that follows by position (as the projector and the broker do) never passes over an event."""

from __future__ import annotations

import threading
import time
from decimal import Decimal
from uuid import UUID

import psycopg

from domain import commands as c
from service.application.ledger import PlanLedger
from service.config import ServerAddress
from tests.integration.store_helpers import activities_in_one_plan, meta

WRITERS = 8
SECONDS = 3.0


def _follow(dsn: str, start: int, writing: threading.Event) -> set[int]:
    """Follow the log by position, as the projector does, until the writers stop."""
    seen: set[int] = set()
    last = start
    with psycopg.connect(dsn, autocommit=True) as conn:
        while True:
            done = not writing.is_set()
            rows = conn.execute(
                "SELECT notification_id FROM planledger_events WHERE notification_id > %s ORDER BY notification_id",
                (last,),
            ).fetchall()
            for (position,) in rows:
                seen.add(position)
                last = position
            if done:
                return seen


def test_a_reader_following_the_log_never_passes_over_an_event(database: ServerAddress) -> None:
    setup = PlanLedger.connect(database)
    activities = activities_in_one_plan(setup, WRITERS)
    start = int(setup.recorder.max_notification_id() or 0)
    setup.close()
    # one ledger per writer, as separate server processes would be
    writers = [PlanLedger.connect(database) for _ in activities]
    writing = threading.Event()
    writing.set()
    seen: set[int] = set()

    def follow() -> None:
        seen.update(_follow(database.dsn(), start, writing))

    def write(app: PlanLedger, activity: UUID) -> None:
        n = 0
        deadline = time.monotonic() + SECONDS
        while time.monotonic() < deadline:
            n += 1
            app.execute(c.ReportProgress(activity_id=activity, progress=Decimal(n % 100)), meta())

    reader = threading.Thread(target=follow)
    reader.start()
    threads = [threading.Thread(target=write, args=(w, a)) for w, a in zip(writers, activities, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    writing.clear()
    reader.join()
    with psycopg.connect(database.dsn(), autocommit=True) as conn:
        written = {
            position
            for (position,) in conn.execute(
                "SELECT notification_id FROM planledger_events WHERE notification_id > %s", (start,)
            ).fetchall()
        }
    for w in writers:
        w.close()
    assert len(written) > 100  # the race was real: many commits while the reader followed
    assert written - seen == set(), f"the reader passed over {len(written - seen)} of {len(written)} events"
