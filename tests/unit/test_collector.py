"""service/collector.py: while serving, what lived before is frozen and young collections wait for
50,000 allocations; both undone after (the tests make apps in-process, one after another)."""

from __future__ import annotations

import gc

from service import collector


def test_serving_freezes_what_lives_and_sets_the_thresholds_then_undoes_both() -> None:
    before = gc.get_threshold()
    kept = [object() for _ in range(10)]  # alive when serving starts: frozen with the rest
    with collector.serving():
        assert gc.get_threshold() == collector.THRESHOLDS
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
    assert kept


def test_the_thresholds_are_undone_when_serving_fails() -> None:
    before = gc.get_threshold()
    try:
        with collector.serving():
            raise RuntimeError("the lifespan failed")
    except RuntimeError:
        pass
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
