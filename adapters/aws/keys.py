"""The single table's key layout, in one place (docs/data-model.md)."""

from __future__ import annotations

import zlib

ORDER_SK = "ORDER"
EVENT_SK_PREFIX = "EVENT#"
RESULT_SK = "RESULT"
GSI1 = "GSI1"
GSI2 = "GSI2"
OPEN_SHARDS = 4
"""GSI2's partitions of open orders: the reconciler reads each, no one partition takes
every order's writes."""


def order_pk(order_id: str) -> str:
    return f"ORDER#{order_id}"


def event_sk(version: int) -> str:
    """Zero-padded so that the outbox sorts by version."""
    return f"{EVENT_SK_PREFIX}{version:010d}"


def customer_pk(customer_id: str) -> str:
    return f"CUSTOMER#{customer_id}"


def customer_sk(created_at_iso: str, order_id: str) -> str:
    """Newest first when queried descending; the order id breaks ties."""
    return f"{created_at_iso}#{order_id}"


def provider_pk(namespace: str, key: str) -> str:
    return f"PROVIDER#{namespace}#{key}"


def provider_namespace_pk(namespace: str) -> str:
    return f"PROVIDER#{namespace}"


def open_pk(order_id: str) -> str:
    """The GSI2 partition of an order that is not terminal (the attribute is absent after)."""
    return f"OPEN#{zlib.crc32(order_id.encode()) % OPEN_SHARDS}"


def open_shards() -> list[str]:
    return [f"OPEN#{shard}" for shard in range(OPEN_SHARDS)]


def open_sk(updated_at_iso: str, order_id: str) -> str:
    """Least recently changed first; the order id breaks ties."""
    return f"{updated_at_iso}#{order_id}"
