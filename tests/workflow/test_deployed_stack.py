"""Opt-in: the saga as deployed by SAM (``make test-aws``, with ORDERFLOW_AWS_STACK and real AWS
credentials). Read-only but for one execution, which moves no money and stores nothing:

- the deployed definition is workflows/order_saga.asl.json (only the function ARNs differ);
- an execution for an order that does not exist fails with ``OrderNotFound`` after one state:
  the Lambda Python runtime really reports the exception's class name as the error, and nothing
  catches it (one transition, $0.000025).
"""

from __future__ import annotations

import json
import os
import uuid
from typing import Any

import boto3
import pytest

from tests.support.sfn_runner import ORDER_SAGA_ASL, states_entered, wait_for_execution

STACK = os.environ.get("ORDERFLOW_AWS_STACK", "")

pytestmark = [pytest.mark.aws, pytest.mark.enable_socket]


@pytest.fixture(scope="module")
def deployed() -> tuple[Any, str]:
    if not STACK:
        pytest.skip(
            "set ORDERFLOW_AWS_STACK=<stack name> and AWS credentials, then `make test-aws`"
        )
    session = boto3.session.Session()
    resources = session.client("cloudformation").get_paginator("list_stack_resources")
    machines = [
        r["PhysicalResourceId"]
        for page in resources.paginate(StackName=STACK)
        for r in page["StackResourceSummaries"]
        if r["ResourceType"] == "AWS::StepFunctions::StateMachine"
    ]
    assert len(machines) == 1, f"expected one state machine in {STACK}, found {machines}"
    return session.client("stepfunctions"), machines[0]


def _without_function_names(definition: dict[str, Any]) -> dict[str, Any]:
    for state in definition["States"].values():
        if "FunctionName" in state.get("Parameters", {}):
            state["Parameters"]["FunctionName"] = "<function>"
    return definition


def test_the_deployed_definition_is_ours(deployed: tuple[Any, str]) -> None:
    sfn, machine_arn = deployed
    live = json.loads(sfn.describe_state_machine(stateMachineArn=machine_arn)["definition"])
    ours = json.loads(ORDER_SAGA_ASL.read_text(encoding="utf-8"))
    assert _without_function_names(live) == _without_function_names(ours)


def test_an_unknown_order_fails_by_the_exceptions_name(deployed: tuple[Any, str]) -> None:
    sfn, machine_arn = deployed
    order_id = f"it-missing-{uuid.uuid4()}"
    started = sfn.start_execution(
        stateMachineArn=machine_arn, name=order_id, input=json.dumps({"orderId": order_id})
    )
    execution = wait_for_execution(sfn, started["executionArn"], timeout=120, poll=1.0)

    assert (execution["status"], execution.get("error")) == ("FAILED", "OrderNotFound")
    assert states_entered(sfn, started["executionArn"]) == ["AuthorizePayment"]
