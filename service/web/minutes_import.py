"""The import of minutes over HTTP, for the dashboard's import page (service/minutes/upload.py
holds what it does):

- `POST /imports/minutes/preview?name=<file name>[&strict=true]`, the file's bytes as the body:
  the preview (`import-minutes --dry-run --json`'s document per set of minutes) and `sha256`, the
  hash of exactly that content;
- `POST /imports/minutes/confirm?name=…&sha256=<the preview's>[&strict=true]`, the same bytes:
  records them as `import-minutes` (upload.py says why one actor; the log says whose token it
  was), refused when they are not the previewed content, and answers what was recorded, what
  already was, and what was refused; once the read models hold it all (5 s at most), so the page
  that asks next sees it.

Not GraphQL: its request body is bounded at 1 MB (service/web/graphql_http.py) and a PDF of
minutes may be 50 MB. Behind the same bearer check as /graphql; the secretariat and an admin only
(403 FORBIDDEN for the others, before the body is read). A refusal is the one error body with
`extensions.code` (FORBIDDEN, TOO_LARGE, MINUTES_FILE, CONTENT_CHANGED, STRICT_UNPLACED, BAD_REQUEST),
and nothing is recorded.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from projections.projector import log_position
from service.minutes.upload import (
    MAX_UPLOAD_BYTES,
    UploadRefused,
    check_may_import,
    confirm_upload,
    preview_upload,
    too_large,
    upload_name,
)
from service.web.middleware import principal_of
from service.web.responses import JSON, dump_json, request_id_of

log = logging.getLogger("planledger.imports")
#: an import is rare and records hundreds of facts under one shared actor: whose token sent it is
#: always logged, at info, also when the server logs warnings only (as it does unless verbose)
log.setLevel(logging.INFO)

#: seconds the confirm waits for the read models to hold what it recorded (as READ_YOUR_WRITES)
PROJECTED_WITHIN = 5.0
NO_STORE = {"Cache-Control": "no-store"}

Handler = Callable[[Request, bytes, str, bool], Awaitable[dict[str, Any]]]


def import_routes() -> list[Route]:
    return [
        Route("/imports/minutes/preview", _endpoint(_preview), methods=["POST"]),
        Route("/imports/minutes/confirm", _endpoint(_confirm), methods=["POST"]),
    ]


def _endpoint(handle: Handler) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        request_id = request_id_of(request.scope)
        name = upload_name(request.query_params.get("name"))
        try:
            check_may_import(principal_of(request.scope))
            strict = _flag(request.query_params.get("strict"))
            data = await _read_body(request, name)
            answer = await handle(request, data, name, strict)
        except UploadRefused as refused:
            return _refusal(refused, request_id)
        return Response(
            dump_json(answer), 200, {"X-Request-Id": request_id, **NO_STORE}, media_type=f"{JSON}; charset=utf-8"
        )

    return endpoint


async def _preview(request: Request, data: bytes, name: str, strict: bool) -> dict[str, Any]:
    answer: dict[str, Any] = await asyncio.to_thread(preview_upload, request.app.state.ledger, data, name, strict)
    return answer


async def _confirm(request: Request, data: bytes, name: str, strict: bool) -> dict[str, Any]:
    sha256 = request.query_params.get("sha256") or ""
    if not sha256:
        raise UploadRefused("BAD_REQUEST", "give sha256: the hash the preview answered for this file", 400)
    state = request.app.state
    principal = principal_of(request.scope)
    answer = await confirm_upload(state.ledger, data, name, principal, sha256, strict)
    for result in answer["results"]:
        log.info(
            "minutes %s (sha256 %s) meeting %s imported for %s (%s): %d recorded, %d already, %d refused",
            name,
            answer["sha256"][:12],
            result["meeting"]["code"],
            principal.name,
            principal.role,
            result["recorded"],
            result["already"],
            len(result["refused"]),
        )
    async with state.pool.acquire() as conn:
        position = await log_position(conn)
    answer["position"] = position
    answer["projected"] = bool(await state.broker.wait_for(position, PROJECTED_WITHIN))
    return answer


def _flag(value: str | None) -> bool:
    if value in (None, "", "false", "0"):
        return False
    if value in ("true", "1"):
        return True
    raise UploadRefused("BAD_REQUEST", f"strict is true or false, not {value!r}", 400)


async def _read_body(request: Request, name: str) -> bytes:
    """The body, refused (413) past MAX_UPLOAD_BYTES before more of it is read."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_UPLOAD_BYTES:
        raise too_large(int(declared), name)
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > MAX_UPLOAD_BYTES:
            raise too_large(len(body), name)
    return bytes(body)


def _refusal(refused: UploadRefused, request_id: str) -> Response:
    body = {"errors": [{"message": refused.message, "extensions": {"code": refused.code, "requestId": request_id}}]}
    return Response(
        dump_json(body),
        refused.status,
        {"X-Request-Id": request_id, **NO_STORE},
        media_type=f"{JSON}; charset=utf-8",
    )
