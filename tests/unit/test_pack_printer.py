"""Meeting packs are rendered one at a time per process, the same pack once, and a request beyond
the queue is told to come back (service.reports.PackPrinter)."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import UTC, datetime
from typing import Any

import pytest

from service import reports
from service.reports.pack import MeetingPack
from service.reports.plan import ReportError


def pack(code: str, generated: datetime | None = None) -> MeetingPack:
    return MeetingPack(
        plan=None,  # type: ignore[arg-type]  # (the printer never looks inside)
        meeting={"code": code},
        previous=None,
        changes=[],
        action_items=[],
        risks=[],
        generated=generated or datetime.now(UTC),
    )


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    seen: dict[str, Any] = {"calls": [], "overlap": 0, "running": 0}
    lock = threading.Lock()

    def build(p: MeetingPack) -> bytes:
        with lock:
            seen["running"] += 1
            seen["overlap"] = max(seen["overlap"], seen["running"])
        time.sleep(0.05)
        with lock:
            seen["running"] -= 1
        seen["calls"].append(p.meeting["code"])
        return f"%PDF {p.meeting['code']}".encode()

    monkeypatch.setattr(reports.pack_pdf, "build_pdf", build)
    return seen


def test_renders_take_turns_and_the_same_pack_is_made_once(renders: dict[str, Any]) -> None:
    printer = reports.PackPrinter()

    async def main() -> list[bytes]:
        return await asyncio.gather(
            printer.pdf(pack("1/2564")),
            printer.pdf(pack("2/2564")),
            printer.pdf(pack("1/2564", datetime(2030, 1, 1, tzinfo=UTC))),  # read later, same content
        )

    bodies = asyncio.run(main())
    assert bodies == [b"%PDF 1/2564", b"%PDF 2/2564", b"%PDF 1/2564"]
    assert renders["overlap"] == 1 and sorted(renders["calls"]) == ["1/2564", "2/2564"]


def test_beyond_the_queue_a_request_is_told_to_come_back(renders: dict[str, Any]) -> None:
    printer = reports.PackPrinter()

    async def main() -> list[Any]:
        return await asyncio.gather(
            *(printer.pdf(pack(f"{n}/2564")) for n in range(1, printer.WAITING + 3)), return_exceptions=True
        )

    outcomes = asyncio.run(main())
    busy = [o for o in outcomes if isinstance(o, ReportError)]
    assert len(busy) == 1 and busy[0].status == 503 and "try again" in busy[0].message
    assert len([o for o in outcomes if isinstance(o, bytes)]) == printer.WAITING + 1


def test_only_the_last_packs_are_kept(renders: dict[str, Any]) -> None:
    printer = reports.PackPrinter()

    async def main() -> None:
        for n in range(printer.KEEP + 2):
            await printer.pdf(pack(f"{n}/2564"))
        await printer.pdf(pack("0/2564"))  # dropped by then: made again

    asyncio.run(main())
    assert renders["calls"].count("0/2564") == 2
