"""Where Powertools keeps idempotency records: the orders table (docs/data-model.md).

One persistence layer per use (a Powertools layer keeps the configuration it was first used
with, and the local stack runs every handler in one process). Built on first use, so importing
a handler creates no client; tests swap in another store (an in-memory ``BasePersistenceLayer``
or the DynamoDB one under moto) with ``use_store``.
"""

from __future__ import annotations

from aws_lambda_powertools.utilities.idempotency import (
    BasePersistenceLayer,
    DynamoDBPersistenceLayer,
)

_stores: dict[str, BasePersistenceLayer] = {}


def store(use: str) -> BasePersistenceLayer:
    found = _stores.get(use)
    if found is None:
        from adapters.aws.clients import client
        from handlers.common.settings import settings

        found = _stores[use] = DynamoDBPersistenceLayer(
            table_name=settings().orders_table,
            key_attr="PK",
            sort_key_attr="SK",
            expiry_attr="expiration",
            boto3_client=client("dynamodb"),  # the process's one client, shared
        )
    return found


def use_store(use: str, replacement: BasePersistenceLayer | None) -> None:
    """Swap the store for one use (tests); ``None`` goes back to DynamoDB on next use."""
    if replacement is None:
        _stores.pop(use, None)
    else:
        _stores[use] = replacement
