"""The AWS endpoint: one port, every emulated service in its own wire protocol.

JSON services are found by ``X-Amz-Target`` (``DynamoDB_20120810.PutItem``), Lambda's REST
API by its path. Operations run on the event loop (they take microseconds, under the store's
lock); the ones that may wait (an SQS long poll, a Lambda invoke) run on worker threads.
Errors take the protocol's shape, so botocore raises the modelled exception with its fields.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Awaitable, Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

from infra.local.dataplane.errors import AwsError
from infra.local.dataplane.service import JsonService

log = logging.getLogger("localstack")

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
HEALTH_PATH = "/_orderflow/health"


class RestService(Protocol):
    """A REST service (Lambda): answers (status, headers, body) for a method and path."""

    PATH_PREFIXES: tuple[str, ...]

    def route(
        self, method: str, path: str, query: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]: ...


class Endpoint:
    """The ASGI application behind the AWS port."""

    def __init__(
        self,
        services: Iterable[JsonService],
        rest: Iterable[RestService] = (),
        workers: int = 64,
    ) -> None:
        self.json = {s.TARGET_PREFIX: s for s in services}
        self.rest = list(rest)
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="aws-endpoint")

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        body = await _read(receive)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        request_id = str(uuid.uuid4())
        target = headers.get("x-amz-target", "")
        if target:
            status, out_headers, out = await self._json(target, body, request_id)
        elif scope["path"] == HEALTH_PATH:
            status, out_headers, out = 200, {"content-type": "application/json"}, b'{"ok":true}'
        else:
            status, out_headers, out = await self._rest(scope, headers, body, request_id)
        out_headers["x-amzn-requestid"] = request_id
        out_headers["content-length"] = str(len(out))
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(k.encode(), v.encode("latin-1")) for k, v in out_headers.items()],
            }
        )
        await send({"type": "http.response.body", "body": out})

    async def _json(
        self, target: str, body: bytes, request_id: str
    ) -> tuple[int, dict[str, str], bytes]:
        prefix, _, operation = target.rpartition(".")
        service = self.json.get(prefix)
        content_type = f"application/x-amz-json-{service.JSON_VERSION if service else '1.0'}"
        try:
            if service is None:
                raise AwsError("UnknownServiceException", f"no emulated service for {target!r}")
            params = json.loads(body) if body.strip() else {}
            if not isinstance(params, dict):
                raise AwsError("SerializationException", "the request body is not a JSON object")
            if service.blocks(operation, params):
                loop = asyncio.get_running_loop()
                result = await loop.run_in_executor(self._pool, service.call, operation, params)
            else:
                result = service.call(operation, params)
            return 200, {"content-type": content_type}, json.dumps(result).encode()
        except ValueError as bad:  # json.JSONDecodeError included
            error = AwsError("SerializationException", f"malformed JSON: {bad}")
        except AwsError as raised:
            error = raised
        except Exception as crash:  # a bug of the emulation: say so, as a 500 the caller retries
            log.exception("%s failed in the local data plane", target)
            error = AwsError("InternalServerError", f"{type(crash).__name__}", 500, sender=False)
        return _json_error(error, content_type)

    async def _rest(
        self, scope: Scope, headers: dict[str, str], body: bytes, request_id: str
    ) -> tuple[int, dict[str, str], bytes]:
        path = scope["path"]
        service = next((s for s in self.rest if path.startswith(s.PATH_PREFIXES)), None)
        if service is None:
            error = AwsError("UnknownOperationException", f"no emulated API at {path}", 404)
            return _rest_error(error)
        query = scope.get("query_string", b"").decode("latin-1")
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(
                self._pool, service.route, scope["method"], path, query, headers, body
            )
        except AwsError as error:
            return _rest_error(error)
        except Exception as crash:
            log.exception("%s %s failed in the local data plane", scope["method"], path)
            return _rest_error(AwsError("ServiceException", type(crash).__name__, 500))


async def _read(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


def _json_error(error: AwsError, content_type: str) -> tuple[int, dict[str, str], bytes]:
    headers = {"content-type": content_type, "x-amzn-errortype": error.code}
    if error.query_code:
        fault = "Sender" if error.sender else "Receiver"
        headers["x-amzn-query-error"] = f"{error.query_code};{fault}"
    body = {"__type": error.code, "message": error.message, **error.fields}
    return error.status, headers, json.dumps(body).encode()


def _rest_error(error: AwsError) -> tuple[int, dict[str, str], bytes]:
    headers = {"content-type": "application/json", "x-amzn-errortype": error.code}
    body = {"Type": "User" if error.sender else "Service", "message": error.message}
    return error.status, headers, json.dumps({**body, **error.fields}).encode()
