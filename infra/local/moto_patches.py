"""Every patch OrderFlow applies to moto, in this one module, installed by ``apply()``.

moto (``mock_aws(config=MOTO_CONFIG)``) runs our ASL for real, with three gaps we fill:

1. Its Docker-free Lambda answers every invoke with a canned string. ``LambdaSimpleBackend.invoke``
   is routed to ``lambda_runtime.invoke``: the function's own ``Handler`` runs in this process and
   an exception comes back as Lambda's error envelope, so ``Catch`` on a domain error matches.
2. Its interpreter waits in real time (freezegun has no effect on its threads). Wait states,
   Retry backoff, TimeoutSeconds and HeartbeatSeconds are multiplied by ``time_scale()``
   (default 0.001: one workflow second is one real millisecond).
3. It reports a missed heartbeat as ``States.Timeout``; AWS says ``States.HeartbeatTimeout``.

And one for speed: a definition is parsed once per process, not once per execution.

Each patch names the moto internals it relies on (``anchors``); ``check()`` fails loudly, naming
the attribute, when a moto upgrade moves or rewrites one. tests/workflow/test_moto_patches_guard.py
runs it on every build.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from infra.local import lambda_runtime

if TYPE_CHECKING:
    from moto.core.config import DefaultConfig

MOTO_CONFIG: DefaultConfig = {
    "lambda": {"use_docker": False},
    "stepfunctions": {"execute_state_machine": True},
}
"""The ``mock_aws(config=...)`` these patches are written for."""

DEFAULT_TIME_SCALE = 0.001
_time_scale = DEFAULT_TIME_SCALE


# ----- compressed time -----------------------------------------------------------------------
def time_scale() -> float:
    return _time_scale


def set_time_scale(scale: float) -> None:
    """Real seconds per workflow second. Must stay > 0: at 0 every timeout fires at once."""
    global _time_scale  # one clock per process, shared by the interpreter's threads
    if not 0 < scale <= 1:
        raise ValueError(f"time_scale must be in (0, 1], got {scale}")
    _time_scale = scale


@contextmanager
def scaled_time(scale: float) -> Iterator[None]:
    """Run a block at another time scale (read whenever a wait starts)."""
    before = _time_scale
    set_time_scale(scale)
    try:
        yield
    finally:
        set_time_scale(before)


def scaled(seconds: float) -> float:
    return seconds * _time_scale


class ScaledEvent(threading.Event):
    """A ``threading.Event`` whose ``wait(timeout)`` counts workflow seconds."""

    def wait(self, timeout: float | None = None) -> bool:
        return super().wait(None if timeout is None else scaled(timeout))


class _ScaledTime:
    """Stands in for the ``time`` module where moto sleeps between retries."""

    @staticmethod
    def sleep(seconds: float) -> None:
        time.sleep(scaled(seconds))

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)


class _ScaledThreading:
    """Stands in for the ``threading`` module where moto enforces a state's TimeoutSeconds."""

    Event = ScaledEvent

    def __getattr__(self, name: str) -> Any:
        return getattr(threading, name)


def _wait_interval(self: Any, env: Any, wait_seconds: int) -> None:
    """``WaitFunction._wait_interval``, scaled; still ends early when the execution stops."""
    deadline = time.monotonic() + scaled(wait_seconds)
    while env.is_running():
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return
        env.program_state_event.wait(remaining)


# ----- Lambda invoke --------------------------------------------------------------------------
def _invoke(
    self: Any,
    function_name: str,
    qualifier: str | None,
    body: Any,
    headers: Mapping[str, str],
    response_headers: dict[str, str],
) -> bytes:
    """``LambdaSimpleBackend.invoke``: run the function's configured Handler in-process."""
    fn = self.get_function(function_name, qualifier)  # unknown function: moto's own 404
    spec = lambda_runtime.FunctionSpec(
        name=fn.function_name,
        arn=fn.function_arn,
        handler=fn.handler,
        timeout_seconds=int(fn.timeout),
        memory_mb=int(fn.memory_size),
        version=str(fn.version),
        environment=dict(fn.environment_vars or {}),
    )
    invocation_type = {k.lower(): v for k, v in headers.items()}.get(
        "x-amz-invocation-type", "RequestResponse"
    )
    if invocation_type == "DryRun":
        return b""
    if invocation_type == "Event":  # asynchronous: accepted now, runs on its own
        threading.Thread(target=lambda_runtime.invoke, args=(spec, body), daemon=True).start()
        return b""
    result = lambda_runtime.invoke(spec, body)
    if result.function_error:
        response_headers["x-amz-function-error"] = result.function_error
    response_headers["Content-Length"] = str(len(result.payload))
    return result.payload


