"""GraphQL over HTTP, as the GraphQL-over-HTTP spec says, with responses cached by position.

- POST (`application/json` bodies) and GET (query string); mutations over GET are refused (405).
- Responses in `application/graphql-response+json` or `application/json`, as the client accepts
  (406 when it accepts neither). Malformed requests get 400 (and 415 for a body that is not JSON,
  413 for one too large); under `application/graphql-response+json` a document that does not
  parse or validate is also a 400, as the spec says.
- GraphiQL for a browser at `GET /graphql` (service/web/graphiql.py: served from this server alone).
- A query's response is cached keyed by the read-model position it was computed at: the ETag
  names that position, a client sending it back gets 304 while nothing changed, and nothing older
  than a position the client has seen (its ETag, or `Planledger-Min-Position`) is ever served.
- No internal error text reaches a client: an unexpected error is logged with a request id and
  the client gets that id.
"""

from __future__ import annotations

import gc
import hashlib
import json
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from graphql import DocumentNode, GraphQLError, OperationType, get_operation_ast
from starlette.requests import Request
from starlette.responses import Response
from strawberry.types.execution import PreExecutionError

from projections.errors import DATABASE_AWAY
from service import logs
from service.api import documents
from service.api.context import Context
from service.api.execution.direct_mutations import MutationPlans
from service.api.schema import masked
from service.web import graphiql
from service.web.middleware import OPERATION, PRINCIPAL, VALIDATED
from service.web.responses import dump_json, error_response, request_id_of

log = logging.getLogger("planledger.http")

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
MAX_BODY = 1_000_000
MAX_CACHED_BODY = 2_000_000
CACHE_ENTRIES = 1024
MIN_POSITION_HEADER = "planledger-min-position"
POSITION_HEADER = "Planledger-Position"
WAIT_FOR_SEEN = 5.0


