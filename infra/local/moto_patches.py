"""Every patch OrderFlow applies to moto, in this one module, installed by ``apply()``.

moto (``mock_aws(config=MOTO_CONFIG)`` in the workflow tests, its ASL interpreter in the local
stack) runs our ASL for real, with gaps these patches fill. Each is a
small function whose docstring says what moto does wrong and what the patch does; ``PATCHES``
lists them all, with the moto internals each one relies on.

Always (``apply()``: the workflow tests and the local stack):

* Lambda invoke in-process: moto's Docker-free Lambda answers every invoke with a canned string;
  the function's own ``Handler`` runs in this process instead (``lambda_runtime``) and an
  exception comes back as Lambda's error envelope, so ``Catch`` on a domain error matches.
* Compressed time (four patches): the interpreter waits in real time (freezegun has no effect on
  its threads). Wait states, Retry backoff, TimeoutSeconds and HeartbeatSeconds are multiplied by
  ``time_scale()`` (default 0.001: one workflow second is one real millisecond).
* Heartbeat error name: a missed heartbeat is ``States.HeartbeatTimeout`` (moto: States.Timeout).
* ASL parse cache (speed only): a definition is parsed once per process, not once per execution.
* JSONPath parse cache (speed only): each path is parsed once, not at every evaluation.
* SendTaskFailure keeps its ``cause`` (moto drops it).
* EventBridge envelope: events delivered to targets carry ``account`` (moto leaves it out).

Local stack only (``apply(local_stack=True)``):

* The interpreter's clients: Lambda Tasks call the stack's Lambda service in-process
  (``route_interpreter``), other integrations go to the stack's endpoint with one client each.

Each patch names the moto internals it relies on (``anchors``, ``uses``, ``calls``); ``check()``
fails loudly, naming the attribute, when a moto upgrade moves or rewrites one, and ``apply()``
checks each patch before installing it. tests/workflow/test_moto_patches_guard.py checks every
patch, local-stack ones included, on every build.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping
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
_SFN = "moto.stepfunctions.parser.asl"
log = logging.getLogger("localstack")


def _original(name: str) -> Any:
    """What the patch of ``name`` (its ``Patch.name``) replaced."""
    return _ORIGINALS[name]


# =============================================================================================
# Compressed time (always)
# =============================================================================================
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
    """Replaces ``threading.Event`` in moto's callback endpoints, which wait on it for a task
    token's TimeoutSeconds and HeartbeatSeconds in real seconds: ``wait(timeout)`` counts
    workflow seconds."""

    def wait(self, timeout: float | None = None) -> bool:
        return super().wait(None if timeout is None else scaled(timeout))


class _ScaledTime:
    """Replaces the ``time`` module where moto sleeps between Retry attempts (real seconds):
    ``sleep`` counts workflow seconds, everything else is ``time``'s."""

    @staticmethod
    def sleep(seconds: float) -> None:
        time.sleep(scaled(seconds))

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)


class _ScaledThreading:
    """Replaces the ``threading`` module where moto enforces a Task's TimeoutSeconds (a real-time
    wait on a ``threading.Event``): its events are ``ScaledEvent``."""

    Event = ScaledEvent

    def __getattr__(self, name: str) -> Any:
        return getattr(threading, name)


def _wait_interval(self: Any, env: Any, wait_seconds: int) -> None:
    """``WaitFunction._wait_interval``: moto waits a Wait state's seconds in real time, and
    re-waits any shortfall. Here they are workflow seconds; the wait still ends early when the
    execution stops."""
    deadline = time.monotonic() + scaled(wait_seconds)
    while env.is_running():
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return
        env.program_state_event.wait(remaining)


# =============================================================================================
# Lambda invoke in-process (always)
# =============================================================================================
def _invoke(
    self: Any,
    function_name: str,
    qualifier: str | None,
    body: Any,
    headers: Mapping[str, str],
    response_headers: dict[str, str],
) -> bytes:
    """``LambdaSimpleBackend.invoke``: moto's Docker-free Lambda answers every invoke with a
    canned string. Here the function's configured Handler runs in-process (``lambda_runtime``),
    with its environment and a Lambda-like context; an exception comes back as Lambda's error
    envelope with ``X-Amz-Function-Error``. ``Event`` invocations are accepted, then run on a
    thread of their own; ``DryRun`` only checks the function exists."""
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


# =============================================================================================
# Heartbeat error name (always)
# =============================================================================================
def _task_from_error(self: Any, env: Any, ex: Exception) -> Any:
    """``StateTask._from_error``: moto reports every TimeoutError, a missed heartbeat included, as
    ``States.Timeout``. Here a missed heartbeat is ``States.HeartbeatTimeout``, as in AWS (the
    error a Catch on the carrier wait matches); anything else is moto's."""
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
        return _original(_FROM_ERROR)(self, env, ex)
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


