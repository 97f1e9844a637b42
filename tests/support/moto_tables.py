"""The orders and idempotency tables under moto, as docs/data-model.md and infra/template.yaml
define them, and the lock that gives moto DynamoDB's atomic writes: shared by the adapter and
handler tests that need AWS."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

import pytest
from moto.dynamodb.models import DynamoDBBackend

TABLE = "orderflow-test"  # = fakes.LAMBDA_ENV["ORDERS_TABLE"]
IDEMPOTENCY_TABLE = "orderflow-test-idempotency"  # = fakes.LAMBDA_ENV["IDEMPOTENCY_TABLE"]


def create_orders_table(ddb: Any, name: str = TABLE) -> None:
    ddb.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[
            {"AttributeName": "PK", "KeyType": "HASH"},
            {"AttributeName": "SK", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": n, "AttributeType": "S"}
            for n in ("PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK")
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "GSI1",
                "KeySchema": [
                    {"AttributeName": "GSI1PK", "KeyType": "HASH"},
                    {"AttributeName": "GSI1SK", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            },
            {
                "IndexName": "GSI2",
                "KeySchema": [
                    {"AttributeName": "GSI2PK", "KeyType": "HASH"},
                    {"AttributeName": "GSI2SK", "KeyType": "RANGE"},
                ],
                "Projection": {
                    "ProjectionType": "INCLUDE",
                    "NonKeyAttributes": ["orderId", "status", "updatedAt"],
                },
            },
        ],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    ddb.update_time_to_live(
        TableName=name,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": "expiration"},
    )


def create_idempotency_table(ddb: Any, name: str = IDEMPOTENCY_TABLE) -> None:
    """Powertools' default layout: ``id`` partition key only, TTL on ``expiration``."""
    ddb.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
    )
    ddb.update_time_to_live(
        TableName=name,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": "expiration"},
    )


def create_tables(ddb: Any) -> None:
    """Every table the API's functions use: orders (with outbox) and idempotency records."""
    create_orders_table(ddb)
    create_idempotency_table(ddb)


def make_moto_dynamodb_atomic(monkeypatch: pytest.MonkeyPatch) -> None:
    """DynamoDB applies each conditional write atomically; moto checks then writes, so two
    threads (or two requests to a moto server) can both pass a condition. One lock around the
    backend restores DynamoDB's guarantee: the races under test are ours, not moto's."""
    lock = threading.RLock()
    for name in (
        "transact_write_items",
        "put_item",
        "update_item",
        "delete_item",
        "get_item",
        "query",
        "scan",
    ):
        original = getattr(DynamoDBBackend, name)  # AttributeError: moto moved; revisit this
        monkeypatch.setattr(DynamoDBBackend, name, _locked(lock, original))


def _locked(lock: threading.RLock, method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with lock:
            return method(*args, **kwargs)

    return wrapper
