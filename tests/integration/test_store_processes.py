"""The store across processes and restarts: idempotency from two processes, durability."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import textwrap
from datetime import date
from pathlib import Path

from domain import commands as c
from service.application.ledger import PlanLedger
from service.config import ServerAddress
from service.store.embedded import EmbeddedServer
from tests.integration.store_helpers import event_count, meta, plan_with_activity
from tests.paths import ROOT

WRITER = textwrap.dedent(
    """
    import json, sys, time
    from datetime import date
    from uuid import UUID
    from domain import commands as c
    from domain.facts import Meta
    from service.config import ServerAddress
    from service.application.ledger import PlanLedger

    address = ServerAddress(**json.loads(sys.argv[1]))
    app = PlanLedger.connect(address)
    command = c.ChangeActivityStatus(activity_id=UUID(sys.argv[2]), status="IN_PROGRESS")
    start_at = float(sys.argv[3])
    while time.time() < start_at:
        pass
    receipt = app.execute(command, Meta(date(2021, 1, 6), "unit"), idempotency_key=sys.argv[4])
    print(json.dumps([str(receipt.stream_id), receipt.version, receipt.cursor]))
    app.close()
    """
)


def test_the_same_key_from_two_processes_at_once_records_once(database: ServerAddress) -> None:
    import time

    app = PlanLedger.connect(database)
    _, activity_id = plan_with_activity(app)
    before = event_count(app)
    address = json.dumps(database.__dict__)
    for round_number in range(3):
        start_at = time.time() + 2.0
        key = f"race-{round_number}"
        if round_number:
            # each round races on a fresh status change
            app.execute(c.ChangeActivityStatus(activity_id=activity_id, status="ON_HOLD"), meta(reason="wait"))
            before = event_count(app)
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", WRITER, address, str(activity_id), str(start_at), key],
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        results = []
        for proc in procs:
            out, err = proc.communicate(timeout=60)
            assert proc.returncode == 0, err
            results.append(json.loads(out))
        assert results[0] == results[1]
        # exactly one status change and one key record were written
        assert event_count(app) == before + 2
    app.close()


def test_events_survive_a_restart_of_the_embedded_server() -> None:
    folder = Path(tempfile.mkdtemp(prefix="planledger-durable-"))
    try:
        server = EmbeddedServer(folder)
        address = server.start()
        address = ServerAddress(address.host, address.port, address.user, address.password, "postgres")
        app = PlanLedger.connect(address)
        _, activity_id = plan_with_activity(app)
        receipt = app.execute(c.RecordOutcome(activity_id=activity_id, outcome="รายงานผลแล้ว"), meta(date(2021, 1, 6)))
        app.close()
        server.stop()
        assert not (folder / "postgres" / "postmaster.pid").exists()

        restarted = EmbeddedServer(folder)
        address = restarted.start()
        address = ServerAddress(address.host, address.port, address.user, address.password, "postgres")
        app = PlanLedger.connect(address)
        activity = app.repository.get(activity_id)
        assert activity.version == receipt.version
        assert activity.state.outcome == "รายงานผลแล้ว"
        app.close()
        restarted.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
