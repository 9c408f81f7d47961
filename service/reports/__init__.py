"""Reports: the plan as of a point as XLSX (the minutes' results table and a summary sheet) and CSV.

`GET /reports/plan.xlsx` and `GET /reports/plan.csv` take `plan` (ID or code) and the API's
`asOf` parameters (`date` or `meeting`, and `knownAt`), optionally `fiscalYear` and `lang`
(th, en), behind the same bearer tokens as the API. They read through the GraphQL schema, so
they answer exactly what the API answers for the same point, in one snapshot of the read models.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from service.api.context import Context
from service.api.schema import schema
from service.reports import flat, workbook
from service.reports.plan import PlanReport, ReportError, ReportRequest, read_plan

log = logging.getLogger("planledger.reports")
access = logging.getLogger("planledger.access")

MakeContext = Callable[[Request, bool, str], Awaitable[Context]]
Authenticate = Callable[[Request], Awaitable[Any]]
FORMATS: dict[str, tuple[str, Callable[[PlanReport], bytes]]] = {
    "xlsx": (workbook.MEDIA_TYPE, workbook.build_workbook),
    "csv": (flat.MEDIA_TYPE, flat.build_csv),
}


def _error(status: int, message: str, request_id: str, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps({"errors": [{"message": message, "extensions": {"requestId": request_id}}]}, ensure_ascii=False)
    return Response(
        body,
        status,
        {"X-Request-Id": request_id, "Cache-Control": "no-store", **(headers or {})},
        media_type="application/json",
    )


def routes(make_context: MakeContext, authenticate: Authenticate) -> list[Route]:
    """The report endpoints, authenticated like `/graphql`."""

    async def plan_report(request: Request) -> Response:
        started = time.perf_counter()
        response = await respond(request)
        elapsed = time.perf_counter() - started
        access.info(
            "GET report %s %s in %.1f ms",
            request.url.path,
            response.status_code,
            elapsed * 1000,
            extra={"status": response.status_code, "duration_ms": round(elapsed * 1000, 2)},
        )
        return response

    async def respond(request: Request) -> Response:
        request_id = uuid.uuid4().hex[:12]
        kind = request.path_params["format"]
        if kind not in FORMATS:
            return _error(404, f"no report format {kind!r}; use plan.xlsx or plan.csv", request_id)
        principal = await authenticate(request)
        if principal is None:
            return _error(
                401,
                "send a valid API token: Authorization: Bearer <token> (planledger token create)",
                request_id,
                {"WWW-Authenticate": 'Bearer realm="planledger"'},
            )
        try:
            wanted = ReportRequest.from_query(list(request.query_params.multi_items()))
            context = await make_context(request, True, request_id)

            async def execute(query: str, variables: dict[str, Any]) -> Any:
                return await schema.execute(query, variable_values=variables, context_value=context)

            try:
                report = await read_plan(execute, wanted)
            finally:
                await context.reader.close()
            media_type, build = FORMATS[kind]
            body = await asyncio.to_thread(build, report)
        except ReportError as error:
            if error.status >= 500:
                log.error("report %s failed: %s", request_id, error.message)
                return _error(500, f"internal error; quote request id {request_id}", request_id)
            return _error(error.status, error.message, request_id)
        except Exception:
            log.exception("report %s failed", request_id)
            return _error(500, f"internal error; quote request id {request_id}", request_id)
        filename = f"{report.slug()}.{kind}"
        return Response(
            body,
            200,
            {
                "Content-Disposition": f"attachment; filename=\"{filename}\"; filename*=UTF-8''{quote(filename)}",
                "Cache-Control": "no-store",
                "X-Request-Id": request_id,
            },
            media_type=media_type,
        )

    return [Route("/reports/plan.{format}", plan_report, methods=["GET"])]
