"""DynamoDB numbers: 38 significant digits, magnitudes 1E-130 to 1E+126, stored normalised.

DynamoDB trims leading and trailing zeroes (``"1.50"`` reads back as ``"1.5"``), so equal
numbers have equal text: item comparison and stream "did anything change" are plain equality.
Arithmetic (``SET n = n + :d``, ``ADD``) is exact to 38 digits; more is an error, as in DynamoDB.
"""

from __future__ import annotations

import re
from decimal import Context, Decimal, Inexact, InvalidOperation

from infra.local.dataplane.errors import validation

MAX_DIGITS = 38
_SYNTAX = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_EXACT = Context(prec=MAX_DIGITS, traps=[Inexact, InvalidOperation])
_WIDE = Context(prec=400)


def parse(text: object) -> Decimal:
    """The value of a wire number (``{"N": "..."}``), validated as DynamoDB does."""
    if not isinstance(text, str) or not _SYNTAX.fullmatch(text):
        raise validation(f"The parameter cannot be converted to a numeric value: {text}")
    value = Decimal(text).normalize(_WIDE)
    return check(value)


def check(value: Decimal) -> Decimal:
    if value.is_zero():
        return Decimal(0)
    digits = value.as_tuple().digits
    if len(digits) > MAX_DIGITS:
        raise validation("Attempting to store more than 38 significant digits in a Number")
    magnitude = value.adjusted()
    if magnitude > 125:
        raise validation(
            "Number overflow. Attempting to store a number with magnitude larger than supported "
            "range"
        )
    if magnitude < -130:
        raise validation(
            "Number underflow. Attempting to store a number with magnitude smaller than "
            "supported range"
        )
    return value


def text(value: Decimal) -> str:
    """The canonical wire text: plain notation, no trailing zeroes."""
    return "0" if value.is_zero() else format(value, "f")


def canonical(raw: object) -> str:
    return text(parse(raw))


def add(a: Decimal, b: Decimal, subtract: bool = False) -> Decimal:
    try:
        result = _EXACT.subtract(a, b) if subtract else _EXACT.add(a, b)
    except (Inexact, InvalidOperation) as error:
        raise validation(
            "Attempting to store more than 38 significant digits in a Number"
        ) from error
    return check(result.normalize(_WIDE))


def sort_bytes(value: Decimal) -> bytes:
    """Bytes whose order (memcmp, as SQLite compares BLOBs) is the numbers' order.

    Zero is 0x80; a positive number is 0xC0, its exponent (2 bytes) and its digits, so a larger
    exponent or, at equal exponent, larger digits sort later (a digit string that is a prefix of
    another is the smaller number, as memcmp has it). A negative number inverts all of that and
    ends with 0xFF, so that -0.12 sorts after -0.123.
    """
    if value.is_zero():
        return b"\x80"
    sign, digits, _ = value.as_tuple()
    scale = value.adjusted() + 1 + 1000  # 0.d1d2... x 10^(scale - 1000)
    if not sign:
        return b"\xc0" + scale.to_bytes(2, "big") + bytes(digits)
    return b"\x40" + (4000 - scale).to_bytes(2, "big") + bytes(9 - d for d in digits) + b"\xff"
