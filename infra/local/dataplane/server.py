"""The AWS endpoint: one port, every emulated service in its own wire protocol.

JSON services are found by ``X-Amz-Target`` (``DynamoDB_20120810.PutItem``), Lambda's REST
API by its path. Operations run on the server's event loop (they take microseconds, under the
store's lock); the ones that may wait (an SQS long poll, a Lambda invoke) on worker threads.
Errors take the protocol's shape, so botocore raises the modelled exception with its fields.
``http.py`` carries the requests.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from infra.local.dataplane.errors import AwsError
from infra.local.dataplane.http import Answer, Request
from infra.local.dataplane.service import JsonService

log = logging.getLogger("localstack")

HEALTH_PATH = "/_orderflow/health"
STATS_PATH = "/_orderflow/stats"
caller = threading.local()
"""``caller.user_agent``: set while a service answers a request of this endpoint (unset for the
stack's in-process calls), for whoever counts calls by caller (infra/bench/counter.py)."""
_JSON = "application/json"


class RestService(Protocol):
    """A REST service (Lambda): answers (status, headers, body) for a method and path."""

    @property
    def PATH_PREFIXES(self) -> tuple[str, ...]: ...  # a class constant

    def route(
        self, method: str, path: str, query: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]: ...


class Endpoint:
    """What answers the AWS port's requests (``http.HttpServer`` carries them)."""

    def __init__(
        self,
        services: Iterable[JsonService],
        rest: Iterable[RestService] = (),
        stats: Callable[[], dict[str, Any]] | None = None,
    ) -> None:
        self.json = {s.TARGET_PREFIX: s for s in services}
        self.rest = list(rest)
        self.stats = stats
        """What the stack is doing (``GET /_orderflow/stats``, local only)."""

    def blocks(self, request: Request) -> bool:
        target = request.headers.get("x-amz-target")
        if target is None:
            return request.path not in (HEALTH_PATH, STATS_PATH)  # Lambda: an invoke waits
        prefix, _, operation = target.rpartition(".")
        service = self.json.get(prefix)
        if service is None or operation not in service.BLOCKING:
            return False
        try:  # the service may look at the parameters (an SQS short poll never waits)
            request.parsed = json.loads(request.body) if request.body.strip() else {}
        except ValueError:
            return False  # answered at once: malformed
        return isinstance(request.parsed, dict) and service.blocks(operation, request.parsed)

    def answer(self, request: Request) -> Answer:
        request_id = str(uuid.uuid4())
        target = request.headers.get("x-amz-target")
        if target is not None:
            status, headers, out = self._json(target, request)
        elif request.path == HEALTH_PATH:
            status, headers, out = 200, {"content-type": _JSON}, b'{"ok":true}'
        elif request.path == STATS_PATH and self.stats is not None:
            status, headers, out = 200, {"content-type": _JSON}, json.dumps(self.stats()).encode()
        else:
            status, headers, out = self._rest(request)
        headers["x-amzn-requestid"] = request_id
        return status, headers, out

    def _json(self, target: str, request: Request) -> Answer:
        prefix, _, operation = target.rpartition(".")
        service = self.json.get(prefix)
        content_type = f"application/x-amz-json-{service.JSON_VERSION if service else '1.0'}"
        try:
            if service is None:
                raise AwsError("UnknownServiceException", f"no emulated service for {target!r}")
            params = request.parsed
            if params is None:
                params = json.loads(request.body) if request.body.strip() else {}
            if not isinstance(params, dict):
                raise AwsError("SerializationException", "the request body is not a JSON object")
            result = _answer(service, operation, params, request.headers.get("user-agent", ""))
            return 200, {"content-type": content_type}, json.dumps(result).encode()
        except ValueError as bad:  # json.JSONDecodeError included
            error = AwsError("SerializationException", f"malformed JSON: {bad}")
        except AwsError as raised:
            error = raised
        except Exception as crash:  # a bug of the emulation: say so, as a 500 the caller retries
            log.exception("%s failed in the local data plane", target)
            error = AwsError("InternalServerError", f"{type(crash).__name__}", 500, sender=False)
        return _json_error(error, content_type)

    def _rest(self, request: Request) -> Answer:
        path = request.path
        service = next((s for s in self.rest if path.startswith(s.PATH_PREFIXES)), None)
        try:
            if service is None:
                raise AwsError("UnknownOperationException", f"no emulated API at {path}", 404)
            return service.route(request.method, path, request.query, request.headers, request.body)
        except AwsError as error:
            return _rest_error(error)
        except Exception as crash:
            log.exception("%s %s failed in the local data plane", request.method, path)
            return _rest_error(AwsError("ServiceException", type(crash).__name__, 500))


def _answer(service: JsonService, operation: str, params: dict[str, Any], agent: str) -> Any:
    caller.user_agent = agent
    try:
        return service.call(operation, params)
    finally:
        caller.user_agent = None


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
