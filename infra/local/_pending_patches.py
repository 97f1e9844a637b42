"""moto patches the local stack needs, waiting to be merged into ``moto_patches.py``.

Each patch checks that what it replaces is still there (a moto upgrade that moves it fails
loudly at start, not silently at the first event) and is applied at most once.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

log = logging.getLogger("localstack")

ASYNC_RETRY_DELAYS = (1.0, 2.0)
"""Lambda retries a failed asynchronous invocation twice (after ~1 and ~2 minutes in AWS)."""

_applied: set[str] = set()
_async: ThreadPoolExecutor | None = None
_async_lock = threading.Lock()
_stopping = threading.Event()


def _once(name: str, apply: Callable[[], None]) -> None:
    if name not in _applied:
        apply()
        _applied.add(name)


def _require(owner: Any, attribute: str) -> Any:
    found = getattr(owner, attribute, None)
    if found is None:
        raise RuntimeError(f"moto moved {owner.__name__}.{attribute}: review _pending_patches")
    return found


def eventbridge_lambda_and_sfn_targets() -> None:
    """EventBridge rules deliver to Lambda and Step Functions targets.

    moto 5.2.5 raises NotImplementedError for those target types, which fails the whole
    PutEvents. Like AWS: a Lambda target is invoked asynchronously (PutEvents does not wait for
    it; on failure ``MaximumRetryAttempts`` of the function's EventInvokeConfig retries, default
    2, then the function's DeadLetterConfig queue or a log line); a state machine target starts
    an execution with the event as input. Other targets stay moto's (SQS, ...).
    InputTransformer, InputPath and Input are applied to ours as moto applies them to its own.
    """
    from moto.events import models as events

    original = _require(events.Rule, "send_to_targets")
    _require(events, "EventTemplateParser")

    def send_to_targets(
        self: Any, original_event: dict[str, Any], transform_input: bool = True
    ) -> None:
        if not self.event_pattern.matches_event(original_event):
            return
        ours = [t for t in self.targets if _service(t["Arn"]) in ("lambda", "states")]
        saved = self.targets
        try:
            self.targets = [t for t in saved if t not in ours]
            original(self, original_event, transform_input)
        finally:
            self.targets = saved
        for target in ours:
            event = _target_input(events, target, original_event)
            if _service(target["Arn"]) == "lambda":
                _invoke_async(self.account_id, self.region_name, target["Arn"], event)
            else:
                _start_execution(
                    self.account_id,
                    self.region_name,
                    target["Arn"],
                    event,
                    original_event.get("id"),
                )

    _once("eventbridge_targets", lambda: setattr(events.Rule, "send_to_targets", send_to_targets))


def eventbridge_envelope_account() -> None:
    """Events delivered to targets carry ``account``, as AWS's envelope does.

    moto 5.2.5 rebuilds the envelope for every target from a default input template that has
    no ``account``; consumers that validate the envelope (Powertools' ``EventBridgeModel``)
    then refuse every event.
    """
    from moto.events import utils

    template = _require(utils.EventTemplateParser, "DEFAULT_EVENT_INPUT_TEMPLATE")
    if '"account"' in template:
        return
    anchor = '"source": "<source>", '
    if anchor not in template:
        raise RuntimeError(
            "moto changed EventTemplateParser's default template: review "
            "_pending_patches.eventbridge_envelope_account"
        )
    patched = template.replace(anchor, anchor + '"account": "<account>", ')
    _once(
        "envelope_account",
        lambda: setattr(utils.EventTemplateParser, "DEFAULT_EVENT_INPUT_TEMPLATE", patched),
    )


def detach_native_event_source_delivery() -> None:
    """Event source mappings exist in moto (list/get work as in AWS) but moto does not deliver.

    moto 5.2.5 invokes the function inline from SendMessage / every table write, in one batch,
    without batch windows, filters or partial batch failures, and deletes or re-exposes the
    messages itself. The local stack's pollers (``infra/local/pollers.py``) deliver instead, like
    the Lambda service: this patch unhooks each new mapping from its queue or table.
    """
    from moto.awslambda.models import LambdaBackend

    original = _require(LambdaBackend, "create_event_source_mapping")

    def create_event_source_mapping(self: Any, spec: dict[str, Any]) -> Any:
        esm = original(self, spec)
        from moto.dynamodb.models import dynamodb_backends
        from moto.sqs.models import sqs_backends

        for queue in sqs_backends[self.account_id][self.region_name].queues.values():
            queue.lambda_event_source_mappings.pop(esm.function_arn, None)
        for table in dynamodb_backends[self.account_id][self.region_name].tables.values():
            table.lambda_event_source_mappings.pop(esm.function_arn, None)
        return esm

    _once(
        "detach_esm",
        lambda: setattr(LambdaBackend, "create_event_source_mapping", create_event_source_mapping),
    )


def sfn_send_task_failure_cause() -> None:
    """SendTaskFailure keeps its ``cause``.

    moto 5.2.5's response handler passes only ``error`` on, so a Catch's error output reads
    ``{"Error": ..., "Cause": null}`` and the TaskFailed history event has no cause.
    """
    from moto.stepfunctions import responses

    _require(responses.StepFunctionResponse, "send_task_failure")
    empty = _require(responses, "EmptyResult")

    def send_task_failure(self: Any) -> Any:
        self.stepfunction_backend.send_task_failure(
            self._get_param("taskToken"),
            error=self._get_param("error"),
            cause=self._get_param("cause"),
        )
        return empty()

    _once(
        "task_failure_cause",
        lambda: setattr(responses.StepFunctionResponse, "send_task_failure", send_task_failure),
    )


def lambda_dead_letter_config() -> None:
    """moto keeps a function's ``DeadLetterConfig`` (it accepts and drops it in 5.2.5).

    The asynchronous invocations above send an event that failed every attempt there, as
    Lambda does: the event as the message body, RequestID / ErrorCode / ErrorMessage as
    message attributes.
    """
    from moto.awslambda.models import LambdaBackend

    original = _require(LambdaBackend, "create_function")

    def create_function(self: Any, spec: dict[str, Any]) -> Any:
        fn = original(self, spec)
        fn.dead_letter_config = dict(spec.get("DeadLetterConfig") or {})
        return fn

    _once("dead_letter_config", lambda: setattr(LambdaBackend, "create_function", create_function))


def stop_async_invocations() -> None:
    """Drop queued and retrying asynchronous invocations, wait for running ones (shutdown)."""
    global _async
    with _async_lock:
        executor, _async = _async, None
    if executor is not None:
        _stopping.set()
        executor.shutdown(wait=True, cancel_futures=True)
        _stopping.clear()


def _service(arn: str) -> str:
    return arn.split(":")[2]


def _target_input(events: Any, target: dict[str, Any], event: dict[str, Any]) -> Any:
    if "Input" in target:
        return json.loads(target["Input"])
    transformer = target.get("InputTransformer", {})
    shaped = events.EventTemplateParser.parse(
        input_template=transformer.get("InputTemplate"),
        input_paths_map=transformer.get("InputPathsMap", {}),
        event=event,
    )
    if isinstance(shaped, dict) and isinstance(shaped.get("time"), int | float):
        shaped["time"] = events.iso_8601_datetime_without_milliseconds(
            events.utcfromtimestamp(float(shaped["time"]))
        )
    return shaped


def _invoke_async(account: str, region: str, function_arn: str, event: Any) -> None:
    global _async
    with _async_lock:
        if _async is None:
            _async = ThreadPoolExecutor(max_workers=4, thread_name_prefix="lambda-async")
        _async.submit(_invoke_with_retries, account, region, function_arn, json.dumps(event))


def _invoke_with_retries(account: str, region: str, function_arn: str, payload: str) -> None:
    from moto.awslambda.utils import get_backend

    backend = get_backend(account, region)
    fn = backend.get_function(function_arn)
    configs = getattr(fn, "event_invoke_config", None) or []
    retries = int(configs[-1].config.get("MaximumRetryAttempts", 2)) if configs else 2
    delays = (0.0, *ASYNC_RETRY_DELAYS, *(ASYNC_RETRY_DELAYS[-1:] * retries))[: retries + 1]
    headers: dict[str, str] = {}
    answer: Any = b""
    for attempt, delay in enumerate(delays):
        if _stopping.wait(delay):
            return
        headers = {}
        try:  # synchronously from this worker: the worker is what makes it asynchronous
            answer = backend.invoke(function_arn, None, payload, {}, headers)
        except Exception as crash:  # a crash of the emulation counts as a failed attempt
            log.exception("async invoke of %s crashed", fn.function_name)
            headers["x-amz-function-error"], answer = "Unhandled", str(crash).encode()
        if "x-amz-function-error" not in headers:
            return
        log.warning("async invoke of %s failed (attempt %d)", fn.function_name, attempt + 1)
    _dead_letter(account, region, fn, payload, answer)


def _dead_letter(account: str, region: str, fn: Any, payload: str, answer: Any) -> None:
    target = (getattr(fn, "dead_letter_config", None) or {}).get("TargetArn", "")
    if not target.startswith("arn:aws:sqs:"):
        log.error("async invoke of %s failed every attempt: event dropped", fn.function_name)
        return
    from moto.sqs.models import sqs_backends

    try:
        error = json.loads(answer)
    except ValueError:
        error = {}
    attributes = {
        "RequestID": str(error.get("requestId", "")),
        "ErrorCode": "200",
        "ErrorMessage": str(error.get("errorMessage", ""))[:256],
    }
    sqs_backends[account][region].send_message(
        queue_name=target.split(":")[5],
        message_body=payload,
        message_attributes={
            k: {"DataType": "String", "StringValue": v or "-"} for k, v in attributes.items()
        },
    )
    log.error("async invoke of %s failed every attempt: event sent to its DLQ", fn.function_name)


def _start_execution(account: str, region: str, arn: str, event: Any, event_id: Any) -> None:
    from moto.stepfunctions.responses import get_backend

    get_backend(account, region).start_execution(
        arn, name=str(event_id or time.time_ns()), execution_input=json.dumps(event)
    )
