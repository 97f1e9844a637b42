"""Task states on real sandboxes: what a state machine sees of a function's timeout and crash
is what it would see on AWS (the error names its Retry and Catch match on)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest

from infra.local.dataplane.functions.registry import configuration
from infra.local.dataplane.functions.service import Functions
from infra.local.dataplane.states.service import StepFunctions
from infra.local.dataplane.store import Store
from infra.local.sandbox.sandboxes import Sandboxes
from tests.local.dataplane.states.conftest import ROLE, Machines, lambda_task
from tests.local.sandbox.conftest import WHERE
from tests.support.dataplane import served


@pytest.fixture
def sandboxed(routed: Callable[[Functions], None]) -> Iterator[Machines]:
    store, sandboxes = Store(None), Sandboxes(WHERE, local_limit=2)
    place = {"region": "us-east-1", "account": "123456789012", "clock": __import__("time").time}
    functions = Functions(store, runner=sandboxes, **place)
    states = StepFunctions(store, **place)
    routed(functions)
    with served([states], rest=[functions]) as s:
        yield Machines(store, None, functions, states, s.client("stepfunctions"))  # type: ignore[arg-type]
    states.stop()
    sandboxes.close()
    store.close()


def _function(machines: Machines, name: str, handler: str, timeout: int = 3) -> None:
    with machines.store.write() as db:
        machines.functions.registry.put(
            db,
            configuration(
                {"FunctionName": name, "Handler": handler, "Role": ROLE, "Timeout": timeout,
                 "Code": {}},
                "us-east-1",
                "123456789012",
            ),
        )  # fmt: skip


def _errors(machines: Machines, arn: str) -> list[str]:
    history = machines.sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
    return [e["taskFailedEventDetails"]["error"] for e in history if "taskFailedEventDetails" in e]


def test_a_task_past_its_functions_timeout_fails_as_sandbox_timedout(sandboxed: Machines) -> None:
    _function(sandboxed, "sleeper", "probe.sleep", timeout=1)
    arn_machine = sandboxed.machine(
        "sleepy",
        {
            "Sleep": lambda_task(
                "sleeper",
                Catch=[{"ErrorEquals": ["Sandbox.Timedout"], "Next": "GaveUp"}],
                End=True,
            ),
            "GaveUp": {"Type": "Pass", "Result": {"gaveUp": True}, "End": True},
        },
        "Sleep",
    )
    arn = sandboxed.sfn.start_execution(
        stateMachineArn=arn_machine, name="t-1", input=json.dumps({"seconds": 30})
    )["executionArn"]
    done = sandboxed.finished(arn, seconds=60)
    assert (done["status"], json.loads(done["output"])) == ("SUCCEEDED", {"gaveUp": True})
    assert _errors(sandboxed, arn) == ["Sandbox.Timedout"]


def test_a_domain_error_raised_in_a_sandbox_is_caught_by_its_class_name(
    sandboxed: Machines,
) -> None:
    _function(sandboxed, "decliner", "probe.decline")
    arn_machine = sandboxed.machine(
        "declines",
        {
            "Pay": lambda_task(
                "decliner",
                Catch=[{"ErrorEquals": ["PaymentDeclined"], "Next": "Declined"}],
                End=True,
            ),
            "Declined": {"Type": "Succeed"},
        },
        "Pay",
    )
    arn = sandboxed.sfn.start_execution(stateMachineArn=arn_machine, name="t-2")["executionArn"]
    assert sandboxed.finished(arn, seconds=60)["status"] == "SUCCEEDED"
    assert _errors(sandboxed, arn) == ["PaymentDeclined"]


def test_a_runtime_that_dies_fails_the_task_as_an_exit_error(sandboxed: Machines) -> None:
    _function(sandboxed, "crasher", "probe.exit_abruptly")
    arn_machine = sandboxed.machine("crashes", {"Run": lambda_task("crasher", End=True)}, "Run")
    arn = sandboxed.sfn.start_execution(stateMachineArn=arn_machine, name="t-3")["executionArn"]
    done = sandboxed.finished(arn, seconds=60)
    assert (done["status"], done.get("error")) == ("FAILED", "Runtime.ExitError")
