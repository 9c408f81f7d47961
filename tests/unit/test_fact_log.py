"""`FactLog` behaves as the list it replaced, and a copy never sees what the original takes later
(or the other way round), across the tail's joins with the shared tuple; a log that dropped its
history reads it back only when asked for it, and only where its loader may."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.activity import Activity
from domain.fact_log import TAIL, FactLog, HistoryNotHere
from domain.facts import Meta


@given(st.lists(st.tuples(st.integers(), st.booleans()), max_size=4 * TAIL))
def test_a_fact_log_and_its_copies_behave_as_independent_lists(steps: list[tuple[int, bool]]) -> None:
    log: FactLog[int] = FactLog()
    mirror: list[int] = []
    copies: list[tuple[FactLog[int], list[int]]] = []
    for value, take_copy in steps:
        log.append(value)
        mirror.append(value)
        if take_copy:
            copies.append((log.copy(), list(mirror)))
            # the copy goes its own way: what it appends, the original never sees
            copies[-1][0].append(-value)
            copies[-1][1].append(-value)
    assert log == mirror and list(log) == mirror and len(log) == len(mirror)
    assert list(reversed(log)) == mirror[::-1]
    assert log[1:] == mirror[1:]
    for index in range(-len(mirror), len(mirror)):
        assert log[index] == mirror[index]
    for copied, expected in copies:
        assert copied == expected


def test_an_index_out_of_range_is_an_index_error() -> None:
    log = FactLog([1, 2, 3])
    for index in (3, -4):
        try:
            log[index]
        except IndexError:
            continue
        raise AssertionError(f"index {index} gave a value")
    assert not FactLog() and FactLog([1])


@given(st.lists(st.tuples(st.integers(), st.sampled_from(["append", "copy", "drop"])), max_size=4 * TAIL))
def test_a_log_that_drops_its_history_is_still_the_same_list(steps: list[tuple[int, str]]) -> None:
    log: FactLog[int] = FactLog()
    mirror: list[int] = []
    reads: list[int] = []

    def reload(count: int) -> list[int]:
        reads.append(count)
        return mirror[:count]  # (what the store holds: the facts before, never changed)

    copies: list[tuple[FactLog[int], list[int]]] = []
    for value, step in steps:
        if step == "drop":
            log.drop_history(reload)
        elif step == "copy":
            copies.append((log.copy(), list(mirror)))
        else:
            log.append(value)
            mirror.append(value)
        assert len(log) == len(mirror) and log.in_memory <= len(mirror)
        if mirror:
            assert log[0] == mirror[0] and log[-1] == mirror[-1]
    assert log == mirror and list(reversed(log)) == mirror[::-1]
    for copied, expected in copies:
        assert copied == expected


def test_the_first_fact_and_the_tail_answer_without_reading_back() -> None:
    log: FactLog[int] = FactLog(range(1, 201))
    for n in range(201, 211):
        log.append(n)
    reads: list[int] = []

    def reload(count: int) -> list[int]:
        reads.append(count)
        return list(range(1, count + 1))

    assert log.drop_history(reload, keep=300) == 0  # (fewer than `keep` in memory: kept)
    assert log.drop_history(reload, keep=100) == 200
    assert (len(log), log.in_memory, log[0], log[-1], log[205]) == (210, 10, 1, 210, 206)
    assert reads == []
    copy = log.copy()
    assert log[150] == 151 and reads == [200] and log.in_memory == 210
    assert list(copy) == list(range(1, 211)) and reads == [200, 200]


def test_a_log_read_back_short_is_refused() -> None:
    log: FactLog[int] = FactLog(range(10))
    log.drop_history(lambda count: list(range(count - 1)))
    with pytest.raises(HistoryNotHere):
        list(log)


def test_an_activity_without_its_history_takes_today_s_facts_and_a_backdated_one_only_where_it_may() -> None:
    """A report on today's state needs no dropped fact; a backdated one folds them all: where
    they cannot be read back it raises HistoryNotHere (not a refusal: the application decides it
    where they can be) and leaves the activity as it was; where they can, it is the same activity
    as one that never dropped them."""
    start = date(2021, 1, 6)
    whole = Activity.register(
        plan_id=uuid4(),
        strategy_number=1,
        fiscal_year=2564,
        kind="ONE_YEAR",
        title="A",
        responsible_units=["U"],
        meta=Meta(effective_on=start, actor="s"),
    )
    for n in range(1, 120):
        whole.report_progress(Decimal(n % 100), Meta(effective_on=start + timedelta(days=n), actor="s"))
    facts = list(whole.facts)
    trimmed = whole.__deepcopy__({})
    trimmed.facts.drop_history(lambda count: facts[:count])
    blocked = whole.__deepcopy__({})

    def refuse(count: int) -> list[object]:
        raise HistoryNotHere("the event loop may not wait for the store")

    blocked.facts.drop_history(refuse)

    today = Meta(effective_on=start + timedelta(days=200), actor="s")
    for activity in (whole, trimmed, blocked):
        activity.report_progress(Decimal(60), today)
    assert trimmed.state == blocked.state == whole.state

    backdated = Meta(effective_on=start + timedelta(days=50), actor="s")
    state, version = blocked.state, blocked.version
    with pytest.raises(HistoryNotHere):
        blocked.report_progress(Decimal(7), backdated)
    assert (blocked.state, blocked.version) == (state, version)
    whole.report_progress(Decimal(7), backdated)
    trimmed.report_progress(Decimal(7), backdated)
    assert trimmed.state == whole.state
    said = [(type(f), f.originator_version, f.payload()) for f in trimmed.facts]  # (each its own timestamp)
    assert said == [(type(f), f.originator_version, f.payload()) for f in whole.facts]
