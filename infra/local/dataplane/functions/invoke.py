"""Invoke as Lambda answers it: sizes, throttles, the error header, the executed version."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Protocol

from infra.local.dataplane.errors import AwsError
from infra.local.sandbox.environment import FunctionConfig
from infra.local.sandbox.pool import Throttled
from infra.local.sandbox.process import Outcome

SYNC_PAYLOAD_LIMIT = 6 * 1024 * 1024
ASYNC_PAYLOAD_LIMIT = 1024 * 1024
"""Lambda's limits: 6 MB request and response for a synchronous invoke, 1 MB asynchronous."""


class Runner(Protocol):
    """Runs a function's code: the sandboxes, or an in-process stand-in in tests."""

    def invoke(
        self, fn: FunctionConfig, event: bytes, request_id: str | None = None
    ) -> Outcome: ...


@dataclass(frozen=True)
class Invoked:
    payload: bytes
    function_error: str | None = None

    @property
    def error_type(self) -> str | None:
        if not self.function_error:
            return None
        try:
            return str(json.loads(self.payload).get("errorType"))
        except (ValueError, AttributeError):
            return None


def run(runner: Runner, fn: FunctionConfig, event: bytes, request_id: str | None = None) -> Invoked:
    """One synchronous invoke; raises Lambda's errors (413 request too large, 429 throttled)."""
    if len(event) > SYNC_PAYLOAD_LIMIT:
        raise AwsError(
            "RequestTooLargeException",
            f"Request must be smaller than {SYNC_PAYLOAD_LIMIT} bytes for the InvokeFunction "
            "operation",
            413,
        )
    try:
        outcome = runner.invoke(fn, event, request_id)
    except Throttled as throttled:
        raise AwsError(
            "TooManyRequestsException",
            str(throttled),
            429,
            Reason="ReservedFunctionConcurrentInvocationLimitExceeded",
        ) from None
    if len(outcome.payload) > SYNC_PAYLOAD_LIMIT:
        too_big = {
            "errorType": "Function.ResponseSizeTooLarge",
            "errorMessage": f"Response payload size exceeded maximum allowed payload size "
            f"({SYNC_PAYLOAD_LIMIT} bytes).",
        }
        return Invoked(json.dumps(too_big).encode(), "Unhandled")
    return Invoked(outcome.payload, outcome.function_error)
