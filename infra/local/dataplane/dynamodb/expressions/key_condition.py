"""KeyConditionExpression as a range of encoded keys: the partition key's value, and bounds
on the sort key that SQLite answers from the primary key (or the index's) in key order."""

from __future__ import annotations

from dataclasses import dataclass

from infra.local.dataplane.dynamodb.expressions import conditions as c
from infra.local.dataplane.dynamodb.expressions import functions as f
from infra.local.dataplane.dynamodb.expressions.env import Env, describe
from infra.local.dataplane.dynamodb.expressions.nodes import Condition, Literal, Path, order
from infra.local.dataplane.dynamodb.expressions.parsed import Parsed
from infra.local.dataplane.dynamodb.expressions.tokens import invalid
from infra.local.dataplane.dynamodb.keys import scalar_bytes
from infra.local.dataplane.dynamodb.spec import Key
from infra.local.dataplane.dynamodb.values import Value
from infra.local.dataplane.dynamodb.values import invalid as invalid_parameter
from infra.local.dataplane.errors import AwsError, validation

KIND = "KeyConditionExpression"
_MIRROR = {"=": "=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


@dataclass(frozen=True)
class KeyRange:
    partition: Value
    low: bytes | None = None
    low_inclusive: bool = True
    high: bytes | None = None
    high_inclusive: bool = True


def key_range(
    parsed: Parsed[Condition], env: Env, hash_key: Key, range_key: Key | None
) -> KeyRange:
    tree = parsed.tree
    parts = [tree.left, tree.right] if isinstance(tree, c.And) else [tree]
    if any(isinstance(p, c.And) for p in parts):
        raise validation("Conditions can be of length 1 or 2 only")
    for part in parts:
        _supported(part)
    named = {_attribute(p, env): p for p in parts}
    if hash_key.name not in named:
        raise validation(f"Query condition missed key schema element: {hash_key.name}")
    if len(named) != len(parts) or any(
        n not in (hash_key.name, getattr(range_key, "name", None)) for n in named
    ):
        raise validation("Query key condition not supported")
    equality = named[hash_key.name]
    if not (isinstance(equality, c.Compare) and equality.operator == "="):
        raise validation("Query key condition not supported")
    partition = _value(equality, env, hash_key)
    rest = [p for n, p in named.items() if n != hash_key.name]
    if not rest or range_key is None:
        return KeyRange(partition)
    return _sort_range(rest[0], env, range_key, partition)


def _supported(part: Condition) -> None:
    operator = {
        c.Or: "OR",
        c.Not: "NOT",
        c.In: "IN",
        f.Exists: "attribute_exists",
        f.TypeIs: "attribute_type",
        f.Contains: "contains",
    }.get(type(part))
    if isinstance(part, f.Exists) and not part.expected:
        operator = "attribute_not_exists"
    if isinstance(part, c.Compare) and part.operator == "<>":
        operator = "<>"
    if operator:
        raise validation(f"Invalid operator used in KeyConditionExpression: {operator}")


def _attribute(part: Condition, env: Env) -> str:
    operands = [getattr(part, f, None) for f in ("left", "right", "subject", "path")]
    found = [o for o in operands if isinstance(o, Path)]
    if len(found) != 1:
        raise invalid(KIND, "a key condition compares one key attribute with values")
    parts = found[0].resolved(env)
    if len(parts) != 1:
        raise validation("KeyConditionExpressions cannot contain nested attributes")
    return str(parts[0])


def _literal(operand: object, env: Env, key: Key) -> Value:
    if not isinstance(operand, Literal):
        raise invalid(KIND, "a key attribute is compared with values only")
    value = env.values[operand.ref]
    if key.type not in value:
        raise invalid_parameter("Condition parameter type does not match schema type")
    if value[key.type] == "":
        raise validation(
            "One or more parameter values are not valid. The AttributeValue for a key attribute "
            f"cannot contain an empty string value. Key: {key.name}"
        )
    return value


def _value(compare: c.Compare, env: Env, key: Key) -> Value:
    operand = compare.right if isinstance(compare.left, Path) else compare.left
    return _literal(operand, env, key)


def _sort_range(part: Condition, env: Env, key: Key, partition: Value) -> KeyRange:
    if isinstance(part, c.Compare):
        operator = part.operator if isinstance(part.left, Path) else _MIRROR[part.operator]
        bound = scalar_bytes(key.type, _value(part, env, key))
        if operator == "=":
            return KeyRange(partition, bound, True, bound, True)
        if operator in ("<", "<="):
            return KeyRange(partition, high=bound, high_inclusive=operator == "<=")
        return KeyRange(partition, low=bound, low_inclusive=operator == ">=")
    if isinstance(part, c.Between):
        low, high = _literal(part.low, env, key), _literal(part.high, env, key)
        if (order(low, high) or 0) > 0:
            raise invalid(
                KIND,
                "The BETWEEN operator requires upper bound to be greater than or equal to lower "
                f"bound; lower bound operand: {describe(low)}, upper bound operand: "
                f"{describe(high)}",
            )
        return KeyRange(partition, scalar_bytes(key.type, low), True, scalar_bytes(key.type, high))
    if isinstance(part, f.BeginsWith):
        if key.type == "N":
            raise invalid(
                KIND,
                "Incorrect operand type for operator or function; operator or function: "
                "begins_with, operand type: N",
            )
        prefix = scalar_bytes(key.type, _literal(part.prefix, env, key))
        return KeyRange(partition, prefix, True, successor(prefix), False)
    raise AwsError("ValidationException", "Query key condition not supported")


def successor(prefix: bytes) -> bytes | None:
    """The smallest byte string after every string that starts with ``prefix``."""
    trimmed = prefix.rstrip(b"\xff")
    if not trimmed:
        return None
    return trimmed[:-1] + bytes([trimmed[-1] + 1])
