"""Messages through boto3: send and receive, digests, attributes, limits, batches, delays,
retention, visibility and receipt handles."""

from __future__ import annotations

import base64
import hashlib
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from sqs_world import World, bodies

from infra.local.dataplane.errors import AwsError

ATTRIBUTES = {
    "kind": {"DataType": "String", "StringValue": "order"},
    "amount": {"DataType": "Number", "StringValue": "12.50"},
    "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01\xff"},
    "custom": {"DataType": "String.json", "StringValue": '{"a":1}'},
}
TRACE = {
    "AWSTraceHeader": {
        "DataType": "String",
        "StringValue": "Root=1-5759e988-bd862e3fe1be46a994272793",
    }
}


def moto_digests(body: str, attributes: dict[str, Any], system: dict[str, Any]) -> dict[str, Any]:
    with mock_aws():
        sqs = boto3.client(
            "sqs", region_name="us-east-1", aws_access_key_id="t", aws_secret_access_key="t"
        )
        url = sqs.create_queue(QueueName="q")["QueueUrl"]
        sent = sqs.send_message(
            QueueUrl=url,
            MessageBody=body,
            MessageAttributes=attributes,
            MessageSystemAttributes=system,
        )
    return {k: v for k, v in sent.items() if k.startswith("MD5")}


def documented_md5(attributes: dict[str, Any]) -> str:
    """The algorithm SQS documents for attribute digests, written out independently."""
    data = b""
    for name in sorted(attributes):
        value = attributes[name]
        for part in (name, value["DataType"]):
            data += len(part.encode()).to_bytes(4, "big") + part.encode()
        raw = value["StringValue"].encode() if "StringValue" in value else value["BinaryValue"]
        data += (b"\x01" if "StringValue" in value else b"\x02") + len(raw).to_bytes(4, "big") + raw
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def test_digests_match_moto_and_come_back_on_receive(world: World) -> None:
    url = world.queue("q")
    body = "héllo wörld ✓"
    sent = world.sqs.send_message(
        QueueUrl=url, MessageBody=body, MessageAttributes=ATTRIBUTES, MessageSystemAttributes=TRACE
    )
    expected = moto_digests(body, ATTRIBUTES, TRACE)
    assert sent["MD5OfMessageBody"] == expected["MD5OfMessageBody"]
    assert sent["MD5OfMessageAttributes"] == expected["MD5OfMessageAttributes"]
    assert sent["MD5OfMessageAttributes"] == documented_md5(ATTRIBUTES)
    # moto leaves out the system attributes' digest, SQS returns it
    assert sent["MD5OfMessageSystemAttributes"] == documented_md5(TRACE)
    received = world.sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"])["Messages"][0]
    assert received["MD5OfBody"] == sent["MD5OfMessageBody"]
    assert received["MD5OfMessageAttributes"] == sent["MD5OfMessageAttributes"]
    assert received["MessageAttributes"] == ATTRIBUTES
    assert received["Body"] == body


def test_receive_returns_only_the_selected_attributes_and_their_digest(world: World) -> None:
    url = world.queue("q")
    given = {**ATTRIBUTES, "order.id": {"DataType": "String", "StringValue": "o-1"}}
    world.sqs.send_message(QueueUrl=url, MessageBody="x", MessageAttributes=given)
    message = world.sqs.receive_message(
        QueueUrl=url, MessageAttributeNames=["kind", "order.*", "cust.*"], VisibilityTimeout=0
    )["Messages"][0]
    assert set(message["MessageAttributes"]) == {"kind", "order.id"}  # "cust.*" is "cust." + any
    subset = {k: given[k] for k in ("kind", "order.id")}
    assert (
        message["MD5OfMessageAttributes"] == moto_digests("x", subset, {})["MD5OfMessageAttributes"]
    )
    plain = world.sqs.receive_message(QueueUrl=url)["Messages"][0]
    assert "MessageAttributes" not in plain
    assert "MD5OfMessageAttributes" not in plain
    assert "Attributes" not in plain


