"""FIFO queues: order within a message group, a group waiting while its head is in flight,
deduplication (explicit, content-based, five minutes, per queue or per group)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from sqs_world import World, bodies


def fifo(world: World, name: str = "jobs.fifo", **attributes: str) -> str:
    return world.queue(name, FifoQueue="true", **attributes)


def send(world: World, url: str, body: str, group: str, dedup: str | None = None) -> dict[str, str]:
    answer: dict[str, str] = world.sqs.send_message(
        QueueUrl=url, MessageBody=body, MessageGroupId=group, MessageDeduplicationId=dedup or body
    )
    return answer


def receive(world: World, url: str, count: int = 10, **params: int) -> list[str]:
    return bodies(world.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=count, **params))


def test_messages_of_a_group_come_in_order_and_the_group_waits_for_its_head(world: World) -> None:
    url = fifo(world)
    for body in ("a1", "a2", "a3"):
        send(world, url, body, "a")
    send(world, url, "b1", "b")
    assert receive(world, url, 2) == ["a1", "a2"]
    assert receive(world, url) == ["b1"]  # group a waits: a1 and a2 are in flight
    first = world.sqs.receive_message(QueueUrl=url)
    assert "Messages" not in first


def test_deleting_the_heads_lets_the_group_continue(world: World) -> None:
    url = fifo(world)
    for body in ("a1", "a2", "a3"):
        send(world, url, body, "a")
    handles = [
        m["ReceiptHandle"]
        for m in world.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=2)["Messages"]
    ]
    for handle in handles:
        world.sqs.delete_message(QueueUrl=url, ReceiptHandle=handle)
    assert receive(world, url) == ["a3"]


def test_a_returned_head_is_received_again_before_the_rest(world: World) -> None:
    url = fifo(world, VisibilityTimeout="30")
    for body in ("a1", "a2"):
        send(world, url, body, "a")
    assert receive(world, url, 1) == ["a1"]
    world.clock.advance(30)
    assert receive(world, url) == ["a1", "a2"]


def test_sequence_numbers_grow_and_come_with_the_message(world: World) -> None:
    url = fifo(world)
    first, second = send(world, url, "a", "g"), send(world, url, "b", "g")
    assert len(first["SequenceNumber"]) == 20
    assert int(second["SequenceNumber"]) > int(first["SequenceNumber"])
    message = world.sqs.receive_message(QueueUrl=url, MessageSystemAttributeNames=["All"])[
        "Messages"
    ][0]
    assert message["Attributes"]["SequenceNumber"] == first["SequenceNumber"]
    assert message["Attributes"]["MessageGroupId"] == "g"
    assert message["Attributes"]["MessageDeduplicationId"] == "a"


def test_a_duplicate_within_five_minutes_is_accepted_and_not_delivered(world: World) -> None:
    url = fifo(world)
    original = send(world, url, "pay", "g", dedup="d-1")
    again = send(world, url, "pay (retried)", "g", dedup="d-1")
    assert again["MessageId"] == original["MessageId"]
    assert again["SequenceNumber"] == original["SequenceNumber"]
    world.clock.advance(299)
    send(world, url, "pay (late retry)", "g", dedup="d-1")
    assert receive(world, url) == ["pay"]
    world.clock.advance(1)
    send(world, url, "pay (after the window)", "g", dedup="d-1")
    assert world.depth(url)["Visible"] == 1  # the new one, behind the in-flight head


def test_content_based_deduplication_hashes_the_body(world: World) -> None:
    url = fifo(world, ContentBasedDeduplication="true")
    for _ in range(2):
        world.sqs.send_message(QueueUrl=url, MessageBody="same", MessageGroupId="g")
    world.sqs.send_message(QueueUrl=url, MessageBody="other", MessageGroupId="g")
    assert receive(world, url) == ["same", "other"]


def test_deduplication_per_message_group(world: World) -> None:
    url = fifo(world, DeduplicationScope="messageGroup", FifoThroughputLimit="perMessageGroupId")
    send(world, url, "x", "a", dedup="d")
    send(world, url, "x", "b", dedup="d")  # another group: not a duplicate
    send(world, url, "x", "a", dedup="d")
    assert sorted(receive(world, url)) == ["x", "x"]


def test_fifo_send_rules(world: World) -> None:
    url = fifo(world)
    with pytest.raises(ClientError, match="MessageGroupId"):
        world.sqs.send_message(QueueUrl=url, MessageBody="x", MessageDeduplicationId="d")
    with pytest.raises(ClientError, match="ContentBasedDeduplication"):
        world.sqs.send_message(QueueUrl=url, MessageBody="x", MessageGroupId="g")
    with pytest.raises(ClientError, match="not valid for this queue type"):
        world.sqs.send_message(
            QueueUrl=url,
            MessageBody="x",
            MessageGroupId="g",
            MessageDeduplicationId="d",
            DelaySeconds=1,
        )
    standard = world.queue("standard")
    with pytest.raises(ClientError, match="not valid for this queue type"):
        world.sqs.send_message(QueueUrl=standard, MessageBody="x", MessageDeduplicationId="d")


def test_a_fifo_queue_delay_holds_each_group_head(world: World) -> None:
    url = fifo(world, DelaySeconds="5")
    send(world, url, "late", "g")
    assert receive(world, url) == []
    world.clock.advance(5)
    assert receive(world, url) == ["late"]


def test_fifo_dead_lettering_and_redrive_keep_the_group(world: World) -> None:
    source, dlq = world.with_dlq("jobs.fifo", max_receives=2)
    send(world, source, "poison", "g")
    send(world, source, "next", "g")
    for _ in range(2):
        assert receive(world, source, 1, VisibilityTimeout=0) == ["poison"]
    assert receive(world, source, 1) == ["next"]  # the poison head moved, the group goes on
    message = world.sqs.receive_message(QueueUrl=dlq, MessageSystemAttributeNames=["All"])[
        "Messages"
    ][0]
    assert message["Body"] == "poison"
    assert message["Attributes"]["MessageGroupId"] == "g"
    world.sqs.change_message_visibility(
        QueueUrl=dlq, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
    )
    world.sqs.start_message_move_task(SourceArn=world.arn(dlq))
    world.clock.advance(30)
    assert receive(world, source) == ["poison", "next"]


def test_a_batch_keeps_its_order(world: World) -> None:
    url = fifo(world, ContentBasedDeduplication="true")
    world.sqs.send_message_batch(
        QueueUrl=url,
        Entries=[{"Id": str(i), "MessageBody": str(i), "MessageGroupId": "g"} for i in range(10)],
    )
    assert receive(world, url) == [str(i) for i in range(10)]
