"""PutEvents as EventBridge takes it (limits, per-entry errors, the envelope) and delivery in
the accepting transaction: to queues (FIFO too), functions, state machines and buses, to a
target's DLQ when the target refuses, never for a disabled rule; local subscriptions."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError
from events_world import ACCOUNT, BUS, World

PLACED = {"source": ["orderflow.orders"], "detail-type": ["OrderPlaced"]}


def entry(**fields: Any) -> dict[str, Any]:
    return {"EventBusName": BUS, "Source": "s", "DetailType": "d", "Detail": "{}", **fields}


def test_an_accepted_event_reaches_the_matching_rules_queue_as_the_aws_envelope(
    world: World,
) -> None:
    world.bus()
    url, arn = world.queue("start")
    world.rule("placed", PLACED, {"Id": "q", "Arn": arn})
    answer = world.events.put_events(
        Entries=[
            {
                "EventBusName": BUS,
                "Source": "orderflow.orders",
                "DetailType": "OrderPlaced",
                "Detail": json.dumps({"orderId": "o-1", "total": {"amount": "12.50"}}),
                "Resources": ["arn:aws:dynamodb:us-east-1:1:table/orders"],
            }
        ]
    )
    assert answer["FailedEntryCount"] == 0
    [delivered] = world.bodies(url)
    assert list(delivered) == [
        "version",
        "id",
        "detail-type",
        "source",
        "account",
        "time",
        "region",
        "resources",
        "detail",
    ]
    assert delivered == {
        "version": "0",
        "id": answer["Entries"][0]["EventId"],
        "detail-type": "OrderPlaced",
        "source": "orderflow.orders",
        "account": ACCOUNT,
        "time": "2026-01-01T12:00:00Z",
        "region": "us-east-1",
        "resources": ["arn:aws:dynamodb:us-east-1:1:table/orders"],
        "detail": {"orderId": "o-1", "total": {"amount": "12.50"}},
    }


def test_the_entry_time_is_the_event_time(world: World) -> None:
    url, arn = world.queue("all")
    world.rule("all", {"source": ["s"]}, {"Id": "q", "Arn": arn}, bus="default")
    world.events.put_events(Entries=[{**entry(EventBusName="default"), "Time": 1_700_000_000}])
    assert world.bodies(url)[0]["time"] == "2023-11-14T22:13:20Z"


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        (
            {"Source": ""},
            (
                "InvalidArgument",
                "Parameter Source is not valid. Reason: Source is a required argument.",
            ),
        ),
        (
            {"DetailType": ""},
            (
                "InvalidArgument",
                "Parameter DetailType is not valid. Reason: DetailType is a required argument.",
            ),
        ),
        (
            {"Detail": ""},
            (
                "InvalidArgument",
                "Parameter Detail is not valid. Reason: Detail is a required argument.",
            ),
        ),
        ({"Detail": "{not json"}, ("MalformedDetail", "Detail is malformed.")),
        ({"Detail": "[1, 2]"}, ("MalformedDetail", "Detail is malformed.")),
        ({"Detail": '"a string"'}, ("MalformedDetail", "Detail is malformed.")),
        ({"Detail": "42"}, ("MalformedDetail", "Detail is malformed.")),
        ({"EventBusName": "nope"}, ("ResourceNotFoundException", "Event bus nope does not exist.")),
    ],
)
def test_a_refused_entry_fails_alone(
    world: World, fields: dict[str, str], error: tuple[str, str]
) -> None:
    world.bus()
    answer = world.events.put_events(Entries=[entry(), entry(**fields), entry()])
    assert answer["FailedEntryCount"] == 1
    first, failed, last = answer["Entries"]
    assert "EventId" in first and "EventId" in last
    assert (failed["ErrorCode"], failed["ErrorMessage"]) == error
    assert "EventId" not in failed


def test_more_than_ten_entries_is_a_validation_error(world: World) -> None:
    world.bus()
    with pytest.raises(ClientError) as error:
        world.events.put_events(Entries=[entry()] * 11)
    assert error.value.response["Error"]["Code"] == "ValidationException"
    assert "less than or equal to 10" in error.value.response["Error"]["Message"]


def test_the_size_limit_counts_as_aws_documents(world: World) -> None:
    """Time 14 bytes, Source, DetailType, Detail and Resources in UTF-8: 262,144 in total."""
    world.bus()
    fixed = 14 + len(b"s") + len(b"d") + len(b"arn:x")
    detail = '{"k":"' + "é" * ((262_144 - fixed - 8) // 2) + '"}'
    size = fixed + len(detail.encode())
    assert size == 262_144 - ((262_144 - fixed - 8) % 2)
    fits = entry(Detail=detail, Time=1_700_000_000, Resources=["arn:x"])
    assert world.events.put_events(Entries=[fits])["FailedEntryCount"] == 0
    too_big = entry(Detail=detail[:-2] + "éé" + '"}', Time=1_700_000_000, Resources=["arn:x"])
    with pytest.raises(
        ClientError, match="Total size of the entries in the request is over the limit"
    ):
        world.events.put_events(Entries=[too_big])
    half = entry(Detail='{"k":"' + "x" * 131_100 + '"}')
    with pytest.raises(ClientError, match="over the limit"):  # the total, not each entry
        world.events.put_events(Entries=[half, half])


def test_only_enabled_rules_whose_pattern_matches_deliver(world: World) -> None:
    world.bus()
    placed_url, placed = world.queue("placed")
    other_url, other = world.queue("other")
    off_url, off = world.queue("off")
    world.rule("placed", PLACED, {"Id": "q", "Arn": placed})
    world.rule("other", {"detail-type": ["OrderCancelled"]}, {"Id": "q", "Arn": other})
    world.rule("off", PLACED, {"Id": "q", "Arn": off})
    world.events.disable_rule(Name="off", EventBusName=BUS)
    world.put({"orderId": "o-1"})
    assert len(world.drain(placed_url)) == 1
    assert world.drain(other_url) == []
    assert world.drain(off_url) == []
    world.events.enable_rule(Name="off", EventBusName=BUS)
    world.put({"orderId": "o-2"})
    assert len(world.drain(off_url)) == 1


def test_a_rule_changed_after_an_event_delivers_by_its_new_pattern(world: World) -> None:
    world.bus()
    url, arn = world.queue("q")
    world.rule("r", PLACED, {"Id": "q", "Arn": arn})
    world.put({"n": 1})
    world.events.put_rule(
        Name="r", EventBusName=BUS, EventPattern=json.dumps({"detail-type": ["Other"]})
    )
    world.put({"n": 2})
    world.put({"n": 3}, detail_type="Other")
    assert [b["detail"]["n"] for b in world.bodies(url)] == [1, 3]


def test_fifo_queue_targets_get_the_group_and_the_event_id_as_deduplication(world: World) -> None:
    world.bus()
    url, arn = world.queue("start.fifo", FifoQueue="true")
    world.rule("r", PLACED, {"Id": "q", "Arn": arn, "SqsParameters": {"MessageGroupId": "orders"}})
    event_id = world.put({"orderId": "o-1"})["Entries"][0]["EventId"]
    [message] = world.drain(url)
    assert message["Attributes"]["MessageGroupId"] == "orders"
    assert message["Attributes"]["MessageDeduplicationId"] == event_id


def test_functions_and_state_machines_get_the_event_through_the_delivery_port(world: World) -> None:
    world.bus()
    function = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:upstream"
    machine = f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:saga"
    world.rule(
        "r",
        PLACED,
        {"Id": "fn", "Arn": function},
        {"Id": "sm", "Arn": machine, "InputPath": "$.detail"},
    )
    event_id = world.put({"orderId": "o-1"})["Entries"][0]["EventId"]
    delivered = {d.kind: d for d in world.services.delivery.delivered}
    assert json.loads(delivered["function"].body)["id"] == event_id
    assert delivered["function"].arn == function
    assert json.loads(delivered["state_machine"].body) == {"orderId": "o-1"}
    assert delivered["state_machine"].extra == {"eventId": event_id}


def test_a_refused_delivery_goes_to_the_targets_dlq_with_the_error(world: World) -> None:
    world.bus()
    dlq_url, dlq = world.queue("dlq")
    missing = f"arn:aws:sqs:us-east-1:{ACCOUNT}:deleted-queue"
    rule_arn = world.rule(
        "r", PLACED, {"Id": "gone", "Arn": missing, "DeadLetterConfig": {"Arn": dlq}}
    )
    answer = world.put({"orderId": "o-1"})
    assert answer["FailedEntryCount"] == 0  # accepted: the delivery failed later, as on AWS
    [message] = world.drain(dlq_url)
    assert json.loads(message["Body"])["id"] == answer["Entries"][0]["EventId"]
    attributes = {k: v["StringValue"] for k, v in message["MessageAttributes"].items()}
    assert attributes["ERROR_CODE"] == "AWS.SimpleQueueService.NonExistentQueue"
    assert attributes["RULE_ARN"] == rule_arn
    assert attributes["TARGET_ARN"] == missing
    assert "ERROR_MESSAGE" in attributes


def test_a_refused_delivery_without_dlq_is_dropped_for_that_target_only(world: World) -> None:
    world.bus()
    url, arn = world.queue("q")
    world.rule(
        "r",
        PLACED,
        {"Id": "gone", "Arn": f"arn:aws:sqs:us-east-1:{ACCOUNT}:nope"},
        {"Id": "q", "Arn": arn},
    )
    assert world.put({"orderId": "o-1"})["FailedEntryCount"] == 0
    assert len(world.drain(url)) == 1


def test_a_crash_while_delivering_accepts_nothing(world: World) -> None:
    """Delivery happens in the accepting transaction: if it fails unexpectedly, the call
    fails and no entry of it was accepted, delivered or archived."""
    world.bus()
    url, arn = world.queue("q")
    world.rule("a", PLACED, {"Id": "q", "Arn": arn})
    world.rule("b", PLACED, {"Id": "fn", "Arn": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:f"})
    world.events.create_archive(
        ArchiveName="all", EventSourceArn=world.services.events.arns.bus(BUS)
    )

    def crash(function_arn: str, payload: str) -> None:
        raise RuntimeError("the Lambda queue is broken")

    world.services.delivery.to_function = crash  # type: ignore[method-assign]
    with pytest.raises(ClientError) as error:
        world.put({"orderId": "o-1"})
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert world.drain(url) == []
    assert world.events.describe_archive(ArchiveName="all")["EventCount"] == 0


def test_an_event_bus_target_forwards_the_event(world: World) -> None:
    world.bus()
    world.bus("audit")
    url, arn = world.queue("audit")
    world.rule("forward", PLACED, {"Id": "bus", "Arn": world.services.events.arns.bus("audit")})
    world.rule("keep", {"source": ["orderflow.orders"]}, {"Id": "q", "Arn": arn}, bus="audit")
    event_id = world.put({"orderId": "o-1"})["Entries"][0]["EventId"]
    assert [b["id"] for b in world.bodies(url)] == [event_id]


def test_a_loop_of_buses_ends(world: World) -> None:
    world.bus()
    url, arn = world.queue("q")
    world.rule(
        "self",
        PLACED,
        {"Id": "bus", "Arn": world.services.events.arns.bus(BUS)},
        {"Id": "q", "Arn": arn},
    )
    world.put({"orderId": "o-1"})
    assert len(world.drain(url)) == 6  # the event and five forwards, then it is dropped


def test_a_local_subscription_hears_matching_events_after_commit(world: World) -> None:
    world.bus()
    heard: list[dict[str, Any]] = []
    subscription = world.services.events.subscribe(BUS, json.dumps(PLACED), heard.append)
    answer = world.put({"orderId": "o-1"}, {"orderId": "o-2"})
    world.put({"orderId": "o-3"}, detail_type="Other")
    assert [e["id"] for e in heard] == [e["EventId"] for e in answer["Entries"]]
    subscription.cancel()
    world.put({"orderId": "o-4"})
    assert len(heard) == 2


def test_a_subscription_hears_nothing_of_a_call_that_failed(world: World) -> None:
    world.bus()
    heard: list[dict[str, Any]] = []
    world.services.events.subscribe(BUS, json.dumps(PLACED), heard.append)
    world.rule("b", PLACED, {"Id": "fn", "Arn": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:f"})

    def crash(function_arn: str, payload: str) -> None:
        raise RuntimeError("boom")

    world.services.delivery.to_function = crash  # type: ignore[method-assign]
    with pytest.raises(ClientError):
        world.put({"orderId": "o-1"})
    assert heard == []


def test_an_event_bus_arn_names_the_bus(world: World) -> None:
    arn = world.bus()
    url, queue = world.queue("q")
    world.rule("r", {"source": ["s"]}, {"Id": "q", "Arn": queue})
    assert world.events.put_events(Entries=[entry(EventBusName=arn)])["FailedEntryCount"] == 0
    assert len(world.drain(url)) == 1