_FROM_ERROR = f"{_SFN}.component.state.exec.state_task.state_task.StateTask._from_error"


# =============================================================================================
# ASL parse cache (always; speed only)
# =============================================================================================
@functools.lru_cache(maxsize=64)
def _parse_once(definition: str) -> Any:
    """``AmazonStateLanguageParser.parse``: moto parses the definition again at every execution
    (~0.15 s of CPU each). Here once per definition. Safe to share: the parsed states hold
    declarations only; everything an evaluation changes lives in its Environment. A syntax error
    raises and is not cached."""
    return _original(_PARSE)(definition)


_PARSE = "moto.stepfunctions.parser.asl.parse.asl_parser.AmazonStateLanguageParser.parse"


@functools.lru_cache(maxsize=1024)
def _parse_path_once(path: str) -> Any:
    """``json_path.parse``: moto parses every JSONPath (``$.orderId``, ``$$.Task.Token``) at every
    evaluation, and jsonpath-ng builds a new parser for each (~1 ms): a tenth of the local
    stack's time. Here each path is parsed once (a parsed path is only read by ``find``)."""
    return _original(_PATH_PARSE)(path)


_PATH_PARSE = f"{_SFN}.utils.json_path.parse"


# =============================================================================================
# SendTaskFailure cause (always)
# =============================================================================================
def _send_task_failure(self: Any) -> Any:
    """``StepFunctionResponse.send_task_failure``: moto's handler passes only ``error`` on, so a
    Catch's error output reads ``{"Error": ..., "Cause": null}`` and the TaskFailed history event
    has no cause. Here the ``cause`` is passed on too (AWS may still send a null Cause: when the
    caller gave none)."""
    from moto.stepfunctions.responses import EmptyResult

    self.stepfunction_backend.send_task_failure(
        self._get_param("taskToken"),
        error=self._get_param("error"),
        cause=self._get_param("cause"),
    )
    return EmptyResult()


# =============================================================================================
# EventBridge envelope account (always)
# =============================================================================================
_ENVELOPE_SOURCE = '"source": "<source>", '


def _template_with_account(template: str) -> str:
    """``EventTemplateParser.DEFAULT_EVENT_INPUT_TEMPLATE``: moto rebuilds the event for every
    target from this template, which has no ``account``; consumers that validate the envelope
    (Powertools' ``EventBridgeModel``) then refuse every event. Here the template has it (moto's
    default paths map already fills ``<account>``)."""
    if '"account"' in template:
        raise MotoPatchError(
            "moto's EventTemplateParser.DEFAULT_EVENT_INPUT_TEMPLATE now has an account: "
            "drop the envelope patch from moto_patches.py"
        )
    return template.replace(_ENVELOPE_SOURCE, _ENVELOPE_SOURCE + '"account": "<account>", ')


# =============================================================================================
# The interpreter's clients (local stack only)
# =============================================================================================
class _InProcessLambda:
    """What the interpreter's Lambda Task states get instead of a boto3 client: the local
    stack's Lambda service, called in-process (a boto3 client per Task would cost ~20 ms)."""

    def __init__(self, invoke: Callable[[str, bytes], tuple[str | None, bytes]]) -> None:
        self._invoke = invoke

    def invoke(  # boto3's parameter names
        self,
        FunctionName: str,
        Payload: bytes | str = b"",
        **_: Any,
    ) -> dict[str, Any]:
        import io

        event = Payload.encode() if isinstance(Payload, str) else Payload
        error, payload = self._invoke(FunctionName, event or b"{}")
        answer: dict[str, Any] = {
            "StatusCode": 200,
            "ExecutedVersion": "$LATEST",
            "Payload": io.BytesIO(payload),
        }
        if error:
            answer["FunctionError"] = error
        return answer


_lambda: _InProcessLambda | None = None
_clients: dict[tuple[str, str], Any] = {}
_clients_lock = threading.Lock()


def route_interpreter(
    invoke: Callable[[str, bytes], tuple[str | None, bytes]] | None, endpoint: str = ""
) -> None:
    """Where the local stack's interpreter sends Lambda Tasks (``invoke``, in-process) and any
    other service integration (``endpoint``, through one cached boto3 client per service).
    ``None``: nowhere of ours, moto's own clients again (the patch stays, inert)."""
    global _lambda, _endpoint  # one stack per process
    _lambda, _endpoint = (_InProcessLambda(invoke) if invoke else None), endpoint
    _clients.clear()


