"""The same boto3 calls against moto (in process) and against the data plane, answers
compared. Only where moto follows DynamoDB: conditions, updates, key conditions, paging with
filters, cancellation reasons. Where moto differs from DynamoDB the other suites test what
DynamoDB documents instead."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from tests.support.moto_tables import create_orders_table

Scenario = Callable[[Any], Any]
KEY = {"PK": {"S": "ORDER#1"}, "SK": {"S": "ORDER"}}
ITEM = {
    **KEY,
    "n": {"N": "5"},
    "s": {"S": "hello"},
    "l": {"L": [{"S": "x"}, {"N": "2"}]},
    "m": {"M": {"deep": {"N": "1"}}},
    "ss": {"SS": ["p", "q"]},
}


def normalised(value: Any) -> Any:
    """Sets in sorted order (neither service promises one), response metadata dropped."""
    if isinstance(value, dict):
        return {
            k: sorted(v) if k in ("SS", "NS") else normalised(v)
            for k, v in value.items()
            if k not in ("ResponseMetadata", "ConsumedCapacity")  # moto sends it unasked
        }
    if isinstance(value, list):
        return [normalised(v) for v in value]
    return value


def outcome(call: Callable[[], Any]) -> Any:
    try:
        return normalised(call())
    except ClientError as error:
        return error.response["Error"]["Code"], normalised(
            error.response.get("CancellationReasons")
        )


def conditions(ddb: Any) -> Any:
    ddb.put_item(TableName="orders", Item=ITEM)
    tests = [
        ("n = :five", {":five": {"N": "5"}}),
        ("n <> :five", {":five": {"N": "5"}}),
        ("absent <> :five", {":five": {"N": "5"}}),
        ("n BETWEEN :one AND :five", {":one": {"N": "1"}, ":five": {"N": "5"}}),
        ("n IN (:one, :two)", {":one": {"N": "1"}, ":two": {"N": "2"}}),
        ("begins_with(s, :he) AND contains(ss, :p)", {":he": {"S": "he"}, ":p": {"S": "p"}}),
        ("size(l) = :two OR attribute_not_exists(m.deep)", {":two": {"N": "2"}}),
        ("NOT attribute_type(s, :n)", {":n": {"S": "N"}}),
        ("contains(l, :x) AND m.deep < :five", {":x": {"S": "x"}, ":five": {"N": "5"}}),
    ]
    return [
        outcome(  # a put of the same item (moto crashes on UpdateItem without an expression)
            lambda c=c, v=v: ddb.put_item(
                TableName="orders", Item=ITEM, ConditionExpression=c, ExpressionAttributeValues=v
            )
        )
        for c, v in tests
    ]


def updates(ddb: Any) -> Any:
    ddb.put_item(TableName="orders", Item=ITEM)
    steps = [
        ("SET n = n + :one, added = if_not_exists(added, :one)", {":one": {"N": "1"}}),
        (
            "SET l = list_append(l, :more), m.other = :one",
            {":more": {"L": [{"S": "y"}]}, ":one": {"N": "1"}},
        ),
        ("REMOVE l[0], m.deep ADD ss :r", {":r": {"SS": ["r"]}}),
        ("DELETE ss :p SET l[5] = :z", {":p": {"SS": ["p", "q"]}, ":z": {"S": "z"}}),
    ]
    return [
        outcome(
            lambda e=e, v=v: ddb.update_item(
                TableName="orders",
                Key=KEY,
                UpdateExpression=e,
                ExpressionAttributeValues=v,
                ReturnValues="ALL_NEW",
            )
        )
        for e, v in steps
    ]


def pages(ddb: Any) -> Any:
    for i in range(12):
        ddb.put_item(
            TableName="orders",
            Item={"PK": {"S": "P"}, "SK": {"S": f"EVENT#{i:03d}"}, "odd": {"BOOL": bool(i % 2)}},
        )
    found, start = [], None
    while True:
        extra = {"ExclusiveStartKey": start} if start else {}
        page = ddb.query(
            TableName="orders",
            Limit=5,
            ScanIndexForward=False,
            KeyConditionExpression="PK = :p AND begins_with(SK, :e)",
            FilterExpression="odd = :t",
            ExpressionAttributeValues={
                ":p": {"S": "P"},
                ":e": {"S": "EVENT#"},
                ":t": {"BOOL": True},
            },
            **extra,
        )
        found.append(normalised(page))
        start = page.get("LastEvaluatedKey")
        if not start:
            return found


def cancellations(ddb: Any) -> Any:
    ddb.put_item(TableName="orders", Item=ITEM)
    return outcome(
        lambda: ddb.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": "orders",
                        "Item": {"PK": {"S": "new"}, "SK": {"S": "x"}},
                        "ConditionExpression": "attribute_not_exists(PK)",
                    }
                },
                {
                    "Put": {
                        "TableName": "orders",
                        "Item": ITEM,
                        "ConditionExpression": "attribute_not_exists(PK)",
                        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                    }
                },
            ]
        )
    )


def gsi_listing(ddb: Any) -> Any:
    for i in range(6):
        item = {"PK": {"S": f"ORDER#{i}"}, "SK": {"S": "ORDER"}}
        if i != 3:
            item |= {"GSI1PK": {"S": "CUSTOMER#c"}, "GSI1SK": {"S": f"2026-01-0{i}"}}
        ddb.put_item(TableName="orders", Item=item)
    return normalised(
        ddb.query(
            TableName="orders",
            IndexName="GSI1",
            ScanIndexForward=False,
            KeyConditionExpression="GSI1PK = :c AND GSI1SK > :after",
            ExpressionAttributeValues={":c": {"S": "CUSTOMER#c"}, ":after": {"S": "2026-01-01"}},
        )
    )


@pytest.mark.parametrize("scenario", [conditions, updates, pages, cancellations, gsi_listing])
def test_moto_and_the_data_plane_agree(
    scenario: Scenario, ddb: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    with mock_aws():
        moto = boto3.client(
            "dynamodb",
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        create_orders_table(moto, "orders")
        expected = scenario(moto)
    create_orders_table(ddb, "orders")
    assert scenario(ddb) == expected
