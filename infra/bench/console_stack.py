"""A deployed stack inside moto, for the console's benchmark and its ``--aws`` tests: a
CloudFormation stack (table, queues with their DLQ, bus) whose outputs name it, as
infra/template.yaml's do, and a state machine shaped like the saga (moto's CloudFormation
creates state machines that its interpreter cannot run, so it is created beside the stack
and named by the ``StateMachineArn`` output). Needs ``mock_aws`` with execute_state_machine."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

ROLE = "arn:aws:iam::123456789012:role/saga"
SCENARIOS = ("ok", "decline", "wait", "flaky", "crash")
"""ok succeeds; decline fails; wait stays RUNNING in RequestShipment; flaky is retried and
fails; crash fails with a Lambda error's cause (a stack trace that must never be shown)."""
CRASH_CAUSE = {
    "errorMessage": "'orderId'",
    "errorType": "KeyError",
    "stackTrace": ['  File "/var/task/handlers/tasks/_task.py", line 21, in handler\n'],
}


def saga(carrier_queue: str) -> dict[str, Any]:
    task = "arn:aws:states:::sqs:sendMessage"
    return {
        "StartAt": "AuthorizePayment",
        "States": {
            "AuthorizePayment": {"Type": "Pass", "ResultPath": "$.payment", "Next": "Route"},
            "Route": {
                "Type": "Choice",
                "Default": "CompleteOrder",
                "Choices": [
                    {
                        "Variable": "$.scenario",
                        "StringEquals": "decline",
                        "Next": "PaymentWasDeclined",
                    },
                    {"Variable": "$.scenario", "StringEquals": "wait", "Next": "RequestShipment"},
                    {"Variable": "$.scenario", "StringEquals": "flaky", "Next": "CancelShipment"},
                    {"Variable": "$.scenario", "StringEquals": "crash", "Next": "TaskCrashed"},
                ],
            },
            "RequestShipment": {
                "Type": "Task",
                "Resource": f"{task}.waitForTaskToken",
                "Parameters": {
                    "QueueUrl": carrier_queue,
                    "MessageBody": {"orderId.$": "$.orderId", "taskToken.$": "$$.Task.Token"},
                },
                "HeartbeatSeconds": 3600,
                "Next": "CompleteOrder",
            },
            "CancelShipment": {
                "Type": "Task",
                "Resource": task,
                "Parameters": {"QueueUrl": f"{carrier_queue}-missing", "MessageBody": "x"},
                "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "MaxAttempts": 1}],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "CompensationFailed"}],
                "Next": "CompleteOrder",
            },
            "CompleteOrder": {"Type": "Pass", "Next": "Completed"},
            "Completed": {"Type": "Succeed"},
            "PaymentWasDeclined": {"Type": "Fail", "Error": "PaymentDeclined", "Cause": "declined"},
            "CompensationFailed": {"Type": "Fail", "Error": "CompensationFailed"},
            "TaskCrashed": {
                "Type": "Fail",
                "Error": "Lambda.Unknown",
                "Cause": json.dumps(CRASH_CAUSE),
            },
        },
    }


def _template() -> dict[str, Any]:
    key = [{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}]
    names = [{"AttributeName": n, "AttributeType": "S"} for n in ("PK", "SK")]
    dlq = {"deadLetterTargetArn": {"Fn::GetAtt": ["WorkflowStartDLQ", "Arn"]}, "maxReceiveCount": 5}
    return {
        "Parameters": {"StateMachine": {"Type": "String"}},
        "Resources": {
            "OrdersTable": {
                "Type": "AWS::DynamoDB::Table",
                "Properties": {
                    "BillingMode": "PAY_PER_REQUEST",
                    "KeySchema": key,
                    "AttributeDefinitions": names,
                },
            },
            "WorkflowStartDLQ": {"Type": "AWS::SQS::Queue"},
            "WorkflowStartQueue": {"Type": "AWS::SQS::Queue", "Properties": {"RedrivePolicy": dlq}},
            "UpstreamEventsDLQ": {"Type": "AWS::SQS::Queue"},
            "CarrierQueue": {"Type": "AWS::SQS::Queue"},
            "EventBus": {"Type": "AWS::Events::EventBus", "Properties": {"Name": "orderflow-bus"}},
        },
        "Outputs": {
            "StateMachineArn": {"Value": {"Ref": "StateMachine"}},
            "BusName": {"Value": {"Ref": "EventBus"}},
            "CarrierQueueUrl": {"Value": {"Ref": "CarrierQueue"}},
        },
    }