_endpoint = ""


def _boto_client_for(region: str, service: str, state_credentials: Any = None) -> Any:
    """``boto_client_for``: moto's interpreter builds a new boto3 client for every Task and
    sends it to moto's own server. In the local stack, Lambda Tasks go to its Lambda service
    in-process and other integrations to its endpoint, through one client per service."""
    if _lambda is None:
        return _original(_BOTO_CLIENT_FOR)(region, service, state_credentials)
    if service == "lambda":
        return _lambda
    with _clients_lock:
        if (region, service) not in _clients:
            import boto3
            from botocore.config import Config

            _clients[(region, service)] = boto3.client(
                service,
                region_name=region,
                endpoint_url=_endpoint or None,
                aws_access_key_id="local",
                aws_secret_access_key="local",  # noqa: S106  # the local endpoint's
                config=Config(retries={"total_max_attempts": 1}, read_timeout=900),
            )
        return _clients[(region, service)]


# =============================================================================================
# The patch table
# =============================================================================================
class MotoPatchError(RuntimeError):
    """moto no longer has (or no longer uses) something we patch: review moto_patches.py."""


@dataclass(frozen=True)
class FromOriginal:
    """A replacement computed from the value it replaces (for data such as a template string)."""

    derive: Callable[[Any], Any]


@dataclass(frozen=True)
class Patch:
    module: str
    attribute: str
    """Dotted path inside ``module`` of what is replaced: ``Class.method`` or a module global."""
    replacement: Any
    """The new value, or ``FromOriginal(derive)``."""
    why: str
    anchors: tuple[tuple[str, str], ...] = ()
    """(where, snippet): moto code (or data) that must still read as the patch assumes. ``where``
    is a dotted path in ``module``, or ``other.module:Class.method``."""
    uses: tuple[str, ...] = ()
    """Other moto names the patch uses (same notation as ``where``): they must still exist."""
    calls: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """(where, parameters): moto callables the patch calls with these parameter names."""
    local_stack: bool = False
    """Installed by ``apply(local_stack=True)`` only."""

    @property
    def name(self) -> str:
        return f"{self.module}.{self.attribute}"

    def _owner(self) -> tuple[Any, str]:
        owner: Any = importlib.import_module(self.module)
        *parents, leaf = self.attribute.split(".")
        for part in parents:
            owner = _get(owner, part, f"{self.module}.{part}")
        return owner, leaf

    def current(self) -> Any:
        """What moto's attribute holds now (patched or not), as stored (no descriptor call)."""
        owner, leaf = self._owner()
        _get(owner, leaf, self.name)
        return inspect.getattr_static(owner, leaf)

    def value(self, original: Any) -> Any:
        """The replacement for ``original``."""
        if isinstance(self.replacement, FromOriginal):
            return self.replacement.derive(original)
        return self.replacement

    def is_installed(self) -> bool:
        return self.name in _installed

    def check(self) -> None:
        """Raise ``MotoPatchError`` naming the attribute if moto moved or rewrote it."""
        owner, leaf = self._owner()
        current = _get(owner, leaf, self.name)
        original = _ORIGINALS.get(self.name, current)
        if isinstance(self.replacement, FromOriginal):
            self.value(original)  # raises when the original no longer needs (or allows) it
        elif not self.is_installed():
            _check_signature(self, current)
        for where, snippet in self.anchors:
            full, target = self._resolve(where)
            if snippet not in _source(_ORIGINALS.get(full, target)):
                raise MotoPatchError(
                    f"{full} no longer contains {snippet!r}: the patch of {self.name} "
                    "may have no effect"
                )
        for where in self.uses:
            self._resolve(where)
        for where, parameters in self.calls:
            full, target = self._resolve(where)
            accepted = inspect.signature(_ORIGINALS.get(full, target)).parameters
            missing = [p for p in parameters if p not in accepted]
            if missing:
                raise MotoPatchError(
                    f"{full} no longer takes {missing}: the patch of {self.name} passes them"
                )

    def install(self) -> None:
        """Replace the attribute, once: a second call changes nothing (nothing wraps itself)."""
        if self.is_installed():
            return
        self.check()
        owner, leaf = self._owner()
        original = _ORIGINALS.setdefault(self.name, getattr(owner, leaf))
        setattr(owner, leaf, self.value(original))
        _installed.add(self.name)

    def _resolve(self, where: str) -> tuple[str, Any]:
        module, _, path = where.rpartition(":")
        full = f"{module or self.module}.{path}"
        target: Any = importlib.import_module(module or self.module)
        for part in path.split("."):
            target = _get(target, part, full)
        return full, target


