"""ConditionExpression: every comparator, function and operator, DynamoDB's rules for missing
attributes, and its errors for names, values, reserved words and syntax."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.support.dynamodb_plane import error_of

KEY = {"PK": {"S": "a"}, "SK": {"S": "1"}}
ITEM = {
    **KEY,
    "n": {"N": "5"},
    "s": {"S": "hello"},
    "b": {"B": b"\x01\x02"},
    "l": {"L": [{"S": "x"}, {"N": "2"}]},
    "m": {"M": {"deep": {"N": "1"}}},
    "ss": {"SS": ["p", "q"]},
    "nul": {"NULL": True},
}
VALUES = {
    ":one": {"N": "1"},
    ":five": {"N": "5"},
    ":ten": {"N": "10"},
    ":hello": {"S": "hello"},
    ":he": {"S": "he"},
    ":ell": {"S": "ell"},
    ":x": {"S": "x"},
    ":two": {"N": "2"},
    ":p": {"S": "p"},
    ":prefix": {"B": b"\x01"},
    ":S": {"S": "S"},
    ":SS": {"S": "SS"},
    ":NULL": {"S": "NULL"},
    ":M": {"S": "M"},
}


@pytest.fixture
def stored(ddb: Any, table: str) -> str:
    ddb.put_item(TableName=table, Item=ITEM)
    return table


def holds(ddb: Any, table: str, condition: str, **extra: Any) -> bool:
    """Whether ``condition`` holds for the stored item (a no-op update conditioned on it)."""
    used = set(re.findall(r":\w+", condition))
    values = {k: v for k, v in VALUES.items() if k in used}
    extra.setdefault("ExpressionAttributeValues", values or None)
    if not extra["ExpressionAttributeValues"]:
        del extra["ExpressionAttributeValues"]
    try:
        ddb.update_item(TableName=table, Key=KEY, ConditionExpression=condition, **extra)
    except ddb.exceptions.ConditionalCheckFailedException:
        return False
    return True


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("n = :five", True),
        ("n <> :five", False),
        ("n < :ten AND n > :one", True),
        ("n <= :five AND n >= :five", True),
        ("n < :one", False),
        ("s < :five", False),  # other types never order
        ("s > :he", True),  # strings by code point
        ("n BETWEEN :one AND :ten", True),
        ("n BETWEEN :one AND :two", False),
        ("n IN (:one, :five)", True),
        ("s IN (:one, :x)", False),
        ("attribute_exists(m.deep)", True),
        ("attribute_exists(m.nothere)", False),
        ("attribute_not_exists(absent)", True),
        ("attribute_exists(l[1])", True),
        ("attribute_exists(l[2])", False),
        ("attribute_type(s, :S)", True),
        ("attribute_type(ss, :SS)", True),
        ("attribute_type(nul, :NULL)", True),
        ("attribute_type(s, :M)", False),
        ("begins_with(s, :he)", True),
        ("begins_with(s, :ell)", False),
        ("begins_with(b, :prefix)", True),
        ("contains(s, :ell)", True),
        ("contains(ss, :p)", True),
        ("contains(l, :x)", True),
        ("contains(l, :two)", True),
        ("contains(l, :one)", False),
        ("size(s) = :five", True),
        ("size(l) = :two", True),
        ("size(ss) > :one", True),
        ("size(m) = :one", True),
        ("l[1] = :two", True),
        ("m.deep = :one", True),
        ("NOT n = :one", True),
        ("n = :one OR n = :five AND s = :x", False),  # AND binds tighter than OR
        ("(n = :one OR n = :five) AND s = :hello", True),
        ("NOT (n = :one OR s = :x)", True),
        ("absent = :one", False),
        ("absent <> :one", True),  # a missing attribute is unequal to anything
        ("absent < :one", False),
        ("absent = nothere", False),
        ("absent <> nothere", True),
        ("n between :one and :ten", True),  # keywords in any case
    ],
)
def test_conditions_evaluate_as_dynamodb_does(
    ddb: Any, stored: str, condition: str, expected: bool
) -> None:
    assert holds(ddb, stored, condition) is expected


def test_a_failed_condition_writes_nothing_and_returns_the_item_when_asked(
    ddb: Any, stored: str
) -> None:
    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException) as raised:
        ddb.put_item(
            TableName=stored,
            Item={**KEY, "n": {"N": "6"}},
            ConditionExpression="attribute_not_exists(PK)",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    assert raised.value.response["Error"]["Message"] == "The conditional request failed"
    assert raised.value.response["Item"] == ITEM
    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException) as plain:
        ddb.delete_item(
            TableName=stored,
            Key=KEY,
            ConditionExpression="n = :one",
            ExpressionAttributeValues={":one": {"N": "1"}},
        )
    assert "Item" not in plain.value.response
    assert ddb.get_item(TableName=stored, Key=KEY)["Item"] == ITEM


def test_a_condition_on_a_missing_item_sees_no_attributes(ddb: Any, table: str) -> None:
    ddb.put_item(TableName=table, Item=KEY, ConditionExpression="attribute_not_exists(PK)")
    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException):
        ddb.put_item(TableName=table, Item=KEY, ConditionExpression="attribute_not_exists(PK)")
    other = {"PK": {"S": "b"}, "SK": {"S": "1"}}
    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException):
        ddb.delete_item(TableName=table, Key=other, ConditionExpression="attribute_exists(PK)")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            {"ConditionExpression": "#a = :v", "ExpressionAttributeValues": {":v": {"S": "x"}}},
            "Invalid ConditionExpression: An expression attribute name used in the document "
            "path is not defined; attribute name: #a",
        ),
        (
            {"ConditionExpression": "a = :v"},
            "Invalid ConditionExpression: An expression attribute value used in expression is "
            "not defined; attribute value: :v",
        ),
        (
            {
                "ConditionExpression": "a = :v",
                "ExpressionAttributeValues": {":v": {"S": "x"}, ":w": {"S": "y"}},
            },
            "Value provided in ExpressionAttributeValues unused in expressions: keys: {:w}",
        ),
        (
            {
                "ConditionExpression": "attribute_exists(a)",
                "ExpressionAttributeNames": {"#b": "b"},
            },
            "Value provided in ExpressionAttributeNames unused in expressions: keys: {#b}",
        ),
        (
            {"ConditionExpression": "status = :v", "ExpressionAttributeValues": {":v": {"S": "x"}}},
            "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved "
            "keyword: status",
        ),
        (
            {"ConditionExpression": "a = ", "ExpressionAttributeNames": None},
            'Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "="',
        ),
        (
            {"ConditionExpression": "a === :v", "ExpressionAttributeValues": {":v": {"S": "x"}}},
            'Invalid ConditionExpression: Syntax error; token: "=", near: "=="',
        ),
        (
            {"ConditionExpression": "nope(a)"},
            "Invalid ConditionExpression: Invalid function name; function: nope",
        ),
        (
            {"ConditionExpression": "attribute_exists(a, b)"},
            "Invalid ConditionExpression: Incorrect number of operands for operator or "
            "function; operator or function: attribute_exists, number of operands: 2",
        ),
        (
            {"ConditionExpression": "  "},
            "Invalid ConditionExpression: The expression can not be empty;",
        ),
        (
            {
                "ConditionExpression": "a < :m",
                "ExpressionAttributeValues": {":m": {"M": {}}},
            },
            "Invalid ConditionExpression: Incorrect operand type for operator or function; "
            "operator or function: <, operand type: M",
        ),
        (
            {
                "ConditionExpression": "a BETWEEN :hi AND :lo",
                "ExpressionAttributeValues": {":hi": {"N": "5"}, ":lo": {"N": "1"}},
            },
            "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be "
            "greater than or equal to lower bound; lower bound operand: AttributeValue: {N:5}, "
            "upper bound operand: AttributeValue: {N:1}",
        ),
        (
            {"ExpressionAttributeNames": {"#a": "a"}},
            "ExpressionAttributeNames can only be specified when using expressions",
        ),
        (
            {"ConditionExpression": "a = :v", "ExpressionAttributeValues": {":v": {"N": "x"}}},
            "ExpressionAttributeValues contains invalid value: The parameter cannot be "
            "converted to a numeric value: x for key :v",
        ),
    ],
)
def test_expression_errors_name_the_problem(
    ddb: Any, stored: str, arguments: dict[str, Any], message: str
) -> None:
    arguments = {k: v for k, v in arguments.items() if v is not None}
    code, text = error_of(ddb.put_item, TableName=stored, Item=ITEM, **arguments)
    assert (code, text) == ("ValidationException", message)


def test_names_stand_for_reserved_words_and_odd_characters(ddb: Any, table: str) -> None:
    item = {**KEY, "status": {"S": "new"}, "odd-name.with dot": {"N": "1"}}
    ddb.put_item(TableName=table, Item=item)
    assert holds(
        ddb,
        table,
        "#s = :new AND #odd = :one",
        ExpressionAttributeNames={"#s": "status", "#odd": "odd-name.with dot"},
        ExpressionAttributeValues={":new": {"S": "new"}, ":one": {"N": "1"}},
    )


def test_one_parse_serves_requests_with_other_names_and_values(ddb: Any, table: str) -> None:
    ddb.put_item(TableName=table, Item={**KEY, "a": {"S": "1"}, "b": {"S": "2"}})
    condition = "#x = :v"
    for name, value, expected in (("a", "1", True), ("b", "2", True), ("a", "2", False)):
        assert (
            holds(
                ddb,
                table,
                condition,
                ExpressionAttributeNames={"#x": name},
                ExpressionAttributeValues={":v": {"S": value}},
            )
            is expected
        )
