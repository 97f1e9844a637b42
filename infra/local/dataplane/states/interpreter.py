"""moto's ASL interpreter running our executions, and telling us when each one ends.

``LocalExecution`` is moto's ``Execution`` with one change: when the interpreter has finished,
``on_closed`` gets the execution (status, output, error, history) to store, and the interpreter
lets it go. The names of moto that this relies on are checked by
tests/workflow/test_moto_patches_guard.py.
"""

from __future__ import annotations

import datetime
import json
import logging
import threading
from collections.abc import Callable
from typing import Any

from moto.stepfunctions.parser.api import ExecutionStatus
from moto.stepfunctions.parser.asl.eval.callback.callback import (
    CallbackConsumerTimeout,
    CallbackNotifyConsumerError,
    CallbackOutcomeFailure,
    CallbackOutcomeSuccess,
)
from moto.stepfunctions.parser.backend.execution import (
    BaseExecutionWorkerCommunication,
    Execution,
)

from infra.local.dataplane.errors import AwsError
from infra.local.dataplane.states.wire import to_wire

log = logging.getLogger("localstack")
Closed = Callable[["LocalExecution"], None]


class _Reporting(BaseExecutionWorkerCommunication):
    def terminated(self) -> None:
        super().terminated()
        execution = self.execution
        assert isinstance(execution, LocalExecution)  # noqa: S101  # only ours use this class
        try:
            execution.on_closed(execution)
        except Exception:  # the interpreter's thread must not die on our bookkeeping
            log.exception("could not record the end of %s", execution.exec_arn)


class LocalExecution(Execution):
    on_closed: Closed

    def _get_start_execution_worker_comm(self) -> BaseExecutionWorkerCommunication:
        return _Reporting(self)

    def history(self) -> list[dict[str, Any]]:
        events = self.to_history_output()["events"] if self.exec_worker else []
        wired: list[dict[str, Any]] = to_wire(events)
        return wired

    def output_json(self) -> str | None:
        if self.exec_status != ExecutionStatus.SUCCEEDED:
            return None
        return json.dumps(self.output, separators=(",", ":"))


class Interpreter:
    """The executions running now, by ARN."""

    def __init__(self, account: str, region: str) -> None:
        self.account, self.region = account, region
        self._live: dict[str, LocalExecution] = {}
        self._lock = threading.Lock()

    def launch(
        self,
        machine: Any,
        arn: str,
        name: str,
        input_json: str,
        started: float,
        on_closed: Closed,
    ) -> LocalExecution:
        execution = LocalExecution(
            name=name,
            sm_type=machine.sm_type,
            role_arn=machine.roleArn,
            exec_arn=arn,
            account_id=self.account,
            region_name=self.region,
            state_machine=machine,
            start_date=datetime.datetime.fromtimestamp(started, datetime.UTC),
            cloud_watch_logging_session=None,
            activity_store={},
            input_data=input_json,
        )

        def closed(done: LocalExecution) -> None:
            try:
                on_closed(done)
            finally:
                with self._lock:
                    if self._live.get(done.exec_arn) is done:  # not a redriven successor
                        del self._live[done.exec_arn]

        execution.on_closed = closed
        with self._lock:
            self._live[arn] = execution
        execution.start()
        return execution

    def live(self, arn: str) -> LocalExecution | None:
        with self._lock:
            return self._live.get(arn)

    def running(self) -> list[LocalExecution]:
        with self._lock:
            return list(self._live.values())

    def count(self) -> int:
        with self._lock:
            return len(self._live)

    def stop(self, arn: str, error: str | None, cause: str | None) -> LocalExecution | None:
        """Abort it now. moto's thread may stay parked in a task-token wait until that wait
        times out, so the execution is let go here and its thread's later end is not
        reported (it would overwrite a redriven run): the caller records the abort."""
        with self._lock:
            execution = self._live.pop(arn, None)
        if execution is None:
            return None
        execution.on_closed = lambda _: None
        execution.stop(datetime.datetime.now(datetime.UTC), error, cause)
        return execution

    def stop_all(self) -> None:
        """The stack is stopping: end every interpreter thread (their executions stay RUNNING
        in the store, and are restarted by the next start)."""
        with self._lock:
            live, self._live = list(self._live.values()), {}
        for execution in live:
            execution.on_closed = lambda _: None
            execution.stop(datetime.datetime.now(datetime.UTC), None, None)

    # ----- task tokens ---------------------------------------------------------------------
    def succeed(self, token: str, output: str) -> None:
        self._notify(
            token,
            lambda e: e.callback_pool_manager.notify(
                callback_id=token, outcome=CallbackOutcomeSuccess(callback_id=token, output=output)
            ),
        )

    def fail(self, token: str, error: str | None, cause: str | None) -> None:
        outcome = CallbackOutcomeFailure(callback_id=token, error=error, cause=cause)
        self._notify(
            token, lambda e: e.callback_pool_manager.notify(callback_id=token, outcome=outcome)
        )

    def heartbeat(self, token: str) -> None:
        self._notify(token, lambda e: e.callback_pool_manager.heartbeat(callback_id=token))

    def _notify(self, token: str, act: Callable[[Any], bool]) -> None:
        with self._lock:
            live = list(self._live.values())
        for execution in live:
            env = execution.exec_worker.env if execution.exec_worker else None
            if env is None:
                continue
            try:
                if act(env):
                    return
            except CallbackNotifyConsumerError as refused:
                if isinstance(refused, CallbackConsumerTimeout):
                    raise AwsError("TaskTimedOut", "Task Timed Out: the token expired") from None
                raise AwsError("TaskDoesNotExist", "Task does not exist anymore") from None
        raise AwsError("InvalidToken", f"Invalid Token: '{token[:64]}'")
