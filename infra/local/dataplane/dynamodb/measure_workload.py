"""The workload measure.py times: an orders table with GSI1, a stream and TTL, seeded with
order-shaped items, and the requests of each measured operation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from infra.local.dataplane.dynamodb import DynamoDB, DynamoDBStreams

TABLE = "orders"
STREAM_OPERATIONS = ("get_shard_iterator", "get_records")
Call = Callable[[int], tuple[str, dict[str, Any]]]
"""Request number -> (operation, parameters)."""


def order(i: int) -> dict[str, Any]:
    """An item shaped like an order (about 1 KB): keys, GSI keys, nested lines, TTL."""
    return {
        "PK": {"S": f"ORDER#{i:08d}"},
        "SK": {"S": "ORDER"},
        "GSI1PK": {"S": f"CUSTOMER#{i // 10:07d}"},
        "GSI1SK": {"S": f"2026-01-01T12:00:{i % 60:02d}.000000Z#{i:08d}"},
        "status": {"S": "PAYMENT_AUTHORIZED"},
        "version": {"N": str(1 + i % 7)},
        "total": {"M": {"amount": {"S": "28.10"}, "currency": {"S": "EUR"}}},
        "lines": {
            "L": [
                {"M": {"sku": {"S": f"SKU-{n}"}, "quantity": {"N": "2"}, "price": {"S": "12.50"}}}
                for n in range(3)
            ]
        },
        "address": {
            "M": {k: {"S": "x" * 40} for k in ("name", "line1", "city", "postcode", "country")}
        },
        "history": {"L": [{"S": "y" * 60} for _ in range(6)]},
        "expiration": {"N": str(1_800_000_000 + i)},
    }


def create(call: Callable[[str, dict[str, Any]], Any]) -> None:
    names = ("PK", "SK", "GSI1PK", "GSI1SK")
    call(
        "CreateTable",
        {
            "TableName": TABLE,
            "BillingMode": "PAY_PER_REQUEST",
            "KeySchema": [
                {"AttributeName": "PK", "KeyType": "HASH"},
                {"AttributeName": "SK", "KeyType": "RANGE"},
            ],
            "AttributeDefinitions": [{"AttributeName": n, "AttributeType": "S"} for n in names],
            "GlobalSecondaryIndexes": [
                {
                    "IndexName": "GSI1",
                    "KeySchema": [
                        {"AttributeName": "GSI1PK", "KeyType": "HASH"},
                        {"AttributeName": "GSI1SK", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                }
            ],
            "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        },
    )
    call(
        "UpdateTimeToLive",
        {
            "TableName": TABLE,
            "TimeToLiveSpecification": {"Enabled": True, "AttributeName": "expiration"},
        },
    )


def operations(size: int) -> dict[str, Call]:
    key = lambda i: {"PK": {"S": f"ORDER#{i % size:08d}"}, "SK": {"S": "ORDER"}}  # noqa: E731
    return {
        "put_item": lambda i: (
            "PutItem",
            {
                "TableName": TABLE,
                "Item": order(10_000_000 + i),
                "ConditionExpression": "attribute_not_exists(PK)",
            },
        ),
        "get_item": lambda i: (
            "GetItem",
            {"TableName": TABLE, "Key": key(i * 7919), "ConsistentRead": True},
        ),
        "transact_write_items": lambda i: (
            "TransactWriteItems",
            {
                "ClientRequestToken": f"measure-{size}-{i}",
                "TransactItems": [
                    {
                        "Put": {
                            "TableName": TABLE,
                            "Item": {**order(i * 7919 % size), "version": {"N": str(1000 + i)}},
                        }
                    },
                    {
                        "Put": {
                            "TableName": TABLE,
                            "ConditionExpression": "attribute_not_exists(PK)",
                            "Item": {
                                "PK": {"S": f"ORDER#{i * 7919 % size:08d}"},
                                "SK": {"S": f"EVENT#{20_000_000 + i}"},
                                "eventType": {"S": "PaymentAuthorized"},
                                "payload": {"S": "z" * 300},
                            },
                        }
                    },
                ],
            },
        ),
        "query_gsi": lambda i: (
            "Query",
            {
                "TableName": TABLE,
                "IndexName": "GSI1",
                "KeyConditionExpression": "GSI1PK = :c",
                "ExpressionAttributeValues": {
                    ":c": {"S": f"CUSTOMER#{(i * 7919 % size) // 10:07d}"}
                },
                "ScanIndexForward": False,
                "Limit": 11,
            },
        ),
    }


def stream_operations(service: DynamoDB, streams: DynamoDBStreams) -> dict[str, Call]:
    """What a stream poller calls each round, at the tail of the stream (nothing new)."""
    arn = service.call("DescribeTable", {"TableName": TABLE})["Table"]["LatestStreamArn"]
    shard = streams.call("DescribeStream", {"StreamArn": arn})["StreamDescription"]["Shards"][0]
    latest = {"StreamArn": arn, "ShardId": shard["ShardId"], "ShardIteratorType": "LATEST"}
    tail = streams.call("GetShardIterator", latest)["ShardIterator"]
    service.call("PutItem", {"TableName": TABLE, "Item": order(99_999_999)})
    [record] = streams.call("GetRecords", {"ShardIterator": tail})["Records"]
    after = {
        **latest,
        "ShardIteratorType": "AFTER_SEQUENCE_NUMBER",
        "SequenceNumber": record["dynamodb"]["SequenceNumber"],
    }
    iterator = streams.call("GetShardIterator", after)["ShardIterator"]
    return {
        "get_shard_iterator": lambda i: ("GetShardIterator", after),
        "get_records": lambda i: ("GetRecords", {"ShardIterator": iterator, "Limit": 100}),
    }


def seed(service: DynamoDB, size: int) -> None:
    create(service.call)
    for start in range(0, size, 25):
        batch = [{"PutRequest": {"Item": order(i)}} for i in range(start, min(size, start + 25))]
        service.call("BatchWriteItem", {"RequestItems": {TABLE: batch}})