def test_system_attributes_count_receives_and_keep_the_times(world: World) -> None:
    url = world.queue("q", VisibilityTimeout="10")
    sent_at = world.clock()
    world.sqs.send_message(QueueUrl=url, MessageBody="x", MessageSystemAttributes=TRACE)
    world.clock.advance(5)
    first = world.sqs.receive_message(QueueUrl=url, MessageSystemAttributeNames=["All"])[
        "Messages"
    ][0]
    world.clock.advance(10)
    again = world.sqs.receive_message(
        QueueUrl=url, AttributeNames=["ApproximateReceiveCount", "ApproximateFirstReceiveTimestamp"]
    )["Messages"][0]
    assert first["Attributes"] == {
        "SenderId": "123456789012",
        "SentTimestamp": str(int(sent_at * 1000)),
        "ApproximateReceiveCount": "1",
        "ApproximateFirstReceiveTimestamp": str(int((sent_at + 5) * 1000)),
        "AWSTraceHeader": TRACE["AWSTraceHeader"]["StringValue"],
    }
    assert again["Attributes"] == {
        "ApproximateReceiveCount": "2",
        "ApproximateFirstReceiveTimestamp": str(int((sent_at + 5) * 1000)),
    }


def test_max_number_of_messages_and_its_limits(world: World) -> None:
    url = world.queue("q")
    for i in range(12):
        world.sqs.send_message(QueueUrl=url, MessageBody=str(i))
    assert len(world.sqs.receive_message(QueueUrl=url)["Messages"]) == 1
    assert len(world.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]) == 10
    assert bodies(world.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)) == ["11"]
    for bad in (0, 11):
        with pytest.raises(ClientError) as error:
            world.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=bad)
        assert error.value.response["Error"]["Code"] == "InvalidParameterValue"


def test_an_empty_queue_answers_no_messages_key(world: World) -> None:
    url = world.queue("q")
    answer = world.sqs.receive_message(QueueUrl=url)
    assert "Messages" not in answer


def test_message_size_limit_counts_body_and_attributes(world: World) -> None:
    url = world.queue("q", MaximumMessageSize="1024")
    world.sqs.send_message(QueueUrl=url, MessageBody="x" * 1024)
    with pytest.raises(ClientError, match="shorter than 1024 bytes"):
        world.sqs.send_message(QueueUrl=url, MessageBody="x" * 1025)
    with pytest.raises(ClientError, match="shorter than 1024 bytes"):
        world.sqs.send_message(
            QueueUrl=url,
            MessageBody="x" * 1000,
            MessageAttributes={"a": {"DataType": "String", "StringValue": "y" * 20}},
        )
    with pytest.raises(ClientError, match="shorter than 1024 bytes"):  # UTF-8 bytes, not characters
        world.sqs.send_message(QueueUrl=url, MessageBody="é" * 513)
    big = world.queue("big")
    world.sqs.send_message(QueueUrl=big, MessageBody="x" * 1_048_576)
    with pytest.raises(ClientError, match="shorter than 1048576 bytes"):
        world.sqs.send_message(QueueUrl=big, MessageBody="x" * 1_048_577)


def test_characters_outside_the_allowed_set_are_refused(world: World) -> None:
    url = world.queue("q")
    with pytest.raises(world.sqs.exceptions.InvalidMessageContents, match="#x1"):
        world.sqs.send_message(QueueUrl=url, MessageBody="bad \x01 char")
    world.sqs.send_message(QueueUrl=url, MessageBody="tab\tnew\nline\r and 😀")


