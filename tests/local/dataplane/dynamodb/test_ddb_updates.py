"""UpdateExpression: every action (SET with + and -, if_not_exists, list_append; REMOVE; ADD;
DELETE), nested paths and list indexes, ReturnValues, and the errors DynamoDB answers."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.dynamodb_plane import error_of

KEY = {"PK": {"S": "a"}, "SK": {"S": "1"}}
ITEM = {
    **KEY,
    "n": {"N": "5"},
    "l": {"L": [{"S": "x"}, {"S": "y"}, {"S": "z"}]},
    "m": {"M": {"deep": {"M": {"v": {"N": "1"}}}}},
    "ss": {"SS": ["p", "q"]},
    "ns": {"NS": ["1", "2"]},
}


@pytest.fixture
def stored(ddb: Any, table: str) -> str:
    ddb.put_item(TableName=table, Item=ITEM)
    return table


def update(
    ddb: Any, table: str, expression: str, values: dict[str, Any] | None = None, **extra: Any
) -> dict[str, Any]:
    if values:
        extra["ExpressionAttributeValues"] = values
    ddb.update_item(TableName=table, Key=KEY, UpdateExpression=expression, **extra)
    return dict(ddb.get_item(TableName=table, Key=KEY)["Item"])


def test_set_arithmetic_and_functions(ddb: Any, stored: str) -> None:
    after = update(
        ddb,
        stored,
        "SET n = n + :two, tally = if_not_exists(tally, :zero) - :two, "
        "l = list_append(l, :more), early = list_append(:more, l), was = n",
        {":two": {"N": "2"}, ":zero": {"N": "0"}, ":more": {"L": [{"S": "w"}]}},
    )
    assert after["n"] == {"N": "7"}
    assert after["tally"] == {"N": "-2"}
    assert [e["S"] for e in after["l"]["L"]] == ["x", "y", "z", "w"]
    assert [e["S"] for e in after["early"]["L"]] == ["w", "x", "y", "z"]
    assert after["was"] == {"N": "5"}  # operands read the item as it was


def test_operands_read_the_item_before_the_update_so_set_can_swap(ddb: Any, stored: str) -> None:
    ddb.update_item(
        TableName=stored,
        Key=KEY,
        UpdateExpression="SET a = :a, b = :b",
        ExpressionAttributeValues={":a": {"S": "A"}, ":b": {"S": "B"}},
    )
    after = update(ddb, stored, "SET a = b, b = a")
    assert (after["a"], after["b"]) == ({"S": "B"}, {"S": "A"})


def test_nested_paths_and_list_indexes(ddb: Any, stored: str) -> None:
    after = update(
        ddb,
        stored,
        "SET m.deep.v = :nine, m.deep.w = :nine, l[1] = :new, l[10] = :end",
        {":nine": {"N": "9"}, ":new": {"S": "Y"}, ":end": {"S": "end"}},
    )
    assert after["m"] == {"M": {"deep": {"M": {"v": {"N": "9"}, "w": {"N": "9"}}}}}
    assert [e["S"] for e in after["l"]["L"]] == ["x", "Y", "z", "end"]  # past the end appends


def test_remove_attributes_and_list_elements_by_their_original_index(ddb: Any, stored: str) -> None:
    after = update(ddb, stored, "REMOVE n, l[0], l[2], m.deep.v, absent")
    assert "n" not in after
    assert after["l"] == {"L": [{"S": "y"}]}
    assert after["m"] == {"M": {"deep": {"M": {}}}}


def test_add_to_numbers_and_sets_creating_them_when_missing(ddb: Any, stored: str) -> None:
    after = update(
        ddb,
        stored,
        "ADD n :one, hits :one, ss :rs, fresh :rs, ns :ns",
        {":one": {"N": "1"}, ":rs": {"SS": ["r", "p"]}, ":ns": {"NS": ["2", "3"]}},
    )
    assert after["n"] == {"N": "6"} and after["hits"] == {"N": "1"}
    assert sorted(after["ss"]["SS"]) == ["p", "q", "r"]
    assert sorted(after["fresh"]["SS"]) == ["p", "r"]
    assert sorted(after["ns"]["NS"]) == ["1", "2", "3"]


def test_delete_takes_elements_from_a_set_and_an_emptied_set_goes(ddb: Any, stored: str) -> None:
    after = update(
        ddb,
        stored,
        "DELETE ss :p, ns :both, absent :p",
        {":p": {"SS": ["p", "zz"]}, ":both": {"NS": ["1", "2"]}},
    )
    assert after["ss"] == {"SS": ["q"]}
    assert "ns" not in after and "absent" not in after


def test_update_of_a_missing_item_creates_it(ddb: Any, table: str) -> None:
    after = update(ddb, table, "SET v = :v ADD c :one", {":v": {"S": "x"}, ":one": {"N": "1"}})
    assert after == {**KEY, "v": {"S": "x"}, "c": {"N": "1"}}


@pytest.mark.parametrize(
    ("returns", "expected"),
    [
        ("ALL_OLD", ITEM),
        ("UPDATED_OLD", {"n": {"N": "5"}, "m": {"M": {"deep": {"M": {"v": {"N": "1"}}}}}}),
        (
            "UPDATED_NEW",
            {"n": {"N": "6"}, "m": {"M": {"deep": {"M": {"v": {"N": "2"}}}}}, "added": {"S": "x"}},
        ),
        ("NONE", None),
    ],
)
def test_return_values(ddb: Any, stored: str, returns: str, expected: Any) -> None:
    answer = ddb.update_item(
        TableName=stored,
        Key=KEY,
        UpdateExpression="SET n = n + :one, m.deep.v = :two, added = :x",
        ExpressionAttributeValues={":one": {"N": "1"}, ":two": {"N": "2"}, ":x": {"S": "x"}},
        ReturnValues=returns,
    )
    assert answer.get("Attributes") == expected


def test_all_new_returns_the_whole_new_item(ddb: Any, stored: str) -> None:
    answer = ddb.update_item(
        TableName=stored, Key=KEY, UpdateExpression="REMOVE l, m, ss, ns", ReturnValues="ALL_NEW"
    )
    assert answer["Attributes"] == {**KEY, "n": {"N": "5"}}


@pytest.mark.parametrize(
    ("expression", "values", "message"),
    [
        (
            "SET n = n + :s",
            {":s": {"S": "x"}},
            "An operand in the update expression has an incorrect data type",
        ),
        (
            "SET v = absent",
            None,
            "The provided expression refers to an attribute that does not exist in the item",
        ),
        (
            "SET nowhere.v = :s",
            {":s": {"S": "x"}},
            "The document path provided in the update expression is invalid for update",
        ),
        (
            "SET PK = :s",
            {":s": {"S": "x"}},
            "One or more parameter values were invalid: Cannot update attribute PK. This "
            "attribute is part of the key",
        ),
        (
            "SET m = :s REMOVE m.deep",
            {":s": {"S": "x"}},
            "Invalid UpdateExpression: Two document paths overlap with each other; must remove "
            "or rewrite one of these paths; path one: [m], path two: [m, deep]",
        ),
        (
            "SET a = :s SET b = :s",
            {":s": {"S": "x"}},
            'Invalid UpdateExpression: The "SET" section can only be used once in an update '
            "expression;",
        ),
        (
            "ADD s :s",
            {":s": {"S": "x"}},
            "Invalid UpdateExpression: Incorrect operand type for operator or function; "
            "operator: ADD, operand type: STRING",
        ),
        (
            "ADD ss :n",
            {":n": {"N": "1"}},
            "An operand in the update expression has an incorrect data type",
        ),
        (
            "DELETE ss :n",
            {":n": {"NS": ["1"]}},
            "An operand in the update expression has an incorrect data type",
        ),
        (
            "SET l = list_append(l, :s)",
            {":s": {"S": "x"}},
            "Invalid UpdateExpression: Incorrect operand type for operator or function; "
            "operator or function: list_append, operand type: S",
        ),
        (
            "SET size = :s",
            {":s": {"S": "x"}},
            "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: "
            "size",
        ),
        (
            "SET v = nope(:s)",
            {":s": {"S": "x"}},
            "Invalid UpdateExpression: Invalid function name; function: nope",
        ),
        (
            "SET n = :big + :tenth",
            {":big": {"N": "1e37"}, ":tenth": {"N": "0.1"}},
            "Attempting to store more than 38 significant digits in a Number",
        ),
    ],
)
def test_update_errors(ddb: Any, stored: str, expression: str, values: Any, message: str) -> None:
    extra = {"ExpressionAttributeValues": values} if values else {}
    code, text = error_of(
        ddb.update_item, TableName=stored, Key=KEY, UpdateExpression=expression, **extra
    )
    assert (code, text) == ("ValidationException", message)
    assert ddb.get_item(TableName=stored, Key=KEY)["Item"] == ITEM


def test_an_update_past_400_kb_is_refused(ddb: Any, stored: str) -> None:
    _, text = error_of(
        ddb.update_item,
        TableName=stored,
        Key=KEY,
        UpdateExpression="SET big = :big",
        ExpressionAttributeValues={":big": {"S": "x" * (400 * 1024)}},
    )
    assert text == "Item size to update has exceeded the maximum allowed size"


def test_conditional_update_with_a_version(ddb: Any, stored: str) -> None:
    version = {"ConditionExpression": "n = :expected", "UpdateExpression": "SET n = :next"}
    ddb.update_item(
        TableName=stored,
        Key=KEY,
        **version,
        ExpressionAttributeValues={":expected": {"N": "5"}, ":next": {"N": "6"}},
    )
    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException) as raised:
        ddb.update_item(
            TableName=stored,
            Key=KEY,
            **version,
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
            ExpressionAttributeValues={":expected": {"N": "5"}, ":next": {"N": "7"}},
        )
    assert raised.value.response["Item"]["n"] == {"N": "6"}
