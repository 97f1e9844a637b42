"""Run a Lambda function's handler in this process, the way the Lambda Python runtime would.

The function's configuration is the only registry: its ``Handler`` ("package.module.function",
as the SAM template names it) is imported and called with a Lambda-like context, with the
function's environment variables set for the call (``function_environment`` says how, in one
process shared with other threads). An exception becomes Lambda's unhandled-error
envelope, whose ``errorType`` is the exception's class name: that is what a state machine's
``Retry`` and ``Catch`` match on. Nothing here knows moto (moto_patches.py wires it in).
"""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

from infra.local.sandbox.worker import (
    UNHANDLED,
    LambdaContext,
    RuntimeFault,
    error_envelope,
    marshal,
    resolve_handler,
)

__all__ = [
    "UNHANDLED",
    "FunctionSpec",
    "Invocation",
    "LambdaContext",
    "RuntimeFault",
    "error_envelope",
    "invoke",
    "resolve_handler",
]

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
class Invocation:
    payload: bytes
    function_error: str | None = None
    """None on success, ``Unhandled`` when ``payload`` is an error envelope."""


def invoke(spec: FunctionSpec, payload: bytes | str | None) -> Invocation:
    context = _context(spec)
    with function_environment(spec):
        try:
            handler = resolve_handler(spec.handler)
            result = handler(json.loads(payload) if payload else {}, context)
            return Invocation(marshal(result))
        except Exception as error:  # the runtime reports whatever the handler raised
            return Invocation(error_envelope(error, context.aws_request_id), UNHANDLED)


def _context(spec: FunctionSpec) -> LambdaContext:
    return LambdaContext(
        function_name=spec.name,
        function_version=spec.version,
        invoked_function_arn=spec.arn,
        memory_limit_in_mb=spec.memory_mb,
        aws_request_id=str(uuid.uuid4()),
        log_group_name=f"/aws/lambda/{spec.name}",
        log_stream_name=f"local/{spec.version}",
        deadline=time.monotonic() + spec.timeout_seconds,
    )


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
