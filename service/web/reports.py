"""The report routes: `GET /reports/plan.xlsx`, `/reports/plan.csv` and `/reports/pack.pdf` over HTTP (what they hold is
service/reports/'s). Behind the same bearer check as /graphql (service/web/middleware.py)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from service.api.context import Context
from service.reports import Rendered, render, render_pack
from service.reports.plan import ReportError
from service.web.responses import error_response, internal_error, request_id_of

log = logging.getLogger("planledger.reports")

MakeContext = Callable[[Request, bool], Awaitable[Context]]
NO_STORE = {"Cache-Control": "no-store"}


Renderer = Callable[[Context, Request], Awaitable[Rendered]]


def report_routes(make_context: MakeContext) -> list[Route]:
    def route(render_one: Renderer) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            return await _answer(request, make_context, render_one)

        return endpoint

    def plan(context: Context, request: Request) -> Awaitable[Rendered]:
        return render(context, request.path_params["format"], list(request.query_params.multi_items()))

    def pack(context: Context, request: Request) -> Awaitable[Rendered]:
        return render_pack(context, list(request.query_params.multi_items()))

    return [
        Route("/reports/plan.{format}", route(plan), methods=["GET"]),
        Route("/reports/pack.pdf", route(pack), methods=["GET"]),
    ]


async def _answer(request: Request, make_context: MakeContext, render_one: Renderer) -> Response:
    """One report: rendered as the request's principal; a ReportError as the one error body."""
    request_id = request_id_of(request.scope)
    context = await make_context(request, True)
    try:
        rendered = await render_one(context, request)
    except ReportError as error:
        if error.status == 503:  # busy, not broken: try again later
            return error_response(503, error.message, request_id, {**NO_STORE, "Retry-After": "60"})
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


def _attachment(filename: str) -> str:
    return f"attachment; filename=\"{filename}\"; filename*=UTF-8''{quote(filename)}"
