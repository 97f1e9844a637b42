"""Buses, rules and targets through boto3: creation, description, listing in pages, the
states, and what EventBridge refuses."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError
from events_world import ACCOUNT, BUS, World

PATTERN = {"source": ["orderflow.orders"]}


def code(error: pytest.ExceptionInfo[ClientError]) -> str:
    return str(error.value.response["Error"]["Code"])


def test_the_default_bus_always_exists_and_cannot_be_deleted(world: World) -> None:
    described = world.events.describe_event_bus()
    assert described["Name"] == "default"
    assert described["Arn"] == f"arn:aws:events:us-east-1:{ACCOUNT}:event-bus/default"
    with pytest.raises(ClientError, match="Cannot delete event bus default"):
        world.events.delete_event_bus(Name="default")


def test_custom_buses_are_created_described_listed_and_deleted(world: World) -> None:
    arn = world.events.create_event_bus(Name=BUS, Description="orders")["EventBusArn"]
    assert arn == f"arn:aws:events:us-east-1:{ACCOUNT}:event-bus/{BUS}"
    with pytest.raises(world.events.exceptions.ResourceAlreadyExistsException):
        world.events.create_event_bus(Name=BUS)
    assert world.events.describe_event_bus(Name=arn)["Description"] == "orders"
    for name in ("b-1", "b-2", "c"):
        world.events.create_event_bus(Name=name)
    assert [b["Name"] for b in world.events.list_event_buses()["EventBuses"]] == [
        "b-1",
        "b-2",
        "c",
        "default",
        BUS,
    ]
    assert [b["Name"] for b in world.events.list_event_buses(NamePrefix="b-")["EventBuses"]] == [
        "b-1",
        "b-2",
    ]
    first = world.events.list_event_buses(Limit=2)
    rest = world.events.list_event_buses(Limit=10, NextToken=first["NextToken"])
    assert [b["Name"] for b in first["EventBuses"] + rest["EventBuses"]] == [
        "b-1",
        "b-2",
        "c",
        "default",
        BUS,
    ]
    world.rule("r", PATTERN)
    world.events.delete_event_bus(Name=BUS)
    with pytest.raises(world.events.exceptions.ResourceNotFoundException):
        world.events.describe_event_bus(Name=BUS)
    world.events.create_event_bus(Name=BUS)
    assert world.events.list_rules(EventBusName=BUS)["Rules"] == []  # its rules went with it


def test_partner_buses_are_not_emulated(world: World) -> None:
    with pytest.raises(ClientError, match="not emulated"):
        world.events.create_event_bus(Name="aws.partner/x", EventSourceName="aws.partner/x")


def test_put_rule_describe_and_replace(world: World) -> None:
    world.bus()
    arn = world.rule("placed", PATTERN)
    assert arn == f"arn:aws:events:us-east-1:{ACCOUNT}:rule/{BUS}/placed"
    described = world.events.describe_rule(Name="placed", EventBusName=BUS)
    assert {k: described[k] for k in ("Name", "Arn", "State", "EventBusName", "CreatedBy")} == {
        "Name": "placed",
        "Arn": arn,
        "State": "ENABLED",
        "EventBusName": BUS,
        "CreatedBy": ACCOUNT,
    }
    assert json.loads(described["EventPattern"]) == PATTERN
    world.events.put_rule(
        Name="placed", EventBusName=BUS, EventPattern=json.dumps(PATTERN), State="DISABLED"
    )
    again = world.events.describe_rule(Name="placed", EventBusName=BUS)
    assert again["State"] == "DISABLED"
    assert world.events.put_rule(Name="on-default", EventPattern=json.dumps(PATTERN))[
        "RuleArn"
    ].endswith(":rule/on-default")


def test_put_rule_refusals(world: World) -> None:
    with pytest.raises(world.events.exceptions.ResourceNotFoundException, match="Event bus nope"):
        world.events.put_rule(Name="r", EventBusName="nope", EventPattern=json.dumps(PATTERN))
    with pytest.raises(ClientError, match="EventPattern or ScheduleExpression"):
        world.events.put_rule(Name="r")
    with pytest.raises(ClientError) as error:
        world.events.put_rule(Name="bad name!", EventPattern=json.dumps(PATTERN))
    assert code(error) == "ValidationException"


@pytest.mark.parametrize(
    ("expression", "valid"),
    [
        ("rate(5 minutes)", True),
        ("rate(1 minute)", True),
        ("rate(1 minutes)", False),
        ("rate(2 hour)", False),
        ("rate(0 days)", False),
        ("cron(0 12 * * ? *)", True),
        ("cron(0 12 * *)", False),
        ("every 5 minutes", False),
    ],
)
def test_schedule_expressions_are_checked_and_stored(
    world: World, expression: str, valid: bool
) -> None:
    if not valid:
        with pytest.raises(ClientError, match="ScheduleExpression is not valid"):
            world.events.put_rule(Name="tick", ScheduleExpression=expression)
        return
    world.events.put_rule(Name="tick", ScheduleExpression=expression)
    assert world.events.describe_rule(Name="tick")["ScheduleExpression"] == expression


def test_schedules_only_on_the_default_bus(world: World) -> None:
    world.bus()
    with pytest.raises(ClientError, match="only on the default event bus"):
        world.events.put_rule(Name="tick", EventBusName=BUS, ScheduleExpression="rate(5 minutes)")


def test_list_rules_by_prefix_and_in_pages(world: World) -> None:
    world.bus()
    for name in ("b", "a-2", "a-1"):
        world.rule(name, PATTERN)
    assert [r["Name"] for r in world.events.list_rules(EventBusName=BUS)["Rules"]] == [
        "a-1",
        "a-2",
        "b",
    ]
    assert [
        r["Name"] for r in world.events.list_rules(EventBusName=BUS, NamePrefix="a-")["Rules"]
    ] == ["a-1", "a-2"]
    pages = world.events.get_paginator("list_rules").paginate(
        EventBusName=BUS, PaginationConfig={"PageSize": 1}
    )
    assert [r["Name"] for page in pages for r in page["Rules"]] == ["a-1", "a-2", "b"]
    with pytest.raises(world.events.exceptions.ResourceNotFoundException):
        world.events.list_rules(EventBusName="nope")


def test_a_rule_with_targets_cannot_be_deleted(world: World) -> None:
    world.bus()
    _, arn = world.queue("q")
    world.rule("r", PATTERN, {"Id": "q", "Arn": arn})
    with pytest.raises(ClientError, match="has targets"):
        world.events.delete_rule(Name="r", EventBusName=BUS)
    world.events.remove_targets(Rule="r", EventBusName=BUS, Ids=["q"])
    world.events.delete_rule(Name="r", EventBusName=BUS)
    world.events.delete_rule(Name="r", EventBusName=BUS)  # again: still a success
    with pytest.raises(world.events.exceptions.ResourceNotFoundException):
        world.events.describe_rule(Name="r", EventBusName=BUS)


def test_enable_and_disable(world: World) -> None:
    world.bus()
    world.rule("r", PATTERN)
    world.events.disable_rule(Name="r", EventBusName=BUS)
    assert world.events.describe_rule(Name="r", EventBusName=BUS)["State"] == "DISABLED"
    world.events.enable_rule(Name="r", EventBusName=BUS)
    assert world.events.describe_rule(Name="r", EventBusName=BUS)["State"] == "ENABLED"
    with pytest.raises(world.events.exceptions.ResourceNotFoundException):
        world.events.enable_rule(Name="nope", EventBusName=BUS)


def test_targets_are_stored_as_given_and_listed(world: World) -> None:
    world.bus()
    _, queue = world.queue("q")
    _, dlq = world.queue("dlq")
    target = {
        "Id": "start",
        "Arn": queue,
        "InputPath": "$.detail",
        "RetryPolicy": {"MaximumRetryAttempts": 185, "MaximumEventAgeInSeconds": 86400},
        "DeadLetterConfig": {"Arn": dlq},
    }
    function = {"Id": "fn", "Arn": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:upstream"}
    machine = {
        "Id": "sm",
        "Arn": f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:saga",
        "RoleArn": "arn:aws:iam::1:role/r",
    }
    world.rule("r", PATTERN, target, function, machine)
    listed = world.events.list_targets_by_rule(Rule="r", EventBusName=BUS)["Targets"]
    assert listed == [function, machine, target]
    first = world.events.list_targets_by_rule(Rule="r", EventBusName=BUS, Limit=2)
    assert len(first["Targets"]) == 2
    rest = world.events.list_targets_by_rule(
        Rule="r", EventBusName=BUS, NextToken=first["NextToken"]
    )
    assert rest["Targets"] == [target]


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        (
            {"Id": "x", "Arn": "arn:aws:sns:us-east-1:123456789012:topic"},
            "not a target the local stack emulates",
        ),
        ({"Id": "bad id!", "Arn": "arn:aws:sqs:us-east-1:123456789012:q"}, "Target Id"),
        (
            {
                "Id": "x",
                "Arn": "arn:aws:sqs:us-east-1:123456789012:q",
                "Input": "{}",
                "InputPath": "$",
            },
            "only one of",
        ),
        (
            {"Id": "x", "Arn": "arn:aws:sqs:us-east-1:123456789012:q.fifo"},
            "SqsParameters must be specified",
        ),
        (
            {"Id": "x", "Arn": "arn:aws:sqs:us-east-1:123456789012:q", "Input": "not json"},
            "not valid JSON",
        ),
        (
            {"Id": "x", "Arn": "arn:aws:sqs:us-east-1:123456789012:q", "InputPath": "detail"},
            "JSONPath",
        ),
        (
            {
                "Id": "x",
                "Arn": "arn:aws:sqs:us-east-1:123456789012:q",
                "RetryPolicy": {"MaximumRetryAttempts": 186},
            },
            "MaximumRetryAttempts",
        ),
        (
            {
                "Id": "x",
                "Arn": "arn:aws:sqs:us-east-1:123456789012:q",
                "DeadLetterConfig": {"Arn": "arn:aws:sns:x"},
            },
            "DeadLetterConfig",
        ),
        (
            {
                "Id": "x",
                "Arn": "arn:aws:sqs:us-east-1:123456789012:q",
                "InputTransformer": {
                    "InputPathsMap": {"aws.x": "$.id"},
                    "InputTemplate": "<aws.x>",
                },
            },
            "not allowed",
        ),
    ],
)
def test_put_targets_refusals(world: World, target: dict[str, object], reason: str) -> None:
    world.bus()
    world.rule("r", PATTERN)
    with pytest.raises(ClientError, match=reason):
        world.events.put_targets(Rule="r", EventBusName=BUS, Targets=[target])
    assert world.events.list_targets_by_rule(Rule="r", EventBusName=BUS)["Targets"] == []


def test_a_rule_has_at_most_five_targets(world: World) -> None:
    world.bus()
    _, arn = world.queue("q")
    world.rule("r", PATTERN, *({"Id": f"t{i}", "Arn": arn} for i in range(5)))
    world.events.put_targets(
        Rule="r", EventBusName=BUS, Targets=[{"Id": "t0", "Arn": arn, "Input": "{}"}]
    )
    with pytest.raises(world.events.exceptions.LimitExceededException):
        world.events.put_targets(Rule="r", EventBusName=BUS, Targets=[{"Id": "t5", "Arn": arn}])


def test_targets_of_a_missing_rule(world: World) -> None:
    with pytest.raises(
        world.events.exceptions.ResourceNotFoundException, match="Rule nope does not exist"
    ):
        world.events.put_targets(
            Rule="nope", Targets=[{"Id": "x", "Arn": "arn:aws:sqs:us-east-1:123456789012:q"}]
        )