# ----- heartbeat timeouts ---------------------------------------------------------------------
def _task_from_error(self: Any, env: Any, ex: Exception) -> Any:
    """``StateTask._from_error``: a missed heartbeat is ``States.HeartbeatTimeout`` as in AWS
    (moto reports every TimeoutError as States.Timeout)."""
    from moto.stepfunctions.parser.api import HistoryEventType, TaskTimedOutEventDetails
    from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import (
        FailureEvent,
    )
    from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name import (
        StatesErrorName,
    )
    from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name_type import (
        StatesErrorNameType,
    )
    from moto.stepfunctions.parser.asl.eval.callback.callback import HeartbeatTimeoutError
    from moto.stepfunctions.parser.asl.eval.event.event_detail import EventDetails

    if not isinstance(ex, HeartbeatTimeoutError):
        return _ORIGINALS[
            f"{_SFN}.component.state.exec.state_task.state_task.StateTask._from_error"
        ](self, env, ex)
    heartbeat = StatesErrorNameType.StatesHeartbeatTimeout
    details: Any = EventDetails  # a TypedDict whose keys are all declared required
    return FailureEvent(
        env=env,
        error_name=StatesErrorName(typ=heartbeat),
        event_type=HistoryEventType.TaskTimedOut,
        event_details=details(
            taskTimedOutEventDetails=TaskTimedOutEventDetails(error=heartbeat.to_name())
        ),
    )


# ----- parsing ----------------------------------------------------------------------------------
_PARSE = "moto.stepfunctions.parser.asl.parse.asl_parser.AmazonStateLanguageParser.parse"


@functools.lru_cache(maxsize=64)
def _parse_once(definition: str) -> Any:
    """``AmazonStateLanguageParser.parse``, once per definition instead of once per execution
    (~0.15 s of CPU each). Safe to share: the parsed states hold declarations only; everything
    an evaluation changes lives in its Environment. A syntax error raises and is not cached."""
    return _ORIGINALS[_PARSE](definition)


# ----- the patch table ------------------------------------------------------------------------
_SFN = "moto.stepfunctions.parser.asl"


class MotoPatchError(RuntimeError):
    """moto no longer has (or no longer uses) something we patch: review moto_patches.py."""


@dataclass(frozen=True)
class Patch:
    module: str
    attribute: str
    """Dotted path inside ``module`` of what is replaced: ``Class.method`` or a module global."""
    replacement: Any
    why: str
    anchors: tuple[tuple[str, str], ...] = ()
    """(where, source snippet): moto code that must still read as the patch assumes. ``where`` is
    a dotted path in ``module``, or ``other.module:Class.method``."""

    @property
    def name(self) -> str:
        return f"{self.module}.{self.attribute}"

    def _owner(self) -> tuple[Any, str]:
        owner: Any = importlib.import_module(self.module)
        *parents, leaf = self.attribute.split(".")
        for part in parents:
            owner = _get(owner, part, f"{self.module}.{part}")
        return owner, leaf

    def check(self) -> None:
        """Raise ``MotoPatchError`` naming the attribute if moto moved or rewrote it."""
        owner, leaf = self._owner()
        current = _get(owner, leaf, self.name)
        if current is not self.replacement:
            _check_signature(self, current)
        for where, snippet in self.anchors:
            module, _, path = where.rpartition(":")
            full = f"{module or self.module}.{path}"
            target: Any = importlib.import_module(module or self.module)
            for part in path.split("."):
                target = _get(target, part, full)
            if snippet not in inspect.getsource(_ORIGINALS.get(full, target)):
                raise MotoPatchError(
                    f"{full} no longer contains {snippet!r}: the patch of {self.name} "
                    "may have no effect"
                )

    def install(self) -> None:
        self.check()
        owner, leaf = self._owner()
        _ORIGINALS.setdefault(self.name, getattr(owner, leaf))
        setattr(owner, leaf, self.replacement)


def _get(owner: Any, attribute: str, name: str) -> Any:
    try:
        return getattr(owner, attribute)
    except AttributeError:
        raise MotoPatchError(f"moto has no {name} any more: review moto_patches.py") from None


