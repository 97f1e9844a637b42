"""Dead letters: the redrive to a DLQ after maxReceiveCount at receive time, message move
tasks back out of it, and the operator CLI's ``dlq list`` and ``dlq redrive`` on both of its
paths (AWS: StartMessageMoveTask; local: receive, send, delete) against this SQS."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.exceptions import ClientError
from sqs_world import World, bodies

from infra.ops import dlq as dlq_command
from infra.ops import redrive
from infra.ops.stack import QueueRef, StackConfig
from infra.ops.target import Target

TRACE = {"DataType": "String", "StringValue": "t-1"}


def poison(world: World, source: str, body: str, receives: int) -> None:
    world.sqs.send_message(QueueUrl=source, MessageBody=body, MessageAttributes={"trace": TRACE})
    for _ in range(receives):
        world.sqs.receive_message(QueueUrl=source, VisibilityTimeout=0)


def test_the_receive_after_max_receive_count_moves_the_message_to_the_dlq(world: World) -> None:
    source, dlq = world.with_dlq("orders", max_receives=2)
    sent = world.sqs.send_message(
        QueueUrl=source, MessageBody="poison", MessageAttributes={"trace": TRACE}
    )
    for _ in range(2):
        assert bodies(world.sqs.receive_message(QueueUrl=source, VisibilityTimeout=0)) == ["poison"]
    assert "Messages" not in world.sqs.receive_message(QueueUrl=source)  # the third: moved
    moved = world.sqs.receive_message(
        QueueUrl=dlq, MessageAttributeNames=["All"], MessageSystemAttributeNames=["All"]
    )["Messages"][0]
    assert moved["MessageId"] == sent["MessageId"]
    assert moved["Body"] == "poison"
    assert moved["MessageAttributes"] == {"trace": TRACE}
    assert moved["Attributes"]["DeadLetterQueueSourceArn"] == world.arn(source)
    assert moved["Attributes"]["ApproximateReceiveCount"] == "3"  # the count carries on


def test_other_messages_are_received_while_the_poison_one_moves(world: World) -> None:
    source, dlq = world.with_dlq("orders", max_receives=1)
    world.sqs.send_message(QueueUrl=source, MessageBody="poison")
    world.sqs.receive_message(QueueUrl=source, VisibilityTimeout=0)
    world.sqs.send_message(QueueUrl=source, MessageBody="good")
    assert bodies(world.sqs.receive_message(QueueUrl=source, MaxNumberOfMessages=10)) == ["good"]
    assert world.depth(dlq)["Visible"] == 1


def test_a_standard_dlq_keeps_the_original_enqueue_time_for_retention(world: World) -> None:
    source, dlq = world.with_dlq("orders", max_receives=1)
    world.sqs.set_queue_attributes(QueueUrl=dlq, Attributes={"MessageRetentionPeriod": "120"})
    world.sqs.send_message(QueueUrl=source, MessageBody="poison")
    world.sqs.receive_message(QueueUrl=source, VisibilityTimeout=0)
    world.clock.advance(100)
    world.sqs.receive_message(QueueUrl=source)  # moves it, 100 s after it was sent
    assert world.depth(dlq)["Visible"] == 1
    world.clock.advance(20)
    assert world.depth(dlq)["Visible"] == 0


def test_without_its_dlq_a_message_is_received_as_usual(world: World) -> None:
    source, dlq = world.with_dlq("orders", max_receives=1)
    world.sqs.delete_queue(QueueUrl=dlq)
    world.sqs.send_message(QueueUrl=source, MessageBody="x")
    for _ in range(3):
        assert bodies(world.sqs.receive_message(QueueUrl=source, VisibilityTimeout=0)) == ["x"]


def test_a_move_task_sends_each_message_back_to_its_source(world: World) -> None:
    orders, dlq = world.with_dlq("orders", max_receives=1)
    payments = world.queue(
        "payments", RedrivePolicy={"deadLetterTargetArn": world.arn(dlq), "maxReceiveCount": 1}
    )
    poison(world, orders, "order", 2)
    poison(world, payments, "payment", 2)
    handle = world.sqs.start_message_move_task(SourceArn=world.arn(dlq))["TaskHandle"]
    assert world.depth(dlq)["Visible"] == 0
    back = world.sqs.receive_message(
        QueueUrl=orders, MessageAttributeNames=["All"], AttributeNames=["All"]
    )["Messages"][0]
    assert back["Body"] == "order"
    assert back["MessageAttributes"] == {"trace": TRACE}
    assert back["Attributes"]["ApproximateReceiveCount"] == "1"  # a fresh start
    assert "DeadLetterQueueSourceArn" not in back["Attributes"]
    assert bodies(world.sqs.receive_message(QueueUrl=payments)) == ["payment"]
    tasks = world.sqs.list_message_move_tasks(SourceArn=world.arn(dlq))["Results"]
    assert tasks == [
        {
            "Status": "COMPLETED",
            "SourceArn": world.arn(dlq),
            "ApproximateNumberOfMessagesMoved": 2,
            "ApproximateNumberOfMessagesToMove": 2,
            "StartedTimestamp": int(world.clock() * 1000),
        }
    ]
    with pytest.raises(world.sqs.exceptions.ResourceNotFoundException, match="COMPLETED"):
        world.sqs.cancel_message_move_task(TaskHandle=handle)


def test_a_move_task_to_a_destination_and_its_rate(world: World) -> None:
    orders, dlq = world.with_dlq("orders", max_receives=1)
    elsewhere = world.queue("elsewhere")
    poison(world, orders, "x", 2)
    world.sqs.start_message_move_task(
        SourceArn=world.arn(dlq),
        DestinationArn=world.arn(elsewhere),
        MaxNumberOfMessagesPerSecond=5,
    )
    assert bodies(world.sqs.receive_message(QueueUrl=elsewhere)) == ["x"]
    task = world.sqs.list_message_move_tasks(SourceArn=world.arn(dlq))["Results"][0]
    assert task["DestinationArn"] == world.arn(elsewhere)
    assert task["MaxNumberOfMessagesPerSecond"] == 5


def test_a_move_task_leaves_messages_in_flight_where_they_are(world: World) -> None:
    orders, dlq = world.with_dlq("orders", max_receives=1)
    poison(world, orders, "a", 2)
    poison(world, orders, "b", 2)
    world.sqs.receive_message(QueueUrl=dlq)  # one in flight
    world.sqs.start_message_move_task(SourceArn=world.arn(dlq))
    assert world.depth(dlq)["NotVisible"] == 1
    assert len(bodies(world.sqs.receive_message(QueueUrl=orders, MaxNumberOfMessages=10))) == 1


def test_a_message_whose_source_is_gone_fails_the_task(world: World) -> None:
    orders, dlq = world.with_dlq("orders", max_receives=1)
    poison(world, orders, "x", 2)
    world.sqs.delete_queue(QueueUrl=orders)
    # another source keeps the DLQ configured as one
    world.queue(
        "other", RedrivePolicy={"deadLetterTargetArn": world.arn(dlq), "maxReceiveCount": 1}
    )
    world.sqs.start_message_move_task(SourceArn=world.arn(dlq))
    task = world.sqs.list_message_move_tasks(SourceArn=world.arn(dlq))["Results"][0]
    assert task["Status"] == "FAILED"
    assert "does not exist" in task["FailureReason"]
    assert world.depth(dlq)["Visible"] == 1


def test_move_task_refusals(world: World) -> None:
    plain = world.queue("plain")
    with pytest.raises(ClientError, match="Dead Letter Queue"):
        world.sqs.start_message_move_task(SourceArn=world.arn(plain))
    with pytest.raises(world.sqs.exceptions.ResourceNotFoundException):
        world.sqs.start_message_move_task(SourceArn="arn:aws:sqs:us-east-1:123456789012:nope")
    with pytest.raises(world.sqs.exceptions.ResourceNotFoundException):
        world.sqs.cancel_message_move_task(TaskHandle="nope")


def test_only_the_ten_latest_tasks_are_kept(world: World) -> None:
    _, dlq = world.with_dlq("orders")
    for _ in range(12):
        world.sqs.start_message_move_task(SourceArn=world.arn(dlq))
        world.clock.advance(1)
    tasks = world.sqs.list_message_move_tasks(SourceArn=world.arn(dlq), MaxResults=10)["Results"]
    assert len(tasks) == 10
    assert tasks[0]["StartedTimestamp"] > tasks[-1]["StartedTimestamp"]
    with world.service.store.read() as db:
        assert db.execute("SELECT count(*) FROM sqs_move_tasks").fetchone()[0] == 10


def operator_target(world: World, source: str, local: bool) -> Target:
    config = StackConfig(
        region="us-east-1",
        table_name="t",
        state_machine_arn="arn:aws:states:us-east-1:123456789012:stateMachine:s",
        aws_endpoint=world.served.url,
        queues={"WorkQueue": QueueRef(source)},
    )
    session = boto3.Session(
        region_name="us-east-1", aws_access_key_id="t", aws_secret_access_key="t"
    )
    return Target(config, session, local, _clients={"sqs": world.sqs})


def test_the_operator_cli_lists_dead_letters_and_leaves_them_visible(world: World) -> None:
    source, dlq = world.with_dlq("work", max_receives=1)
    poison(world, source, json.dumps({"detail": {"orderId": "o-7"}}), 1)
    world.sqs.receive_message(QueueUrl=source)
    output = dlq_command.list_command(operator_target(world, source, local=False), None, 10)
    [listed] = output.data
    assert listed["source"] == "WorkQueue"
    assert listed["approximateDepth"] == 1
    assert [(m["orderId"], m["receiveCount"]) for m in listed["messages"]] == [("o-7", 2)]
    assert world.depth(dlq)["Visible"] == 1


@pytest.mark.parametrize("local", [False, True], ids=["aws-move-task", "local-receive-send"])
def test_the_operator_cli_redrives_to_the_source_queue(world: World, local: bool) -> None:
    source, dlq = world.with_dlq("work", max_receives=1)
    for body in ("a", "b"):
        poison(world, source, body, 2)
    output = redrive.redrive_command(operator_target(world, source, local), None)
    assert output.exit_code == 0
    assert output.data[0]["action"] == ("moved" if local else "move-task-started")
    assert world.depth(dlq) == {"Visible": 0, "NotVisible": 0, "Delayed": 0}
    back = world.sqs.receive_message(
        QueueUrl=source, MaxNumberOfMessages=10, MessageAttributeNames=["All"]
    )
    assert sorted(bodies(back)) == ["a", "b"]
    assert all(m["MessageAttributes"] == {"trace": TRACE} for m in back["Messages"])
