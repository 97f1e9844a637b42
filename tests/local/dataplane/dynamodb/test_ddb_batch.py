"""BatchWriteItem and BatchGetItem: limits, duplicates, projections, all-or-nothing checks."""

from __future__ import annotations

from typing import Any

from tests.support.dynamodb_plane import error_of, make_table


def key(i: int) -> dict[str, Any]:
    return {"PK": {"S": f"p{i}"}, "SK": {"S": "s"}}


def test_batch_write_puts_and_deletes_across_tables(ddb: Any, table: str) -> None:
    make_table(ddb, "second")
    ddb.put_item(TableName=table, Item=key(0))
    answer = ddb.batch_write_item(
        RequestItems={
            table: [{"PutRequest": {"Item": {**key(i), "v": {"N": str(i)}}}} for i in range(1, 20)]
            + [{"DeleteRequest": {"Key": key(0)}}],
            "second": [{"PutRequest": {"Item": key(99)}}],
        },
        ReturnConsumedCapacity="TOTAL",
    )
    assert answer["UnprocessedItems"] == {}
    assert {c["TableName"] for c in answer["ConsumedCapacity"]} == {table, "second"}
    assert ddb.scan(TableName=table, Select="COUNT")["Count"] == 19
    assert "Item" in ddb.get_item(TableName="second", Key=key(99))


def test_batch_write_checks_every_request_before_writing_any(ddb: Any, table: str) -> None:
    requests = [{"PutRequest": {"Item": key(i)}} for i in range(3)]
    requests.append({"PutRequest": {"Item": {"PK": {"S": "no sort key"}}}})
    _, text = error_of(ddb.batch_write_item, RequestItems={table: requests})
    assert "Missing the key SK in the item" in text
    assert ddb.scan(TableName=table)["Count"] == 0


def test_batch_write_limits_and_duplicates(ddb: Any, table: str) -> None:
    many = [{"PutRequest": {"Item": key(i)}} for i in range(26)]
    _, text = error_of(ddb.batch_write_item, RequestItems={table: many})
    assert text == "Too many items requested for the BatchWriteItem call"
    twice = [{"PutRequest": {"Item": key(1)}}, {"DeleteRequest": {"Key": key(1)}}]
    _, text = error_of(ddb.batch_write_item, RequestItems={table: twice})
    assert text == "Provided list of item keys contains duplicates"


def test_batch_get_answers_what_exists_with_projection(ddb: Any, table: str) -> None:
    for i in range(5):
        ddb.put_item(TableName=table, Item={**key(i), "v": {"N": str(i)}, "w": {"S": "x"}})
    answer = ddb.batch_get_item(
        RequestItems={table: {"Keys": [key(i) for i in (0, 2, 4, 7)], "ProjectionExpression": "v"}}
    )
    assert sorted(i["v"]["N"] for i in answer["Responses"][table]) == ["0", "2", "4"]
    assert all(set(i) == {"v"} for i in answer["Responses"][table])
    assert answer["UnprocessedKeys"] == {}


def test_batch_get_limits_and_duplicates(ddb: Any, table: str) -> None:
    code, text = error_of(
        ddb.batch_get_item, RequestItems={table: {"Keys": [key(i) for i in range(101)]}}
    )
    assert text == "Too many items requested for the BatchGetItem call"
    code, text = error_of(ddb.batch_get_item, RequestItems={table: {"Keys": [key(1), key(1)]}})
    assert text == "Provided list of item keys contains duplicates"
    code, text = error_of(ddb.batch_get_item, RequestItems={"nowhere": {"Keys": [key(1)]}})
    assert code == "ResourceNotFoundException"
