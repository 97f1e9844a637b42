"""Restart: a new Store on the same database file, new services, and everything is there:
tables, items, index entries, TTL entries, stream records, transaction tokens."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from infra.local.dataplane.dynamodb import DynamoDB, DynamoDBStreams
from infra.local.dataplane.store import Store
from tests.support.dataplane import served
from tests.support.dynamodb_plane import T0, Clock
from tests.support.moto_tables import create_orders_table

KEY = {"PK": {"S": "ORDER#1"}, "SK": {"S": "ORDER"}}
COUNT = {"UpdateExpression": "ADD n :one", "ExpressionAttributeValues": {":one": {"N": "1"}}}
TRANSACTION = {
    "TransactItems": [{"Update": {"TableName": "orders", "Key": KEY, **COUNT}}],
    "ClientRequestToken": "the-same-retry",
}


def stream_keys(streams: Any, ddb: Any) -> list[str]:
    arn = ddb.describe_table(TableName="orders")["Table"]["LatestStreamArn"]
    [shard] = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
    position = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    return [r["eventName"] for r in streams.get_records(ShardIterator=position)["Records"]]


def test_a_new_store_on_the_same_file_sees_everything(tmp_path: Path) -> None:
    path, clock = tmp_path / "state" / "stack.db", Clock()
    store = Store(path)
    with served([DynamoDB(store, clock=clock), DynamoDBStreams(store, clock=clock)]) as first:
        ddb = first.client("dynamodb")
        create_orders_table(ddb, "orders")
        ddb.put_item(
            TableName="orders",
            Item={
                **KEY,
                "GSI1PK": {"S": "CUSTOMER#c"},
                "GSI1SK": {"S": "2026"},
                "expiration": {"N": str(T0 - 1)},
            },
        )
        ddb.put_item(TableName="orders", Item={"PK": {"S": "ORDER#2"}, "SK": {"S": "ORDER"}})
        ddb.transact_write_items(**TRANSACTION)
    store.close()

    again = Store(path)
    assert again.restored
    dynamodb = DynamoDB(again, clock=clock)
    with served([dynamodb, DynamoDBStreams(again, clock=clock)]) as second:
        ddb, streams = second.client("dynamodb"), second.client("dynamodbstreams")
        assert ddb.get_item(TableName="orders", Key=KEY)["Item"]["n"] == {"N": "1"}
        listed = ddb.query(
            TableName="orders",
            IndexName="GSI1",
            KeyConditionExpression="GSI1PK = :c",
            ExpressionAttributeValues={":c": {"S": "CUSTOMER#c"}},
        )["Items"]
        assert [i["PK"]["S"] for i in listed] == ["ORDER#1"]
        assert ddb.describe_table(TableName="orders")["Table"]["ItemCount"] == 2
        assert (
            ddb.describe_time_to_live(TableName="orders")["TimeToLiveDescription"]["AttributeName"]
            == "expiration"
        )
        assert stream_keys(streams, ddb) == ["INSERT", "INSERT", "MODIFY"]
        ddb.transact_write_items(**TRANSACTION)  # the token outlived the restart: no second write
        assert ddb.get_item(TableName="orders", Key=KEY)["Item"]["n"] == {"N": "1"}
        assert dynamodb.expire(T0) == 1  # the TTL index outlived it too
        assert "Item" not in ddb.get_item(TableName="orders", Key=KEY)
    again.close()
