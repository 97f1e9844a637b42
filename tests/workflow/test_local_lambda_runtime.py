"""The patched Lambda invoke: the function's Handler runs in-process, with its environment and a
Lambda-like context, and a raised error comes back as Lambda's envelope (what ``Catch`` reads)."""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from infra.local import lambda_runtime
from tests.support.sfn_runner import TaskFunction, create_function, ensure_role
from tests.workflow import sample_handlers

MODULE = "tests.workflow.sample_handlers"


@pytest.fixture
def lambdas(moto: None, boto_session: boto3.session.Session) -> Iterator[Any]:
    yield boto_session.client("lambda")


def deploy(
    lambdas: Any, boto_session: boto3.session.Session, handler: str, timeout: int = 30
) -> str:
    role = ensure_role(boto_session.client("iam"))
    task = TaskFunction(
        f"{handler.rsplit('.', 1)[-1].title()}Arn", handler, timeout_seconds=timeout, memory_mb=512
    )
    return create_function(lambdas, role, task, {"GREETING": "hello"})


def invoke(lambdas: Any, arn: str, event: Any, **kwargs: Any) -> tuple[dict[str, Any], Any]:
    reply = lambdas.invoke(FunctionName=arn, Payload=json.dumps(event), **kwargs)
    body = reply["Payload"].read()
    return reply, json.loads(body) if body else None


def test_the_handler_runs_with_its_environment_and_context(
    lambdas: Any, boto_session: boto3.session.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "the-process")
    arn = deploy(lambdas, boto_session, f"{MODULE}.echo", timeout=30)
    reply, result = invoke(lambdas, arn, {"orderId": "o-1"})

    assert reply["StatusCode"] == 200 and "FunctionError" not in reply
    assert result["event"] == {"orderId": "o-1"}
    assert (result["greeting"], result["function"]) == ("hello", "Echo")
    assert (result["memory"], result["arn"]) == (512, arn)
    assert 0 < result["remainingMs"] <= 30_000
    assert result["requestId"]
    assert os.environ["AWS_LAMBDA_FUNCTION_NAME"] == "the-process"  # restored after the call
    assert os.environ["GREETING"] == "hello"  # kept, never deleted: other threads may be reading


def test_an_error_comes_back_as_lambdas_envelope(
    lambdas: Any, boto_session: boto3.session.Session
) -> None:
    arn = deploy(lambdas, boto_session, f"{MODULE}.decline")
    reply, envelope = invoke(lambdas, arn, {})

    assert reply["FunctionError"] == "Unhandled"
    assert envelope["errorType"] == "PaymentDeclined"  # the bare class name
    assert envelope["errorMessage"] == "card_declined"
    assert isinstance(envelope["stackTrace"], list) and envelope["stackTrace"]


@pytest.mark.parametrize(
    ("handler", "error_type"),
    [
        ("tests.workflow.no_such_module.handler", "Runtime.ImportModuleError"),
        (f"{MODULE}.no_such_function", "Runtime.HandlerNotFound"),
        (f"{MODULE}.unserializable", "Runtime.MarshalError"),
    ],
)
def test_runtime_faults_are_named_as_lambda_names_them(
    lambdas: Any, boto_session: boto3.session.Session, handler: str, error_type: str
) -> None:
    arn = deploy(lambdas, boto_session, handler)
    reply, envelope = invoke(lambdas, arn, {})
    assert (reply["FunctionError"], envelope["errorType"]) == ("Unhandled", error_type)


def test_the_sam_path_form_of_a_handler_resolves(
    lambdas: Any, boto_session: boto3.session.Session
) -> None:
    arn = deploy(lambdas, boto_session, "tests/workflow/sample_handlers.echo")
    assert invoke(lambdas, arn, {"n": 1})[1]["event"] == {"n": 1}


def test_an_asynchronous_invoke_is_accepted_then_runs(
    lambdas: Any, boto_session: boto3.session.Session
) -> None:
    arn = deploy(lambdas, boto_session, f"{MODULE}.remember")
    sample_handlers.RECEIVED.clear()
    reply, _ = invoke(lambdas, arn, {"async": True}, InvocationType="Event")

    assert reply["StatusCode"] == 202
    deadline = time.monotonic() + 5
    while not sample_handlers.RECEIVED and time.monotonic() < deadline:
        time.sleep(0.01)
    assert sample_handlers.RECEIVED == [{"async": True}]


def test_concurrent_invocations_never_make_a_variable_vanish(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two functions invoked from many threads while other threads read the whole environment
    (as moto's interpreter, the pollers and the API do, through botocore): nobody ever sees a
    variable disappear between listing the names and reading one (KeyError, States.Runtime in a
    workflow), and each call sees its own function's values."""
    for name in ("RACE_STATE_MACHINE_ARN", "RACE_SHARED"):
        monkeypatch.delenv(name, raising=False)  # and removed again after the test
    arn = "arn:aws:states:us-east-1:123456789012:stateMachine:race"
    starter = lambda_runtime.FunctionSpec(
        name="Starter",
        arn="arn:aws:lambda:us-east-1:123456789012:function:Starter",
        handler=f"{MODULE}.start_workflow",
        environment={"RACE_STATE_MACHINE_ARN": arn, "RACE_SHARED": "starter"},
    )
    task = lambda_runtime.FunctionSpec(
        name="Task",
        arn="arn:aws:lambda:us-east-1:123456789012:function:Task",
        handler=f"{MODULE}.build_client",
        environment={"RACE_SHARED": "task"},
    )
    expected = {
        "Starter": {"arn": arn, "shared": "starter"},
        "Task": {"shared": "task", "function": "Task"},
    }
    failures: list[str] = []
    done = threading.Event()

    def read_the_environment() -> None:
        while not done.is_set():
            try:
                dict(os.environ.items())
                os.environ.copy()
            except Exception as error:  # what botocore would raise in that thread
                failures.append(f"reader: {error!r}")

    def invoke_repeatedly(spec: lambda_runtime.FunctionSpec) -> None:
        for _ in range(150):
            result = lambda_runtime.invoke(spec, b"{}")
            if result.function_error or json.loads(result.payload) != expected[spec.name]:
                failures.append(f"{spec.name}: {result.payload.decode()[:200]}")

    readers = [threading.Thread(target=read_the_environment) for _ in range(3)]
    callers = [threading.Thread(target=invoke_repeatedly, args=(s,)) for s in [starter, task] * 3]
    switch_interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible: widen every race
    try:
        for thread in readers + callers:
            thread.start()
        for thread in callers:
            thread.join(60)
    finally:
        done.set()
        for thread in readers:
            thread.join(10)
        sys.setswitchinterval(switch_interval)

    assert not failures, failures[:5]
