"""Opaque page cursors for customer order lists.

A cursor is the GSI1 sort key of the last order shown, base64url-encoded. The partition (the
customer) is never taken from it, so a cursor altered or carried over to another customer can
only move the position inside the caller's own orders.
"""

from __future__ import annotations

import base64
import binascii
import json

from adapters.aws.codec.values import parse_iso
from domain.errors import InvalidCursor

MAX_CURSOR_LENGTH = 512
_VERSION = 1


def encode_cursor(customer_sort_key: str) -> str:
    raw = json.dumps({"v": _VERSION, "k": customer_sort_key}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, str]:
    """Return (GSI1SK, order id) or raise ``InvalidCursor``."""
    if not cursor or len(cursor) > MAX_CURSOR_LENGTH:
        raise InvalidCursor
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
    except (binascii.Error, ValueError):
        raise InvalidCursor from None
    if not isinstance(data, dict) or data.get("v") != _VERSION or set(data) != {"v", "k"}:
        raise InvalidCursor
    sort_key = data["k"]
    if not isinstance(sort_key, str):
        raise InvalidCursor
    created, _, order_id = sort_key.partition("#")
    try:
        parse_iso(created)
    except ValueError:
        raise InvalidCursor from None
    if not order_id:
        raise InvalidCursor
    return sort_key, order_id
