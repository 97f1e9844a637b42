"""Where the CLI looks (local-stack.json in both forms, CloudFormation), and its exit codes."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber

from infra.ops import cli
from infra.ops.stack import QueueRef, StackConfig, load_aws, load_local
from infra.ops.target import Target

CANONICAL = {
    "awsEndpoint": "http://127.0.0.1:4566",
    "apiUrl": "http://127.0.0.1:3000/local/",
    "region": "us-east-1",
    "tableName": "orders",
    "busName": "bus",
    "stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:saga",
    "queues": {
        "Work": {"url": "http://q/work", "dlqUrl": "http://q/work-dlq"},
        "StreamDLQ": {"url": None, "dlqUrl": "http://q/stream-dlq"},
    },
}
RUNNER_FORM = {  # what infra.local.stack.LocalStack.describe() writes
    "stackName": "orderflow-local",
    "region": "us-east-1",
    "account": "123456789012",
    "endpoints": {"aws": "http://127.0.0.1:4566", "api": "http://127.0.0.1:3000"},
    "apiStage": "local",
    "eventBus": "orderflow-local",
    "tables": {"OrdersTable": "orderflow-local-orders"},
    "queues": {"WorkflowStartQueue": "http://127.0.0.1:4566/123456789012/start"},
    "deadLetterQueues": {"WorkflowStartDLQ": "http://127.0.0.1:4566/123456789012/start-dlq"},
    "stateMachines": {"OrderSagaStateMachine": "arn:aws:states:us-east-1:1:stateMachine:saga"},
}


def test_the_canonical_local_stack_file(tmp_path: Path) -> None:
    path = tmp_path / "local-stack.json"
    path.write_text(json.dumps(CANONICAL))
    config = load_local(path)
    assert config.aws_endpoint == "http://127.0.0.1:4566"
    assert (config.table_name, config.bus_name) == ("orders", "bus")
    assert config.queues == {
        "Work": QueueRef("http://q/work", "http://q/work-dlq"),
        "StreamDLQ": QueueRef(None, "http://q/stream-dlq"),
    }


def test_the_runners_descriptive_form_is_read_too() -> None:
    config = StackConfig.from_json(RUNNER_FORM)
    assert config.aws_endpoint == "http://127.0.0.1:4566"
    assert config.api_url == "http://127.0.0.1:3000/local/"
    assert (config.table_name, config.bus_name) == ("orderflow-local-orders", "orderflow-local")
    assert config.state_machine_arn.endswith(":saga")
    assert config.queues == {
        "WorkflowStartQueue": QueueRef("http://127.0.0.1:4566/123456789012/start"),
        "WorkflowStartDLQ": QueueRef(None, "http://127.0.0.1:4566/123456789012/start-dlq"),
    }


def test_a_deployed_stack_from_outputs_and_resources() -> None:
    cfn = boto3.client(
        "cloudformation", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    resources = [
        ("OrdersTable", "AWS::DynamoDB::Table", "prod-orders"),
        ("Saga", "AWS::StepFunctions::StateMachine", "arn:aws:states:eu-west-1:1:stateMachine:s"),
        ("WorkflowStartQueue", "AWS::SQS::Queue", "https://sqs/1/prod-start"),
        ("WorkflowStartDLQ", "AWS::SQS::Queue", "https://sqs/1/prod-start-dlq"),
    ]
    with Stubber(cfn) as stubber:
        stubber.add_response(
            "describe_stacks",
            {
                "Stacks": [
                    {
                        "StackName": "prod",
                        "CreationTime": "2026-01-01T00:00:00Z",
                        "StackStatus": "UPDATE_COMPLETE",
                        "Outputs": [
                            {"OutputKey": "BusName", "OutputValue": "prod-bus"},
                            {"OutputKey": "ApiUrl", "OutputValue": "https://x/prod"},
                        ],
                    }
                ]
            },
            {"StackName": "prod"},
        )
        stubber.add_response(
            "list_stack_resources",
            {
                "StackResourceSummaries": [
                    {
                        "LogicalResourceId": lid,
                        "ResourceType": kind,
                        "PhysicalResourceId": pid,
                        "LastUpdatedTimestamp": "2026-01-01T00:00:00Z",
                        "ResourceStatus": "CREATE_COMPLETE",
                    }
                    for lid, kind, pid in resources
                ]
            },
            {"StackName": "prod"},
        )
        config = load_aws(cfn, "prod", "eu-west-1")
    assert config == StackConfig(
        region="eu-west-1",
        table_name="prod-orders",
        state_machine_arn="arn:aws:states:eu-west-1:1:stateMachine:s",
        api_url="https://x/prod",
        bus_name="prod-bus",
        queues={
            "WorkflowStartQueue": QueueRef("https://sqs/1/prod-start"),
            "WorkflowStartDLQ": QueueRef(None, "https://sqs/1/prod-start-dlq"),
        },
    )


def test_an_unknown_deployed_stack_is_exit_3(capsys: pytest.CaptureFixture[str]) -> None:
    cfn = boto3.client(
        "cloudformation", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    with Stubber(cfn) as stubber:
        stubber.add_client_error(
            "describe_stacks", "ValidationError", "Stack with id nope does not exist"
        )
        with pytest.raises(cli.errors.StackUnavailable, match="does not exist"):
            load_aws(cfn, "nope", "eu-west-1")


def test_no_local_stack_file_is_exit_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["--stack-file", str(tmp_path / "none.json"), "executions"])
    assert code == 3
    assert "start the local stack (python -m infra.local)" in capsys.readouterr().err


def test_a_local_stack_that_is_not_running_is_exit_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = StackConfig.from_json({**CANONICAL, "awsEndpoint": "http://127.0.0.1:9"})
    target = Target(
        config,
        boto3.Session(region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"),
        local=True,
    )
    assert cli.main(["executions"], target=target, out=io.StringIO()) == 3
    assert "cannot reach http://127.0.0.1:9" in capsys.readouterr().err


def test_usage_errors_are_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["--aws", "executions"], ["executions", "--status", "LOST"], []):
        with pytest.raises(SystemExit) as stopped:
            cli.main(argv)
        assert stopped.value.code == 2


def test_python_dash_m_infra_ops_help() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "infra.ops", "--help"],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.returncode == 0
    for command in ("executions", "execution", "order", "dlq", "retry"):
        assert command in done.stdout


def test_a_redrive_target_gets_its_logical_id_from_the_resources() -> None:
    described = {
        **CANONICAL,
        "resources": {
            "deadLetterQueues": {"WorkDLQ": "http://q/work-dlq", "StreamDLQ": "http://q/stream-dlq"}
        },
    }
    queues = StackConfig.from_json(described).queues
    assert queues["WorkDLQ"] == QueueRef(None, "http://q/work-dlq")
    assert queues["Work"] == QueueRef("http://q/work", "http://q/work-dlq")
    assert queues["StreamDLQ"] == QueueRef(None, "http://q/stream-dlq")
    assert len(queues) == 3
