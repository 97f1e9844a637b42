"""Attribute values as the wire carries them (``{"S": "x"}``, ``{"N": "1"}``, ...): checked,
made canonical, and sized by DynamoDB's rules.

Canonical means numbers normalised and sets sorted, so two equal values are equal dicts (a
condition's ``=``, a stream's "nothing changed"). Binary stays base64 text, re-encoded so
that equal bytes are equal text. Sizes follow "Item sizes and formats" in the DynamoDB guide.
"""

from __future__ import annotations

import base64
import binascii
import re
from decimal import Decimal
from typing import Any, cast

from infra.local.dataplane.dynamodb import numbers
from infra.local.dataplane.errors import validation

Value = dict[str, Any]
Item = dict[str, Value]
TYPES = frozenset({"S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL"})
MAX_DEPTH = 32
_PLAIN_INTEGER = re.compile(r"-?[1-9][0-9]{0,37}|0")
"""An integer already in canonical form (no leading zeroes, at most 38 digits)."""
_SET_NAMES = {"SS": "string", "NS": "number", "BS": "binary"}


def invalid(detail: str) -> Exception:
    return validation(f"One or more parameter values were invalid: {detail}")


def type_of(value: object) -> str:
    if not isinstance(value, dict) or not value:
        raise validation(
            "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
        )
    if len(value) > 1:
        raise validation(
            "Supplied AttributeValue has more than one datatypes set, must contain exactly one "
            "of the supported datatypes"
        )
    [kind] = value
    if kind not in TYPES:
        raise validation(f"Supplied AttributeValue has an unsupported datatype: {kind}")
    return str(kind)


def decode_binary(raw: object) -> bytes:
    if isinstance(raw, bytes):
        return raw
    try:
        return base64.b64decode(str(raw), validate=True)
    except (binascii.Error, ValueError) as bad:
        raise validation("Invalid binary value: it is not base64") from bad


def encode_binary(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def canonical(value: object, depth: int = 0) -> tuple[Value, int]:
    """The canonical form of one attribute value and its size in bytes."""
    if type(value) is dict and len(value) == 1:  # the common cases first, without checks
        raw = value.get("S")
        if type(raw) is str:
            return value, len(raw.encode("utf-8"))
        raw = value.get("N")
        if type(raw) is str and _PLAIN_INTEGER.fullmatch(raw):
            significant = raw.lstrip("-").rstrip("0") or "0"
            return value, (len(significant) + 1) // 2 + 1
    kind = type_of(value)
    value = cast(Value, value)  # type_of: a dict of one member
    raw = value[kind]
    if kind == "S":
        if not isinstance(raw, str):
            raise validation("Invalid string value: a string is expected")
        return value, len(raw.encode("utf-8"))
    if kind == "N":
        parsed = numbers.parse(raw)
        return {"N": numbers.text(parsed)}, number_size(parsed)
    if kind == "B":
        data = decode_binary(raw)
        return {"B": encode_binary(data)}, len(data)
    if kind == "BOOL":
        if not isinstance(raw, bool):
            raise validation("Invalid BOOL value: true or false is expected")
        return value, 1
    if kind == "NULL":
        if raw is not True:
            raise invalid("Null attribute value types must have the value of true")
        return value, 1
    if depth >= MAX_DEPTH:
        raise validation("Nesting Levels have exceeded supported limits")
    if kind == "M":
        if not isinstance(raw, dict):
            raise validation("Invalid map value: an object is expected")
        members, size = canonical_item(raw, depth + 1)
        return {"M": members}, 3 + size + len(members)
    if kind == "L":
        if not isinstance(raw, list):
            raise validation("Invalid list value: an array is expected")
        elements, size = [], 3 + len(raw)
        for element in raw:
            element, element_size = canonical(element, depth + 1)
            elements.append(element)
            size += element_size
        return {"L": elements}, size
    return canonical_set(kind, raw)


def canonical_set(kind: str, raw: object) -> tuple[Value, int]:
    if not isinstance(raw, list) or not all(isinstance(e, str) for e in raw):
        raise validation(f"Invalid {_SET_NAMES[kind]} set: an array of strings is expected")
    if not raw:
        raise invalid(f"An {_SET_NAMES[kind]} set  may not be empty")
    if kind == "SS":
        members: list[Any] = sorted(set(raw))
        size = sum(len(s.encode("utf-8")) for s in members)
        out = members
    elif kind == "NS":
        members = sorted({numbers.parse(n) for n in raw})
        size = sum(number_size(n) for n in members)
        out = [numbers.text(n) for n in members]
    else:
        members = sorted({decode_binary(b) for b in raw})
        size = sum(len(b) for b in members)
        out = [encode_binary(b) for b in members]
    if len(members) != len(raw):
        raise invalid(f"Input collection [{', '.join(raw)}] contains duplicates.")
    return {kind: out}, size


def canonical_item(raw: object, depth: int = 0) -> tuple[Item, int]:
    """A whole item (or a map's members): canonical values and the size DynamoDB bills."""
    if not isinstance(raw, dict):
        raise validation("An item is a map of attribute names to attribute values")
    item: Item = {}
    size = 0
    for name, value in raw.items():
        item[name], value_size = canonical(value, depth)
        size += len(name.encode("utf-8")) + value_size
    return item, size


def number_size(value: Decimal) -> int:
    """About one byte per two significant digits, plus one (DynamoDB's approximation)."""
    return (len(value.as_tuple().digits) + 1) // 2 + 1


def item_size(item: Item) -> int:
    """Size of an item that is canonical already (after an update, for the 400 KB limit)."""
    return canonical_item(item)[1]
