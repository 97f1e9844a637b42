"""The cost of an operation does not grow with the table: every statement the hot paths run
is a search of a primary key or an index (EXPLAIN QUERY PLAN says which), never a scan of a
table's rows. Speed itself is measured by infra/local/dataplane/dynamodb/measure.py."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.dynamodb_plane import Plane
from tests.support.moto_tables import create_orders_table


@pytest.fixture
def statements(plane: Plane, ddb: Any) -> Iterator[list[str]]:
    """Every SQL statement the store runs while the test's block is active."""
    create_orders_table(ddb, "orders")
    seen: list[str] = []
    with plane.store.read() as db:
        db.set_trace_callback(seen.append)
    yield seen
    with plane.store.read() as db:
        db.set_trace_callback(None)


def plans(db: sqlite3.Connection, seen: list[str]) -> list[str]:
    found = []
    for sql in seen:
        if sql.split()[0].upper() in ("SELECT", "INSERT", "UPDATE", "DELETE"):
            found += [row[-1] for row in db.execute(f"EXPLAIN QUERY PLAN {sql}")]
    return found


def test_hot_operations_only_search_keys(
    plane: Plane, ddb: Any, streams: Any, statements: list[str]
) -> None:
    key = {"PK": {"S": "ORDER#1"}, "SK": {"S": "ORDER"}}
    item = {**key, "GSI1PK": {"S": "CUSTOMER#c"}, "GSI1SK": {"S": "2026"}, "expiration": {"N": "1"}}
    ddb.put_item(TableName="orders", Item=item, ConditionExpression="attribute_not_exists(PK)")
    ddb.get_item(TableName="orders", Key=key, ConsistentRead=True)
    ddb.update_item(
        TableName="orders",
        Key=key,
        UpdateExpression="SET GSI1SK = :s",
        ExpressionAttributeValues={":s": {"S": "2027"}},
    )
    ddb.transact_write_items(
        TransactItems=[
            {
                "Put": {
                    "TableName": "orders",
                    "Item": {"PK": {"S": "ORDER#2"}, "SK": {"S": "ORDER"}},
                }
            },
            {
                "Update": {
                    "TableName": "orders",
                    "Key": key,
                    "UpdateExpression": "SET v = :v",
                    "ExpressionAttributeValues": {":v": {"N": "2"}},
                }
            },
        ]
    )
    page = ddb.query(
        TableName="orders",
        IndexName="GSI1",
        KeyConditionExpression="GSI1PK = :c",
        ExpressionAttributeValues={":c": {"S": "CUSTOMER#c"}},
        Limit=1,
        ScanIndexForward=False,
    )
    ddb.query(
        TableName="orders",
        IndexName="GSI1",
        KeyConditionExpression="GSI1PK = :c",
        ExpressionAttributeValues={":c": {"S": "CUSTOMER#c"}},
        ExclusiveStartKey=page["LastEvaluatedKey"],
    )
    ddb.delete_item(TableName="orders", Key=key)
    arn = ddb.describe_table(TableName="orders")["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    position = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="LATEST")
    streams.get_records(ShardIterator=position["ShardIterator"])
    plane.dynamodb.expire()
    with plane.store.read() as db:
        db.set_trace_callback(None)
        found = plans(db, statements)
    assert found, "no statement was traced"
    # the catalog (a row per table) and sqlite_sequence (a row per AUTOINCREMENT table) are
    # read whole; items, index entries, TTL entries, stream records and tokens are searched
    small = ("ddb_tables", "ddb_counts", "sqlite_sequence")
    scans = [p for p in found if p.startswith("SCAN") and not any(t in p for t in small)]
    assert scans == [], scans
    assert any("SEARCH x USING PRIMARY KEY" in p for p in found)  # the GSI query