class RequestError(Exception):
    """The HTTP request itself is wrong (not the GraphQL in it)."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


@dataclass(frozen=True)
class Params:
    query: str
    variables: dict[str, Any] | None
    operation_name: str | None


@dataclass(frozen=True)
class Cached:
    position: int
    body: bytes
    etag: str


class ResponseCache:
    """Recent query responses, keyed by what was asked, each with the position it was computed at."""

    def __init__(self, entries: int = CACHE_ENTRIES) -> None:
        self.entries = entries
        self._items: OrderedDict[str, Cached] = OrderedDict()
        self.hits = 0

    def get(self, key: str, position: int) -> Cached | None:
        found = self._items.get(key)
        if found is None or found.position != position:
            return None
        self._items.move_to_end(key)
        self.hits += 1
        return found

    def put(self, key: str, cached: Cached) -> None:
        self._items[key] = cached
        self._items.move_to_end(key)
        while len(self._items) > self.entries:
            self._items.popitem(last=False)


#: Accept headers answered before (a client sends the same one every time), at most ACCEPTS
_ACCEPTED: dict[str, str] = {}
ACCEPTS = 64


def media_type(accept: str | None) -> str:
    """The response type for an Accept header; RequestError(406) when none fits."""
    if not accept or not accept.strip():
        return JSON
    known = _ACCEPTED.get(accept)
    if known is not None:
        return known
    kind = _media_type(accept)
    if len(_ACCEPTED) < ACCEPTS:
        _ACCEPTED[accept] = kind
    return kind


def _media_type(accept: str) -> str:
    offered: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept.split(",")):
        kind, *params = (p.strip() for p in part.split(";"))
        weight = 1.0
        for p in params:
            name, _, value = p.partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if weight > 0:
            offered.append((-weight, index, kind.lower()))
    for _, _, kind in sorted(offered):
        if kind == GRAPHQL_RESPONSE:
            return GRAPHQL_RESPONSE
        if kind in (JSON, "application/*", "*/*"):
            return JSON
    raise RequestError(406, f"send Accept: {GRAPHQL_RESPONSE} or {JSON}")


def _json_param(value: str | None, name: str) -> Any:
    if value is None or value == "":
        return None
    try:
        return json.loads(value)
    except ValueError:
        raise RequestError(400, f"{name} is not valid JSON") from None
    except RecursionError:
        raise RequestError(400, f"{name} is nested too deeply") from None


def _params(raw: Any) -> Params:
    if not isinstance(raw, dict):
        raise RequestError(400, "the request body must be a JSON object with a `query`")
    query = raw.get("query")
    if not isinstance(query, str) or not query.strip():
        raise RequestError(400, "give the GraphQL document as a non-empty string in `query`")
    variables = raw.get("variables")
    if variables is not None and not isinstance(variables, dict):
        raise RequestError(400, "`variables` must be a JSON object")
    name = raw.get("operationName")
    if name is not None and not isinstance(name, str):
        raise RequestError(400, "`operationName` must be a string")
    extensions = raw.get("extensions")
    if extensions is not None and not isinstance(extensions, dict):
        raise RequestError(400, "`extensions` must be a JSON object")
    return Params(query, variables, name or None)


async def _read_body(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY:
        raise RequestError(413, f"the request body is over {MAX_BODY} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > MAX_BODY:
            raise RequestError(413, f"the request body is over {MAX_BODY} bytes")
    return bytes(body)


async def read_params(request: Request) -> Params:
    if request.method == "GET":
        q = request.query_params
        return _params(
            {
                "query": q.get("query"),
                "variables": _json_param(q.get("variables"), "variables"),
                "operationName": q.get("operationName"),
                "extensions": _json_param(q.get("extensions"), "extensions"),
            }
        )
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != JSON:
        raise RequestError(415, f"send the request as Content-Type: {JSON}")
    body = await _read_body(request)
    try:
        raw = json.loads(body)
    except ValueError:
        raise RequestError(400, "the request body is not valid JSON") from None
    except RecursionError:
        raise RequestError(400, "the request body is nested too deeply") from None
    return _params(raw)


def _parsed(query: str) -> DocumentNode | GraphQLError:
    """The document, or why it was refused: a syntax error, or a bound it is over (its size before
    it is parsed, its tokens while it is, its expanded shape after: service.api.documents)."""
    try:
        return documents.prepare(query)
    except GraphQLError as error:
        return error


#: bytes of a request's body from which its garbage is collected once answered (`respond`)
LARGE_BODY = 64_000


def _large(request: Request) -> bool:
    length = request.headers.get("content-length", "")
    return length.isascii() and length.isdigit() and len(length) < 12 and int(length) >= LARGE_BODY


def _etag(position: int, key: str) -> str:
    return f'W/"p{position}-{key[:16]}"'


def _seen_position(request: Request) -> int:
    """The newest position the client says it has seen (header or an ETag of ours)."""
    seen = 0
    header = request.headers.get(MIN_POSITION_HEADER, "").strip()
    if _is_position(header):
        seen = int(header)
    for tag in request.headers.get("if-none-match", "").split(","):
        tag = tag.strip().removeprefix("W/").strip('"')
        position = tag[1:].split("-")[0]
        if tag.startswith("p") and "-" in tag and _is_position(position):
            seen = max(seen, int(position))
    return seen


def _is_position(text: str) -> bool:
    """ASCII digits ("²".isdigit() holds too), few enough for int() and a bigint."""
    return text.isascii() and text.isdigit() and len(text) <= 18


class GraphQLHTTP:
    """The `/graphql` endpoint for GET and POST."""

    def __init__(
        self,
        schema: Any,
        make_context: Callable[[Request, bool], Awaitable[Context]],
        current_position: Callable[[], int | None],
        wait_for: Callable[[int, float], Awaitable[bool]],
        metrics: Any = None,
        mutation_plans: MutationPlans | None = None,
    ) -> None:
        self.metrics = metrics
        self.schema = schema
        #: mutation documents answered without GraphQL execution once they ran normally
        self.mutation_plans = mutation_plans
        self.make_context = make_context
        self.current_position = current_position
        self.wait_for = wait_for
        self.cache = ResponseCache()

    async def respond(self, request: Request) -> Response:
        """The answer to one request; its id, the bearer check, the access log line and errors
        nobody handled are service.web.middleware's."""
        request_id = request_id_of(request.scope)
        try:
            return await self._handle(request, request_id)
        except RequestError as error:
            self._count_error(f"http_{error.status}")
            return error_response(error.status, error.message, request_id, error.headers)
        finally:
            if _large(request):
                # A large document's parse leaves cyclic garbage (graphql-core's tokens link both
                # ways), ~1 MB per 950 KB document; with the collector's young threshold at 50,000
                # (service/collector.py) it waited for a full collection: +30 MB over 30 such
                # documents, then freed. The young generations are collected now (not the old one:
                # a full collection walks every cached aggregate).
                gc.collect(1)

    def _count_error(self, kind: str) -> None:
        if self.metrics is not None:
            self.metrics.errors.labels(kind=kind).inc()

    async def _handle(self, request: Request, request_id: str) -> Response:
        if wants_ide(request.scope):
            return graphiql.page()
        kind = media_type(request.headers.get("accept"))
        params = await read_params(request)
        document = _parsed(params.query)
        strict = kind == GRAPHQL_RESPONSE
        if isinstance(document, GraphQLError):
            code = (document.extensions or {}).get("code")
            if code:
                self._count_error(str(code))
            status = 413 if documents.too_large(document) else 400 if strict else 200
            return _result_response(status, {"errors": [document.formatted]}, kind, request_id)
        operation = get_operation_ast(document, params.operation_name)
        if operation is not None:
            name = operation.name.value if operation.name else (params.operation_name or "anonymous")
            request.scope[OPERATION] = (operation.operation.value, name)
            logs.operation.set(name)
        if operation is None:
            message = (
                f"no operation named {params.operation_name!r} in the document"
                if params.operation_name
                else "the document has several operations: say which in `operationName`"
            )
            return _result_response(400 if strict else 200, {"errors": [{"message": message}]}, kind, request_id)
        if operation.operation is OperationType.SUBSCRIPTION:
            message = "subscriptions run over WebSocket (graphql-transport-ws) at /graphql"
            return _result_response(400 if strict else 200, {"errors": [{"message": message}]}, kind, request_id)
        if operation.operation is OperationType.MUTATION and request.method == "GET":
            raise RequestError(405, "mutations need POST", {"Allow": "POST"})
        is_query = operation.operation is OperationType.QUERY

        seen = _seen_position(request)
        if seen and (self.current_position() or 0) < seen:
            await self.wait_for(seen, WAIT_FOR_SEEN)
        key = ""
        if is_query:
            key = self._key(params, request, kind)
            position = self.current_position()
            if position is not None and position >= seen:
                cached = self.cache.get(key, position)
                if cached is not None:
                    request.scope[VALIDATED] = True
                    if cached.etag in _if_none_match(request):
                        return Response(status_code=304, headers=_cache_headers(cached, request_id))
                    return Response(cached.body, 200, _cache_headers(cached, request_id), media_type=_content(kind))

        context = await self.make_context(request, is_query)
        context.fragments = True  # the payload is written by dump_json (orjson) alone
        try:
            result: Any = None  # (strawberry's ExecutionResult, or graphql-core's from a mutation plan)
            plans = self.mutation_plans
            if not is_query and plans is not None:
                plan = plans.plan(params.query, params.operation_name)
                if plan is not None:
                    result = await plan.execute(context, params.variables)
            if result is None:
                result = await self.schema.execute(
                    params.query,
                    variable_values=params.variables,
                    context_value=context,
                    operation_name=params.operation_name,
                )
                if plans is not None and not is_query and not result.errors:
                    plans.learn(params.query, params.operation_name, document)
            try:
                snapshot = await context.reader.position() if is_query and context.reader.statements else None
            except DATABASE_AWAY:  # it went away mid-request: the errors in the result say so; cache nothing
                snapshot = None
        finally:
            await context.reader.close()

        request.scope[VALIDATED] = not isinstance(result, PreExecutionError)
        status, body, errors = self.written_result(result, request_id, strict)
        headers = {"X-Request-Id": request_id}
        if context.written:
            headers[POSITION_HEADER] = str(context.written)
        if is_query and snapshot is not None and not errors and status == 200 and len(body) <= MAX_CACHED_BODY:
            cached = Cached(snapshot, body, _etag(snapshot, key))
            self.cache.put(key, cached)
            if cached.etag in _if_none_match(request):
                return Response(status_code=304, headers=_cache_headers(cached, request_id))
            return Response(body, 200, _cache_headers(cached, request_id), media_type=_content(kind))
        return Response(body, status, headers, media_type=_content(kind))

    def written_result(self, result: Any, request_id: str, strict: bool) -> tuple[int, bytes, bool]:
        """An execution's result as the response's status and body, and whether it holds errors
        (each counted by its code): strawberry's, or graphql-core's from a mutation plan."""
        payload: dict[str, Any] = {}
        errors = [_formatted(e, request_id) for e in result.errors or []]
        for error in errors:
            self._count_error(str((error.get("extensions") or {}).get("code") or "graphql"))
        request_error = isinstance(result, PreExecutionError) or (
            result.data is None and bool(result.errors) and all(not e.path for e in result.errors)
        )
        if not request_error:
            payload["data"] = result.data
        if errors:
            payload["errors"] = errors
        return (400 if strict and request_error else 200), dump_json(payload), bool(errors)

    @staticmethod
    def _key(params: Params, request: Request, kind: str) -> str:
        who = request.scope.get(PRINCIPAL)
        scope = (getattr(who, "role", ""), getattr(who, "unit", None), getattr(who, "name", ""))
        text = json.dumps(
            [params.query, params.variables, params.operation_name, scope, kind, date.today().isoformat()],
            sort_keys=True,
            default=str,
        )
        return hashlib.sha256(text.encode()).hexdigest()


def _if_none_match(request: Request) -> set[str]:
    return {t.strip() for t in request.headers.get("if-none-match", "").split(",") if t.strip()}


def _cache_headers(cached: Cached, request_id: str) -> dict[str, str]:
    return {
        "ETag": cached.etag,
        "Cache-Control": "private, no-cache",
        POSITION_HEADER: str(cached.position),
        "X-Request-Id": request_id,
    }


def wants_ide(scope: Any) -> bool:
    """A browser opening /graphql: GraphiQL's page, which holds no data (it asks with a token)."""
    if scope.get("method") != "GET" or b"query=" in scope.get("query_string", b""):
        return False
    return any(name == b"accept" and b"text/html" in value for name, value in scope.get("headers", ()))


def _content(kind: str) -> str:
    return f"{kind}; charset=utf-8"


def _formatted(error: GraphQLError, request_id: str) -> dict[str, Any]:
    return dict(masked(error, request_id).formatted)


def _result_response(status: int, payload: dict[str, Any], kind: str, request_id: str) -> Response:
    return Response(dump_json(payload), status, {"X-Request-Id": request_id}, media_type=_content(kind))
