"""The DynamoDB service (``DynamoDB_20120810``, JSON 1.0) on the shared store."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import ClassVar

from infra.local.dataplane.dynamodb.batch import BatchOperations
from infra.local.dataplane.dynamodb.catalog import Catalog
from infra.local.dataplane.dynamodb.items import ItemOperations
from infra.local.dataplane.dynamodb.query import QueryOperations
from infra.local.dataplane.dynamodb.scan import ScanOperations
from infra.local.dataplane.dynamodb.schema import DDL
from infra.local.dataplane.dynamodb.tables import TableOperations
from infra.local.dataplane.dynamodb.transact_get import TransactGetOperations
from infra.local.dataplane.dynamodb.transactions import TransactionOperations
from infra.local.dataplane.dynamodb.ttl import TtlOperations
from infra.local.dataplane.store import Store


class DynamoDB(
    TableOperations,
    ItemOperations,
    QueryOperations,
    ScanOperations,
    BatchOperations,
    TransactionOperations,
    TransactGetOperations,
    TtlOperations,
):
    NAME = "dynamodb"
    TARGET_PREFIX = "DynamoDB_20120810"
    JSON_VERSION = "1.0"
    OPERATIONS: ClassVar[frozenset[str]] = frozenset(
        {
            "CreateTable",
            "DescribeTable",
            "ListTables",
            "DeleteTable",
            "UpdateTimeToLive",
            "DescribeTimeToLive",
            "PutItem",
            "GetItem",
            "UpdateItem",
            "DeleteItem",
            "Query",
            "Scan",
            "BatchWriteItem",
            "BatchGetItem",
            "TransactWriteItems",
            "TransactGetItems",
        }
    )

    def __init__(
        self,
        store: Store,
        *,
        clock: Callable[[], float] = time.time,
        region: str = "us-east-1",
        account: str = "123456789012",
    ) -> None:
        store.schema(DDL)
        self.store, self.clock = store, clock
        self.region, self.account = region, account
        self.catalog = Catalog()