@dataclass(frozen=True)
class Deployed:
    stack_name: str
    machine: str
    table: str
    carrier_queue: str


def deploy(session: Any, stack_name: str) -> Deployed:
    cfn, sqs = session.client("cloudformation"), session.client("sqs")
    carrier = sqs.create_queue(QueueName=f"{stack_name}-carrier-requests")["QueueUrl"]
    machine = session.client("stepfunctions").create_state_machine(
        name=f"{stack_name}-order-saga", definition=json.dumps(saga(carrier)), roleArn=ROLE
    )["stateMachineArn"]
    cfn.create_stack(
        StackName=stack_name,
        TemplateBody=json.dumps(_template()),
        Parameters=[{"ParameterKey": "StateMachine", "ParameterValue": machine}],
    )
    resources = cfn.describe_stack_resources(StackName=stack_name)["StackResources"]
    table = next(
        r["PhysicalResourceId"] for r in resources if r["LogicalResourceId"] == "OrdersTable"
    )
    return Deployed(stack_name, machine, table, carrier)


def start(session: Any, deployed: Deployed, order_id: str, scenario: str) -> str:
    payload = {
        "orderId": order_id,
        "scenario": scenario,
        "shippingAddress": {"name": "Ada Lovelace", "line1": "12 Analytical St", "city": "London"},
        "paymentToken": "tok_visa_4242",
    }
    arn: str = session.client("stepfunctions").start_execution(
        stateMachineArn=deployed.machine, name=order_id, input=json.dumps(payload)
    )["executionArn"]
    return arn


def put_order(session: Any, deployed: Deployed, order_id: str, status: str) -> None:
    """The order's item and its first outbox event, as adapters/aws writes them."""
    money = {"amount": "25.00", "currency": "EUR"}
    item = {
        "PK": f"ORDER#{order_id}",
        "SK": "ORDER",
        "orderId": order_id,
        "customerId": "alice",
        "status": status,
        "version": 1,
        "createdAt": "2026-11-27T13:16:14.983946Z",
        "updatedAt": "2026-11-27T13:16:14.983946Z",
        "lines": [
            {"sku": "BOOK-001", "quantity": 2, "unitPrice": {"amount": "12.50", "currency": "EUR"}}
        ],
        "payment": {"status": "AUTHORIZED", "amount": money},
        "shippingAddress": {"name": "Ada Lovelace", "line1": "12 Analytical St", "city": "London"},
        "paymentToken": "tok_visa_4242",
    }
    event = {
        "PK": f"ORDER#{order_id}",
        "SK": "EVENT#0000000001",
        "eventType": "OrderPlaced",
        "occurredAt": item["createdAt"],
        "detail": {"orderId": order_id, "customerId": "alice", "total": money},
    }
    table = session.resource("dynamodb").Table(deployed.table)
    for written in (item, event):
        table.put_item(Item=written)


def release_waiting(session: Any, deployed: Deployed) -> int:
    """Answer every open task-token wait (the carrier delivered), so no execution outlives
    its user; how many were answered."""
    sqs, sfn, answered = session.client("sqs"), session.client("stepfunctions"), 0
    while messages := sqs.receive_message(
        QueueUrl=deployed.carrier_queue, MaxNumberOfMessages=10
    ).get("Messages"):
        for message in messages:
            token = json.loads(message["Body"])["taskToken"]
            try:
                sfn.send_task_success(taskToken=token, output="{}")
                answered += 1
            except (sfn.exceptions.InvalidToken, sfn.exceptions.TaskTimedOut):
                pass  # that wait has ended already
            sqs.delete_message(
                QueueUrl=deployed.carrier_queue, ReceiptHandle=message["ReceiptHandle"]
            )
    return answered
