"""`FactLog` behaves as the list it replaced, and a copy never sees what the original takes later
(or the other way round), across the tail's joins with the shared tuple."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from domain.fact_log import TAIL, FactLog


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
