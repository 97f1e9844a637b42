"""``retry``: emulated locally by a new execution, RedriveExecution on AWS."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import pytest
from botocore.stub import Stubber
from ops_stack import Stack

from infra.ops import cli, retry
from infra.ops.stack import StackConfig
from infra.ops.target import Target


def test_a_failed_execution_is_retried_as_a_new_execution_with_the_same_input(
    stack: Stack,
) -> None:
    failed = stack.settle(stack.start("o-3", "decline"))
    code, out = stack.run("retry", "o-3")
    assert code == 0
    assert out.splitlines()[0] == "o-3 was FAILED PaymentDeclined: started o-3-retry-1"
    assert "emulated: moto has no RedriveExecution" in out
    sfn = stack.client("stepfunctions")
    prefix = stack.machine.replace(":stateMachine:", ":execution:")
    again = stack.settle(f"{prefix}:o-3-retry-1")
    assert json.loads(again["input"]) == json.loads(failed["input"])
    assert again["status"] == "FAILED"  # the same input declines again
    code, out = stack.run("retry", "o-3", "--json")
    assert (code, json.loads(out)["name"]) == (0, "o-3-retry-2")
    stack.settle(f"{prefix}:o-3-retry-2")
    attempts = json.loads(stack.run("execution", "o-3", "--json")[1])["attempts"]
    assert [a["name"] for a in attempts] == ["o-3", "o-3-retry-1", "o-3-retry-2"]
    assert sfn.describe_execution(executionArn=f"{prefix}:o-3")["status"] == "FAILED"


def test_retry_by_a_retry_name_counts_from_the_order(stack: Stack) -> None:
    stack.settle(stack.start("o-4", "decline"))
    stack.run("retry", "o-4")
    stack.settle(stack.machine.replace(":stateMachine:", ":execution:") + ":o-4-retry-1")
    code, out = stack.run("retry", "o-4-retry-1")
    assert code == 0 and "started o-4-retry-2" in out


def test_an_order_whose_saga_ended_is_not_retried_without_force(stack: Stack) -> None:
    stack.settle(stack.start("o-7", "decline"))
    item = {"PK": {"S": "ORDER#o-7"}, "SK": {"S": "ORDER"}, "status": {"S": "PAYMENT_FAILED"}}
    stack.client("dynamodb").put_item(TableName=stack.table, Item=item)
    assert stack.run("retry", "o-7") == (1, "")
    code, out = stack.run("retry", "o-7", "--force")
    assert code == 0 and "started o-7-retry-1" in out


def test_nothing_to_retry_when_running_or_succeeded(stack: Stack) -> None:
    stack.settle(stack.start("o-ok"))
    stack.settle(stack.start("o-wait", "wait"), "waiting")
    assert stack.run("retry", "o-ok") == (1, "")
    assert stack.run("retry", "o-wait") == (1, "")
    assert stack.run("retry", "o-nobody") == (1, "")


def test_on_aws_retry_redrives_the_failed_execution(stack: Stack) -> None:
    sfn = stack.target.session.client("stepfunctions", region_name="us-east-1")
    machine = "arn:aws:states:us-east-1:1:stateMachine:saga"
    arn = "arn:aws:states:us-east-1:1:execution:saga:o-5"
    config = StackConfig(region="us-east-1", table_name=stack.table, state_machine_arn=machine)
    target = Target(config, stack.target.session, local=False, _clients={"stepfunctions": sfn})
    at = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    with Stubber(sfn) as stubber:
        stubber.add_response(
            "describe_execution",
            {
                "executionArn": arn,
                "stateMachineArn": machine,
                "name": "o-5",
                "status": "FAILED",
                "startDate": at,
                "stopDate": at,
                "input": "{}",
                "error": "States.Timeout",
            },
            {"executionArn": arn},
        )
        stubber.add_response("redrive_execution", {"redriveDate": at}, {"executionArn": arn})
        output = retry.retry_command(target, "o-5")
        stubber.assert_no_pending_responses()
    assert output.data == {
        "retried": arn,
        "emulated": False,
        "execution": arn,
        "redriveDate": "2026-01-01T12:00:00Z",
    }
    assert output.lines[0] == "o-5 was FAILED States.Timeout: redriven at 2026-01-01 12:00:00 UTC"


def test_on_aws_a_refused_redrive_is_explained(
    stack: Stack, capsys: pytest.CaptureFixture[str]
) -> None:
    sfn = stack.target.session.client("stepfunctions", region_name="us-east-1")
    machine = "arn:aws:states:us-east-1:1:stateMachine:saga"
    arn = "arn:aws:states:us-east-1:1:execution:saga:o-6"
    config = StackConfig(region="us-east-1", table_name=stack.table, state_machine_arn=machine)
    target = Target(config, stack.target.session, local=False, _clients={"stepfunctions": sfn})
    at = datetime(2026, 1, 1, tzinfo=UTC)
    with Stubber(sfn) as stubber:
        stubber.add_response(
            "describe_execution",
            {
                "executionArn": arn,
                "stateMachineArn": machine,
                "name": "o-6",
                "status": "FAILED",
                "startDate": at,
                "stopDate": at,
                "input": "{}",
            },
            {"executionArn": arn},
        )
        stubber.add_client_error(
            "redrive_execution", "ExecutionNotRedrivable", "older than 14 days"
        )
        code = cli.main(["retry", "o-6"], target=target, out=io.StringIO())
    assert code == 1
    assert "o-6 cannot be redriven: ExecutionNotRedrivable: older than 14 days" in (
        capsys.readouterr().err
    )


def test_a_retry_says_what_it_will_do_before_it_does_it(stack: Stack) -> None:
    stack.settle(stack.start("o-8", "decline"))
    chosen = retry.plan(stack.target, "o-8")
    assert (chosen.order_id, chosen.new_name) == ("o-8", "o-8-retry-1")
    assert chosen.text.startswith("start a new execution o-8-retry-1 from the beginning")
    assert [
        a["name"] for a in json.loads(stack.run("execution", "o-8", "--json")[1])["attempts"]
    ] == ["o-8"]  # planning started nothing
    remote = retry.RetryPlan("o-8", chosen.latest, 1, local=False)
    assert remote.text.startswith("redrive o-8 (RedriveExecution): it resumes at the state")
