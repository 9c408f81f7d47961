"""Minutes arriving out of order are the record itself (issue 20, point 3): the minutes of 9/2563
imported after those of 1/2564 (which approved them with three corrections) and of 2/2564 are
accepted, with the corrections approved for them applied, and every answer the API gives equals
the import in date order — for every order of the three.

The corpus: the sample minutes of 1/2564, tests/fixtures/minutes_2_2564.txt, and
tests/fixtures/out_of_order/minutes_9_2563.txt, written in the sample's format with the three
passages 1/2564's corrections name ("หน้า ๑๑ ข้อ ๖ จาก … เป็น …").
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from domain.meeting import meeting_id_for
from domain.plan import plan_id_for
from projections.rebuild import verify
from projections.schema import create_tables
from service.application.ledger import PlanLedger
from service.config import ServerAddress
from service.minutes.importer import import_minutes, plan_code
from service.minutes.model import ParsedMinutes
from service.minutes.parser import parse_minutes
from tests.conftest import create_database, drop_database
from tests.integration.graphql_support import Api
from tests.paths import SAMPLE_MINUTES

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CORPUS = {
    "9/2563": FIXTURES / "out_of_order" / "minutes_9_2563.txt",
    "1/2564": SAMPLE_MINUTES,
    "2/2564": FIXTURES / "minutes_2_2564.txt",
}
DATE_ORDER = ("9/2563", "1/2564", "2/2564")
#: every other order of the three: 2/2564's minutes name the plan but not when it was approved, so
#: imported before 1/2564's they date it from FY 2563; 1/2564's then move its beginning back
ORDERS = [order for order in itertools.permutations(DATE_ORDER) if order != DATE_ORDER]
BODY = "อ.ก.ก. วิสามัญเกี่ยวกับยุทธศาสตร์การบริหารทรัพยากรบุคคลของกรุงเทพมหานคร"


def _id(code: str) -> str:
    """A meeting of the committee by its ID (another body, ก.ก., has a 1/2564 too)."""
    return str(meeting_id_for(BODY, code))


POINTS: list[dict[str, str] | None] = [
    None,
    {"meeting": _id("9/2563")},
    {"meeting": _id("1/2564")},
    {"meeting": _id("2/2564")},
    {"date": "2020-09-30"},
    {"date": "2020-12-02"},
    {"date": "2021-02-03"},
]
PLAN = """
query($id: ID!, $at: AsOf) { plan(id: $id, asOf: $at) {
  code title lock { through meetingCode approvedAt }
  reportedFigures { label value unit meeting { code } }
  summary { meanProgress progressKnown }
  strategies { number title activities { title fiscalYear kind status progress outcome responsibleUnits
    risks { title likelihood impact owner status } } } } }
"""
MEETING = """
query($c: String!) { meeting(id: $c) {
  id code body date startsAt endsAt venue mode byReference extraordinary planId
  attendance { name position role presence }
  agenda { number title subject }
  comments { number text }
  resolutions { id agendaItem kind text actionItems { id description owner dueOn dueMeeting doneOn state } }
  minutesApprovals { ofCode corrections { where from to } }
  nextMeeting { code date startsAt } } }
"""
REPORT = """
query($plan: ID!, $m: String!) { progressReport(planId: $plan, meeting: $m) {
  meeting { code } previousMeeting { code }
  changedActivities { title changed effectiveOn heardAt lateReport late { closedBy { code } approvedAt { code } } }
  lateReports { type effectiveOn reportedOn late { closedBy { code } approvedAt { code } } }
  openActionItems { id description owner state } } }
