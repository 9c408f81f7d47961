"""The garbage collector's settings for a long-running process (the web workers, the projector
process).

Python's thresholds are 700, 10, 10. At 700 allocations a young collection ran every few hundred
microseconds under load and promoted whatever the requests in flight held; those promotions, dead
soon after, counted toward the 25 % of growth that starts a full collection, which then walked
every cached aggregate: under 16 writers, a 130-160 ms full collection every 0.8 s (17 % of the
process, p95 59 ms over 40 s). At 50,000 a request's objects are gone before a young collection
sees them: 2 full collections in 45 s, 1,642 -> 2,135 commits/s, p95 10 ms (gc.callbacks timing,
2026-12-04). Cyclic garbage waits a little longer for its collection.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

THRESHOLDS = (50_000, 20, 10)


@contextlib.contextmanager
def serving() -> Iterator[None]:
    """What is alive now (modules, the GraphQL schema: ~100k objects that live as long as the
    process) leaves the collector's view, so a full collection walks only what serving made (a
    whole plan's answer set off one every dozen such requests, 70-90 ms each, before); and the
    thresholds above. Both undone after (an app made in-process, as the tests do, leaves nothing
    frozen or changed)."""
    gc.collect()
    gc.freeze()
    before = gc.get_threshold()
    gc.set_threshold(*THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()
