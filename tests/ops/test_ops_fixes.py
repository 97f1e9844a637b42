"""What an operator met first: the local stack's own description, a dry run before a redrive,
stack traces kept out of ``execution --json``, and the installed command itself."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from ops_stack import Stack

from infra.ops import cli
from infra.ops.execution import _described
from infra.ops.redact import OMITTED, redact
from infra.ops.stack import StackConfig

LAMBDA_CAUSE = json.dumps(
    {
        "errorMessage": "the card was declined",
        "errorType": "PaymentDeclined",
        "requestId": "r-1",
        "stackTrace": ['  File "/var/task/handlers/tasks/_task.py", line 58, in handler\n'],
    }
)


def _local_description(stack: Stack) -> dict[str, object]:
    """The shape ``python -m infra.local`` writes: the DLQ's logical id only under resources."""
    c = stack.target.config
    return {
        "awsEndpoint": None,
        "region": c.region,
        "tableName": c.table_name,
        "stateMachineArn": c.state_machine_arn,
        "queues": {"WorkflowStartQueue": {"url": stack.work_queue, "dlqUrl": stack.work_dlq}},
        "resources": {"deadLetterQueues": {"WorkflowStartDLQ": stack.work_dlq}},
    }


def test_a_dlq_by_its_logical_id_from_the_local_stack_description(stack: Stack) -> None:
    stack.target.config = StackConfig.from_json(_local_description(stack))
    code, out = stack.run("dlq", "--queue", "WorkflowStartDLQ", "--json")
    assert code == 0
    assert [d["queue"] for d in json.loads(out)] == ["WorkflowStartDLQ"]


def test_redrive_dry_run_moves_nothing(stack: Stack) -> None:
    sqs = stack.client("sqs")
    sqs.send_message(QueueUrl=stack.work_dlq, MessageBody='{"orderId": "o-1"}')
    code, out = stack.run("dlq", "redrive", "--queue", "WorkflowStartDLQ", "--dry-run", "--json")
    assert code == 0
    (planned,) = json.loads(out)
    assert planned["dryRun"] is True and planned["action"] == "would-move"
    assert planned["approximateCount"] == 1
    left = sqs.get_queue_attributes(
        QueueUrl=stack.work_dlq, AttributeNames=["ApproximateNumberOfMessages"]
    )
    assert left["Attributes"]["ApproximateNumberOfMessages"] == "1"
    assert "Messages" not in sqs.receive_message(QueueUrl=stack.work_queue, WaitTimeSeconds=0)


def test_a_lambda_errors_stack_trace_is_omitted_its_type_and_message_kept() -> None:
    shown = _described(
        {"name": "o-1", "executionArn": "arn", "status": "FAILED", "cause": LAMBDA_CAUSE}
    )
    assert shown["cause"]["stackTrace"] == OMITTED
    assert shown["cause"]["errorType"] == "PaymentDeclined"
    assert "/var/task" not in json.dumps(shown)
    assert redact({"StackTrace": []}) == {"StackTrace": []}  # nothing to hide, nothing hidden


def test_the_installed_command_answers_its_version() -> None:
    command = shutil.which("orderflow-ops", path=str(Path(sys.executable).parent))
    assert command is not None, "make venv installs the project (pip install -e .)"
    done = subprocess.run([command, "--version"], capture_output=True, text=True, check=True)
    assert done.stdout.startswith("orderflow-ops 0.")
    assert cli.parser().prog == "orderflow-ops"
