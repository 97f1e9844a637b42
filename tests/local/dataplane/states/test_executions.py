"""Step Functions on the data plane: the real ASL interpreted, executions kept in the store."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from infra.local.dataplane.functions.service import Functions
from infra.local.dataplane.store import Store
from tests.local.dataplane.states.conftest import Machines, lambda_task, machines_on
from tests.support.dataplane import served
from tests.support.runners import InProcessRunner


class PaymentDeclined(Exception):
    pass


def _declines(event: dict[str, Any]) -> Any:
    if event.get("token") == "tok_decline":
        raise PaymentDeclined("card declined")
    return {"authorized": event["token"]}


def _saga(machines: Machines) -> str:
    machines.function("authorize", _declines)
    return machines.machine(
        "saga",
        {
            "Authorize": lambda_task(
                "authorize",
                Catch=[{"ErrorEquals": ["PaymentDeclined"], "Next": "Declined"}],
                End=True,
            ),
            "Declined": {"Type": "Succeed"},
        },
        "Authorize",
    )


def test_a_lambda_task_runs_and_its_result_is_the_output(machines: Machines) -> None:
    saga = _saga(machines)
    arn = machines.sfn.start_execution(
        stateMachineArn=saga, name="o-1", input='{"token": "tok_visa"}'
    )["executionArn"]
    done = machines.finished(arn)
    assert done["status"] == "SUCCEEDED"
    assert json.loads(done["output"]) == {"authorized": "tok_visa"}


def test_catch_matches_the_functions_error_class(machines: Machines) -> None:
    saga = _saga(machines)
    arn = machines.sfn.start_execution(
        stateMachineArn=saga, name="o-2", input='{"token": "tok_decline"}'
    )["executionArn"]
    assert machines.finished(arn)["status"] == "SUCCEEDED"
    history = machines.sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
    entered = [
        e["stateEnteredEventDetails"]["name"] for e in history if "stateEnteredEventDetails" in e
    ]
    assert entered == ["Authorize", "Declined"]


def test_start_is_idempotent_while_running_and_a_used_name_is_refused_after(
    machines: Machines,
) -> None:
    release = threading.Event()
    machines.function("slow", lambda event: release.wait(10) and event)
    slow = machines.machine("slow", {"Slow": lambda_task("slow", End=True)}, "Slow")
    first = machines.sfn.start_execution(stateMachineArn=slow, name="o-3", input="{}")
    again = machines.sfn.start_execution(stateMachineArn=slow, name="o-3", input="{}")
    assert again["executionArn"] == first["executionArn"]
    assert again["startDate"] == first["startDate"]
    with pytest.raises(machines.sfn.exceptions.ExecutionAlreadyExists):
        machines.sfn.start_execution(stateMachineArn=slow, name="o-3", input='{"other": 1}')
    release.set()
    machines.finished(first["executionArn"])
    with pytest.raises(machines.sfn.exceptions.ExecutionAlreadyExists):
        machines.sfn.start_execution(stateMachineArn=slow, name="o-3", input="{}")


def test_a_task_token_wait_ends_with_send_task_success(machines: Machines) -> None:
    tokens: list[str] = []
    machines.function("keeper", lambda event: tokens.append(event["token"]))
    waiting = machines.machine(
        "waiting",
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
    arn = machines.sfn.start_execution(stateMachineArn=waiting, name="o-4")["executionArn"]
    _until(lambda: bool(tokens))
    machines.sfn.send_task_heartbeat(taskToken=tokens[0])
    machines.sfn.send_task_success(taskToken=tokens[0], output='{"delivered": true}')
    done = machines.finished(arn)
    assert done["status"] == "SUCCEEDED" and json.loads(done["output"]) == {"delivered": True}
    with pytest.raises(machines.sfn.exceptions.InvalidToken):
        machines.sfn.send_task_success(taskToken=tokens[0], output="{}")


def test_executions_are_listed_newest_first_by_status_and_in_pages(machines: Machines) -> None:
    saga = _saga(machines)
    arns = [
        machines.sfn.start_execution(
            stateMachineArn=saga, name=f"p-{i}", input='{"token": "tok_visa"}'
        )["executionArn"]
        for i in range(5)
    ]
    for arn in arns:
        machines.finished(arn)
    first = machines.sfn.list_executions(stateMachineArn=saga, maxResults=2)
    second = machines.sfn.list_executions(
        stateMachineArn=saga, maxResults=2, nextToken=first["nextToken"]
    )
    names = [e["name"] for e in first["executions"] + second["executions"]]
    assert names == ["p-4", "p-3", "p-2", "p-1"]
    everything = machines.sfn.get_paginator("list_executions").paginate(
        stateMachineArn=saga, statusFilter="SUCCEEDED", PaginationConfig={"PageSize": 2}
    )
    assert sum(len(p["executions"]) for p in everything) == 5
    assert (
        machines.sfn.list_executions(stateMachineArn=saga, statusFilter="FAILED")["executions"]
        == []
    )


def test_history_pages_and_reverse_order(machines: Machines) -> None:
    saga = _saga(machines)
    arn = machines.sfn.start_execution(
        stateMachineArn=saga, name="h-1", input='{"token": "tok_visa"}'
    )["executionArn"]
    machines.finished(arn)
    whole = machines.sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
    pages = machines.sfn.get_paginator("get_execution_history").paginate(
        executionArn=arn, PaginationConfig={"PageSize": 2}
    )
    assert [e["id"] for p in pages for e in p["events"]] == [e["id"] for e in whole]
    newest = machines.sfn.get_execution_history(executionArn=arn, reverseOrder=True, maxResults=1)
    assert newest["events"][0]["type"] == "ExecutionSucceeded"
    assert whole[0]["type"] == "ExecutionStarted"


def test_a_closed_execution_costs_no_memory_and_is_still_described(machines: Machines) -> None:
    saga = _saga(machines)
    arn = machines.sfn.start_execution(
        stateMachineArn=saga, name="m-1", input='{"token": "tok_visa"}'
    )["executionArn"]
    machines.finished(arn)
    _until(lambda: machines.states.interpreter.count() == 0)
    assert machines.sfn.describe_execution(executionArn=arn)["status"] == "SUCCEEDED"
    assert machines.sfn.get_execution_history(executionArn=arn)["events"]


def test_an_execution_left_running_by_a_dead_stack_is_restarted_and_says_so(
    tmp_path: Path, routed: Callable[[Functions], None]
) -> None:
    database = tmp_path / "stack.db"
    store = Store(database)
    functions, states = machines_on(store, InProcessRunner())
    machines = Machines(store, functions.runner, functions, states, None)  # type: ignore[arg-type]
    with served([states], rest=[functions]) as s:
        machines.sfn = s.client("stepfunctions")
        release = threading.Event()
        machines.function("slow", lambda event: release.wait(10) and {"done": event})
        slow = machines.machine("slow", {"Slow": lambda_task("slow", End=True)}, "Slow")
        routed(functions)
        arn = machines.sfn.start_execution(stateMachineArn=slow, name="r-1", input='{"n": 1}')[
            "executionArn"
        ]
        _until(lambda: bool(machines.runner.calls_of("slow")))
        states.stop()  # the stack goes away with the execution in its Task
        release.set()
    store.close()

    store = Store(database)
    runner = InProcessRunner({"m.slow": lambda event: {"done": event}})
    functions, states = machines_on(store, runner)
    routed(functions)
    assert states.resume() == [arn]
    with served([states], rest=[functions]) as s:
        again = Machines(store, runner, functions, states, s.client("stepfunctions"))
        done = again.finished(arn)
        history = again.sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
    states.stop()
    store.close()
    assert done["status"] == "SUCCEEDED" and done["redriveCount"] == 1
    assert json.loads(done["output"]) == {"done": {"n": 1}}
    kinds = [e["type"] for e in history]
    assert kinds[0] == "ExecutionStarted" and "ExecutionRedriven" in kinds
    assert [e["id"] for e in history] == list(range(1, len(history) + 1))


def _until(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    import time

    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "not within the bound"
        time.sleep(0.01)


def test_an_update_of_the_definition_keeps_the_role_and_survives_a_restart(
    machines: Machines, tmp_path: Path
) -> None:
    machines.function("work", lambda event: event)
    arn = machines.machine("kept", {"A": lambda_task("work", End=True)}, "A")
    definition = json.dumps({"StartAt": "B", "States": {"B": {"Type": "Pass", "End": True}}})
    machines.sfn.update_state_machine(stateMachineArn=arn, definition=definition)
    described = machines.sfn.describe_state_machine(stateMachineArn=arn)
    assert described["definition"] == definition
    assert described["roleArn"].endswith(":role/saga")
    again = machines_on(machines.store, InProcessRunner())[1]  # what a restart reads
    assert again.describe_state_machine({"stateMachineArn": arn})["roleArn"] == described["roleArn"]


def test_a_failed_execution_is_redriven_and_a_succeeded_one_is_not(machines: Machines) -> None:
    attempts: list[int] = []

    def flaky(event: dict[str, Any]) -> Any:
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("the provider is down")
        return {"ok": True}

    machines.function("flaky", flaky)
    arn_machine = machines.machine("flaky", {"Try": lambda_task("flaky", End=True)}, "Try")
    arn = machines.sfn.start_execution(stateMachineArn=arn_machine, name="d-1")["executionArn"]
    assert machines.finished(arn)["status"] == "FAILED"
    machines.sfn.redrive_execution(executionArn=arn)
    done = machines.finished(arn)
    assert (done["status"], done["redriveCount"], json.loads(done["output"])) == (
        "SUCCEEDED",
        1,
        {"ok": True},
    )
    history = machines.sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
    kinds = [e["type"] for e in history]
    assert kinds.index("ExecutionFailed") < kinds.index("ExecutionRedriven")
    assert kinds[-1] == "ExecutionSucceeded"
    with pytest.raises(machines.sfn.exceptions.ExecutionNotRedrivable):
        machines.sfn.redrive_execution(executionArn=arn)
