"""CreateTable, DescribeTable, ListTables, DeleteTable: definitions checked as DynamoDB
checks them, descriptions shaped as it answers them."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.dynamodb_plane import error_of, make_table
from tests.support.moto_tables import create_orders_table

HASH = [{"AttributeName": "PK", "KeyType": "HASH"}]
DEFS = [{"AttributeName": "PK", "AttributeType": "S"}]


def test_describe_shows_keys_indexes_stream_and_counts(ddb: Any) -> None:
    create_orders_table(ddb, "orders")
    for i in range(3):
        item = {"PK": {"S": f"p{i}"}, "SK": {"S": "s"}, "v": {"S": "x" * 10}}
        if i:
            item |= {"GSI1PK": {"S": "g"}, "GSI1SK": {"S": str(i)}}
        ddb.put_item(TableName="orders", Item=item)
    table = ddb.describe_table(TableName="orders")["Table"]
    assert table["TableStatus"] == "ACTIVE"
    assert table["KeySchema"] == [
        {"AttributeName": "PK", "KeyType": "HASH"},
        {"AttributeName": "SK", "KeyType": "RANGE"},
    ]
    assert table["BillingModeSummary"] == {"BillingMode": "PAY_PER_REQUEST"}
    assert table["ItemCount"] == 3 and table["TableSizeBytes"] > 30
    assert table["TableArn"] == "arn:aws:dynamodb:us-east-1:123456789012:table/orders"
    gsi, open_orders = table["GlobalSecondaryIndexes"]
    assert gsi["IndexName"] == "GSI1" and gsi["IndexStatus"] == "ACTIVE"
    assert gsi["ItemCount"] == 2  # the item without GSI1 keys is not in the index
    assert gsi["Projection"] == {"ProjectionType": "ALL"}
    assert open_orders["IndexName"] == "GSI2" and open_orders["ItemCount"] == 0
    assert open_orders["Projection"] == {
        "ProjectionType": "INCLUDE",
        "NonKeyAttributes": ["orderId", "status", "updatedAt"],
    }
    assert table["StreamSpecification"] == {
        "StreamEnabled": True,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    assert table["LatestStreamArn"] == f"{table['TableArn']}/stream/{table['LatestStreamLabel']}"
    ddb.delete_item(TableName="orders", Key={"PK": {"S": "p1"}, "SK": {"S": "s"}})
    again = ddb.describe_table(TableName="orders")["Table"]
    assert again["ItemCount"] == 2 and again["GlobalSecondaryIndexes"][0]["ItemCount"] == 1


def test_local_indexes_and_projections_are_described(ddb: Any) -> None:
    make_table(
        ddb,
        "indexed",
        attributes=[{"AttributeName": "at", "AttributeType": "N"}],
        LocalSecondaryIndexes=[
            {
                "IndexName": "byAt",
                "KeySchema": [*HASH, {"AttributeName": "at", "KeyType": "RANGE"}],
                "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["v"]},
            }
        ],
    )
    [lsi] = ddb.describe_table(TableName="indexed")["Table"]["LocalSecondaryIndexes"]
    assert lsi["Projection"] == {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["v"]}
    assert lsi["IndexArn"].endswith("table/indexed/index/byAt")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            {"AttributeDefinitions": [*DEFS, {"AttributeName": "x", "AttributeType": "S"}]},
            "Some AttributeDefinitions are not used",
        ),
        (
            {"AttributeDefinitions": []},
            "Some index key attributes are not defined in AttributeDefinitions",
        ),
        (
            {"BillingMode": "PROVISIONED"},
            "ReadCapacityUnits and WriteCapacityUnits must both be specified",
        ),
        (
            {"ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}},
            "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode "
            "is PAY_PER_REQUEST",
        ),
        ({"TableName": "x"}, "Member must satisfy regular expression pattern"),
        (
            {
                "LocalSecondaryIndexes": [
                    {"IndexName": "lsi", "KeySchema": HASH, "Projection": {"ProjectionType": "ALL"}}
                ]
            },
            "Table KeySchema does not have a range key",
        ),
        (
            {
                "GlobalSecondaryIndexes": [
                    {
                        "IndexName": "gsi",
                        "KeySchema": HASH,
                        "Projection": {"ProjectionType": "KEYS_ONLY", "NonKeyAttributes": ["a"]},
                    }
                ]
            },
            "ProjectionType is KEYS_ONLY, but NonKeyAttributes is specified",
        ),
    ],
)
def test_create_table_refuses_what_dynamodb_refuses(
    ddb: Any, arguments: dict[str, Any], message: str
) -> None:
    request = {
        "TableName": "refused",
        "KeySchema": HASH,
        "AttributeDefinitions": DEFS,
        "BillingMode": "PAY_PER_REQUEST",
        **arguments,
    }
    code, text = error_of(ddb.create_table, **request)
    assert code == "ValidationException" and message in text
    assert ddb.list_tables()["TableNames"] == []


def test_a_table_exists_once(ddb: Any) -> None:
    make_table(ddb, "once")
    with pytest.raises(ddb.exceptions.ResourceInUseException):
        make_table(ddb, "once")


def test_list_tables_pages_in_name_order(ddb: Any) -> None:
    for name in ("ccc", "aaa", "bbb", "ddd"):
        make_table(ddb, name)
    first = ddb.list_tables(Limit=3)
    assert first["TableNames"] == ["aaa", "bbb", "ccc"] and first["LastEvaluatedTableName"] == "ccc"
    rest = ddb.list_tables(ExclusiveStartTableName="ccc", Limit=3)
    assert rest == {**rest, "TableNames": ["ddd"]} and "LastEvaluatedTableName" not in rest
    assert ddb.list_tables(Limit=4)["TableNames"] == ["aaa", "bbb", "ccc", "ddd"]


def test_delete_table_takes_its_items_and_refuses_when_protected(ddb: Any) -> None:
    make_table(ddb, "gone")
    ddb.put_item(TableName="gone", Item={"PK": {"S": "a"}, "SK": {"S": "1"}})
    answer = ddb.delete_table(TableName="gone")["TableDescription"]
    assert answer["TableStatus"] == "DELETING" and answer["ItemCount"] == 1
    with pytest.raises(ddb.exceptions.ResourceNotFoundException):
        ddb.describe_table(TableName="gone")
    make_table(ddb, "gone")  # the name is free again, and the new table is empty
    assert ddb.scan(TableName="gone")["Items"] == []
    make_table(ddb, "kept", DeletionProtectionEnabled=True)
    _, text = error_of(ddb.delete_table, TableName="kept")
    assert "DeletionProtectionEnabled" in text
    assert ddb.describe_table(TableName="kept")["Table"]["DeletionProtectionEnabled"] is True


def test_waiters_see_the_table_active(ddb: Any) -> None:
    make_table(ddb, "waited")
    ddb.get_waiter("table_exists").wait(
        TableName="waited", WaiterConfig={"Delay": 0, "MaxAttempts": 1}
    )


def test_operations_not_emulated_say_so(ddb: Any) -> None:
    code, text = error_of(ddb.describe_continuous_backups, TableName="any")
    assert code == "UnknownOperationException" and "DescribeContinuousBackups" in text
