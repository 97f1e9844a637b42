"""PutItem, GetItem, DeleteItem: round trips, canonical values, key validation, limits."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.dynamodb_plane import error_of, make_table

KEY = {"PK": {"S": "a"}, "SK": {"S": "1"}}


def test_an_item_round_trips_with_every_type(ddb: Any, table: str) -> None:
    item = {
        **KEY,
        "s": {"S": "zoë"},
        "n": {"N": "-12.5"},
        "b": {"B": b"\x00\xff"},
        "t": {"BOOL": True},
        "z": {"NULL": True},
        "l": {"L": [{"S": "x"}, {"N": "1"}, {"M": {"deep": {"L": []}}}]},
        "m": {"M": {"k": {"SS": ["b", "a"]}}},
        "ns": {"NS": ["3", "1"]},
        "bs": {"BS": [b"b", b"a"]},
        "empty": {"S": ""},
    }
    ddb.put_item(TableName=table, Item=item)
    stored = ddb.get_item(TableName=table, Key=KEY)["Item"]
    assert stored["s"] == {"S": "zoë"} and stored["b"] == {"B": b"\x00\xff"}
    assert stored["l"] == item["l"] and stored["t"] == {"BOOL": True}
    assert sorted(stored["m"]["M"]["k"]["SS"]) == ["a", "b"]
    assert sorted(stored["ns"]["NS"]) == ["1", "3"]
    assert sorted(stored["bs"]["BS"]) == [b"a", b"b"]
    assert stored["empty"] == {"S": ""}


def test_numbers_are_stored_normalised(ddb: Any, table: str) -> None:
    ddb.put_item(TableName=table, Item={**KEY, "a": {"N": "01.500"}, "b": {"N": "1e3"}})
    stored = ddb.get_item(TableName=table, Key=KEY)["Item"]
    assert stored["a"] == {"N": "1.5"} and stored["b"] == {"N": "1000"}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"N": "abc"}, "The parameter cannot be converted to a numeric value: abc"),
        ({"N": "1" * 39}, "Attempting to store more than 38 significant digits in a Number"),
        ({"N": "1e126"}, "Number overflow"),
        ({"N": "1e-131"}, "Number underflow"),
        ({"SS": []}, "An string set  may not be empty"),
        ({"SS": ["a", "a"]}, "Input collection [a, a] contains duplicates."),
        ({"NULL": False}, "Null attribute value types must have the value of true"),
    ],
)
def test_invalid_values_are_refused(ddb: Any, table: str, value: Any, message: str) -> None:
    code, text = error_of(ddb.put_item, TableName=table, Item={**KEY, "v": value})
    assert code == "ValidationException" and message in text
    assert "Item" not in ddb.get_item(TableName=table, Key=KEY)


def test_put_replaces_and_returns_the_old_item_when_asked(ddb: Any, table: str) -> None:
    first = ddb.put_item(TableName=table, Item={**KEY, "v": {"S": "1"}}, ReturnValues="ALL_OLD")
    assert "Attributes" not in first
    second = ddb.put_item(TableName=table, Item={**KEY, "w": {"S": "2"}}, ReturnValues="ALL_OLD")
    assert second["Attributes"] == {**KEY, "v": {"S": "1"}}
    assert ddb.get_item(TableName=table, Key=KEY)["Item"] == {**KEY, "w": {"S": "2"}}


def test_delete_returns_what_it_deleted(ddb: Any, table: str) -> None:
    ddb.put_item(TableName=table, Item={**KEY, "v": {"S": "1"}})
    gone = ddb.delete_item(TableName=table, Key=KEY, ReturnValues="ALL_OLD")
    assert gone["Attributes"]["v"] == {"S": "1"}
    assert "Item" not in ddb.get_item(TableName=table, Key=KEY)
    assert "Attributes" not in ddb.delete_item(TableName=table, Key=KEY, ReturnValues="ALL_OLD")


def test_get_projects_nested_paths_and_list_elements(ddb: Any, table: str) -> None:
    item = {
        **KEY,
        "m": {"M": {"a": {"S": "x"}, "b": {"S": "y"}}},
        "l": {"L": [{"S": "0"}, {"S": "1"}, {"S": "2"}]},
        "other": {"S": "no"},
    }
    ddb.put_item(TableName=table, Item=item)
    got = ddb.get_item(
        TableName=table,
        Key=KEY,
        ProjectionExpression="#m.a, l[2], l[0], absent",
        ExpressionAttributeNames={"#m": "m"},
    )["Item"]
    assert got == {"m": {"M": {"a": {"S": "x"}}}, "l": {"L": [{"S": "0"}, {"S": "2"}]}}


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ({"PK": {"S": "a"}}, "Missing the key SK in the item"),
        ({"PK": {"N": "1"}, "SK": {"S": "1"}}, "Type mismatch for key PK expected: S actual: N"),
        (
            {"PK": {"S": ""}, "SK": {"S": "1"}},
            "The AttributeValue for a key attribute cannot contain an empty string value. Key: PK",
        ),
        ({"PK": {"S": "x" * 2049}, "SK": {"S": "1"}}, "Size of hashkey has exceeded"),
        ({"PK": {"S": "a"}, "SK": {"S": "x" * 1025}}, "Aggregated size of all range keys"),
    ],
)
def test_put_refuses_a_bad_key(ddb: Any, table: str, item: Any, message: str) -> None:
    code, text = error_of(ddb.put_item, TableName=table, Item=item)
    assert code == "ValidationException" and message in text


@pytest.mark.parametrize(
    "key",
    [
        {"PK": {"S": "a"}},
        {"PK": {"S": "a"}, "SK": {"N": "1"}},
        {**KEY, "extra": {"S": "x"}},
        {"pk": {"S": "a"}, "SK": {"S": "1"}},
    ],
)
def test_get_refuses_a_key_that_is_not_the_schema(ddb: Any, table: str, key: Any) -> None:
    code, text = error_of(ddb.get_item, TableName=table, Key=key)
    assert (code, text) == (
        "ValidationException",
        "The provided key element does not match the schema",
    )


def test_the_item_size_limit_is_400_kb(ddb: Any, table: str) -> None:
    room = 400 * 1024 - len("PK") - 1 - len("SK") - 1 - len("v")
    ddb.put_item(TableName=table, Item={**KEY, "v": {"S": "x" * room}})
    code, text = error_of(ddb.put_item, TableName=table, Item={**KEY, "v": {"S": "x" * (room + 1)}})
    assert code == "ValidationException"
    assert text == "Item size has exceeded the maximum allowed size"
    assert len(ddb.get_item(TableName=table, Key=KEY)["Item"]["v"]["S"]) == room


def test_a_missing_table_is_resource_not_found(ddb: Any) -> None:
    code, _ = error_of(ddb.get_item, TableName="nowhere", Key=KEY)
    assert code == "ResourceNotFoundException"
    with pytest.raises(ddb.exceptions.ResourceNotFoundException):
        ddb.put_item(TableName="nowhere", Item=KEY)


@pytest.mark.parametrize(
    ("extra", "name"),
    [
        ({"Expected": {"v": {"Exists": False}}}, "Expected"),
        ({"AttributesToGet": ["v"]}, "AttributesToGet"),
        ({"ConditionalOperator": "AND"}, "ConditionalOperator"),
    ],
)
def test_legacy_parameters_are_refused_by_name(
    ddb: Any, table: str, extra: dict[str, Any], name: str
) -> None:
    call = ddb.get_item if name == "AttributesToGet" else ddb.put_item
    args = {"Key": KEY} if call == ddb.get_item else {"Item": KEY}
    code, text = error_of(call, TableName=table, **args, **extra)
    assert code == "ValidationException" and text.startswith(f"{name} is a legacy parameter")


def test_return_values_are_checked_per_operation(ddb: Any, table: str) -> None:
    code, text = error_of(ddb.put_item, TableName=table, Item=KEY, ReturnValues="ALL_NEW")
    assert (code, text) == ("ValidationException", "Return values set to invalid value")


def test_a_numeric_sort_key_orders_numerically_and_binary_keys_work(ddb: Any) -> None:
    make_table(ddb, "numbers", sort="n", sort_type="N")
    for n in ("10", "-2.5", "3", "0", "-100", "1e2"):
        ddb.put_item(TableName="numbers", Item={"PK": {"S": "p"}, "n": {"N": n}})
    page = ddb.query(
        TableName="numbers",
        KeyConditionExpression="PK = :p",
        ExpressionAttributeValues={":p": {"S": "p"}},
    )
    assert [i["n"]["N"] for i in page["Items"]] == ["-100", "-2.5", "0", "3", "10", "100"]
    make_table(ddb, "binary", sort="b", sort_type="B")
    for raw in (b"\x02", b"\x00\x01", b"\xff", b"\x00"):
        ddb.put_item(TableName="binary", Item={"PK": {"S": "p"}, "b": {"B": raw}})
    page = ddb.query(
        TableName="binary",
        KeyConditionExpression="PK = :p",
        ExpressionAttributeValues={":p": {"S": "p"}},
        ScanIndexForward=False,
    )
    assert [i["b"]["B"] for i in page["Items"]] == [b"\xff", b"\x02", b"\x00\x01", b"\x00"]


def test_consumed_capacity_when_asked(ddb: Any, table: str) -> None:
    put = ddb.put_item(
        TableName=table, Item={**KEY, "v": {"S": "x" * 3000}}, ReturnConsumedCapacity="TOTAL"
    )
    assert put["ConsumedCapacity"] == {
        "TableName": table,
        "CapacityUnits": 3.0,
        "WriteCapacityUnits": 3.0,
    }
    got = ddb.get_item(TableName=table, Key=KEY, ReturnConsumedCapacity="TOTAL")
    assert got["ConsumedCapacity"]["CapacityUnits"] == 0.5
    assert "ConsumedCapacity" not in ddb.get_item(TableName=table, Key=KEY)