@pytest.mark.parametrize(
    ("attributes", "fragment"),
    [
        ({"AWS.x": {"DataType": "String", "StringValue": "v"}}, "name"),
        ({"a..b": {"DataType": "String", "StringValue": "v"}}, "name"),
        ({"a": {"DataType": "Text", "StringValue": "v"}}, "type"),
        ({"a": {"DataType": "String", "StringValue": ""}}, "non-empty"),
        ({"a": {"DataType": "Number", "StringValue": "twelve"}}, "number"),
        ({f"a{i}": {"DataType": "String", "StringValue": "v"} for i in range(11)}, "maximum"),
    ],
)
def test_message_attributes_are_checked(
    world: World, attributes: dict[str, Any], fragment: str
) -> None:
    url = world.queue("q")
    with pytest.raises(ClientError, match=fragment) as error:
        world.sqs.send_message(QueueUrl=url, MessageBody="x", MessageAttributes=attributes)
    assert error.value.response["Error"]["Code"] == "InvalidParameterValue"


def test_send_batch_reports_each_entry_and_keeps_the_good_ones(world: World) -> None:
    url = world.queue("q")
    answer = world.sqs.send_message_batch(
        QueueUrl=url,
        Entries=[
            {"Id": "ok-1", "MessageBody": "one"},
            {"Id": "bad", "MessageBody": "x", "DelaySeconds": 901},
            {"Id": "ok_2", "MessageBody": "two", "MessageAttributes": {"k": ATTRIBUTES["kind"]}},
            {"Id": "bad-char", "MessageBody": "\x00"},
        ],
    )
    assert [e["Id"] for e in answer["Successful"]] == ["ok-1", "ok_2"]
    assert "MD5OfMessageAttributes" in answer["Successful"][1]
    assert {e["Id"]: (e["Code"], e["SenderFault"]) for e in answer["Failed"]} == {
        "bad": ("InvalidParameterValue", True),
        "bad-char": ("InvalidMessageContents", True),
    }
    assert sorted(bodies(world.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10))) == [
        "one",
        "two",
    ]


@pytest.mark.parametrize(
    ("entries", "error"),
    [
        ([{"Id": str(i), "MessageBody": "x"} for i in range(11)], "TooManyEntriesInBatchRequest"),
        (
            [{"Id": "a", "MessageBody": "x"}, {"Id": "a", "MessageBody": "y"}],
            "BatchEntryIdsNotDistinct",
        ),
        ([{"Id": "no spaces", "MessageBody": "x"}], "InvalidBatchEntryId"),
        (
            [{"Id": "a", "MessageBody": "x" * 600_000}, {"Id": "b", "MessageBody": "x" * 600_000}],
            "BatchRequestTooLong",
        ),
    ],
)
def test_batch_requests_are_checked_as_a_whole(
    world: World, entries: list[Any], error: str
) -> None:
    url = world.queue("q")
    with pytest.raises(ClientError) as raised:
        world.sqs.send_message_batch(QueueUrl=url, Entries=entries)
    assert raised.value.response["Error"]["QueryErrorCode"] == error
    assert world.depth(url)["Visible"] == 0


def test_an_empty_batch_is_refused(world: World) -> None:
    url = world.queue("q")
    with pytest.raises(AwsError) as error:  # botocore refuses an empty list before sending
        world.service.call("SendMessageBatch", {"QueueUrl": url, "Entries": []})
    assert error.value.code == "EmptyBatchRequest"


def test_delays_of_the_queue_and_of_a_message(world: World) -> None:
    url = world.queue("q", DelaySeconds="10")
    world.sqs.send_message(QueueUrl=url, MessageBody="queue-delay")
    world.sqs.send_message(QueueUrl=url, MessageBody="own-delay", DelaySeconds=3)
    world.sqs.send_message(QueueUrl=url, MessageBody="no-delay", DelaySeconds=0)
    assert world.depth(url) == {"Visible": 1, "NotVisible": 0, "Delayed": 2}
    assert bodies(world.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)) == ["no-delay"]
    world.clock.advance(3)
    assert bodies(world.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)) == ["own-delay"]
    world.clock.advance(7)
    assert bodies(world.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)) == [
        "queue-delay"
    ]
    with pytest.raises(ClientError):
        world.sqs.send_message(QueueUrl=url, MessageBody="x", DelaySeconds=901)


