"""The process inside a sandbox: Lambda's Python runtime loop, on two pipes.

Started by path, ``python .../sandbox/worker.py <request fd> <reply fd>``, with the function's
environment and only the deployed packages on ``PYTHONPATH`` (the stack's own code is not
importable, as on Lambda). Init first (import ``_HANDLER``, as Lambda's bootstrap does), then
one invoke at a time: a header (request id, deadline, ARN) and the event's bytes in, a header
(outcome, duration, memory) and the result's bytes out. The handler's output goes to
stdout/stderr, as it would to CloudWatch Logs. This module imports the standard library only,
so the handler's import is the whole cold start. The in-process runtime of the workflow tests
(``lambda_runtime``) shares its context, handler lookup and error envelope.
"""

from __future__ import annotations

import importlib
import json
import os
import resource
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

Handler = Callable[[Any, Any], Any]
UNHANDLED = "Unhandled"
"""The ``X-Amz-Function-Error`` value Lambda sends when the handler raised."""


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
    def from_environment(cls, request_id: str, deadline: float, invoked_arn: str) -> LambdaContext:
        """From the function's environment (Lambda's own variables) and what comes with each
        invoke, as Lambda's runtime API sends it."""
        name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "")
        version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        return cls(
            function_name=name,
            function_version=version,
            invoked_function_arn=invoked_arn,
            memory_limit_in_mb=int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")),
            aws_request_id=request_id,
            log_group_name=os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME", f"/aws/lambda/{name}"),
            log_stream_name=os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME", f"local/{version}"),
            deadline=deadline,
        )


class RuntimeFault(Exception):
    """A failure of the runtime rather than of the handler (import, handler lookup, result)."""

    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(message)
        self.error_type = error_type


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


def marshal(result: object) -> bytes:
    try:
        return json.dumps(result).encode()
    except (TypeError, ValueError) as error:
        message = f"Unable to marshal response: {error}"
        raise RuntimeFault("Runtime.MarshalError", message) from error


def _die_with_the_stack() -> None:
    """A sandbox does not outlive the stack that started it (even one killed with SIGKILL):
    once its parent is gone, it goes, whatever its handler is doing."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="sandbox-watchdog", daemon=True).start()


def _only_the_task_root() -> None:
    """An editable install of the checkout (``make venv``) adds an import finder for all of its
    packages, the stack's own included; a deployed function has only its zip. Drop it."""
    sys.meta_path[:] = [
        finder
        for finder in sys.meta_path
        if not getattr(finder, "__module__", "").startswith("__editable__")
    ]


def main(request_fd: int, reply_fd: int) -> int:
    _die_with_the_stack()
    _only_the_task_root()
    requests, replies = Connection(request_fd, writable=False), Connection(reply_fd, readable=False)
    began = time.perf_counter()
    handler: Handler | None = None
    init_error: bytes | None = None
    try:
        handler = resolve_handler(os.environ["_HANDLER"])
    except Exception as error:  # reported on the first invoke, as Lambda reports init errors
        init_error = error_envelope(error, "init")
    replies.send_bytes(json.dumps({"initMs": _ms(began)}).encode())  # ready
    while True:
        try:
            header = json.loads(requests.recv_bytes())
            event = requests.recv_bytes()
        except EOFError:  # the stack let this sandbox go (or died)
            return 0
        if handler is None:  # a failed init is not reused: the next invoke gets a fresh one
            _reply(replies, UNHANDLED, init_error or b"{}", 0.0, init_failed=True)
            return 1
        _reply(replies, *_invoke(handler, header, event))


def _invoke(
    handler: Handler, header: dict[str, Any], event: bytes
) -> tuple[str | None, bytes, float]:
    request_id = header["requestId"]
    deadline = time.monotonic() + header["remainingMs"] / 1000
    context = LambdaContext.from_environment(request_id, deadline, header["invokedFunctionArn"])
    began = time.perf_counter()
    try:
        result = handler(json.loads(event) if event else {}, context)
        return None, marshal(result), _ms(began)
    except Exception as error:  # the runtime reports whatever the handler raised
        return UNHANDLED, error_envelope(error, request_id), _ms(began)


def _reply(
    replies: Connection,
    error: str | None,
    payload: bytes,
    duration_ms: float,
    init_failed: bool = False,
) -> None:
    peak_mb = _peak_mb()
    header = {
        "functionError": error,
        "durationMs": duration_ms,
        "maxMemoryMb": peak_mb,
        "initFailed": init_failed,
    }
    replies.send_bytes(json.dumps(header).encode())
    replies.send_bytes(payload)


def _peak_mb() -> float:
    """The process's peak resident memory since it started its interpreter (VmHWM: getrusage's
    ru_maxrss would carry the stack's own peak over from before the exec)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _ms(began: float) -> float:
    return (time.perf_counter() - began) * 1000


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]), int(sys.argv[2])))
