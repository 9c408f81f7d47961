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
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from service.api.context import Context
from service.api.schema import schema
from service.reports import flat, pack_pdf, workbook
from service.reports.pack import read_pack
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
    body = await asyncio.to_thread(pack_pdf.build_pdf, pack)
    return Rendered(f"{pack.slug()}.pdf", pack_pdf.MEDIA_TYPE, body)
