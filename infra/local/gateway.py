"""A local API Gateway (REST API, Lambda proxy integration, payload 1.0) as a Starlette app.

It answers as API Gateway does before and after the function: 403 ``Missing Authentication
Token`` for an unknown route or method, 401 when a Cognito-guarded route gets no valid bearer
token (the function is not called), 413 over the payload limit, 502 when the function raises or
answers something that is not a proxy response, 504 past the integration timeout. Requests may
carry the stage in the path (``/local/orders``, as on AWS) or not (``/orders``).

Header names reach the function Title-Cased (ASGI servers lower-case them; API Gateway passes
the client's spelling): read headers case-insensitively, as Powertools does.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import ipaddress
import logging
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route as StarletteRoute

from infra.local.routes import HTTP_METHODS, Match, Route, RouteTable

__all__ = ["Route", "create_app", "proxy_event"]

Invoke = Callable[[str, dict[str, Any]], dict[str, Any]]
Verify = Callable[[str], dict[str, Any] | None]
ACCOUNT_ID = "123456789012"
_RESPONSE_KEYS = {"statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded"}
_IDENTITY_NULLS = (
    "cognitoIdentityPoolId",
    "accountId",
    "cognitoIdentityId",
    "caller",
    "principalOrgId",
    "accessKey",
    "cognitoAuthenticationType",
    "cognitoAuthenticationProvider",
    "userArn",
    "user",
)
_CLAIM_TIME = "%a %b %d %H:%M:%S UTC %Y"  # how API Gateway renders exp/iat to the function
log = logging.getLogger(__name__)


class MalformedResponse(ValueError):
    """The function's answer is not a Lambda proxy response."""


# API Gateway's own answers: (status, body, x-amzn-ErrorType). 401 and 403 in the API's error
# shape, as the template's GatewayResponses make them on AWS (docs/api.md).
NO_ROUTE = (
    403,
    '{"error":"forbidden","message":"Missing Authentication Token","details":[]}',
    "MissingAuthenticationTokenException",
)
UNAUTHORIZED = (
    401,
    '{"error":"unauthorized","message":"Unauthorized","details":[]}',
    "UnauthorizedException",
)
TOO_LARGE = (413, '{"message":"Request Too Long"}', "")
FUNCTION_FAILED = (502, '{"message": "Internal server error"}', "InternalServerErrorException")
TIMED_OUT = (504, '{"message": "Endpoint request timed out"}', "")


def create_app(
    routes: Sequence[Route],
    invoke: Invoke,
    verify: Verify,
    *,
    stage: str = "local",
    max_body_bytes: int = 10 * 1024 * 1024,
    integration_timeout: float = 29.0,
) -> Starlette:
    table = RouteTable(tuple(routes))

    async def gateway(request: Request) -> Response:
        request_id = str(uuid.uuid4())
        path = _without_stage(request.url.path, stage)
        match = table.match(request.method, path)
        if match is None:
            return _error(NO_ROUTE, request_id)
        claims = None
        if match.route.authorized:
            claims = _claims(request.headers.get("authorization", ""), verify)
            if claims is None:
                return _error(UNAUTHORIZED, request_id)
        body = await _body(request, max_body_bytes)
        if body is None:
            return _error(TOO_LARGE, request_id)
        event = proxy_event(request, path, match, body, request_id, stage, claims)
        call = run_in_threadpool(_call, invoke, match.route.function, event)
        try:
            result = await asyncio.wait_for(call, integration_timeout)
        except TimeoutError:
            return _error(TIMED_OUT, request_id)
        try:
            if isinstance(result, _Crash):
                raise result.error
            return _response(result, request_id)
        except Exception as bad:  # the function failed or answered badly: 502, as on AWS
            detail = (match.route.function, type(bad).__name__, bad)
            log.error("%s: %s: %s", *detail, exc_info=not isinstance(bad, MalformedResponse))
            return _error(FUNCTION_FAILED, request_id)

    async def refused(request: Request, exc: Exception) -> Response:  # a method Starlette refuses
        return _error(NO_ROUTE, str(uuid.uuid4()))

    return Starlette(
        routes=[StarletteRoute("/{path:path}", gateway, methods=list(HTTP_METHODS))],
        exception_handlers={404: refused, 405: refused},
    )


def proxy_event(
    request: Request,
    path: str,
    match: Match,
    body: bytes,
    request_id: str,
    stage: str,
    claims: dict[str, Any] | None,
) -> dict[str, Any]:
    """The REST API proxy event (payload 1.0) for ``request``, routed to ``match``."""
    now = time.time()
    headers = _headers(request, now)
    queries: dict[str, list[str]] = {}
    for name, value in parse_qsl(request.url.query, keep_blank_values=True):
        queries.setdefault(name, []).append(value)
    text, is_base64 = _body_text(body)
    return {
        "resource": match.route.path,
        "path": path,
        "httpMethod": request.method,
        "headers": {k: v[-1] for k, v in headers.items()} or None,
        "multiValueHeaders": headers or None,
        "queryStringParameters": {k: v[-1] for k, v in queries.items()} or None,
        "multiValueQueryStringParameters": queries or None,
        "pathParameters": match.path_parameters or None,
        "stageVariables": None,
        "requestContext": _context(request, path, match, request_id, stage, claims, now),
        "body": text,
        "isBase64Encoded": is_base64,
    }


