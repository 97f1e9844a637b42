"""Shared value encodings: UTC timestamps, money, and DynamoDB's typed JSON."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from domain.money import Money

_SERIALIZER = TypeSerializer()
_DESERIALIZER = TypeDeserializer()


def iso(moment: datetime) -> str:
    """Fixed width, UTC, microseconds: sorts as text in the order it happened."""
    if moment.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_iso(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"timestamp without a timezone: {text!r}")
    return moment.astimezone(UTC)


def money_to(money: Money) -> dict[str, str]:
    return {"amount": str(money.amount), "currency": money.currency}


def money_from(value: Mapping[str, Any]) -> Money:
    amount = value["amount"]
    if not isinstance(amount, str):
        raise ValueError("money amounts travel as strings")
    return Money(Decimal(amount), str(value["currency"]))


def to_attribute_values(item: Mapping[str, Any]) -> dict[str, Any]:
    """Plain Python (str, int, Decimal, bool, list, dict) -> DynamoDB's ``{"S": ...}`` form."""
    return {name: _SERIALIZER.serialize(value) for name, value in item.items()}


def from_attribute_values(item: Mapping[str, Any]) -> dict[str, Any]:
    """DynamoDB's typed form (client responses, stream images) -> plain Python.
    Numbers come back as Decimal."""
    return {name: _DESERIALIZER.deserialize(value) for name, value in item.items()}