def _check_signature(patch: Patch, original: Any) -> None:
    if not (callable(original) and inspect.isfunction(patch.replacement)):
        return
    expected = list(inspect.signature(patch.replacement).parameters)
    actual = list(inspect.signature(original).parameters)
    if actual != expected:
        raise MotoPatchError(f"{patch.name} now takes {actual}, the patch expects {expected}")


PATCHES: tuple[Patch, ...] = (
    Patch(
        "moto.awslambda_simple.models",
        "LambdaSimpleBackend.invoke",
        _invoke,
        "run the function's Handler in-process with Lambda's error envelope",
        anchors=(
            ("moto.awslambda.responses:LambdaResponse.invoke", "self.backend.invoke("),
            (
                f"{_SFN}.component.state.exec.state_task.lambda_eval_utils:"
                "execute_lambda_function_integration",
                'get("FunctionError")',
            ),
            (
                f"{_SFN}.component.state.exec.state_task.service.state_task_service_lambda:"
                "StateTaskServiceLambda._from_error",
                '["errorType"]',
            ),
        ),
    ),
    Patch(
        f"{_SFN}.component.common.retry.retrier_decl",
        "time",
        _ScaledTime(),
        "Retry backoff (IntervalSeconds, BackoffRate, MaxDelaySeconds, jitter) in workflow time",
        anchors=(("RetrierDecl._eval_body", "time.sleep(interval_seconds)"),),
    ),
    Patch(
        f"{_SFN}.component.state.exec.execute_state",
        "threading",
        _ScaledThreading(),
        "a Task's TimeoutSeconds (States.Timeout) in workflow time",
        anchors=(
            ("ExecutionState._evaluate_with_timeout", "threading.Event()"),
            ("ExecutionState._evaluate_with_timeout", "terminated_event.wait(timeout_seconds)"),
        ),
    ),
    Patch(
        f"{_SFN}.eval.callback.callback",
        "Event",
        ScaledEvent,
        "task-token TimeoutSeconds and HeartbeatSeconds (States.HeartbeatTimeout) in workflow time",
        anchors=(
            ("CallbackEndpoint.__init__", "Event()"),
            ("CallbackEndpoint.wait", "_notify_event.wait(timeout=timeout)"),
            ("HeartbeatEndpoint.__init__", "Event()"),
            ("HeartbeatEndpoint.clear_and_wait", "wait(timeout=self._heartbeat_seconds)"),
        ),
    ),
    Patch(
        f"{_SFN}.component.state.wait.wait_function.wait_function",
        "WaitFunction._wait_interval",
        _wait_interval,
        "Wait states in workflow time (moto re-waits any shortfall in real seconds)",
        anchors=(("WaitFunction._wait_interval", "program_state_event.wait(wait_seconds)"),),
    ),
    Patch(
        f"{_SFN}.component.state.exec.state_task.state_task",
        "StateTask._from_error",
        _task_from_error,
        "a missed heartbeat fails as States.HeartbeatTimeout, not States.Timeout",
        anchors=(
            ("StateTask._from_error", "isinstance(ex, TimeoutError)"),
            (
                f"{_SFN}.component.state.exec.state_task.service.state_task_service_callback:"
                "StateTaskServiceCallback._eval_integration_pattern",
                "raise HeartbeatTimeoutError()",
            ),
        ),
    ),
    Patch(
        f"{_SFN}.parse.asl_parser",
        "AmazonStateLanguageParser.parse",
        staticmethod(_parse_once),
        "parse a definition once, not at every execution (speed only)",
        anchors=(
            (
                "moto.stepfunctions.parser.backend.execution_worker:"
                "ExecutionWorker._get_evaluation_entrypoint",
                "AmazonStateLanguageParser.parse(",
            ),
        ),
    ),
)

_ORIGINALS: dict[str, Any] = {}
_apply_lock = threading.Lock()
_applied = False


def apply(*, time_scale: float | None = None) -> None:
    """Install every patch once (later calls only change the time scale)."""
    global _applied
    with _apply_lock:
        if time_scale is not None:
            set_time_scale(time_scale)
        if _applied:
            return
        for patch in PATCHES:
            patch.install()
        _applied = True


def is_applied() -> bool:
    return _applied


def check() -> None:
    """Check every patch point against the installed moto (applied or not)."""
    for patch in PATCHES:
        patch.check()
