"""Helpers for the DynamoDB data plane tests: a clock tests move, the services of one test,
a table maker, and the code and message of a refused call."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from botocore.exceptions import ClientError

from infra.local.dataplane.dynamodb import DynamoDB, DynamoDBStreams
from infra.local.dataplane.store import Store

T0 = 1_767_268_800.0  # 2026-01-01T12:00:00Z


class Clock:
    """Epoch seconds that move only when a test says so."""

    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Plane:
    store: Store
    dynamodb: DynamoDB
    streams: DynamoDBStreams
    clock: Clock


def make_table(ddb: Any, name: str = "things", *, sort: str | None = "SK", **extra: Any) -> str:
    keys = [{"AttributeName": "PK", "KeyType": "HASH"}]
    attributes = [{"AttributeName": "PK", "AttributeType": "S"}]
    if sort:
        keys.append({"AttributeName": sort, "KeyType": "RANGE"})
        attributes.append({"AttributeName": sort, "AttributeType": extra.pop("sort_type", "S")})
    attributes += extra.pop("attributes", [])
    ddb.create_table(
        TableName=name,
        KeySchema=keys,
        AttributeDefinitions=attributes,
        BillingMode="PAY_PER_REQUEST",
        **extra,
    )
    return name


def error_of(call: Any, **kwargs: Any) -> tuple[str, str]:
    """The error code and message of a call that must fail."""
    with pytest.raises(ClientError) as raised:
        call(**kwargs)
    error = raised.value.response["Error"]
    return str(error["Code"]), str(error["Message"])