def test_retention_drops_messages_older_than_the_period(world: World) -> None:
    url = world.queue("q", MessageRetentionPeriod="60")
    world.sqs.send_message(QueueUrl=url, MessageBody="old")
    world.clock.advance(30)
    world.sqs.send_message(QueueUrl=url, MessageBody="young")
    world.clock.advance(30)
    assert world.depth(url)["Visible"] == 1
    assert bodies(world.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)) == ["young"]
    with world.service.store.read() as db:
        assert db.execute("SELECT count(*) FROM sqs_messages").fetchone()[0] == 1


def test_shortening_retention_expires_existing_messages(world: World) -> None:
    url = world.queue("q")
    world.sqs.send_message(QueueUrl=url, MessageBody="x")
    world.clock.advance(120)
    world.sqs.set_queue_attributes(QueueUrl=url, Attributes={"MessageRetentionPeriod": "60"})
    assert "Messages" not in world.sqs.receive_message(QueueUrl=url)


def test_visibility_timeout_hides_a_received_message_then_redelivers_it(world: World) -> None:
    url = world.queue("q", VisibilityTimeout="30")
    world.sqs.send_message(QueueUrl=url, MessageBody="x")
    world.sqs.receive_message(QueueUrl=url)
    assert world.depth(url) == {"Visible": 0, "NotVisible": 1, "Delayed": 0}
    world.clock.advance(29)
    assert "Messages" not in world.sqs.receive_message(QueueUrl=url)
    world.clock.advance(1)
    assert bodies(world.sqs.receive_message(QueueUrl=url, VisibilityTimeout=100)) == ["x"]
    world.clock.advance(99)
    assert "Messages" not in world.sqs.receive_message(QueueUrl=url)


def test_delete_with_the_latest_handle_deletes(world: World) -> None:
    url = world.queue("q")
    world.sqs.send_message(QueueUrl=url, MessageBody="x")
    handle = world.sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
    world.sqs.delete_message(QueueUrl=url, ReceiptHandle=handle)
    world.sqs.delete_message(QueueUrl=url, ReceiptHandle=handle)  # again: still a success
    assert world.depth(url) == {"Visible": 0, "NotVisible": 0, "Delayed": 0}


def test_a_stale_handle_after_redelivery_deletes_nothing_and_succeeds(world: World) -> None:
    url = world.queue("q", VisibilityTimeout="10")
    world.sqs.send_message(QueueUrl=url, MessageBody="x")
    stale = world.sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
    world.clock.advance(10)
    current = world.sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
    assert current != stale
    world.sqs.delete_message(QueueUrl=url, ReceiptHandle=stale)
    assert world.depth(url)["NotVisible"] == 1
    with pytest.raises(ClientError, match="not available for visibility timeout change"):
        world.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=stale, VisibilityTimeout=0)
    world.sqs.delete_message(QueueUrl=url, ReceiptHandle=current)
    assert world.depth(url)["NotVisible"] == 0


def test_a_handle_that_is_not_one_or_of_another_queue_is_invalid(world: World) -> None:
    url, other = world.queue("q"), world.queue("other")
    world.sqs.send_message(QueueUrl=other, MessageBody="x")
    foreign = world.sqs.receive_message(QueueUrl=other)["Messages"][0]["ReceiptHandle"]
    for handle in ("garbage", base64.b64encode(b"1:2").decode(), foreign):
        with pytest.raises(world.sqs.exceptions.ReceiptHandleIsInvalid):
            world.sqs.delete_message(QueueUrl=url, ReceiptHandle=handle)


