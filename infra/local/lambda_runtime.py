"""Run a Lambda function's handler in this process, the way the Lambda Python runtime would.

The function's configuration is the only registry: its ``Handler`` ("package.module.function",
as the SAM template names it) is imported and called with a Lambda-like context, with the
function's environment variables set for the call. An exception becomes Lambda's unhandled-error
envelope, whose ``errorType`` is the exception's class name: that is what a state machine's
``Retry`` and ``Catch`` match on. Nothing here knows moto (moto_patches.py wires it in).
"""

from __future__ import annotations

import importlib
import json
import os
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

Handler = Callable[[Any, Any], Any]

UNHANDLED = "Unhandled"
"""The ``X-Amz-Function-Error`` value Lambda sends when the handler raised."""

_ENVIRONMENT_LOCK = threading.RLock()
"""Environment variables are process-wide, so invocations take turns (re-entrant: a handler
may invoke another function synchronously). Each real Lambda has a process of its own."""


@dataclass(frozen=True, slots=True)
class FunctionSpec:
    name: str
    arn: str
    handler: str
    timeout_seconds: int = 3
    memory_mb: int = 128
    version: str = "$LATEST"
    environment: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class LambdaContext:
    """The attributes of Lambda's Python context object that handlers and Powertools read."""

    function_name: str
    function_version: str
    invoked_function_arn: str
    memory_limit_in_mb: int
    aws_request_id: str
    log_group_name: str
    log_stream_name: str
    deadline: float
    """``time.monotonic()`` when the function's Timeout runs out (real time, never scaled)."""

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.deadline - time.monotonic()) * 1000))

    @classmethod
    def starting(cls, spec: FunctionSpec) -> LambdaContext:
        return cls(
            function_name=spec.name,
            function_version=spec.version,
            invoked_function_arn=spec.arn,
            memory_limit_in_mb=spec.memory_mb,
            aws_request_id=str(uuid.uuid4()),
            log_group_name=f"/aws/lambda/{spec.name}",
            log_stream_name=f"local/{spec.version}",
            deadline=time.monotonic() + spec.timeout_seconds,
        )


@dataclass(frozen=True, slots=True)
class Invocation:
    payload: bytes
    function_error: str | None = None
    """None on success, ``Unhandled`` when ``payload`` is an error envelope."""


class RuntimeFault(Exception):
    """A failure of the runtime rather than of the handler (import, handler lookup, result)."""

    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(message)
        self.error_type = error_type


def invoke(spec: FunctionSpec, payload: bytes | str | None) -> Invocation:
    context = LambdaContext.starting(spec)
    with function_environment(spec):
        try:
            handler = resolve_handler(spec.handler)
            result = handler(json.loads(payload) if payload else {}, context)
            return Invocation(_marshal(result))
        except Exception as error:  # the runtime reports whatever the handler raised
            return Invocation(error_envelope(error, context.aws_request_id), UNHANDLED)


def resolve_handler(handler: str) -> Handler:
    """Import ``package.module.function`` (Lambda also accepts ``package/module.function``)."""
    module_name, _, function_name = handler.replace("/", ".").rpartition(".")
    if not module_name:
        raise RuntimeFault("Runtime.MalformedHandlerName", f"Bad handler '{handler}'")
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        message = f"Unable to import module '{module_name}': {error}"
        raise RuntimeFault("Runtime.ImportModuleError", message) from error
    found = getattr(module, function_name, None)
    if not callable(found):
        message = f"Handler '{function_name}' missing on module '{module_name}'"
        raise RuntimeFault("Runtime.HandlerNotFound", message)
    return found


@contextmanager
def function_environment(spec: FunctionSpec) -> Iterator[None]:
    """The function's variables plus the ones Lambda itself sets, restored afterwards."""
    variables = {
        **spec.environment,
        "AWS_LAMBDA_FUNCTION_NAME": spec.name,
        "AWS_LAMBDA_FUNCTION_VERSION": spec.version,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_mb),
        "_HANDLER": spec.handler,
    }
    with _ENVIRONMENT_LOCK:
        saved = {name: os.environ.get(name) for name in variables}
        os.environ.update(variables)
        try:
            yield
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


def error_envelope(error: Exception, request_id: str) -> bytes:
    """Lambda's body for an unhandled error; ``errorType`` is the bare class name."""
    error_type = error.error_type if isinstance(error, RuntimeFault) else type(error).__name__
    return json.dumps(
        {
            "errorMessage": str(error),
            "errorType": error_type,
            "requestId": request_id,
            "stackTrace": traceback.format_list(traceback.extract_tb(error.__traceback__)),
        }
    ).encode()


def _marshal(result: object) -> bytes:
    try:
        return json.dumps(result).encode()
    except (TypeError, ValueError) as error:
        message = f"Unable to marshal response: {error}"
        raise RuntimeFault("Runtime.MarshalError", message) from error
