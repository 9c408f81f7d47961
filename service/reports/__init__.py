"""Reports: the plan as of a point as XLSX (the minutes' results table and a summary sheet) and CSV;
the meeting pack (the briefing book before a meeting) as a PDF.

`GET /reports/plan.xlsx` and `GET /reports/plan.csv` (routed by service/web/reports.py) take `plan`
(ID or code) and the API's `asOf` parameters (`date` or `meeting`, and `knownAt`), optionally
`fiscalYear` and `lang` (th, en), behind the same bearer tokens as the API. They read through the
GraphQL schema as the request's principal, so they answer exactly what the API answers for the same
point, in one snapshot of the read models.

`GET /reports/pack.pdf` takes `plan` and `meeting` (required), optionally `knownAt`, `fiscalYear`
and `lang`: pack.py reads it, pack_pdf.py renders it.
"""

from __future__ import annotations

import asyncio
import hashlib
import weakref
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from service.api.context import Context
from service.api.schema import schema
from service.reports import flat, pack_pdf, workbook
from service.reports.pack import MeetingPack, read_pack
from service.reports.plan import PlanReport, ReportError, ReportRequest, read_plan

FORMATS: dict[str, tuple[str, Callable[[PlanReport], bytes]]] = {
    "xlsx": (workbook.MEDIA_TYPE, workbook.build_workbook),
    "csv": (flat.MEDIA_TYPE, flat.build_csv),
}


@dataclass(frozen=True)
class Rendered:
    filename: str
    media_type: str
    body: bytes


async def render(context: Context, kind: str, query: list[tuple[str, str]]) -> Rendered:
    """The plan report in `kind` (xlsx, csv) for the query parameters; ReportError says what is wrong."""
    if kind not in FORMATS:
        raise ReportError(404, f"no report format {kind!r}; use plan.xlsx or plan.csv")
    wanted = ReportRequest.from_query(query)

    async def execute(document: str, variables: dict[str, Any]) -> Any:
        return await schema.execute(document, variable_values=variables, context_value=context)

    report = await read_plan(execute, wanted)
    media_type, build = FORMATS[kind]
    body = await asyncio.to_thread(build, report)
    return Rendered(f"{report.slug()}.{kind}", media_type, body)


async def render_pack(context: Context, query: list[tuple[str, str]]) -> Rendered:
    """The meeting pack as a PDF for the query parameters; ReportError says what is wrong."""
    wanted = ReportRequest.from_query(query)

    async def execute(document: str, variables: dict[str, Any]) -> Any:
        return await schema.execute(document, variable_values=variables, context_value=context)

    pack = await read_pack(execute, wanted)
    body = await PACKS.pdf(pack)
    return Rendered(f"{pack.slug()}.pdf", pack_pdf.MEDIA_TYPE, body)


class PackPrinter:
    """Meeting packs rendered one at a time per process, the same pack once.

    WeasyPrint takes about 10 s of CPU for the sample's 23-page pack (pack_pdf's docstring), holding
    the GIL most of that time in a worker thread: two renders at once would each take twice as
    long and take twice the time from the event loop that answers everything else. So renders take
    turns; at most `WAITING` requests wait for their turn, and one more is told 503 with a
    Retry-After rather than queued behind minutes of work. What a pack holds at a log position does
    not change, so the last `KEEP` rendered are kept by their content (everything but the time the
    pack was read) and a second download of the same pack costs nothing.
    """

    WAITING = 4
    KEEP = 8

    def __init__(self) -> None:
        self._turns: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
            weakref.WeakKeyDictionary()
        )
        self._waiting = 0
        self._kept: OrderedDict[str, bytes] = OrderedDict()

    @staticmethod
    def key(pack: MeetingPack) -> str:
        return hashlib.sha256(repr(replace(pack, generated=datetime.min.replace(tzinfo=UTC))).encode()).hexdigest()

    async def pdf(self, pack: MeetingPack) -> bytes:
        key = self.key(pack)
        kept = self._kept.get(key)
        if kept is not None:
            self._kept.move_to_end(key)
            return kept
        turn = self._turns.setdefault(asyncio.get_running_loop(), asyncio.Semaphore(1))
        if turn.locked() and self._waiting >= self.WAITING:
            raise ReportError(503, f"{self._waiting + 1} meeting packs are being made; try again in a minute")
        self._waiting += 1
        try:
            await turn.acquire()
        finally:
            self._waiting -= 1
        try:
            kept = self._kept.get(key)  # made while this request waited
            if kept is None:
                kept = await asyncio.to_thread(pack_pdf.build_pdf, pack)
                self._kept[key] = kept
                while len(self._kept) > self.KEEP:
                    self._kept.popitem(last=False)
            return kept
        finally:
            turn.release()


PACKS = PackPrinter()
