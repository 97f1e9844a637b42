"""Run a Lambda function's handler in this process, the way the Lambda Python runtime would.

The function's configuration is the only registry: its ``Handler`` ("package.module.function",
as the SAM template names it) is imported and called with a Lambda-like context, with the
function's environment variables set for the call (``function_environment`` says how, in one
process shared with other threads). An exception becomes Lambda's unhandled-error
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
    """The function's variables plus the ones Lambda itself sets, for the duration of the call.

    ``os.environ`` belongs to the whole process, and other threads read it while a function runs
    (moto's state machine interpreter, the local stack's pollers and API): botocore and urllib
    go through the whole environment whenever they build a client or a session, listing the
    names first and reading each value after. A name deleted in between raises ``KeyError`` in
    that thread (a workflow then fails with ``States.Runtime 'STATE_MACHINE_ARN'``). So:

    * a name is never deleted: one the process did not have stays defined after the call (with
      the function's value), and the next call that defines it sets its own value;
    * a name the process had gets its previous value back after the call;
    * invocations take turns (``_ENVIRONMENT_LOCK``), so each call sees its own values.

    Adding a name, or changing a value, is safe for those readers: they see the environment as
    it was when they listed it, or as it is. The price: a function may see a variable that only
    another function of the process defines (in AWS each has a process of its own). Functions
    of one template agree on the names they share, so this only hides a variable missing from a
    function's definition, which tests/infra/test_template_handlers.py catches.
    """
    variables = {
        **spec.environment,
        "AWS_LAMBDA_FUNCTION_NAME": spec.name,
        "AWS_LAMBDA_FUNCTION_VERSION": spec.version,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_mb),
        "_HANDLER": spec.handler,
    }
    with _ENVIRONMENT_LOCK:
        previous = {n: v for n in variables if (v := os.environ.get(n)) is not None}
        os.environ.update(variables)
        try:
            yield
        finally:
            os.environ.update(previous)  # set, never unset: see above


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
