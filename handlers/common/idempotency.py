"""Where Powertools keeps idempotency records: a table of their own (docs/data-model.md).

The table is keyed the Powertools default way, ``id`` only: each record is one item whose key
is ``<function>.<handler>#<hash of the idempotency key>``, so records spread over DynamoDB's
partitions. (With a sort key, Powertools would put every record of a function under one
partition key, and that partition's ~1,000 writes a second would cap POST /orders.)

One persistence layer per use (a Powertools layer keeps the configuration it was first used
with, and the local stack runs every handler in one process). Built on first use, so importing
a handler creates no client; tests swap in another store (an in-memory ``BasePersistenceLayer``
or the DynamoDB one under moto) with ``use_store``.
"""

from __future__ import annotations

from aws_lambda_powertools.utilities.idempotency.persistence.base import BasePersistenceLayer

_stores: dict[str, BasePersistenceLayer] = {}


class IdempotencyTableNotSet(RuntimeError):
    """The function deduplicates requests but was deployed without IDEMPOTENCY_TABLE."""


def store(use: str) -> BasePersistenceLayer:
    found = _stores.get(use)
    if found is None:
        # Imported on first use: the DynamoDB layer imports boto3 (handlers.common.lazy_packages).
        from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

        from adapters.aws.clients import client
        from handlers.common.settings import settings

        table = settings().idempotency_table
        if not table:
            raise IdempotencyTableNotSet(
                f"idempotency store {use!r} needs the IDEMPOTENCY_TABLE environment variable "
                "(the template sets it on the functions that deduplicate requests)"
            )
        found = _stores[use] = DynamoDBPersistenceLayer(
            table_name=table,
            key_attr="id",  # partition key only: one partition per request, no static_pk_value
            expiry_attr="expiration",  # the table's TTL attribute
            boto3_client=client("dynamodb"),  # the process's one client, shared
        )
    return found


def use_store(use: str, replacement: BasePersistenceLayer | None) -> None:
    """Swap the store for one use (tests); ``None`` goes back to DynamoDB on next use."""
    if replacement is None:
        _stores.pop(use, None)
    else:
        _stores[use] = replacement
