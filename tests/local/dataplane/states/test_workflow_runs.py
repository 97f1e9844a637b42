"""What the reconciler reads and does through StepFunctionsRuns, on the local engine: running
executions, the newest attempt of an order, DescribeExecution's redriveStatus, a redrive and a
fresh restart; and StopExecution of a run parked in a task-token wait."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest

from adapters.aws.stepfunctions import StepFunctionsRuns, execution_name, order_of_execution
from infra.local.dataplane.states import restarts
from tests.local.dataplane.states.conftest import Machines


def _waiting_machine(machines: Machines, tokens: list[str]) -> str:
    machines.function("keeper", lambda event: tokens.append(event["token"]))
    return machines.machine(
        "saga",
        {
            "Wait": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                "Parameters": {"FunctionName": "keeper", "Payload": {"token.$": "$$.Task.Token"}},
                "HeartbeatSeconds": 3600,
                "End": True,
            }
        },
        "Wait",
    )


def _until(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "not within the bound"
        time.sleep(0.01)


def _status(runs: StepFunctionsRuns, order_id: str) -> Any:
    run = runs.latest(order_id)
    assert run is not None
    return run


def test_execution_names_map_back_to_their_order() -> None:
    assert execution_name("o-1", 0) == "o-1" and execution_name("o-1", 2) == "o-1-retry-2"
    assert order_of_execution("o-1-retry-2") == "o-1" and order_of_execution("o-1") == "o-1"
    assert order_of_execution("o-retry-x") == "o-retry-x"


def test_a_stopped_wait_is_aborted_at_once_and_a_redrive_runs_it_again(
    machines: Machines,
) -> None:
    tokens: list[str] = []
    machine = _waiting_machine(machines, tokens)
    runs = StepFunctionsRuns(machine, client=machines.sfn)
    arn = machines.sfn.start_execution(
        stateMachineArn=machine, name="o-1", input=json.dumps({"orderId": "o-1"})
    )["executionArn"]
    _until(lambda: len(tokens) == 1)
    assert runs.running() == {"o-1"}

    machines.sfn.stop_execution(executionArn=arn, error="Operator", cause="stuck")
    described = machines.sfn.describe_execution(executionArn=arn)  # no waiting for the wait
    assert (described["status"], described["redriveStatus"]) == ("ABORTED", "REDRIVABLE")
    history = machines.sfn.get_execution_history(executionArn=arn)["events"]
    assert history[-1]["type"] == "ExecutionAborted"
    assert runs.running() == set()
    run = _status(runs, "o-1")
    assert (run.name, run.status, run.redrivable, run.attempt) == ("o-1", "ABORTED", True, 0)

    runs.redrive(run)
    _until(lambda: len(tokens) == 2)  # the redriven run waits again, with a new token
    assert _status(runs, "o-1").status == "RUNNING"
    with pytest.raises(machines.sfn.exceptions.InvalidToken):
        machines.sfn.send_task_success(taskToken=tokens[0], output="{}")  # the aborted run's
    machines.sfn.send_task_success(taskToken=tokens[1], output='{"delivered": true}')
    done = machines.finished(arn)
    assert (done["status"], done["redriveCount"]) == ("SUCCEEDED", 1)
    assert done["redriveStatus"] == "NOT_REDRIVABLE" and "SUCCEEDED" in done["redriveStatusReason"]


def test_past_the_redrive_window_a_restart_is_the_next_attempt_and_is_found_as_the_latest(
    machines: Machines, monkeypatch: pytest.MonkeyPatch
) -> None:
    tokens: list[str] = []
    machine = _waiting_machine(machines, tokens)
    runs = StepFunctionsRuns(machine, client=machines.sfn)
    arn = machines.sfn.start_execution(stateMachineArn=machine, name="o-2")["executionArn"]
    _until(lambda: len(tokens) == 1)
    machines.sfn.stop_execution(executionArn=arn)
    monkeypatch.setattr(restarts, "REDRIVE_WINDOW_SECONDS", -1)  # as if 14 days had passed
    stale = _status(runs, "o-2")
    assert (stale.status, stale.redrivable) == ("ABORTED", False)
    with pytest.raises(machines.sfn.exceptions.ExecutionNotRedrivable):
        runs.redrive(stale)

    runs.restart("o-2", stale.attempt + 1)
    runs.restart("o-2", stale.attempt + 1)  # a second reconciler run: the same name, harmless
    _until(lambda: len(tokens) == 2)
    latest = _status(runs, "o-2")
    assert (latest.name, latest.status, latest.attempt) == ("o-2-retry-1", "RUNNING", 1)
    assert runs.running() == {"o-2"}
    started = machines.sfn.describe_execution(executionArn=arn.replace("o-2", "o-2-retry-1"))
    assert json.loads(started["input"]) == {"orderId": "o-2"}
    assert runs.latest("never-placed") is None