def _get(owner: Any, attribute: str, name: str) -> Any:
    try:
        return getattr(owner, attribute)
    except AttributeError:
        raise MotoPatchError(f"moto has no {name} any more: review moto_patches.py") from None


def _source(target: Any) -> str:
    if isinstance(target, str):
        return target
    if inspect.isfunction(target) or inspect.ismethod(target) or inspect.isclass(target):
        return inspect.getsource(target)
    return repr(target)


def _check_signature(patch: Patch, original: Any) -> None:
    if not (callable(original) and inspect.isfunction(patch.replacement)):
        return
    expected = list(inspect.signature(patch.replacement).parameters)
    actual = list(inspect.signature(original).parameters)
    if actual != expected:
        raise MotoPatchError(f"{patch.name} now takes {actual}, the patch expects {expected}")


_BOTO_CLIENT_FOR = f"{_SFN}.component.state.exec.state_task.lambda_eval_utils.boto_client_for"

PATCHES: tuple[Patch, ...] = (
    # ----- always ------------------------------------------------------------------------------
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
        calls=(
            (
                "moto.awslambda.models:LambdaBackend.get_function",
                ("function_name_or_arn", "qualifier"),
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
    Patch(
        f"{_SFN}.utils.json_path",
        "parse",
        _parse_path_once,
        "parse a JSONPath once, not at every evaluation (speed only)",
        anchors=(("extract_json", "input_expr = parse(path)"),),
    ),
    Patch(
        "moto.stepfunctions.responses",
        "StepFunctionResponse.send_task_failure",
        _send_task_failure,
        "SendTaskFailure passes its cause on (a Catch's Cause, the TaskFailed event's cause)",
        anchors=(
            (
                "StepFunctionResponse.send_task_failure",
                "send_task_failure(task_token, error=error)",
            ),
            ("StepFunctionResponse.send_task_failure", "EmptyResult()"),
        ),
        calls=(
            (
                "moto.stepfunctions.parser.models:StepFunctionsParserBackend.send_task_failure",
                ("task_token", "error", "cause"),
            ),
        ),
    ),
    Patch(
        "moto.events.utils",
        "EventTemplateParser.DEFAULT_EVENT_INPUT_TEMPLATE",
        FromOriginal(_template_with_account),
        "events delivered to targets carry account, as AWS's envelope does",
        anchors=(
            ("EventTemplateParser.DEFAULT_EVENT_INPUT_TEMPLATE", _ENVELOPE_SOURCE),
            ("EventTemplateParser.DEFAULT_EVENT_INPUT_PATHS_MAP", "'account': '$.account'"),
            ("EventTemplateParser.parse", "EventTemplateParser.DEFAULT_EVENT_INPUT_TEMPLATE"),
        ),
    ),
    # ----- local stack only --------------------------------------------------------------------
    Patch(
        f"{_SFN}.component.state.exec.state_task.lambda_eval_utils",
        "boto_client_for",
        _boto_client_for,
        "Lambda Tasks call the local stack's Lambda service in-process; clients are reused",
        anchors=(
            ("_invoke_lambda_function", "lambda_client.invoke(**parameters)"),
            ("exec_lambda_function", "lambda_client.invoke(**parameters)"),
            ("_invoke_lambda_function", 'invocation_response["Payload"]'),
        ),
        local_stack=True,
    ),
)

_ORIGINALS: dict[str, Any] = {}
_installed: set[str] = set()
_apply_lock = threading.Lock()


def apply(*, time_scale: float | None = None, local_stack: bool = False) -> None:
    """Install the patches, each exactly once; later calls install only what is still missing.

    ``local_stack=False`` (the workflow tests): the patches that make moto behave like AWS.
    ``local_stack=True`` (``LocalStack.start()``): those and the ones that hand a delivery moto
    makes itself (event source mappings) or not at all (EventBridge to Lambda and Step Functions)
    to parts only the local stack runs and stops. Nothing is ever uninstalled.
    ``time_scale``: real seconds per workflow second (``set_time_scale``), changed at every call.
    """
    with _apply_lock:
        if time_scale is not None:
            set_time_scale(time_scale)
        for patch in PATCHES:
            if local_stack or not patch.local_stack:
                patch.install()


def is_applied(*, local_stack: bool = False) -> bool:
    """Whether ``apply(local_stack=local_stack)`` has installed everything it installs."""
    return all(p.is_installed() for p in PATCHES if local_stack or not p.local_stack)


def check() -> None:
    """Check every patch point, local-stack ones included, against the installed moto."""
    for patch in PATCHES:
        patch.check()
