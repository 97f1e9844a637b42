"""Lambda's REST API on the data plane: functions, invokes, event source mappings.

Emulated: CreateFunction (the code runs from the checkout's deployed packages, not from the
zip), GetFunction, GetFunctionConfiguration, UpdateFunctionConfiguration, ListFunctions,
DeleteFunction, Invoke (RequestResponse, Event, DryRun), Put/GetFunctionEventInvokeConfig,
Put/Get/DeleteFunctionConcurrency, Create/Get/List/Update/DeleteEventSourceMapping. Not
emulated: versions and aliases (only ``$LATEST``), layers, URLs, code signing, provisioned
concurrency, ``LogType: Tail``.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, unquote

from infra.local.dataplane.errors import AwsError
from infra.local.dataplane.functions import invoke as invoking
from infra.local.dataplane.functions.async_queue import AsyncQueue
from infra.local.dataplane.functions.mappings import Mappings
from infra.local.dataplane.functions.registry import DDL, Registry, configuration, runnable
from infra.local.dataplane.store import Store

Answer = tuple[int, dict[str, str], bytes]
_NAME = r"(?P<name>[^/]+)"
_JSON = {"content-type": "application/json"}


class Functions:
    PATH_PREFIXES = ("/2015-03-31/", "/2017-10-31/", "/2019-09-25/", "/2019-09-30/")

    def __init__(
        self,
        store: Store,
        *,
        runner: invoking.Runner,
        region: str,
        account: str,
        clock: Callable[[], float],
    ) -> None:
        store.schema(DDL)
        self.store, self.runner = store, runner
        self.registry = Registry(region, account)
        self.asynchronous = AsyncQueue(store, self, clock=clock)
        self.mappings = Mappings(store, region=region, account=account, clock=clock)
        self._routes: list[tuple[str, re.Pattern[str], Callable[..., Answer]]] = [
            ("POST", re.compile(r"/2015-03-31/functions/?"), self._create),
            ("GET", re.compile(r"/2015-03-31/functions/?"), self._list),
            ("GET", re.compile(rf"/2015-03-31/functions/{_NAME}/?"), self._get),
            ("DELETE", re.compile(rf"/2015-03-31/functions/{_NAME}/?"), self._delete),
            ("GET", re.compile(rf"/2015-03-31/functions/{_NAME}/configuration"), self._config),
            ("PUT", re.compile(rf"/2015-03-31/functions/{_NAME}/configuration"), self._update),
            ("POST", re.compile(rf"/2015-03-31/functions/{_NAME}/invocations"), self._invoke),
            (
                "PUT",
                re.compile(rf"/2019-09-25/functions/{_NAME}/event-invoke-config"),
                self._eic_put,
            ),
            (
                "GET",
                re.compile(rf"/2019-09-25/functions/{_NAME}/event-invoke-config"),
                self._eic_get,
            ),
            (
                "PUT",
                re.compile(rf"/2017-10-31/functions/{_NAME}/concurrency"),
                self._concurrency_put,
            ),
            (
                "GET",
                re.compile(rf"/2019-09-30/functions/{_NAME}/concurrency"),
                self._concurrency_get,
            ),
            (
                "DELETE",
                re.compile(rf"/2017-10-31/functions/{_NAME}/concurrency"),
                self._concurrency_del,
            ),
            ("POST", re.compile(r"/2015-03-31/event-source-mappings/?"), self._esm_create),
            ("GET", re.compile(r"/2015-03-31/event-source-mappings/?"), self._esm_list),
            (
                "GET",
                re.compile(r"/2015-03-31/event-source-mappings/(?P<uuid>[^/]+)"),
                self._esm_get,
            ),
            (
                "PUT",
                re.compile(r"/2015-03-31/event-source-mappings/(?P<uuid>[^/]+)"),
                self._esm_update,
            ),
            (
                "DELETE",
                re.compile(r"/2015-03-31/event-source-mappings/(?P<uuid>[^/]+)"),
                self._esm_delete,
            ),
        ]

    # ----- the server's entry ------------------------------------------------------------
    def route(
        self, method: str, path: str, query: str, headers: dict[str, str], body: bytes
    ) -> Answer:
        for verb, pattern, action in self._routes:
            found = pattern.fullmatch(path)
            if verb == method and found:
                args = {k: unquote(v) for k, v in found.groupdict().items()}
                params = {k: v[-1] for k, v in parse_qs(query).items()}
                return action(body=body, headers=headers, query=params, **args)
        raise AwsError("UnknownOperationException", f"{method} {path} is not emulated", 404)

    # ----- in-process --------------------------------------------------------------------
    def invoke(self, name: str, event: bytes, request_id: str | None = None) -> invoking.Invoked:
        """A synchronous invoke, for the gateway, the pollers and the state machines."""
        with self.store.read() as db:
            fn = runnable(self.registry.get(db, name))
        return invoking.run(self.runner, fn, event, request_id)

    def invoke_async(self, name: str, event: bytes) -> str:
        """Accept an asynchronous invoke (durably: in the caller's transaction if any)."""
        if len(event) > invoking.ASYNC_PAYLOAD_LIMIT:
            raise AwsError("RequestTooLargeException", "Request must be smaller than 1 MB", 413)
        with self.store.write() as db:
            config = self.registry.get(db, name)
            return self.asynchronous.enqueue(db, config["FunctionName"], event)

    # ----- functions ---------------------------------------------------------------------
    def _create(self, body: bytes, **_: Any) -> Answer:
        params = _params(body)
        with self.store.write() as db:
            config = configuration(params, self.registry.region, self.registry.account)
            existing = db.execute(
                "SELECT 1 FROM fn_functions WHERE name = ?", (config["FunctionName"],)
            ).fetchone()
            if existing:
                raise AwsError(
                    "ResourceConflictException",
                    f"Function already exist: {config['FunctionName']}",
                    409,
                )
            self.registry.put(db, config)
        return _ok(config, 201)

    def _list(self, query: dict[str, str], **_: Any) -> Answer:
        with self.store.read() as db:
            configs = self.registry.all(db)
        start = int(query.get("Marker") or 0)
        size = int(query.get("MaxItems") or 50)
        page = configs[start : start + size]
        out: dict[str, Any] = {"Functions": page}
        if start + size < len(configs):
            out["NextMarker"] = str(start + size)
        return _ok(out)

    def _get(self, name: str, **_: Any) -> Answer:
        with self.store.read() as db:
            config = self.registry.get(db, name)
        code = {"RepositoryType": "Local", "Location": "the checkout (local stack)"}
        extra = {}
        if "ReservedConcurrentExecutions" in config:
            extra["Concurrency"] = {
                "ReservedConcurrentExecutions": config["ReservedConcurrentExecutions"]
            }
        return _ok({"Configuration": _public(config), "Code": code, **extra})

    def _config(self, name: str, **_: Any) -> Answer:
        with self.store.read() as db:
            return _ok(_public(self.registry.get(db, name)))

    def _update(self, name: str, body: bytes, **_: Any) -> Answer:
        changes = _params(body)
        with self.store.write() as db:
            config = self.registry.get(db, name)
            merged = {**config, **{k: v for k, v in changes.items() if k != "RevisionId"}}
            merged = {
                **configuration(
                    {**merged, "Code": {}}, self.registry.region, self.registry.account
                ),
                **{k: config[k] for k in ("CodeSize", "CodeSha256") if k in config},
            }
            if "ReservedConcurrentExecutions" in config:
                merged["ReservedConcurrentExecutions"] = config["ReservedConcurrentExecutions"]
            self.registry.put(db, merged)
        return _ok(_public(merged))

    def _delete(self, name: str, **_: Any) -> Answer:
        with self.store.write() as db:
            config = self.registry.get(db, name)
            db.execute("DELETE FROM fn_functions WHERE name = ?", (config["FunctionName"],))
        return 204, {}, b""

    def _invoke(self, name: str, body: bytes, headers: dict[str, str], **_: Any) -> Answer:
        kind = headers.get("x-amz-invocation-type", "RequestResponse")
        if kind == "DryRun":
            with self.store.read() as db:
                self.registry.get(db, name)
            return 204, {}, b""
        if kind == "Event":
            request_id = self.invoke_async(name, body)
            return 202, {"x-amzn-requestid": request_id}, b""
        if kind != "RequestResponse":
            raise AwsError("InvalidParameterValueException", f"InvocationType {kind!r}")
        request_id = str(uuid.uuid4())
        result = self.invoke(name, body, request_id)
        out = {"content-type": "application/json", "x-amz-executed-version": "$LATEST"}
        if result.function_error:
            out["x-amz-function-error"] = result.function_error
        return 200, out, result.payload

    # ----- asynchronous settings and concurrency -----------------------------------------
    def _eic_put(self, name: str, body: bytes, **_: Any) -> Answer:
        params = _params(body)
        retries = int(params.get("MaximumRetryAttempts", 2))
        age = int(params.get("MaximumEventAgeInSeconds", 21600))
        if not 0 <= retries <= 2 or not 60 <= age <= 21600:
            raise AwsError(
                "InvalidParameterValueException",
                "MaximumRetryAttempts must be 0-2 and MaximumEventAgeInSeconds 60-21600",
            )
        with self.store.write() as db:
            config = self.registry.get(db, name)
            stored = {
                "FunctionArn": config["FunctionArn"],
                "MaximumRetryAttempts": retries,
                "MaximumEventAgeInSeconds": age,
                "DestinationConfig": params.get("DestinationConfig") or {},
            }
            self.registry.put_invoke_config(db, config["FunctionName"], stored)
        return _ok(stored)

    def _eic_get(self, name: str, **_: Any) -> Answer:
        with self.store.read() as db:
            config = self.registry.get(db, name)
            stored = self.registry.invoke_config(db, config["FunctionName"])
        if not stored:
            raise AwsError(
                "ResourceNotFoundException",
                f"The function {config['FunctionArn']} doesn't have an EventInvokeConfig",
                404,
            )
        return _ok(stored)

    def _concurrency_put(self, name: str, body: bytes, **_: Any) -> Answer:
        reserved = int(_params(body).get("ReservedConcurrentExecutions", -1))
        if reserved < 0:
            raise AwsError("InvalidParameterValueException", "ReservedConcurrentExecutions >= 0")
        with self.store.write() as db:
            config = self.registry.get(db, name)
            self.registry.put(db, {**config, "ReservedConcurrentExecutions": reserved})
        return _ok({"ReservedConcurrentExecutions": reserved})

    def _concurrency_get(self, name: str, **_: Any) -> Answer:
        with self.store.read() as db:
            config = self.registry.get(db, name)
        reserved = config.get("ReservedConcurrentExecutions")
        return _ok({} if reserved is None else {"ReservedConcurrentExecutions": reserved})

    def _concurrency_del(self, name: str, **_: Any) -> Answer:
        with self.store.write() as db:
            config = self.registry.get(db, name)
            config.pop("ReservedConcurrentExecutions", None)
            self.registry.put(db, config)
        return 204, {}, b""

    # ----- event source mappings ---------------------------------------------------------
    def _esm_create(self, body: bytes, **_: Any) -> Answer:
        params = _params(body)
        with self.store.write() as db:
            config = self.registry.get(db, str(params.get("FunctionName", "")))
            return _ok(self.mappings.create(db, params, config["FunctionArn"]), 202)

    def _esm_list(self, query: dict[str, str], **_: Any) -> Answer:
        with self.store.read() as db:
            found = self.mappings.all(db)
        if "FunctionName" in query:
            with self.store.read() as db:
                arn = self.registry.get(db, query["FunctionName"])["FunctionArn"]
            found = [m for m in found if m["FunctionArn"] == arn]
        if "EventSourceArn" in query:
            found = [m for m in found if m["EventSourceArn"] == query["EventSourceArn"]]
        return _ok({"EventSourceMappings": found})

    def _esm_get(self, uuid: str, **_: Any) -> Answer:
        with self.store.read() as db:
            return _ok(self.mappings.get(db, uuid))

    def _esm_update(self, uuid: str, body: bytes, **_: Any) -> Answer:
        with self.store.write() as db:
            return _ok(self.mappings.update(db, uuid, _params(body)), 202)

    def _esm_delete(self, uuid: str, **_: Any) -> Answer:
        with self.store.write() as db:
            return _ok(self.mappings.delete(db, uuid), 202)


def _params(body: bytes) -> dict[str, Any]:
    try:
        found = json.loads(body) if body.strip() else {}
    except ValueError as bad:
        message = f"Could not parse request body: {bad}"
        raise AwsError("InvalidRequestContentException", message) from None
    if not isinstance(found, dict):
        raise AwsError("InvalidRequestContentException", "the request body is not an object")
    return found


def _public(config: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in config.items() if k != "ReservedConcurrentExecutions"}


def _ok(body: dict[str, Any], status: int = 200) -> Answer:
    return status, dict(_JSON), json.dumps(body).encode()