def _context(
    request: Request,
    path: str,
    match: Match,
    request_id: str,
    stage: str,
    claims: dict[str, Any] | None,
    now: float,
) -> dict[str, Any]:
    host = request.headers.get("host", "localhost")
    identity = dict.fromkeys(_IDENTITY_NULLS)
    identity.update(sourceIp=_source_ip(request), userAgent=request.headers.get("user-agent"))
    context = {
        "resourceId": uuid.uuid5(uuid.NAMESPACE_URL, match.route.path).hex[:6],
        "resourcePath": match.route.path,
        "httpMethod": request.method,
        "extendedRequestId": base64.b64encode(uuid.uuid4().bytes[:12]).decode(),
        "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
        "path": f"/{stage}{path}",
        "accountId": ACCOUNT_ID,
        "protocol": f"HTTP/{request.scope.get('http_version', '1.1')}",
        "stage": stage,
        "domainPrefix": host.split(".")[0].split(":")[0],
        "requestTimeEpoch": int(now * 1000),
        "requestId": request_id,
        "identity": identity,
        "domainName": host,
        "apiId": "local",
    }
    if claims is not None:
        context["authorizer"] = {"claims": _rendered(claims)}
    return context


def _without_stage(path: str, stage: str) -> str:
    prefix = f"/{stage}"
    if path == prefix or path.startswith(prefix + "/"):
        return path[len(prefix) :] or "/"
    return path


def _claims(authorization: str, verify: Verify) -> dict[str, Any] | None:
    scheme, _, credentials = authorization.strip().partition(" ")
    token = credentials.strip() if scheme.lower() == "bearer" else authorization.strip()
    return verify(token) if token else None


async def _body(request: Request, limit: int) -> bytes | None:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


class _Crash:
    """The function's exception, carried out of the worker thread (so that a TimeoutError it
    raises is not mistaken for the integration timeout)."""

    def __init__(self, error: Exception) -> None:
        self.error = error


def _call(invoke: Invoke, function: str, event: dict[str, Any]) -> Any:
    try:
        return invoke(function, event)
    except Exception as crash:
        return _Crash(crash)


def _response(result: Any, request_id: str) -> Response:
    if not isinstance(result, dict) or not set(result) <= _RESPONSE_KEYS:
        raise MalformedResponse(f"expected an object with keys among {sorted(_RESPONSE_KEYS)}")
    status = result.get("statusCode")
    if isinstance(status, str) and status.isdigit():
        status = int(status)
    if not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 599:
        raise MalformedResponse(f"statusCode {status!r} is not an HTTP status")
    body = result.get("body")
    if not isinstance(body, str | None) or not isinstance(
        result.get("isBase64Encoded", False), bool
    ):
        raise MalformedResponse("body must be a string and isBase64Encoded a boolean")
    try:
        content = (
            base64.b64decode(body or "", validate=True)
            if result.get("isBase64Encoded")
            else (body or "").encode()
        )
    except binascii.Error as bad:
        raise MalformedResponse("isBase64Encoded but the body is not base64") from bad
    response = Response(content, status_code=status)
    response.raw_headers.extend(_response_headers(result, request_id))
    return response


def _response_headers(result: dict[str, Any], request_id: str) -> list[tuple[bytes, bytes]]:
    single, multi = result.get("headers") or {}, result.get("multiValueHeaders") or {}
    if (
        not isinstance(single, dict)
        or not isinstance(multi, dict)
        or not all(isinstance(v, list) for v in multi.values())
    ):
        raise MalformedResponse("headers must map to strings, multiValueHeaders to lists")
    merged = {name: [_scalar(v) for v in values] for name, values in multi.items()}
    for name, value in single.items():
        if _scalar(value) not in merged.setdefault(name, []):
            merged[name].append(_scalar(value))
    if "content-type" not in {name.lower() for name in merged}:
        merged["content-type"] = ["application/json"]
    merged["x-amzn-RequestId"] = [request_id]
    try:
        return [
            (name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, values in merged.items()
            if name.lower() != "content-length"
            for value in values
        ]
    except UnicodeEncodeError as bad:
        raise MalformedResponse("a header is not latin-1") from bad


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    raise MalformedResponse(f"header value {value!r} is not a scalar")


def _error(answer: tuple[int, str, str], request_id: str) -> Response:
    status, body, error_type = answer
    headers = {"content-type": "application/json", "x-amzn-RequestId": request_id}
    if error_type:
        headers["x-amzn-ErrorType"] = error_type
    return Response(body, status_code=status, headers=headers)


def _headers(request: Request, now: float) -> dict[str, list[str]]:
    headers: dict[str, list[str]] = {}
    for raw_name, raw_value in request.headers.raw:
        name = "-".join(part.capitalize() for part in raw_name.decode("latin-1").split("-"))
        headers.setdefault(name, []).append(raw_value.decode("latin-1"))
    trace = f"Root=1-{int(now):08x}-{uuid.uuid4().hex[:24]}"
    for name, value in (
        ("X-Forwarded-For", _source_ip(request)),
        ("X-Forwarded-Proto", request.url.scheme),
        ("X-Forwarded-Port", str(request.url.port or 80)),
        ("X-Amzn-Trace-Id", trace),
    ):
        headers.setdefault(name, [value])
    return headers


def _source_ip(request: Request) -> str:
    host = request.client.host if request.client else ""
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:  # in-process test clients call themselves "testclient"
        return "127.0.0.1"


def _rendered(claims: dict[str, Any]) -> dict[str, str]:
    """Claims as API Gateway hands them over: strings, exp and iat as dates."""
    out = {}
    for name, value in claims.items():
        if name in ("exp", "iat") and isinstance(value, int | float):
            out[name] = time.strftime(_CLAIM_TIME, time.gmtime(value))
        else:
            out[name] = value if isinstance(value, str) else str(value)
    return out


def _body_text(body: bytes) -> tuple[str | None, bool]:
    if not body:
        return None, False
    try:
        return body.decode("utf-8"), False
    except UnicodeDecodeError:
        return base64.b64encode(body).decode("ascii"), True
