"""A restart: a new Store on the same file and a new Sqs see every queue and message; what
was in flight when the stack stopped is visible at once after ``release_in_flight``."""

from __future__ import annotations

import json
from pathlib import Path

from sqs_world import World, bodies, build

from infra.local.dataplane.store import Store
from tests.support.clock import FakeClock
from tests.support.dataplane_slots import install


def test_queues_and_messages_survive_a_restart(tmp_path: Path, world: World) -> None:
    path = tmp_path / "state.db"
    before = build(Store(path), world.clock)
    install(world.served_slot, before)
    dlq = world.queue("work-dlq")
    source = world.queue(
        "work",
        VisibilityTimeout="300",
        RedrivePolicy={"deadLetterTargetArn": world.arn(dlq), "maxReceiveCount": 3},
    )
    world.sqs.tag_queue(QueueUrl=source, Tags={"team": "orders"})
    for body in ("in-flight", "waiting"):
        world.sqs.send_message(QueueUrl=source, MessageBody=body)
    world.sqs.send_message(QueueUrl=source, MessageBody="delayed", DelaySeconds=60)
    assert bodies(world.sqs.receive_message(QueueUrl=source)) == ["in-flight"]
    fifo = world.queue("jobs.fifo", FifoQueue="true")
    world.sqs.send_message(
        QueueUrl=fifo, MessageBody="f", MessageGroupId="g", MessageDeduplicationId="d"
    )
    before.store.close()

    clock = FakeClock(world.clock() + 5)
    after = build(Store(path), clock)
    install(world.served_slot, after)
    assert after.store.restored
    assert after.release_in_flight() == 1
    assert world.sqs.list_queue_tags(QueueUrl=source)["Tags"] == {"team": "orders"}
    policy = world.sqs.get_queue_attributes(QueueUrl=source, AttributeNames=["RedrivePolicy"])
    assert json.loads(policy["Attributes"]["RedrivePolicy"])["maxReceiveCount"] == 3
    received = world.sqs.receive_message(
        QueueUrl=source, MaxNumberOfMessages=10, AttributeNames=["ApproximateReceiveCount"]
    )["Messages"]
    assert {m["Body"]: m["Attributes"]["ApproximateReceiveCount"] for m in received} == {
        "in-flight": "2",
        "waiting": "1",
    }
    clock.advance(55)
    assert bodies(world.sqs.receive_message(QueueUrl=source)) == ["delayed"]
    again = world.sqs.send_message(
        QueueUrl=fifo, MessageBody="f", MessageGroupId="g", MessageDeduplicationId="d"
    )
    assert bodies(world.sqs.receive_message(QueueUrl=fifo, MaxNumberOfMessages=10)) == ["f"]
    assert again["SequenceNumber"]
    after.store.close()


def test_release_in_flight_also_frees_fifo_groups(tmp_path: Path, world: World) -> None:
    path = tmp_path / "state.db"
    before = build(Store(path), world.clock)
    install(world.served_slot, before)
    url = world.queue("jobs.fifo", FifoQueue="true", ContentBasedDeduplication="true")
    for body in ("1", "2"):
        world.sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId="g")
    assert bodies(world.sqs.receive_message(QueueUrl=url)) == ["1"]
    before.store.close()
    after = build(Store(path), world.clock)
    install(world.served_slot, after)
    after.release_in_flight()
    assert bodies(world.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)) == ["1", "2"]
    after.store.close()