def test_change_visibility_hides_longer_or_returns_at_once(world: World) -> None:
    url = world.queue("q", VisibilityTimeout="30")
    world.sqs.send_message(QueueUrl=url, MessageBody="x")
    handle = world.sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
    world.clock.advance(20)
    world.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=60)
    world.clock.advance(59)
    assert "Messages" not in world.sqs.receive_message(QueueUrl=url)
    world.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=0)
    assert bodies(world.sqs.receive_message(QueueUrl=url)) == ["x"]


def test_change_visibility_limits(world: World) -> None:
    url = world.queue("q", VisibilityTimeout="30")
    world.sqs.send_message(QueueUrl=url, MessageBody="x")
    handle = world.sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
    world.clock.advance(3600)  # visible again, not received since
    with pytest.raises(world.sqs.exceptions.MessageNotInflight):
        world.sqs.change_message_visibility(
            QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=10
        )
    handle = world.sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
    world.clock.advance(20)
    with pytest.raises(ClientError, match="43200"):
        world.sqs.change_message_visibility(
            QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=43_190
        )
    world.sqs.change_message_visibility(
        QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=43_180
    )


def test_delete_and_visibility_batches_report_each_entry(world: World) -> None:
    url = world.queue("q")
    for body in ("a", "b"):
        world.sqs.send_message(QueueUrl=url, MessageBody=body)
    handles = [
        m["ReceiptHandle"]
        for m in world.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=2)["Messages"]
    ]
    changed = world.sqs.change_message_visibility_batch(
        QueueUrl=url,
        Entries=[
            {"Id": "a", "ReceiptHandle": handles[0], "VisibilityTimeout": 0},
            {"Id": "bad", "ReceiptHandle": "garbage", "VisibilityTimeout": 0},
        ],
    )
    assert [e["Id"] for e in changed["Successful"]] == ["a"]
    assert [(e["Id"], e["Code"]) for e in changed["Failed"]] == [("bad", "ReceiptHandleIsInvalid")]
    deleted = world.sqs.delete_message_batch(
        QueueUrl=url,
        Entries=[{"Id": "b", "ReceiptHandle": handles[1]}, {"Id": "bad", "ReceiptHandle": "x"}],
    )
    assert [e["Id"] for e in deleted["Successful"]] == ["b"]
    assert world.depth(url) == {"Visible": 1, "NotVisible": 0, "Delayed": 0}


def test_concurrent_receivers_never_get_the_same_message(world: World) -> None:
    url = world.queue("q")
    for start in range(0, 200, 10):
        world.sqs.send_message_batch(
            QueueUrl=url,
            Entries=[{"Id": str(i), "MessageBody": str(i)} for i in range(start, start + 10)],
        )
    client = world.served.client("sqs")

    def drain(_: int) -> list[str]:
        got: list[str] = []
        while batch := bodies(client.receive_message(QueueUrl=url, MaxNumberOfMessages=10)):
            got += batch
        return got

    with ThreadPoolExecutor(8) as pool:
        received = [body for part in pool.map(drain, range(8)) for body in part]
    assert sorted(received, key=int) == [str(i) for i in range(200)]


def test_a_send_inside_a_transaction_that_rolls_back_leaves_nothing(world: World) -> None:
    """How the stack's own parts send (EventBridge delivering in its transaction): the
    message exists only if the caller's transaction commits, and only then wakes polls."""
    url = world.queue("q")
    woken: list[int] = []
    world.service.waiters.notify = lambda ids: woken.extend(ids)  # type: ignore[method-assign]
    with pytest.raises(RuntimeError), world.service.store.write():
        world.service.call("SendMessage", {"QueueUrl": url, "MessageBody": "x"})
        raise RuntimeError("the caller failed after sending")
    assert woken == []
    assert world.depth(url)["Visible"] == 0
    with world.service.store.write():
        world.service.call("SendMessage", {"QueueUrl": url, "MessageBody": "y"})
        assert woken == []  # not before the commit
    assert len(woken) == 1
    assert bodies(world.sqs.receive_message(QueueUrl=url)) == ["y"]
