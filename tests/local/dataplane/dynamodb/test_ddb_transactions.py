"""TransactWriteItems and TransactGetItems: all or nothing, cancellation reasons, one action
per item, at most 100 actions, atomic under concurrent callers, ClientRequestToken."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from tests.support.dynamodb_plane import Plane, error_of


def key(name: str) -> dict[str, Any]:
    return {"PK": {"S": name}, "SK": {"S": "s"}}


def put(table: str, name: str, condition: str | None = None, **extra: Any) -> dict[str, Any]:
    action: dict[str, Any] = {"TableName": table, "Item": {**key(name), **extra.pop("attrs", {})}}
    if condition:
        action["ConditionExpression"] = condition
    return {"Put": {**action, **extra}}


def test_every_action_kind_commits_together(ddb: Any, table: str) -> None:
    ddb.put_item(TableName=table, Item={**key("old"), "n": {"N": "1"}})
    ddb.put_item(TableName=table, Item=key("doomed"))
    ddb.put_item(TableName=table, Item={**key("guard"), "open": {"BOOL": True}})
    ddb.transact_write_items(
        TransactItems=[
            put(table, "new", "attribute_not_exists(PK)"),
            {
                "Update": {
                    "TableName": table,
                    "Key": key("old"),
                    "UpdateExpression": "ADD n :one",
                    "ExpressionAttributeValues": {":one": {"N": "1"}},
                }
            },
            {"Delete": {"TableName": table, "Key": key("doomed")}},
            {
                "ConditionCheck": {
                    "TableName": table,
                    "Key": key("guard"),
                    "ConditionExpression": "#o = :t",
                    "ExpressionAttributeNames": {"#o": "open"},
                    "ExpressionAttributeValues": {":t": {"BOOL": True}},
                }
            },
        ]
    )
    assert "Item" in ddb.get_item(TableName=table, Key=key("new"))
    assert ddb.get_item(TableName=table, Key=key("old"))["Item"]["n"] == {"N": "2"}
    assert "Item" not in ddb.get_item(TableName=table, Key=key("doomed"))


def test_one_failing_condition_writes_nothing_and_says_which(ddb: Any, table: str) -> None:
    ddb.put_item(TableName=table, Item={**key("taken"), "v": {"S": "first"}})
    with pytest.raises(ddb.exceptions.TransactionCanceledException) as raised:
        ddb.transact_write_items(
            TransactItems=[
                put(table, "free", "attribute_not_exists(PK)"),
                put(
                    table,
                    "taken",
                    "attribute_not_exists(PK)",
                    ReturnValuesOnConditionCheckFailure="ALL_OLD",
                ),
                {
                    "Update": {
                        "TableName": table,
                        "Key": key("free2"),
                        "UpdateExpression": "SET v = :v",
                        "ExpressionAttributeValues": {":v": {"S": "x"}},
                    }
                },
            ]
        )
    error = raised.value.response
    assert error["Error"]["Message"] == (
        "Transaction cancelled, please refer cancellation reasons for specific reasons "
        "[None, ConditionalCheckFailed, None]"
    )
    reasons = error["CancellationReasons"]
    assert [r["Code"] for r in reasons] == ["None", "ConditionalCheckFailed", "None"]
    assert reasons[1]["Item"] == {**key("taken"), "v": {"S": "first"}}
    assert reasons[1]["Message"] == "The conditional request failed"
    assert "Item" not in reasons[0]
    assert "Item" not in ddb.get_item(TableName=table, Key=key("free"))
    assert "Item" not in ddb.get_item(TableName=table, Key=key("free2"))


def test_a_data_error_in_one_action_cancels_with_validation_error(ddb: Any, table: str) -> None:
    ddb.put_item(TableName=table, Item={**key("s"), "v": {"S": "text"}})
    with pytest.raises(ddb.exceptions.TransactionCanceledException) as raised:
        ddb.transact_write_items(
            TransactItems=[
                put(table, "other"),
                {
                    "Update": {
                        "TableName": table,
                        "Key": key("s"),
                        "UpdateExpression": "SET v = v + :one",
                        "ExpressionAttributeValues": {":one": {"N": "1"}},
                    }
                },
            ]
        )
    assert [r["Code"] for r in raised.value.response["CancellationReasons"]] == [
        "None",
        "ValidationError",
    ]
    assert "Item" not in ddb.get_item(TableName=table, Key=key("other"))


def test_one_item_once_and_at_most_100_actions(ddb: Any, table: str) -> None:
    code, text = error_of(
        ddb.transact_write_items,
        TransactItems=[put(table, "a"), {"Delete": {"TableName": table, "Key": key("a")}}],
    )
    assert text == "Transaction request cannot include multiple operations on one item"
    code, text = error_of(
        ddb.transact_write_items, TransactItems=[put(table, f"i{i}") for i in range(101)]
    )
    assert code == "ValidationException" and "less than or equal to 100" in text
    ddb.transact_write_items(TransactItems=[put(table, f"i{i}") for i in range(100)])
    assert ddb.scan(TableName=table, Select="COUNT")["Count"] == 100


def test_concurrent_conflicting_transactions_one_wins_per_item(ddb: Any, table: str) -> None:
    """Eight threads race for the same two items, each writing both: exactly one commits."""
    start = threading.Barrier(8)
    outcomes: dict[int, str] = {}

    def attempt(i: int) -> None:
        start.wait()
        try:
            ddb.transact_write_items(
                TransactItems=[
                    put(table, "x", "attribute_not_exists(PK)", attrs={"by": {"N": str(i)}}),
                    put(table, "y", "attribute_not_exists(PK)", attrs={"by": {"N": str(i)}}),
                ]
            )
            outcomes[i] = "won"
        except ddb.exceptions.TransactionCanceledException:
            outcomes[i] = "cancelled"

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [i for i, o in outcomes.items() if o == "won"]
    assert len(winners) == 1 and len(outcomes) == 8
    for name in ("x", "y"):
        assert ddb.get_item(TableName=table, Key=key(name))["Item"]["by"] == {"N": str(winners[0])}


def test_concurrent_increments_are_not_lost(ddb: Any, table: str) -> None:
    def add() -> None:
        for _ in range(20):
            ddb.transact_write_items(
                TransactItems=[
                    {
                        "Update": {
                            "TableName": table,
                            "Key": key("counter"),
                            "UpdateExpression": "ADD n :one",
                            "ExpressionAttributeValues": {":one": {"N": "1"}},
                        }
                    }
                ]
            )

    threads = [threading.Thread(target=add) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert ddb.get_item(TableName=table, Key=key("counter"))["Item"]["n"] == {"N": "100"}


def stream_count(plane: Plane) -> int:
    with plane.store.read() as db:
        return int(db.execute("SELECT count(*) FROM ddb_stream").fetchone()[0])


def test_the_same_token_and_request_is_one_write(ddb: Any, plane: Plane) -> None:
    from tests.support.moto_tables import create_orders_table

    create_orders_table(ddb, "orders")
    request = {
        "TransactItems": [
            {
                "Update": {
                    "TableName": "orders",
                    "Key": key("counter"),
                    "UpdateExpression": "ADD n :one",
                    "ExpressionAttributeValues": {":one": {"N": "1"}},
                }
            }
        ],
        "ClientRequestToken": "token-1",
    }
    ddb.transact_write_items(**request)
    ddb.transact_write_items(**request)  # a retry after a lost answer
    plane.clock.advance(599)
    ddb.transact_write_items(**request, ReturnConsumedCapacity="TOTAL")
    assert ddb.get_item(TableName="orders", Key=key("counter"))["Item"]["n"] == {"N": "1"}
    assert stream_count(plane) == 1
    other = {**request, "TransactItems": [put("orders", "else")]}
    with pytest.raises(ddb.exceptions.IdempotentParameterMismatchException):
        ddb.transact_write_items(**other)
    assert "Item" not in ddb.get_item(TableName="orders", Key=key("else"))
    plane.clock.advance(2)  # past 10 minutes: a new request
    ddb.transact_write_items(**request)
    assert ddb.get_item(TableName="orders", Key=key("counter"))["Item"]["n"] == {"N": "2"}


def test_a_cancelled_transaction_keeps_no_token(ddb: Any, table: str) -> None:
    ddb.put_item(TableName=table, Item=key("taken"))
    request = {
        "TransactItems": [put(table, "taken", "attribute_not_exists(PK)")],
        "ClientRequestToken": "t",
    }
    with pytest.raises(ddb.exceptions.TransactionCanceledException):
        ddb.transact_write_items(**request)
    ddb.delete_item(TableName=table, Key=key("taken"))
    ddb.transact_write_items(**request)  # nothing was committed under the token: it runs
    assert "Item" in ddb.get_item(TableName=table, Key=key("taken"))


def test_boto3_sends_a_fresh_token_per_call(ddb: Any, table: str) -> None:
    for _ in range(2):
        ddb.transact_write_items(
            TransactItems=[
                {
                    "Update": {
                        "TableName": table,
                        "Key": key("c"),
                        "UpdateExpression": "ADD n :one",
                        "ExpressionAttributeValues": {":one": {"N": "1"}},
                    }
                }
            ]
        )
    assert ddb.get_item(TableName=table, Key=key("c"))["Item"]["n"] == {"N": "2"}


def test_transact_get_items(ddb: Any, table: str) -> None:
    ddb.put_item(TableName=table, Item={**key("a"), "v": {"S": "1"}, "w": {"S": "2"}})
    answer = ddb.transact_get_items(
        TransactItems=[
            {"Get": {"TableName": table, "Key": key("a"), "ProjectionExpression": "v"}},
            {"Get": {"TableName": table, "Key": key("missing")}},
        ]
    )
    assert answer["Responses"] == [{"Item": {"v": {"S": "1"}}}, {}]
    _, text = error_of(
        ddb.transact_get_items,
        TransactItems=[
            {"Get": {"TableName": table, "Key": key("a")}},
            {"Get": {"TableName": table, "Key": key("a")}},
        ],
    )
    assert text == "Transaction request cannot include multiple operations on one item"


def test_a_transaction_writes_at_most_4_mb(ddb: Any, table: str) -> None:
    big = {"blob": {"S": "x" * (390 * 1024)}}
    fits = [put(table, f"big{i}", attrs=big) for i in range(10)]
    ddb.transact_write_items(TransactItems=fits)
    over = [put(table, f"over{i}", attrs=big) for i in range(11)]
    _, text = error_of(ddb.transact_write_items, TransactItems=over)
    assert "4 MB" in text
    assert "Item" not in ddb.get_item(TableName=table, Key=key("over0"))
