"""The single table's key layout, in one place (docs/data-model.md)."""

from __future__ import annotations

ORDER_SK = "ORDER"
EVENT_SK_PREFIX = "EVENT#"
RESULT_SK = "RESULT"
GSI1 = "GSI1"


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
