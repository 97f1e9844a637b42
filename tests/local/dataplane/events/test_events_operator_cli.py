"""The operator CLI on an EventBridge target's dead-letter queue: ``dlq list`` says which
rule could not deliver and why (from the attributes EventBridge sets), ``dlq redrive`` puts
the events on the bus again, where they now reach their target."""

from __future__ import annotations

import boto3
from events_world import ACCOUNT, BUS, World

from infra.ops import dlq as dlq_command
from infra.ops import redrive
from infra.ops.stack import QueueRef, StackConfig
from infra.ops.target import Target

PLACED = {"detail-type": ["OrderPlaced"]}


def operator(world: World, dlq_url: str) -> Target:
    config = StackConfig(
        region="us-east-1",
        table_name="t",
        state_machine_arn=f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:s",
        aws_endpoint=world.served.url,
        bus_name=BUS,
        queues={"UpstreamEventsDLQ": QueueRef(None, dlq_url)},
    )
    session = boto3.Session(
        region_name="us-east-1", aws_access_key_id="t", aws_secret_access_key="t"
    )
    return Target(config, session, False, _clients={"sqs": world.sqs, "events": world.events})


def test_undeliverable_events_are_listed_with_their_rule_and_redriven_to_the_bus(
    world: World,
) -> None:
    world.bus()
    dlq_url, dlq = world.queue("upstream-dlq")
    target = f"arn:aws:sqs:us-east-1:{ACCOUNT}:carrier"
    world.rule(
        "carrier-events", PLACED, {"Id": "q", "Arn": target, "DeadLetterConfig": {"Arn": dlq}}
    )
    world.put({"orderId": "o-8"})

    listed = dlq_command.list_command(operator(world, dlq_url), None, 10)
    [message] = listed.data[0]["messages"]
    assert message["orderId"] == "o-8"
    assert message["reason"].startswith(
        "EventBridge rule carrier-events: AWS.SimpleQueueService.NonExistentQueue"
    )

    carrier_url, _ = world.queue("carrier")
    output = redrive.redrive_command(operator(world, dlq_url), None)
    assert output.data == [
        {"queue": "UpstreamEventsDLQ", "action": "re-put", "bus": BUS, "moved": 1, "left": 0}
    ]
    [delivered] = world.bodies(carrier_url)
    assert delivered["detail"] == {"orderId": "o-8"}
    assert world.drain(dlq_url) == []
