"""Queues through boto3: creation and its idempotency, names, attributes, listing, deletion,
purge, tags, and the errors botocore users catch."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError
from sqs_world import World


def code(error: pytest.ExceptionInfo[ClientError]) -> str:
    return str(error.value.response["Error"]["Code"])


def test_a_queue_url_names_the_endpoint_account_and_queue(world: World) -> None:
    assert world.queue("orders") == "http://localhost:4566/123456789012/orders"


def test_creating_a_queue_again_with_the_same_attributes_returns_its_url(world: World) -> None:
    first = world.queue("orders", VisibilityTimeout="60")
    assert world.queue("orders", VisibilityTimeout="60") == first
    assert world.queue("orders") == first  # no attributes given: nothing to differ
    assert world.queue("orders", VisibilityTimeout="60", DelaySeconds="0") == first  # a default


def test_creating_a_queue_again_with_other_attributes_is_queue_already_exists(world: World) -> None:
    world.queue("orders", VisibilityTimeout="60")
    with pytest.raises(world.sqs.exceptions.QueueNameExists) as error:
        world.queue("orders", VisibilityTimeout="61")
    assert code(error) == "QueueAlreadyExists"


@pytest.mark.parametrize("name", ["", "has space", "x" * 81, "dots.are.not.allowed", "é"])
def test_queue_names_are_checked(world: World, name: str) -> None:
    with pytest.raises(ClientError) as error:
        world.sqs.create_queue(QueueName=name)
    assert code(error) in {"InvalidParameterValue", "MissingParameter"}


def test_a_fifo_queue_needs_both_the_suffix_and_the_attribute(world: World) -> None:
    with pytest.raises(ClientError) as error:
        world.sqs.create_queue(QueueName="jobs.fifo")
    assert code(error) == "InvalidParameterValue"
    with pytest.raises(ClientError):
        world.sqs.create_queue(QueueName="jobs", Attributes={"FifoQueue": "true"})
    url = world.queue("jobs.fifo", FifoQueue="true")
    attributes = world.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])
    assert attributes["Attributes"]["FifoQueue"] == "true"
    assert attributes["Attributes"]["ContentBasedDeduplication"] == "false"


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("VisibilityTimeout", "43201", "InvalidAttributeValue"),
        ("VisibilityTimeout", "-1", "InvalidAttributeValue"),
        ("DelaySeconds", "901", "InvalidAttributeValue"),
        ("MessageRetentionPeriod", "59", "InvalidAttributeValue"),
        ("MaximumMessageSize", "1023", "InvalidAttributeValue"),
        ("ReceiveMessageWaitTimeSeconds", "21", "InvalidAttributeValue"),
        ("SqsManagedSseEnabled", "maybe", "InvalidAttributeValue"),
        ("Policy", "not json", "InvalidAttributeValue"),
        ("NoSuchAttribute", "1", "InvalidAttributeName"),
        ("ContentBasedDeduplication", "true", "InvalidAttributeName"),  # FIFO only
    ],
)
def test_attribute_values_are_checked(world: World, name: str, value: str, expected: str) -> None:
    with pytest.raises(ClientError) as error:
        world.sqs.create_queue(QueueName="q", Attributes={name: value})
    assert code(error) == expected


def test_get_queue_attributes_answers_all_or_the_named_ones(world: World) -> None:
    url = world.queue("orders", VisibilityTimeout="45", DelaySeconds="3")
    everything = world.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])
    assert everything["Attributes"] | {"CreatedTimestamp": "", "LastModifiedTimestamp": ""} == {
        "QueueArn": "arn:aws:sqs:us-east-1:123456789012:orders",
        "ApproximateNumberOfMessages": "0",
        "ApproximateNumberOfMessagesNotVisible": "0",
        "ApproximateNumberOfMessagesDelayed": "0",
        "CreatedTimestamp": "",
        "LastModifiedTimestamp": "",
        "VisibilityTimeout": "45",
        "MaximumMessageSize": "1048576",
        "MessageRetentionPeriod": "345600",
        "DelaySeconds": "3",
        "ReceiveMessageWaitTimeSeconds": "0",
        "SqsManagedSseEnabled": "true",
    }
    assert everything["Attributes"]["CreatedTimestamp"] == str(int(world.clock()))
    named = world.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["DelaySeconds"])
    assert named["Attributes"] == {"DelaySeconds": "3"}
    with pytest.raises(world.sqs.exceptions.InvalidAttributeName):
        world.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Nope"])


def test_set_queue_attributes_changes_them_and_the_modified_time(world: World) -> None:
    url = world.queue("orders")
    world.clock.advance(100)
    world.sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "5"})
    found = world.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert found["VisibilityTimeout"] == "5"
    assert int(found["LastModifiedTimestamp"]) == int(found["CreatedTimestamp"]) + 100
    with pytest.raises(ClientError) as error:
        world.sqs.set_queue_attributes(QueueUrl=url, Attributes={"FifoQueue": "true"})
    assert code(error) == "InvalidParameterValue"


def test_a_redrive_policy_must_name_an_existing_queue_of_the_same_type(world: World) -> None:
    missing = {
        "deadLetterTargetArn": "arn:aws:sqs:us-east-1:123456789012:nope",
        "maxReceiveCount": 3,
    }
    with pytest.raises(ClientError) as error:
        world.queue("orders", RedrivePolicy=missing)
    assert "does not exist" in error.value.response["Error"]["Message"]
    fifo_dlq = world.queue("dlq.fifo", FifoQueue="true")
    with pytest.raises(ClientError, match="same type"):
        world.queue(
            "orders",
            RedrivePolicy={"deadLetterTargetArn": world.arn(fifo_dlq), "maxReceiveCount": 3},
        )
    dlq = world.queue("dlq")
    with pytest.raises(ClientError, match="maxReceiveCount"):
        world.queue(
            "orders", RedrivePolicy={"deadLetterTargetArn": world.arn(dlq), "maxReceiveCount": 0}
        )
    url = world.queue(
        "orders", RedrivePolicy={"deadLetterTargetArn": world.arn(dlq), "maxReceiveCount": "4"}
    )
    stored = world.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedrivePolicy"])
    assert json.loads(stored["Attributes"]["RedrivePolicy"]) == {
        "deadLetterTargetArn": world.arn(dlq),
        "maxReceiveCount": 4,
    }
    world.sqs.set_queue_attributes(QueueUrl=url, Attributes={"RedrivePolicy": ""})
    cleared = world.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedrivePolicy"])
    assert "Attributes" not in cleared


def test_a_dead_letter_queue_can_refuse_sources(world: World) -> None:
    dlq = world.queue("dlq", RedriveAllowPolicy={"redrivePermission": "denyAll"})
    with pytest.raises(ClientError, match="RedriveAllowPolicy"):
        world.queue(
            "orders", RedrivePolicy={"deadLetterTargetArn": world.arn(dlq), "maxReceiveCount": 2}
        )


def test_get_queue_url_and_any_host_in_a_queue_url(world: World) -> None:
    url = world.queue("orders")
    assert world.sqs.get_queue_url(QueueName="orders")["QueueUrl"] == url
    other_host = "https://sqs.us-east-1.amazonaws.com/123456789012/orders"
    world.sqs.send_message(QueueUrl=other_host, MessageBody="x")
    assert world.depth(url)["Visible"] == 1
    with pytest.raises(world.sqs.exceptions.QueueDoesNotExist) as error:
        world.sqs.get_queue_url(QueueName="nope")
    assert code(error) == "AWS.SimpleQueueService.NonExistentQueue"
    with pytest.raises(world.sqs.exceptions.QueueDoesNotExist):  # another account's queue
        world.sqs.send_message(
            QueueUrl="http://localhost:4566/999999999999/orders", MessageBody="x"
        )


def test_list_queues_by_prefix_and_in_pages(world: World) -> None:
    for name in ["b-two", "a-one", "b-one", "c"]:
        world.queue(name)
    everything = world.sqs.list_queues()["QueueUrls"]
    assert [u.rsplit("/", 1)[1] for u in everything] == ["a-one", "b-one", "b-two", "c"]
    assert [
        u.rsplit("/", 1)[1] for u in world.sqs.list_queues(QueueNamePrefix="b-")["QueueUrls"]
    ] == [
        "b-one",
        "b-two",
    ]
    first = world.sqs.list_queues(MaxResults=3)
    second = world.sqs.list_queues(MaxResults=3, NextToken=first["NextToken"])
    assert len(first["QueueUrls"]) == 3
    assert second["QueueUrls"] == everything[3:]
    assert "NextToken" not in second
    pages = world.sqs.get_paginator("list_queues").paginate(PaginationConfig={"PageSize": 1})
    assert [u for page in pages for u in page["QueueUrls"]] == everything
    assert "QueueUrls" not in world.sqs.list_queues(QueueNamePrefix="zzz")


def test_a_deleted_queue_is_gone_and_its_name_free_after_60_seconds(world: World) -> None:
    url = world.queue("orders")
    world.sqs.send_message(QueueUrl=url, MessageBody="x")
    world.sqs.delete_queue(QueueUrl=url)
    with pytest.raises(world.sqs.exceptions.QueueDoesNotExist):
        world.sqs.receive_message(QueueUrl=url)
    with pytest.raises(world.sqs.exceptions.QueueDeletedRecently):
        world.queue("orders")
    world.clock.advance(60)
    assert world.queue("orders") == url
    assert world.depth(url)["Visible"] == 0
    with pytest.raises(world.sqs.exceptions.QueueDoesNotExist):
        world.sqs.delete_queue(QueueUrl="http://localhost:4566/123456789012/nope")


def test_purge_empties_the_queue_once_a_minute(world: World) -> None:
    url = world.queue("orders")
    for body in ["a", "b"]:
        world.sqs.send_message(QueueUrl=url, MessageBody=body)
    world.sqs.receive_message(QueueUrl=url)  # one in flight: purged too
    world.sqs.purge_queue(QueueUrl=url)
    assert world.depth(url) == {"Visible": 0, "NotVisible": 0, "Delayed": 0}
    with pytest.raises(world.sqs.exceptions.PurgeQueueInProgress):
        world.sqs.purge_queue(QueueUrl=url)
    world.clock.advance(60)
    world.sqs.purge_queue(QueueUrl=url)


def test_tags_are_set_merged_removed_and_listed(world: World) -> None:
    url = world.sqs.create_queue(QueueName="orders", tags={"team": "checkout"})["QueueUrl"]
    world.sqs.tag_queue(QueueUrl=url, Tags={"stage": "local", "team": "orders"})
    assert world.sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"stage": "local", "team": "orders"}
    world.sqs.untag_queue(QueueUrl=url, TagKeys=["team"])
    assert world.sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"stage": "local"}
    with pytest.raises(ClientError):
        world.sqs.tag_queue(QueueUrl=url, Tags={f"k{i}": "v" for i in range(50)})


def test_list_dead_letter_source_queues(world: World) -> None:
    source, dlq = world.with_dlq("orders")
    other, _ = world.with_dlq("payments")
    world.sqs.set_queue_attributes(
        QueueUrl=other,
        Attributes={
            "RedrivePolicy": json.dumps(
                {"deadLetterTargetArn": world.arn(dlq), "maxReceiveCount": 1}
            )
        },
    )
    assert world.sqs.list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"] == [source, other]
    first = world.sqs.list_dead_letter_source_queues(QueueUrl=dlq, MaxResults=1)
    assert first["queueUrls"] == [source]
    rest = world.sqs.list_dead_letter_source_queues(
        QueueUrl=dlq, MaxResults=1, NextToken=first["NextToken"]
    )
    assert rest["queueUrls"] == [other]
    assert world.sqs.list_dead_letter_source_queues(QueueUrl=source)["queueUrls"] == []


def test_an_operation_not_emulated_says_so(world: World) -> None:
    url = world.queue("orders")
    with pytest.raises(ClientError) as error:
        world.sqs.add_permission(
            QueueUrl=url, Label="l", AWSAccountIds=["1"], Actions=["SendMessage"]
        )
    assert code(error) == "UnknownOperationException"
    assert "AddPermission" in error.value.response["Error"]["Message"]
