"""Personal data and secrets out of everything the operator CLI prints, JSON included.

Keys are compared without case, ``_`` or ``-`` (``shippingAddress`` = ``shipping_address``).
JSON held in strings (workflow inputs, message bodies) is parsed and redacted too.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

REDACTED = "<redacted>"
PERSONAL = frozenset(
    {
        "shippingaddress",
        "billingaddress",
        "address",
        "name",
        "fullname",
        "firstname",
        "lastname",
        "email",
        "emailaddress",
        "phone",
        "phonenumber",
        "line1",
        "line2",
        "street",
        "city",
        "postalcode",
        "paymenttoken",
        "cardnumber",
        "cvc",
        "iban",
    }
)
INTERNAL = frozenset({"stacktrace"})
"""Not personal, but not for operators' terminals or tickets either: a Lambda error's stack trace
(file paths of the function's code). Its type and message stay."""
OMITTED = "<omitted>"
TOKENS = frozenset({"tasktoken", "waittoken", "token"})
"""Credentials rather than personal data: shown by their last characters only."""


def _key(name: str) -> str:
    return name.lower().replace("_", "").replace("-", "")


def redact(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _redact_field(str(k), v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return redact(json.loads(value))
        except ValueError:
            return value
    return value


def _redact_field(name: str, value: Any) -> Any:
    key = _key(name)
    if key in PERSONAL and value not in (None, "", [], {}):
        return REDACTED
    if key in INTERNAL and value not in (None, "", [], {}):
        return OMITTED
    if key in TOKENS and isinstance(value, str) and value:
        return f"<token ...{value[-6:]}>" if len(value) > 12 else "<token>"
    return redact(value)


def plain(value: Any) -> Any:
    """JSON-ready: DynamoDB's Decimals become ints or strings, datetimes ISO strings."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else str(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [plain(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def preview(value: Any, limit: int = 160) -> str:
    """Redacted, compact JSON (or text), cut at ``limit`` characters."""
    shown = redact(value)
    text = shown if isinstance(shown, str) else json.dumps(plain(shown), separators=(",", ":"))
    return truncate(text, limit)


def truncate(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return f"{text[: limit - 1]}... (+{len(text) - limit + 1} chars)"
