"""DynamoDB Streams: records shaped as AWS shapes them, in order, per view type; none for a
write that changes nothing; iterators of every type; 24-hour trimming on an injected clock."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.dynamodb_plane import Plane, error_of, make_table

KEY = {"PK": {"S": "a"}, "SK": {"S": "1"}}


def with_stream(ddb: Any, view: str, name: str = "streamed") -> str:
    make_table(ddb, name, StreamSpecification={"StreamEnabled": True, "StreamViewType": view})
    return str(ddb.describe_table(TableName=name)["Table"]["LatestStreamArn"])


def shard_of(streams: Any, arn: str) -> str:
    [shard] = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
    return str(shard["ShardId"])


def iterator(streams: Any, arn: str, kind: str = "TRIM_HORIZON", **extra: Any) -> str:
    return str(
        streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard_of(streams, arn), ShardIteratorType=kind, **extra
        )["ShardIterator"]
    )


def records(streams: Any, arn: str, **extra: Any) -> list[dict[str, Any]]:
    return list(streams.get_records(ShardIterator=iterator(streams, arn, **extra))["Records"])


def change_a_few_times(ddb: Any, table: str) -> None:
    ddb.put_item(TableName=table, Item={**KEY, "v": {"N": "1"}})
    ddb.update_item(
        TableName=table,
        Key=KEY,
        UpdateExpression="SET v = :two",
        ExpressionAttributeValues={":two": {"N": "2"}},
    )
    ddb.delete_item(TableName=table, Key=KEY)


def test_records_are_shaped_as_aws_shapes_them(ddb: Any, streams: Any, plane: Plane) -> None:
    arn = with_stream(ddb, "NEW_AND_OLD_IMAGES")
    plane.clock.advance(0.75)
    change_a_few_times(ddb, "streamed")
    insert, modify, remove = records(streams, arn)
    assert (
        insert["eventName"] == "INSERT"
        and modify["eventName"] == "MODIFY"
        and remove["eventName"] == "REMOVE"
    )
    assert set(insert) == {
        "eventID",
        "eventName",
        "eventVersion",
        "eventSource",
        "awsRegion",
        "dynamodb",
    }
    assert insert["eventVersion"] == "1.1" and insert["eventSource"] == "aws:dynamodb"
    assert insert["awsRegion"] == "us-east-1" and len(insert["eventID"]) == 32
    body = modify["dynamodb"]
    assert body["Keys"] == KEY
    assert body["OldImage"] == {**KEY, "v": {"N": "1"}} and body["NewImage"] == {
        **KEY,
        "v": {"N": "2"},
    }
    assert body["StreamViewType"] == "NEW_AND_OLD_IMAGES" and body["SizeBytes"] > 0
    assert body["ApproximateCreationDateTime"].timestamp() == int(plane.clock.now)  # whole seconds
    numbers = [int(r["dynamodb"]["SequenceNumber"]) for r in (insert, modify, remove)]
    assert numbers == sorted(numbers) and len(set(numbers)) == 3
    assert "NewImage" not in insert["dynamodb"] or "OldImage" not in insert["dynamodb"]
    assert "NewImage" not in remove["dynamodb"] and remove["dynamodb"]["OldImage"]["v"] == {
        "N": "2"
    }
    assert "userIdentity" not in remove
    again = records(streams, arn)
    assert [r["eventID"] for r in again] == [r["eventID"] for r in (insert, modify, remove)]


@pytest.mark.parametrize(
    ("view", "images"),
    [
        ("KEYS_ONLY", [set(), set(), set()]),
        ("NEW_IMAGE", [{"NewImage"}, {"NewImage"}, set()]),
        ("OLD_IMAGE", [set(), {"OldImage"}, {"OldImage"}]),
        ("NEW_AND_OLD_IMAGES", [{"NewImage"}, {"NewImage", "OldImage"}, {"OldImage"}]),
    ],
)
def test_view_types_choose_the_images(
    ddb: Any, streams: Any, view: str, images: list[set[str]]
) -> None:
    arn = with_stream(ddb, view)
    change_a_few_times(ddb, "streamed")
    found = [set(r["dynamodb"]) & {"NewImage", "OldImage"} for r in records(streams, arn)]
    assert found == images


def test_a_write_that_changes_nothing_leaves_no_record(ddb: Any, streams: Any) -> None:
    arn = with_stream(ddb, "NEW_AND_OLD_IMAGES")
    item = {**KEY, "n": {"N": "1.0"}, "s": {"SS": ["b", "a"]}}
    ddb.put_item(TableName="streamed", Item=item)
    ddb.put_item(TableName="streamed", Item={**KEY, "s": {"SS": ["a", "b"]}, "n": {"N": "1"}})
    ddb.update_item(
        TableName="streamed",
        Key=KEY,
        UpdateExpression="SET n = :one",
        ExpressionAttributeValues={":one": {"N": "1"}},
    )
    ddb.delete_item(TableName="streamed", Key={"PK": {"S": "never"}, "SK": {"S": "there"}})
    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException):
        ddb.put_item(
            TableName="streamed",
            Item={**KEY, "x": {"S": "y"}},
            ConditionExpression="attribute_not_exists(PK)",
        )
    assert [r["eventName"] for r in records(streams, arn)] == ["INSERT"]


def test_iterator_types_and_paging(ddb: Any, streams: Any) -> None:
    arn = with_stream(ddb, "KEYS_ONLY")
    for i in range(5):
        ddb.put_item(TableName="streamed", Item={"PK": {"S": f"k{i}"}, "SK": {"S": "1"}})
    every = records(streams, arn)
    numbers = [r["dynamodb"]["SequenceNumber"] for r in every]
    at = records(streams, arn, kind="AT_SEQUENCE_NUMBER", SequenceNumber=numbers[2])
    assert [r["dynamodb"]["SequenceNumber"] for r in at] == numbers[2:]
    after = records(streams, arn, kind="AFTER_SEQUENCE_NUMBER", SequenceNumber=numbers[2])
    assert [r["dynamodb"]["SequenceNumber"] for r in after] == numbers[3:]
    latest = iterator(streams, arn, "LATEST")
    page = streams.get_records(ShardIterator=latest)
    assert page["Records"] == [] and page["NextShardIterator"]
    ddb.put_item(TableName="streamed", Item={"PK": {"S": "late"}, "SK": {"S": "1"}})
    newer = streams.get_records(ShardIterator=page["NextShardIterator"])["Records"]
    assert [r["dynamodb"]["Keys"]["PK"]["S"] for r in newer] == ["late"]
    paged, position = [], iterator(streams, arn)
    for _ in range(4):
        answer = streams.get_records(ShardIterator=position, Limit=2)
        paged += answer["Records"]
        position = answer["NextShardIterator"]
    assert [r["dynamodb"]["SequenceNumber"] for r in paged] == [
        *numbers,
        newer[0]["dynamodb"]["SequenceNumber"],
    ]


def test_transactions_write_their_records_in_order(ddb: Any, streams: Any) -> None:
    arn = with_stream(ddb, "NEW_IMAGE")
    ddb.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": "streamed", "Item": {"PK": {"S": n}, "SK": {"S": "1"}}}}
            for n in "cab"
        ]
    )
    assert [r["dynamodb"]["Keys"]["PK"]["S"] for r in records(streams, arn)] == ["c", "a", "b"]


def test_records_older_than_a_day_are_trimmed(ddb: Any, streams: Any, plane: Plane) -> None:
    arn = with_stream(ddb, "KEYS_ONLY")
    ddb.put_item(TableName="streamed", Item={"PK": {"S": "old"}, "SK": {"S": "1"}})
    first = records(streams, arn)[0]["dynamodb"]["SequenceNumber"]
    plane.clock.advance(24 * 3600 - 60)
    held = iterator(streams, arn)  # points before the old record
    ddb.put_item(TableName="streamed", Item={"PK": {"S": "new"}, "SK": {"S": "1"}})
    plane.clock.advance(120)  # the old record is now past 24 hours; the iterator is 2 minutes old
    with pytest.raises(streams.exceptions.TrimmedDataAccessException):
        streams.get_records(ShardIterator=held)
    assert [r["dynamodb"]["Keys"]["PK"]["S"] for r in records(streams, arn)] == ["new"]
    code, _ = error_of(
        streams.get_shard_iterator,
        StreamArn=arn,
        ShardId=shard_of(streams, arn),
        ShardIteratorType="AT_SEQUENCE_NUMBER",
        SequenceNumber=first,
    )
    assert code == "TrimmedDataAccessException"
    with plane.store.read() as db:
        assert db.execute("SELECT count(*) FROM ddb_stream").fetchone()[0] == 1


def test_an_iterator_expires_after_15_minutes(ddb: Any, streams: Any, plane: Plane) -> None:
    arn = with_stream(ddb, "KEYS_ONLY")
    held = iterator(streams, arn)
    plane.clock.advance(15 * 60 + 1)
    with pytest.raises(streams.exceptions.ExpiredIteratorException):
        streams.get_records(ShardIterator=held)
    code, text = error_of(streams.get_records, ShardIterator="not-an-iterator")
    assert (code, text) == ("ValidationException", "Invalid ShardIterator")


def test_list_and_describe_streams(ddb: Any, streams: Any) -> None:
    first = with_stream(ddb, "KEYS_ONLY", "one")
    second = with_stream(ddb, "NEW_IMAGE", "two")
    make_table(ddb, "plain")
    listed = streams.list_streams()["Streams"]
    assert [(s["TableName"], s["StreamArn"]) for s in listed] == [("one", first), ("two", second)]
    assert [s["TableName"] for s in streams.list_streams(TableName="two")["Streams"]] == ["two"]
    page = streams.list_streams(Limit=1)
    assert page["LastEvaluatedStreamArn"] == first
    described = streams.describe_stream(StreamArn=second)["StreamDescription"]
    assert described["StreamStatus"] == "ENABLED" and described["StreamViewType"] == "NEW_IMAGE"
    assert described["KeySchema"][0] == {"AttributeName": "PK", "KeyType": "HASH"}
    assert "ParentShardId" not in described["Shards"][0]


def test_a_deleted_tables_stream_is_gone(ddb: Any, streams: Any) -> None:
    arn = with_stream(ddb, "KEYS_ONLY")
    held = iterator(streams, arn)
    ddb.delete_table(TableName="streamed")
    with pytest.raises(streams.exceptions.ResourceNotFoundException):
        streams.describe_stream(StreamArn=arn)
    with pytest.raises(streams.exceptions.ResourceNotFoundException):
        streams.get_records(ShardIterator=held)
