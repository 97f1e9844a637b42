"""``dlq list`` and ``dlq redrive`` on moto queues, and the AWS move task through a stub."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.stub import Stubber
from ops_stack import Stack

from infra.ops import redrive
from infra.ops.dlq import selected
from infra.ops.stack import QueueRef, StackConfig
from infra.ops.target import Target

ORDER_PLACED = {
    "version": "0",
    "id": "e-1",
    "detail-type": "OrderPlaced",
    "source": "orderflow.orders",
    "detail": {"orderId": "o-7", "version": 1},
}
DELIVERED = {
    "version": "0",
    "id": "e-2",
    "detail-type": "ShipmentDelivered",
    "source": "simship.carrier",
    "resources": [],
    "detail": {"orderId": "o-8", "trackingNumber": "SIM-8"},
}
STREAM_FAILURE = {
    "requestContext": {"condition": "RetryAttemptsExhausted", "approximateInvokeCount": 11},
    "DDBStreamBatchInfo": {
        "shardId": "shard-1",
        "startSequenceNumber": "100",
        "endSequenceNumber": "200",
        "batchSize": 3,
    },
}


def _string(value: str) -> dict[str, str]:
    return {"DataType": "String", "StringValue": value}


def _dead_letters(stack: Stack) -> None:
    """A poison message, an undeliverable event, a failed async invoke, a stream failure."""
    sqs = stack.client("sqs")
    sqs.send_message(
        QueueUrl=stack.work_queue,
        MessageBody=json.dumps(ORDER_PLACED),
        MessageAttributes={"trace": _string("t-1")},
    )
    for _ in range(2):  # maxReceiveCount 1: the second receive moves it to the DLQ
        sqs.receive_message(QueueUrl=stack.work_queue)
    sqs.send_message(
        QueueUrl=stack.work_dlq,
        MessageBody=json.dumps({"shippingAddress": {"name": "Ada Lovelace"}, "orderId": "o-9"}),
    )
    sqs.send_message(
        QueueUrl=stack.events_dlq,
        MessageBody=json.dumps(DELIVERED),
        MessageAttributes={
            "ERROR_CODE": _string("SDK_CLIENT_ERROR"),
            "ERROR_MESSAGE": _string("Lambda throttled"),
            "RULE_ARN": _string("arn:aws:events:us-east-1:1:rule/bus/carrier-events"),
        },
    )
    sqs.send_message(
        QueueUrl=stack.events_dlq,
        MessageBody=json.dumps(DELIVERED),
        MessageAttributes={"ErrorCode": _string("200"), "ErrorMessage": _string("DeliveryUnknown")},
    )
    sqs.send_message(QueueUrl=stack.stream_dlq, MessageBody=json.dumps(STREAM_FAILURE))


def _depth(stack: Stack, url: str) -> int:
    attributes = stack.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["All"])
    counts = ("ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible")
    return sum(int(attributes["Attributes"][name]) for name in counts)


def test_dlq_list_says_why_each_message_is_there(stack: Stack) -> None:
    _dead_letters(stack)
    code, out = stack.run("dlq", "list")
    assert code == 0
    text = out.replace("  ", " ")
    assert "WorkflowStartDLQ workflow-start-dlq ~2 messages source WorkflowStartQueue" in text
    assert "2 receives (this listing's included); WorkflowStartQueue dead-letters after 1" in text
    assert "EventBridge rule carrier-events: SDK_CLIENT_ERROR Lambda throttled" in text
    assert "Lambda async invoke failed: 200 DeliveryUnknown" in text
    assert "stream batch RetryAttemptsExhausted: 3 records, sequence 100..200" in text
    for order_id in ("o-7", "o-8", "o-9"):
        assert f" {order_id} " in text
    assert '{"shippingAddress":"<redacted>","orderId":"o-9"}' in out
    assert "Ada Lovelace" not in out


def test_listing_leaves_every_message_in_place_and_visible(stack: Stack) -> None:
    _dead_letters(stack)
    before = {url: _depth(stack, url) for url in (stack.work_dlq, stack.events_dlq)}
    data = json.loads(stack.run("dlq", "--json")[1])
    assert {d["queue"]: len(d["messages"]) for d in data} == {
        "OutboxRelayDLQ": 1,
        "UpstreamEventsDLQ": 2,
        "WorkflowStartDLQ": 2,
    }
    again = json.loads(stack.run("dlq", "--json")[1])
    assert [len(d["messages"]) for d in again] == [len(d["messages"]) for d in data]
    assert {url: _depth(stack, url) for url in before} == before


def test_one_queue_by_its_or_its_source_name(stack: Stack) -> None:
    _dead_letters(stack)
    for name in ("WorkflowStartDLQ", "workflow-start", "WORKFLOWSTARTQUEUE"):
        data = json.loads(stack.run("dlq", "list", "--queue", name, "--json")[1])
        assert [d["queue"] for d in data] == ["WorkflowStartDLQ"]
    assert stack.run("dlq", "--queue", "nope") == (1, "")


def test_redrive_moves_messages_back_to_the_source_queue_emulated(stack: Stack) -> None:
    _dead_letters(stack)
    code, out = stack.run("dlq", "redrive", "--queue", "WorkflowStartDLQ")
    assert code == 0
    assert out.startswith("WorkflowStartDLQ: moved 2 messages to WorkflowStartQueue")
    assert "emulated: moto has no StartMessageMoveTask" in out
    assert _depth(stack, stack.work_dlq) == 0
    moved = stack.client("sqs").receive_message(
        QueueUrl=stack.work_queue, MaxNumberOfMessages=10, MessageAttributeNames=["All"]
    )["Messages"]
    bodies = {m["Body"]: m.get("MessageAttributes") for m in moved}
    assert bodies[json.dumps(ORDER_PLACED)] == {"trace": _string("t-1")}


def test_redrive_puts_undeliverable_events_on_the_bus_again(stack: Stack) -> None:
    _dead_letters(stack)
    code, out = stack.run("dlq", "redrive", "--queue", "UpstreamEventsDLQ", "--json")
    assert code == 0
    assert json.loads(out) == [
        {
            "queue": "UpstreamEventsDLQ",
            "action": "re-put",
            "bus": "orderflow",
            "moved": 2,
            "left": 0,
        }
    ]
    assert _depth(stack, stack.events_dlq) == 0
    delivered = stack.client("sqs").receive_message(
        QueueUrl=stack.capture_queue, MaxNumberOfMessages=10
    )["Messages"]
    assert [json.loads(m["Body"])["detail"] for m in delivered] == [DELIVERED["detail"]] * 2


def test_stream_failure_records_are_left_in_place_and_exit_1(stack: Stack) -> None:
    _dead_letters(stack)
    code, out = stack.run("dlq", "redrive", "--queue", "OutboxRelayDLQ")
    assert code == 1
    assert "left 1 in place" in out
    assert _depth(stack, stack.stream_dlq) == 1


def test_on_aws_redrive_starts_a_message_move_task(stack: Stack) -> None:
    sqs = stack.target.session.client("sqs", region_name="us-east-1")
    config = StackConfig(
        region="us-east-1",
        table_name="t",
        state_machine_arn="arn:sm",
        queues={"Work": QueueRef("https://q/work", "https://q/work-dlq")},
    )
    target = Target(config, stack.target.session, local=False, _clients={"sqs": sqs})
    arns = {
        "https://q/work-dlq": "arn:aws:sqs:us-east-1:1:work-dlq",
        "https://q/work": "arn:aws:sqs:us-east-1:1:work",
    }

    def attributes(url: str, names: list[str], values: dict[str, Any]) -> None:
        stubber.add_response(
            "get_queue_attributes",
            {"Attributes": values},
            {"QueueUrl": url, "AttributeNames": names},
        )

    with Stubber(sqs) as stubber:
        attributes(
            "https://q/work",
            ["RedrivePolicy"],
            {
                "RedrivePolicy": json.dumps(
                    {"deadLetterTargetArn": arns["https://q/work-dlq"], "maxReceiveCount": 5}
                )
            },
        )
        attributes(
            "https://q/work-dlq",
            ["ApproximateNumberOfMessages"],
            {"ApproximateNumberOfMessages": "4"},
        )
        for url in ("https://q/work-dlq", "https://q/work"):
            attributes(url, ["QueueArn"], {"QueueArn": arns[url]})
        stubber.add_response(
            "start_message_move_task",
            {"TaskHandle": "handle-1"},
            {"SourceArn": arns["https://q/work-dlq"], "DestinationArn": arns["https://q/work"]},
        )
        output = redrive.redrive_command(target, None)
        stubber.assert_no_pending_responses()
    assert output.data == [
        {
            "queue": "work-dlq",
            "action": "move-task-started",
            "taskHandle": "handle-1",
            "approximateCount": 4,
            "left": 0,
        }
    ]
    assert "started a message move task (4 messages) to Work" in output.lines[0]


@pytest.mark.parametrize("body", ["not json", json.dumps({"no": "event"})])
def test_a_message_that_is_not_an_event_is_left_and_the_events_go(stack: Stack, body: str) -> None:
    sqs = stack.client("sqs")
    sqs.send_message(QueueUrl=stack.events_dlq, MessageBody=body)
    sqs.send_message(QueueUrl=stack.events_dlq, MessageBody=json.dumps(DELIVERED))
    code, out = stack.run("dlq", "redrive", "--queue", "UpstreamEventsDLQ")
    assert code == 1
    assert out.startswith("UpstreamEventsDLQ: put 1 events on bus orderflow again")
    assert "left 1 in place" in out
    left = sqs.receive_message(QueueUrl=stack.events_dlq)["Messages"]  # visible again
    assert [m["Body"] for m in left] == [body]


def test_a_redrive_says_what_it_will_do_before_it_does_it(stack: Stack) -> None:
    _dead_letters(stack)
    plans = {q.label: redrive.plan(stack.target, q) for q in selected(stack.target, None)}
    depth, text = plans["WorkflowStartDLQ"]
    assert depth == 2 and text.startswith("move the ~2 messages back to WorkflowStartQueue")
    assert "emulated" in text
    depth, text = plans["UpstreamEventsDLQ"]
    assert depth == 2 and text.startswith("put the events of the ~2 messages on bus orderflow")
    stack.run("dlq", "redrive", "--queue", "WorkflowStartDLQ")
    dlq = selected(stack.target, "WorkflowStartDLQ")[0]
    assert redrive.plan(stack.target, dlq) == (0, "nothing: the queue is empty")
    assert _depth(stack, stack.events_dlq) == 2  # planning moved nothing
