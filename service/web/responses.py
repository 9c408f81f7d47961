"""Every answer the service gives outside GraphQL's own results, written once: the request id, the
JSON writer, and the error body (`{"errors": [{"message", "extensions": {"requestId"}}]}`) of a
request refused before any GraphQL ran — 400s, the one 401, 404/405 from the router, 503 while the
database is away, and the 500 that names only the request id (the details go to the log).
"""

from __future__ import annotations

import json
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from service.logs import new_request_id

JSON = "application/json"
#: seconds a client is told to wait when the database is away
RETRY_AFTER = 5
#: where the request's id is kept in the ASGI scope (set by service.web.middleware.RequestContext)
REQUEST_ID = "planledger.request_id"
UNAUTHORIZED = "send a valid API token: Authorization: Bearer <token> (planledger token create)"
#: dates, times and dataclasses go through `default` (str), as json.dumps's `default=str` has them
ORJSON_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def request_id_of(scope: Any) -> str:
    """The id the middleware gave this request (a fresh one outside it, e.g. in a unit test)."""
    found = scope.get(REQUEST_ID) if hasattr(scope, "get") else None
    return found if isinstance(found, str) else new_request_id()


def dump_json(payload: dict[str, Any]) -> bytes:
    """Compact UTF-8 JSON. orjson writes a whole plan ~8x faster than json.dumps and the same text
    (floats below 1e-4 aside: 0.00001 where json writes 1e-05); what it refuses (a key that is not a
    string, an int beyond 64 bits, a lone surrogate) goes to json.dumps, as before; a lone surrogate
    (an error message may quote the variable that held one) is written as its JSON escape."""
    try:
        return orjson.dumps(payload, default=str, option=ORJSON_OPTIONS)
    except TypeError:
        text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str)
    try:
        return text.encode()
    except UnicodeEncodeError:
        return json.dumps(payload, separators=(",", ":"), default=str).encode()


def error_body(message: str, request_id: str) -> bytes:
    """The JSON body of a request refused before any GraphQL ran."""
    return dump_json({"errors": [{"message": message, "extensions": {"requestId": request_id}}]})


def error_response(
    status: int, message: str, request_id: str, headers: dict[str, str] | None = None, media_type: str = JSON
) -> Response:
    return Response(
        error_body(message, request_id),
        status,
        {"X-Request-Id": request_id, **(headers or {})},
        media_type=f"{media_type}; charset=utf-8",
    )


def unauthorized(request_id: str) -> Response:
    """401: no token, or one that is unknown or revoked."""
    return error_response(401, UNAUTHORIZED, request_id, {"WWW-Authenticate": 'Bearer realm="planledger"'})


def unavailable(request_id: str) -> Response:
    """503 while the database is away (a token that could not be checked is not a bad token)."""
    return error_response(
        503, "the database is not answering; try again shortly", request_id, {"Retry-After": str(RETRY_AFTER)}
    )


def internal_error(request_id: str) -> Response:
    return error_response(500, f"internal error; quote request id {request_id}", request_id)


async def refused_by_router(request: Request, error: Exception) -> Response:
    """Starlette's own refusals (404 for a path it has not, 405 for a method a route does not
    take) in the JSON error shape of every other answer, with the request's id."""
    status = int(getattr(error, "status_code", 500))
    headers = dict(getattr(error, "headers", None) or {})
    if status == 405:
        message = f"{request.method} is not allowed here; use {headers.get('Allow', 'GET or POST')}"
    elif status == 404:
        message = f"there is nothing at {request.url.path}; GraphQL is at /graphql"
    else:
        message = str(getattr(error, "detail", "") or "the request was refused")
    return error_response(status, message, request_id_of(request.scope), headers)
