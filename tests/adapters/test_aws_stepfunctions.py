"""StepFunctionsWorkflow: one execution per order; stale task tokens are not errors."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber
from moto import mock_aws

from adapters.aws import clients
from adapters.aws.stepfunctions import StepFunctionsWorkflow

PASS = {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}}


@pytest.fixture
def state_machine(aws_env: None) -> Iterator[str]:
    """A trivial machine on moto's real ASL interpreter (task tokens are checked there)."""
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        yield clients.client("stepfunctions").create_state_machine(
            name="orders",
            definition=json.dumps(PASS),
            roleArn="arn:aws:iam::123456789012:role/orderflow-workflow",
        )["stateMachineArn"]


def test_starting_the_same_order_twice_makes_one_execution(
    state_machine: str, caplog: pytest.LogCaptureFixture
) -> None:
    workflow = StepFunctionsWorkflow(state_machine)
    with caplog.at_level(logging.INFO, logger="adapters.aws.stepfunctions"):
        workflow.start("order-1", {"orderId": "order-1"})
        workflow.start("order-1", {"orderId": "order-1"})
        workflow.start("order-1", {"orderId": "order-1", "again": True})
    assert "already started" in caplog.text  # ExecutionAlreadyExists was answered, and taken
    executions = clients.client("stepfunctions").list_executions(stateMachineArn=state_machine)
    assert [e["name"] for e in executions["executions"]] == ["order-1"]
    described = clients.client("stepfunctions").describe_execution(
        executionArn=executions["executions"][0]["executionArn"]
    )
    assert json.loads(described["input"]) == {"orderId": "order-1"}


def test_signals_with_a_token_nobody_waits_for_are_ignored_and_not_logged_in_clear(
    state_machine: str, caplog: pytest.LogCaptureFixture
) -> None:
    workflow = StepFunctionsWorkflow(state_machine)
    token = "AAAA-not-a-task-token-of-this-account"
    with caplog.at_level(logging.INFO, logger="adapters.aws.stepfunctions"):
        workflow.heartbeat(token)
        workflow.resume(token, {"delivered": True})
        workflow.fail(token, "ShipmentFailed", "the parcel was lost")
    assert len(caplog.records) == 3
    assert all(
        r.levelno == logging.INFO and "InvalidToken" in r.getMessage() for r in caplog.records
    )
    assert token not in caplog.text


@pytest.fixture
def stubbed(aws_env: None) -> Iterator[tuple[StepFunctionsWorkflow, Stubber]]:
    client = boto3.client("stepfunctions")
    with Stubber(client) as stubber:
        yield StepFunctionsWorkflow("arn:aws:states:us-east-1:1:stateMachine:x", client), stubber
        stubber.assert_no_pending_responses()


@pytest.mark.parametrize("code", ["TaskTimedOut", "TaskDoesNotExist", "InvalidToken"])
def test_every_stale_token_answer_is_ignored(
    stubbed: tuple[StepFunctionsWorkflow, Stubber], code: str
) -> None:
    workflow, stub = stubbed
    stub.add_client_error("send_task_heartbeat", code)
    stub.add_client_error("send_task_success", code)
    stub.add_client_error("send_task_failure", code)
    workflow.heartbeat("t")
    workflow.resume("t", {})
    workflow.fail("t", "E", "c")


def test_other_errors_are_raised(stubbed: tuple[StepFunctionsWorkflow, Stubber]) -> None:
    workflow, stub = stubbed
    stub.add_client_error("send_task_success", "InvalidOutput")
    stub.add_client_error("start_execution", "StateMachineDoesNotExist")
    with pytest.raises(ClientError, match="InvalidOutput"):
        workflow.resume("t", {})
    with pytest.raises(ClientError, match="StateMachineDoesNotExist"):
        workflow.start("order-1", {})


def test_failure_error_and_cause_are_cut_to_the_service_limits(
    stubbed: tuple[StepFunctionsWorkflow, Stubber],
) -> None:
    workflow, stub = stubbed
    stub.add_response(
        "send_task_failure",
        {},
        {"taskToken": "t", "error": "E" * 256, "cause": "c" * 32_768},
    )
    workflow.fail("t", "E" * 1000, "c" * 100_000)


def test_start_names_the_execution_by_the_order_id(
    stubbed: tuple[StepFunctionsWorkflow, Stubber],
) -> None:
    workflow, stub = stubbed
    expected: dict[str, Any] = {
        "stateMachineArn": "arn:aws:states:us-east-1:1:stateMachine:x",
        "name": "order-7",
        "input": json.dumps({"orderId": "order-7"}),
    }
    stub.add_response(
        "start_execution", {"executionArn": "arn:x", "startDate": "2026-01-01"}, expected
    )
    workflow.start("order-7", {"orderId": "order-7"})
