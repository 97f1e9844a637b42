"""The order workflow on Step Functions: started by order id, signalled by task token.

The execution name is the order id, so a second start of the same order is
``ExecutionAlreadyExists``: success. A token the workflow no longer waits for (timed out,
closed, unknown) is not an error for the caller: the workflow has moved on.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping
from typing import Any

from botocore.exceptions import ClientError

from adapters.aws import clients
from domain.ports import WorkflowRun

logger = logging.getLogger(__name__)

RETRY_SEPARATOR = "-retry-"
"""A fresh restart of an order's workflow is named ``<order id>-retry-<n>`` (the API's order
ids are UUIDs, which never end so); ``infra.ops retry`` names its local retries the same."""
MAX_ERROR_CHARS = 256
MAX_CAUSE_CHARS = 32_768
_STALE_TOKEN = frozenset({"TaskTimedOut", "InvalidToken", "TaskDoesNotExist"})


class StepFunctionsWorkflow:
    def __init__(self, state_machine_arn: str, client: Any = None) -> None:
        self._arn = state_machine_arn
        self._client = client

    @property
    def _sfn(self) -> Any:
        if self._client is None:
            self._client = clients.client("stepfunctions")
        return self._client

    def start(self, order_id: str, payload: Mapping[str, Any]) -> None:
        try:
            self._sfn.start_execution(
                stateMachineArn=self._arn, name=order_id, input=json.dumps(dict(payload))
            )
        except ClientError as error:
            if _code(error) != "ExecutionAlreadyExists":
                raise
            logger.info("workflow for order %s already started", order_id)

    def resume(self, token: str, output: Mapping[str, Any]) -> None:
        self._signal("send_task_success", token, output=json.dumps(dict(output)))

    def fail(self, token: str, error: str, cause: str) -> None:
        self._signal(
            "send_task_failure", token, error=error[:MAX_ERROR_CHARS], cause=cause[:MAX_CAUSE_CHARS]
        )

    def heartbeat(self, token: str) -> None:
        self._signal("send_task_heartbeat", token)

    def _signal(self, operation: str, token: str, **arguments: str) -> None:
        try:
            getattr(self._sfn, operation)(taskToken=token, **arguments)
        except ClientError as error:
            code = _code(error)
            if code not in _STALE_TOKEN:
                raise
            # A fingerprint, not the token: enough to correlate, nothing to replay.
            fingerprint = hashlib.sha256(token.encode()).hexdigest()[:12]
            logger.info(
                "%s ignored (%s): the workflow no longer waits for token %s",
                operation,
                code,
                fingerprint,
            )


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def execution_name(order_id: str, attempt: int) -> str:
    return order_id if attempt == 0 else f"{order_id}{RETRY_SEPARATOR}{attempt}"


def order_of_execution(name: str) -> str:
    base, separator, attempt = name.rpartition(RETRY_SEPARATOR)
    return base if separator and attempt.isdigit() else name


class StepFunctionsRuns:
    """``WorkflowRuns`` on Step Functions: the executions of the order saga, by name."""

    def __init__(self, state_machine_arn: str, client: Any = None) -> None:
        self._arn = state_machine_arn
        self._client = client

    @property
    def _sfn(self) -> Any:
        if self._client is None:
            self._client = clients.client("stepfunctions")
        return self._client

    def running(self) -> set[str]:
        pages = self._sfn.get_paginator("list_executions").paginate(
            stateMachineArn=self._arn, statusFilter="RUNNING", PaginationConfig={"PageSize": 1000}
        )
        return {order_of_execution(e["name"]) for page in pages for e in page["executions"]}

    def latest(self, order_id: str) -> WorkflowRun | None:
        latest, attempt = None, 0
        while (found := self._describe(execution_name(order_id, attempt))) is not None:
            latest = WorkflowRun(
                found["name"],
                found["status"],
                found.get("redriveStatus") == "REDRIVABLE",
                attempt,
            )
            attempt += 1
        return latest

    def redrive(self, run: WorkflowRun) -> None:
        self._sfn.redrive_execution(executionArn=self._execution_arn(run.name))

    def restart(self, order_id: str, attempt: int) -> None:
        try:
            self._sfn.start_execution(
                stateMachineArn=self._arn,
                name=execution_name(order_id, attempt),
                input=json.dumps({"orderId": order_id}),
            )
        except ClientError as error:
            if _code(error) != "ExecutionAlreadyExists":
                raise

    def _describe(self, name: str) -> dict[str, Any] | None:
        try:
            return dict(self._sfn.describe_execution(executionArn=self._execution_arn(name)))
        except ClientError as error:
            if _code(error) == "ExecutionDoesNotExist":
                return None
            raise

    def _execution_arn(self, name: str) -> str:
        # arn:...:stateMachine:<machine> -> arn:...:execution:<machine>:<name>
        prefix, _, machine = self._arn.rpartition(":stateMachine:")
        return f"{prefix}:execution:{machine}:{name}"
