"""Commands on one stream take turns in the process (service.application.run.StreamTurns)."""

from __future__ import annotations

import asyncio
import contextlib
from uuid import uuid4

from service.application.run import StreamTurns


def test_commands_on_one_stream_run_one_at_a_time_in_arrival_order_and_leave_nothing_behind() -> None:
    turns = StreamTurns()
    stream = uuid4()
    running: list[int] = []
    overlap: list[int] = []
    order: list[int] = []

    async def command(n: int) -> None:
        async with turns.turn(stream):
            running.append(n)
            overlap.append(len(running))
            order.append(n)
            await asyncio.sleep(0.001)
            running.remove(n)

    async def main() -> int:
        await asyncio.gather(*(command(n) for n in range(20)))
        return turns.waiting()

    assert asyncio.run(main()) == 0
    assert max(overlap) == 1 and order == list(range(20))


def test_other_streams_and_new_streams_do_not_wait() -> None:
    turns = StreamTurns()
    a, b = uuid4(), uuid4()
    inside = asyncio.Event

    async def main() -> list[str]:
        seen: list[str] = []
        held = inside()

        async def hold_a() -> None:
            async with turns.turn(a):
                held.set()
                await asyncio.sleep(0.05)
                seen.append("a done")

        async def other(stream: object, label: str) -> None:
            await held.wait()
            async with turns.turn(stream):  # type: ignore[arg-type]
                seen.append(label)

        await asyncio.gather(hold_a(), other(b, "b"), other(None, "new"))
        return seen

    seen = asyncio.run(main())
    assert seen.index("b") < seen.index("a done") and seen.index("new") < seen.index("a done")


def test_a_cancelled_waiter_gives_up_its_place_without_blocking_the_stream() -> None:
    turns = StreamTurns()
    stream = uuid4()

    async def main() -> int:
        async def hold() -> None:
            async with turns.turn(stream):
                await asyncio.sleep(0.02)

        async def wait() -> None:
            async with turns.turn(stream):
                pass

        holder = asyncio.create_task(hold())
        await asyncio.sleep(0)
        with_timeout = asyncio.wait_for(wait(), 0.001)
        with contextlib.suppress(TimeoutError):
            await with_timeout
        await holder
        await asyncio.wait_for(wait(), 1)  # the stream is free again
        return turns.waiting()

    assert asyncio.run(main()) == 0
