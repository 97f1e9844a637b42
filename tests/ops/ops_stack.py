"""A small stack of its own inside moto for the operator CLI: the single table, a saga-shaped
state machine (Pass, Choice, a task-token wait, a retried Task, Fail), a queue with its DLQ,
a DLQ fed by EventBridge, a stream failure DLQ and a bus with a rule to a capture queue."""

from __future__ import annotations

import io
import json
import time
from dataclasses import dataclass
from typing import Any

import boto3

from infra.ops import cli
from infra.ops.stack import QueueRef, StackConfig
from infra.ops.target import Target

REGION = "us-east-1"
ROLE = "arn:aws:iam::123456789012:role/saga"
CUSTOMER_INPUT = {
    "orderId": "o-1",
    "customerId": "cust-1",
    "shippingAddress": {
        "name": "Ada Lovelace",
        "line1": "12 Analytical St",
        "city": "London",
        "postalCode": "N1 9GU",
        "country": "GB",
    },
    "paymentToken": "tok_visa_4242",
}
PERSONAL_VALUES = ("Ada Lovelace", "12 Analytical St", "N1 9GU", "tok_visa_4242")


def saga(carrier_queue_url: str) -> dict[str, Any]:
    return {
        "StartAt": "AuthorizePayment",
        "States": {
            "AuthorizePayment": {
                "Type": "Pass",
                "Result": {"status": "AUTHORIZED"},
                "ResultPath": "$.payment",
                "Next": "Route",
            },
            "Route": {
                "Type": "Choice",
                "Default": "Done",
                "Choices": [
                    {
                        "Variable": "$.scenario",
                        "StringEquals": "decline",
                        "Next": "PaymentDeclined",
                    },
                    {"Variable": "$.scenario", "StringEquals": "wait", "Next": "RequestShipment"},
                    {"Variable": "$.scenario", "StringEquals": "flaky", "Next": "Flaky"},
                ],
            },
            "RequestShipment": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {
                    "QueueUrl": carrier_queue_url,
                    "MessageBody": {"orderId.$": "$.orderId", "taskToken.$": "$$.Task.Token"},
                },
                "HeartbeatSeconds": 3600,
                "TimeoutSeconds": 1209600,
                "End": True,
            },
            "Flaky": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage",
                "Parameters": {"QueueUrl": f"{carrier_queue_url}-missing", "MessageBody": "x"},
                "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "MaxAttempts": 1}],
                "End": True,
            },
            "PaymentDeclined": {
                "Type": "Fail",
                "Error": "PaymentDeclined",
                "Cause": "card declined",
            },
            "Done": {"Type": "Succeed"},
        },
    }


@dataclass
class Stack:
    target: Target
    table: str
    machine: str
    work_queue: str
    work_dlq: str
    events_dlq: str
    stream_dlq: str
    carrier_queue: str
    capture_queue: str

    def client(self, service: str) -> Any:
        return self.target.client(service)

    def start(self, name: str, scenario: str = "ok", **extra: Any) -> str:
        payload = {**CUSTOMER_INPUT, "orderId": name, "scenario": scenario, **extra}
        arn: str = self.client("stepfunctions").start_execution(
            stateMachineArn=self.machine, name=name, input=json.dumps(payload)
        )["executionArn"]
        return arn

    def settle(self, arn: str, until: str = "done", timeout: float = 20) -> dict[str, Any]:
        """Until the execution stops ("done") or has submitted its task-token task ("waiting")."""
        sfn = self.client("stepfunctions")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            described: dict[str, Any] = sfn.describe_execution(executionArn=arn)
            if until == "done" and described["status"] != "RUNNING":
                return described
            events = sfn.get_execution_history(executionArn=arn)["events"]
            if until == "waiting" and any(e["type"] == "TaskSubmitted" for e in events):
                return described
            time.sleep(0.05)
        raise AssertionError(f"{arn} did not settle ({until})")

    def release_waiting(self) -> None:
        """Fail the task-token waits still open, so no execution thread outlives its test."""
        sqs, sfn = self.client("sqs"), self.client("stepfunctions")
        while messages := sqs.receive_message(
            QueueUrl=self.carrier_queue, MaxNumberOfMessages=10
        ).get("Messages"):
            for message in messages:
                token = json.loads(message["Body"])["taskToken"]
                sfn.send_task_failure(taskToken=token, error="TestOver")
                sqs.delete_message(
                    QueueUrl=self.carrier_queue, ReceiptHandle=message["ReceiptHandle"]
                )

    def run(self, *argv: str) -> tuple[int, str]:
        out = io.StringIO()
        code = cli.main(list(argv), target=self.target, out=out)
        return code, out.getvalue()


def build(session: boto3.Session) -> Stack:
    sqs, ddb = session.client("sqs"), session.client("dynamodb")
    table = "orders"
    ddb.create_table(
        TableName=table,
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[
            {"AttributeName": "PK", "KeyType": "HASH"},
            {"AttributeName": "SK", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "PK", "AttributeType": "S"},
            {"AttributeName": "SK", "AttributeType": "S"},
        ],
    )
    work_dlq = sqs.create_queue(QueueName="workflow-start-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=work_dlq, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    policy = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 1})
    work_queue = sqs.create_queue(
        QueueName="workflow-start", Attributes={"RedrivePolicy": policy, "VisibilityTimeout": "0"}
    )["QueueUrl"]
    events_dlq = sqs.create_queue(QueueName="upstream-events-dlq")["QueueUrl"]
    stream_dlq = sqs.create_queue(QueueName="outbox-relay-dlq")["QueueUrl"]
    carrier = sqs.create_queue(QueueName="carrier")["QueueUrl"]
    capture = sqs.create_queue(QueueName="capture")["QueueUrl"]
    events = session.client("events")
    events.create_event_bus(Name="orderflow")
    events.put_rule(
        Name="all",
        EventBusName="orderflow",
        EventPattern=json.dumps({"source": ["simship.carrier"]}),
    )
    capture_arn = sqs.get_queue_attributes(QueueUrl=capture, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    events.put_targets(
        Rule="all", EventBusName="orderflow", Targets=[{"Id": "capture", "Arn": capture_arn}]
    )
    machine = session.client("stepfunctions").create_state_machine(
        name="order-saga", definition=json.dumps(saga(carrier)), roleArn=ROLE
    )["stateMachineArn"]
    config = StackConfig(
        region=REGION,
        table_name=table,
        state_machine_arn=machine,
        bus_name="orderflow",
        queues={
            "WorkflowStartQueue": QueueRef(work_queue),
            "UpstreamEventsDLQ": QueueRef(None, events_dlq),
            "OutboxRelayDLQ": QueueRef(None, stream_dlq),
            "WorkflowStartDLQ": QueueRef(None, work_dlq),
        },
    )
    target = Target(config, session, local=True)
    return Stack(
        target, table, machine, work_queue, work_dlq, events_dlq, stream_dlq, carrier, capture
    )