"""
CODES = ("8/2563", "9/2563", "1/2564", "2/2564", "3/2564")


def _parsed(code: str) -> ParsedMinutes:
    return parse_minutes(CORPUS[code].read_text(encoding="utf-8"), source=code)


@asynccontextmanager
async def _api(server: ServerAddress) -> AsyncIterator[Api]:
    address = create_database(server)
    ledger = PlanLedger.connect(address)
    pool = await asyncpg.create_pool(min_size=1, max_size=5, **address.asyncpg_args())
    try:
        async with pool.acquire() as conn:
            await create_tables(conn)
        yield Api(ledger, pool, address, [])
    finally:
        await pool.close()
        ledger.close()
        drop_database(server, address)


async def _answers(api: Api, order: tuple[str, ...]) -> dict[str, Any]:
    for code in order:
        report = await import_minutes(api.ledger, _parsed(code), "secretariat")
        assert report.refused == [], (order, code, report.refused)
    plan = str(plan_id_for(plan_code(_parsed("1/2564"))))
    out: dict[str, Any] = {}
    for point in POINTS:
        out[f"plan at {point}"] = await api.run(PLAN, {"id": plan, "at": point})
    for code in CODES:
        found = await api.run(MEETING, {"c": _id(code)})
        out[f"meeting {code}"] = found
    for code in ("9/2563", "1/2564", "2/2564"):
        out[f"report {code}"] = await api.run(REPORT, {"plan": plan, "m": _id(code)})
    await api.project()
    assert await verify(api.address.asyncpg_args()) == [], order  # the projector's rows are a rebuild's
    return out


_DATE_ORDER_ANSWERS: dict[str, Any] = {}


async def _in_date_order(server: ServerAddress) -> dict[str, Any]:
    if not _DATE_ORDER_ANSWERS:
        async with _api(server) as api:
            _DATE_ORDER_ANSWERS.update(await _answers(api, DATE_ORDER))
    return _DATE_ORDER_ANSWERS


async def test_in_date_order_the_corrections_approved_at_1_2564_correct_9_2563s_record(server: ServerAddress) -> None:
    answers = await _in_date_order(server)
    meeting = answers["meeting 9/2563"]["meeting"]
    assert meeting["byReference"] is False and meeting["endsAt"] == "12:00:00"
    texts = " ".join(c["text"] for c in meeting["comments"])
    for wrong, right in [
        ("ของหน่วยงานภาครัฐ", "การลงเวลาปฏิบัติราชการผ่านสื่ออิเล็กทรอนิกส์ของส่วนราชการ"),
        ("สารสนเทศทรัพยากรบุคคลระดับกรม", "สารสนเทศทรัพยากรบุคคลของข้าราชการ"),
        ("ให้ทันกับความต้องการ", "ให้เป็นไปตามกฎ ระเบียบ และเทคโนโลยีที่เปลี่ยนแปลง"),
    ]:
        assert wrong not in texts and right in texts, texts
    approvals = answers["meeting 1/2564"]["meeting"]["minutesApprovals"]
    assert [(a["ofCode"], len(a["corrections"])) for a in approvals] == [("9/2563", 3)]


@pytest.mark.parametrize("order", ORDERS, ids=["-".join(o).replace("/", "_") for o in ORDERS])
async def test_minutes_imported_in_any_order_give_the_answers_of_the_date_order(
    server: ServerAddress, order: tuple[str, ...]
) -> None:
    expected = await _in_date_order(server)
    async with _api(server) as api:
        answers = await _answers(api, order)
    for key in expected:
        assert answers[key] == expected[key], (key, _first_difference(answers[key], expected[key]))


def _first_difference(got: Any, want: Any, path: str = "") -> str:
    """Where two answers first differ, for a readable failure."""
    if isinstance(got, dict) and isinstance(want, dict):
        for k in sorted(set(got) | set(want)):
            if got.get(k) != want.get(k):
                return _first_difference(got.get(k), want.get(k), f"{path}.{k}")
    if isinstance(got, list) and isinstance(want, list) and len(got) == len(want):
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            if g != w:
                return _first_difference(g, w, f"{path}[{i}]")
    return f"{path}: {got!r} != {want!r}"
