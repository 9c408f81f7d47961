"""Every minutes file of the corpus (tests/fixtures/minutes/) imported into a real store: twice
records nothing the second time; a later meeting adds to the same activities as the sample; what
the minutes cannot place fails a --strict import whole.

The parse of each file is compared with its golden facts in tests/unit/test_minutes_corpus.py
(`python -m tests.fixtures.minutes.regenerate` rewrites them); here the same files go through the
importer and the ledger, one scratch database per test.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.activity import Activity
from domain.plan import plan_id_for
from service.application.ledger import PlanLedger
from service.config import ServerAddress
from service.minutes.importer import NO_PLAN, activity_id_for, import_minutes, plan_code
from service.minutes.model import ParsedMinutes
from service.minutes.parser import parse_minutes
from tests.fixtures.minutes import corpus
from tests.integration.store_helpers import event_count

CORPUS = corpus()


def parsed(name: str) -> ParsedMinutes:
    path = CORPUS[name]
    return parse_minutes(path.read_text(encoding="utf-8"), source=path.name)


@pytest.fixture
def app(database: ServerAddress) -> PlanLedger:
    ledger = PlanLedger.connect(database)
    yield ledger
    ledger.close()


@pytest.mark.parametrize("name", [name for name in CORPUS if name != "sample-1-2564"])
async def test_each_file_imported_twice_records_nothing_the_second_time(app: PlanLedger, name: str) -> None:
    minutes = parsed(name)
    first = await import_minutes(app, minutes, "secretariat")
    assert first.recorded > 0
    if minutes.plan is None:
        # minutes that name no plan: each activity they report is refused, saying so (none dropped unsaid)
        assert len(first.refused) == len(minutes.activity_results), first.refused
        assert all(NO_PLAN in refusal for refusal in first.refused), first.refused
    else:
        # the only refusals: rows whose kind no heading gives and no earlier minutes registered
        assert all("no kind heading above its row" in refusal for refusal in first.refused), first.refused
        assert len(first.refused) == 2 * sum(1 for r in minutes.activity_results if r.kind is None)
    events = event_count(app)
    second = await import_minutes(app, minutes, "secretariat")
    assert (second.recorded, event_count(app)) == (0, events)
    assert second.already + second.unchanged + len(
        second.refused
    ) == first.recorded + first.already + first.unchanged + len(first.refused)


async def test_the_later_meeting_adds_to_the_sample_s_activities(app: PlanLedger) -> None:
    sample, later = parsed("sample-1-2564"), parsed("hr-2-2564-progress-to-note")
    assert (await import_minutes(app, sample, "secretariat")).refused == []
    plan_id = plan_id_for(plan_code(sample))
    assert plan_id == plan_id_for(plan_code(later))
    ids = [activity_id_for(plan_id, r.fiscal_year_be, r.title) for r in later.activity_results]
    before = [app.load(Activity, i).state for i in ids]
    assert [a.status.value for a in before] == ["IN_PROGRESS"] * 4

    report = await import_minutes(app, later, "secretariat")
    assert report.refused == []
    after = [app.load(Activity, i, fresh=True).state for i in ids]
    assert [a.status.value for a in after] == ["COMPLETED", "IN_PROGRESS", "COMPLETED", "IN_PROGRESS"]
    assert [a.progress for a in after] == [None, Decimal("80"), None, None]  # stated, never made up
    # each completion takes effect on the day its row gives; before it the activity was in progress
    completed = app.load(Activity, ids[0], fresh=True)
    assert completed.state_as_of(later.activity_results[0].as_at or later.date).status.value == "COMPLETED"
    from datetime import date

    assert completed.state_as_of(date(2021, 1, 19)).status.value == "IN_PROGRESS"
    assert completed.state_as_of(date(2021, 1, 20)).status.value == "COMPLETED"
    # no activity was made twice: the later rows found the sample's
    assert len({*ids}) == 4
    events = event_count(app)
    assert (await import_minutes(app, later, "secretariat")).recorded == 0
    assert event_count(app) == events


async def test_a_row_of_unknown_kind_is_refused_by_name_when_no_earlier_minutes_registered_it(app: PlanLedger) -> None:
    """hr-5's row stands under no kind heading: with no activity of that title registered before,
    its status and outcome are refused, naming the row; the rest of the minutes is recorded."""
    out_of_place = parsed("hr-5-2564-rows-out-of-place")
    [row] = out_of_place.activity_results
    assert row.kind is None
    report = await import_minutes(app, out_of_place, "secretariat")
    assert len(report.refused) == 2 and all(row.title in refusal for refusal in report.refused)
    assert report.recorded > 0


async def test_minutes_of_another_meeting_with_a_recorded_number_are_refused_whole(app: PlanLedger) -> None:
    """An extraordinary meeting numbered like a regular one ('ครั้งที่ ๑/๒๕๖๔ (วิสามัญ)') of a body
    whose 1/2564 is recorded on another day is refused, never merged into the recorded meeting."""
    from dataclasses import replace

    sample = parsed("sample-1-2564")
    await import_minutes(app, sample, "secretariat")
    events = event_count(app)
    extraordinary = replace(parsed("medical-1-2564-extraordinary"), body=sample.body)
    report = await import_minutes(app, extraordinary, "secretariat")
    assert report.recorded == 0 and event_count(app) == events
    [refusal] = report.refused
    assert "already recorded as held on 2021-01-06" in refusal and "2021-03-19" in refusal
