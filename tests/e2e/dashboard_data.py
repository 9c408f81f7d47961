"""The seed minutes, imported with the importer, plus what the minutes do not have yet (milestones
with reschedules, and risks of every level) recorded through the API: the data the dashboard and
report tests look at. No tests here."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from service.config import ServerAddress
from tests.conftest import create_database, drop_database, url_of
from tests.e2e.server_process import ROOT, Server
from tests.paths import SAMPLE_MINUTES

MILESTONES = """
query Activities($plan: ID!) { plan(id: $plan) { activities { id title status fiscalYear } } }
"""
PLAN_AND_MEETINGS = "query { plans { id code } meetings(first: 500) { edges { node { id code planId body date } } } }"


def import_seed(database_url: str) -> None:
    """`planledger import-minutes` on the seed, as a person would run it."""
    done = subprocess.run(
        [sys.executable, "-m", "service.cli", "import-minutes", str(SAMPLE_MINUTES)],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr


def caught_up(server: Server, timeout: float = 30) -> None:
    """Until the read models hold the whole log. (A server started on a log that has no read
    models yet answers /readyz at once, while its projector still builds them: a query in that
    moment fails on a missing rm_ table.)"""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready = httpx.get(f"{server.url}/readyz", timeout=5).json()
        if ready.get("logPosition") and ready.get("lagEvents") == 0:
            return
        time.sleep(0.05)
    raise AssertionError(f"the projector did not catch up: {ready}")


def query(server: Server, document: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    response = server.post(document, variables)
    assert response.status_code == 200, response.text
    body = response.json()
    assert not body.get("errors"), body["errors"]
    data: dict[str, Any] = body["data"]
    return data


def mutate(server: Server, name: str, input: dict[str, Any]) -> dict[str, Any]:
    kind = name[0].upper() + name[1:]
    document = (
        f"mutation($input: {kind}Input!) {{ r: {name}(input: $input) {{ __typename "
        "... on Recorded { streamId createdId position } ... on UserError { code message } } }"
    )
    payload = query(server, document, {"input": {**input, "consistency": "READ_YOUR_WRITES"}})["r"]
    assert "code" not in payload, payload
    return payload


def plan_and_meetings(server: Server) -> tuple[str, dict[str, str]]:
    """The plan's ID, and the IDs of the committee's meetings by code."""
    data = query(server, PLAN_AND_MEETINGS)
    [plan] = data["plans"]
    meetings = [e["node"] for e in data["meetings"]["edges"]]
    bodies = {m["body"] for m in meetings if m["planId"] == plan["id"]}
    return plan["id"], {m["code"]: m["id"] for m in meetings if m["body"] in bodies}


def enrich(server: Server) -> None:
    """Milestones (planned, slipped, achieved, overdue), risks of several levels and the progress of
    two activities, after 1/2564."""
    plan_id, _ = plan_and_meetings(server)
    activities = query(server, MILESTONES, {"plan": plan_id})["plan"]["activities"]
    going = [a for a in activities if a["status"] == "IN_PROGRESS"][:4]
    done = [a for a in activities if a["status"] == "COMPLETED"][:1]
    stalled = [a for a in activities if a["status"] == "NOT_IMPLEMENTED"][:1]
    plans = [
        # (activity, title, due, effective, reschedules [(to, effective)], achieved)
        (going[0], "ร่างหลักเกณฑ์เสนอ อ.ก.ก.", "2021-02-15", "2021-01-06", [("2021-04-30", "2021-02-03")], None),
        (going[0], "ประกาศใช้หลักเกณฑ์", "2021-06-30", "2021-01-06", [("2021-08-31", "2021-02-03")], None),
        (going[1], "วิเคราะห์ภารกิจที่ถ่ายโอน", "2021-01-31", "2021-01-06", [], "2021-01-29"),
        (going[1], "เสนอ ก.ก. พิจารณา", "2021-03-31", "2021-01-06", [], None),
        (going[2], "จัดกลุ่มตำแหน่ง", "2020-12-31", "2020-12-03", [("2021-01-31", "2021-01-06")], "2021-02-10"),
        (going[3], "ร่างหลักเกณฑ์การสอบ", "2021-05-31", "2021-01-06", [], None),
        (done[0], "สรุปผลโครงการ", "2020-12-15", "2020-12-03", [], "2020-12-10"),
    ]
    for activity, title, due, effective, reschedules, achieved in plans:
        made = mutate(
            server,
            "planMilestone",
            {"activityId": activity["id"], "title": title, "dueOn": due, "effectiveOn": effective},
        )
        milestone = made["createdId"]
        for to, when in reschedules:
            mutate(
                server,
                "rescheduleMilestone",
                {
                    "activityId": activity["id"],
                    "milestoneId": milestone,
                    "dueOn": to,
                    "effectiveOn": when,
                    "reason": "รอความเห็นของหน่วยงานที่เกี่ยวข้อง",
                },
            )
        if achieved:
            mutate(
                server,
                "achieveMilestone",
                {
                    "activityId": activity["id"],
                    "milestoneId": milestone,
                    "achievedOn": achieved,
                    "effectiveOn": achieved,
                },
            )
    risks = [
        (stalled[0], "ไม่ได้รับจัดสรรงบประมาณในปีงบประมาณถัดไป", 5, 5, "2021-02-03"),
        (going[0], "ผู้บริหารยังไม่ให้ความเห็นชอบ", 4, 4, "2021-02-03"),
        (going[1], "หน่วยงานรับโอนภารกิจไม่พร้อม", 4, 3, "2021-01-06"),
        (going[2], "ขาดข้อมูลอัตรากำลังที่เป็นปัจจุบัน", 2, 4, "2021-01-06"),
        (going[3], "การแพร่ระบาดของโควิด-19 ระลอกใหม่", 3, 4, "2021-01-06"),
        (done[0], "ผู้เข้ารับการพัฒนาไม่ครบตามเป้าหมาย", 2, 2, "2021-01-06"),
    ]
    # progress reported for two activities only: the others' stays unknown (shown "—", never 0)
    for activity, progress in ((going[0], 40), (going[1], 65.5)):
        mutate(
            server, "reportProgress", {"activityId": activity["id"], "progress": progress, "effectiveOn": "2021-02-03"}
        )
    for activity, title, likelihood, impact, effective in risks:
        mutate(
            server,
            "noteRisk",
            {
                "activityId": activity["id"],
                "title": title,
                "likelihood": likelihood,
                "impact": impact,
                "owner": "สำนักงาน ก.ก.",
                "mitigation": "ติดตามและรายงานต่อที่ประชุมทุกเดือน",
                "reviewOn": "2021-03-03",
                "effectiveOn": effective,
            },
        )


@contextlib.contextmanager
def seeded(postgres: ServerAddress) -> Iterator[Server]:
    """A `planledger serve` process on a fresh database holding the seed and `enrich`'s facts."""
    address = create_database(postgres)
    try:
        url = url_of(address)
        import_seed(url)
        log = Path(tempfile.mkdtemp(prefix="planledger-dashboard-")) / "serve.log"
        process = Server(url, log_file=log).start()
        try:
            caught_up(process)
            enrich(process)
            yield process
        except BaseException:
            print(process.logs()[-20_000:], file=sys.stderr)
            raise
        finally:
            process.stop()
    finally:
        drop_database(postgres, address)
