"""The report routes: `GET /reports/plan.xlsx` and `/reports/plan.csv` over HTTP (what they hold is
service/reports/'s). Behind the same bearer check as /graphql (service/web/middleware.py)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from service.api.context import Context
from service.reports import render
from service.reports.plan import ReportError
from service.web.responses import error_response, internal_error, request_id_of

log = logging.getLogger("planledger.reports")

MakeContext = Callable[[Request, bool], Awaitable[Context]]
NO_STORE = {"Cache-Control": "no-store"}


def report_routes(make_context: MakeContext) -> list[Route]:
    async def plan_report(request: Request) -> Response:
        request_id = request_id_of(request.scope)
        context = await make_context(request, True)
        try:
            rendered = await render(context, request.path_params["format"], list(request.query_params.multi_items()))
        except ReportError as error:
            if error.status >= 500:
                log.error("report %s failed: %s", request_id, error.message)
                return internal_error(request_id)
            return error_response(error.status, error.message, request_id, NO_STORE)
        finally:
            await context.reader.close()
        return Response(
            rendered.body,
            200,
            {"Content-Disposition": _attachment(rendered.filename), **NO_STORE},
            media_type=rendered.media_type,
        )

    return [Route("/reports/plan.{format}", plan_report, methods=["GET"])]


def _attachment(filename: str) -> str:
    return f"attachment; filename=\"{filename}\"; filename*=UTF-8''{quote(filename)}"
