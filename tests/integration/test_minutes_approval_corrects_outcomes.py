"""An approval's corrections reach what the approved minutes recorded on activities (the date order).

8/2564 adopts the minutes of 7/2564 with one correction, "หน้า ๓ ข้อ ๒ จาก “ดำเนินการได้ร้อยละ ๘๕”
เป็น “ดำเนินการได้ร้อยละ ๘๐”", a passage of an outcome 7/2564 reported on an activity. Imported in
the date order, the outcome is corrected by a correction with the three times of the approval: it
takes effect when the outcome does, is reported at 8/2564 and is recorded when 8/2564's minutes are.
What the committee had been told by 7/2564, and what the ledger said before 8/2564 was imported,
still read 85; as of 7/2564's date, from everything reported, it reads 80. Importing both files
again records nothing.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from domain.activity import Activity
from domain.facts import Corrected
from domain.meeting import meeting_id_for
from domain.plan import plan_id_for
from service.config import ServerAddress
from service.minutes.importer import activity_id_for, import_minutes, plan_code
from service.minutes.parser import parse_minutes
from tests.integration.test_out_of_order_minutes import _api

MINUTES = Path(__file__).resolve().parent.parent / "fixtures" / "minutes"
SEVEN = MINUTES / "hr-7-2564-acting-chair-br-cells.txt"
EIGHT = MINUTES / "hr-8-2564-pipe-table-resumed.txt"
TITLE = "สำรองภารกิจที่สำนักครุฑถ่ายโอนให้สำนักงานเขต"
OUTCOME = """
query($id: ID!, $at: AsOf) { plan(id: $id, asOf: $at) {
  strategies { activities { title outcome } } } }
"""


def _outcome(answer: dict[str, object]) -> str:
    plan = answer["plan"]
    assert isinstance(plan, dict)
    found = [a["outcome"] for s in plan["strategies"] for a in s["activities"] if a["title"] == TITLE]
    assert len(found) == 1, found
    return str(found[0])


async def test_an_approval_corrects_the_outcome_the_approved_minutes_reported(server: ServerAddress) -> None:
    seven = parse_minutes(SEVEN.read_text(encoding="utf-8"), source=SEVEN.name)
    eight = parse_minutes(EIGHT.read_text(encoding="utf-8"), source=EIGHT.name)
    plan = plan_id_for(plan_code(seven))
    result = next(r for r in seven.activity_results if r.title == TITLE)
    activity_id = activity_id_for(plan, result.fiscal_year_be, result.title)
    at_seven, at_eight = (str(meeting_id_for(m.body, m.code)) for m in (seven, eight))
    async with _api(server) as api:
        assert (await import_minutes(api.ledger, seven, "secretariat")).refused == []
        between = datetime.now(UTC)
        assert (await import_minutes(api.ledger, eight, "secretariat")).refused == []

        activity = api.ledger.load(Activity, activity_id, read_only=True)
        heard = next(f for f in activity.facts if isinstance(f, Activity.OutcomeRecorded) and f.meeting_id == at_seven)
        assert "ร้อยละ ๘๕" in heard.outcome  # the original stays
        (correction,) = [f for f in activity.facts if isinstance(f, Corrected)]
        assert correction.corrects == heard.originator_version
        assert correction.meeting_id == at_eight  # reported at the approving meeting
        assert correction.effective_on == heard.effective_on  # in effect when the outcome is
        assert correction.timestamp > between  # recorded with 8/2564's minutes
        assert "ร้อยละ ๘๐" in correction.changes["outcome"] and "๘๕" not in correction.changes["outcome"]
        assert correction.reason is not None and eight.code in correction.reason

        on_seven = {"date": seven.date.isoformat()}
        assert "ร้อยละ ๘๐" in _outcome(await api.run(OUTCOME, {"id": str(plan), "at": on_seven}))
        told_by_seven = {"meeting": at_seven}
        assert "ร้อยละ ๘๕" in _outcome(await api.run(OUTCOME, {"id": str(plan), "at": told_by_seven}))
        known_then = {**on_seven, "knownAt": between.isoformat()}
        assert "ร้อยละ ๘๕" in _outcome(await api.run(OUTCOME, {"id": str(plan), "at": known_then}))
        assert seven.date < date(2021, 7, 28) <= eight.date  # 8/2564's own outcome takes effect on the 28th
        assert "ร้อยละ ๘๐" in (activity.state_as_of(seven.date).outcome or "")
        assert "ร้อยละ ๘๕" in (activity.state_as_of(seven.date, known_at=between).outcome or "")

        for minutes in (seven, eight):  # again: nothing new
            again = await import_minutes(api.ledger, minutes, "secretariat")
            assert (again.recorded, again.refused) == (0, []), minutes.code
