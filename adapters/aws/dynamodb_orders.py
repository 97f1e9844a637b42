"""Orders in DynamoDB, with their events written to an outbox in the same transaction.

Every write is one TransactWriteItems: the order item, conditional on the version it was read
at (or on not existing yet), plus one Put per pending event. The table's stream relays the
outbox to EventBridge. botocore fills ``ClientRequestToken`` once per call, so its own retries
of a transaction that did commit are not mistaken for a lost race.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from botocore.exceptions import ClientError

from adapters.aws import clients, keys
from adapters.aws.codec import (
    event_to_outbox_item,
    from_attribute_values,
    order_from_item,
    order_to_item,
    to_attribute_values,
)
from adapters.aws.cursor import InvalidCursor
from adapters.aws.customer_pages import read_page
from adapters.aws.transactions import MAX_ITEMS, cancellation
from domain.errors import ConcurrencyConflict, OrderAlreadyExists, OrderNotFound
from domain.events import DomainEvent
from domain.order import Order
from domain.ports import OrderPage, OrderRepository

__all__ = ["DynamoOrderRepository", "InvalidCursor"]

OUTBOX_RETENTION_SECONDS = 7 * 24 * 3600
"""Outbox items only need to live until the stream has relayed them; TTL removes them after."""

_NEW = "attribute_not_exists(PK)"


class DynamoOrderRepository(OrderRepository):
    """Implements ``OrderRepository`` and ``CustomerOrders`` over the single table."""

    def __init__(
        self, table_name: str, client: Any = None, *, clock: Callable[[], float] = time.time
    ) -> None:
        self._table = table_name
        self._client = client
        self._clock = clock

    @property
    def _ddb(self) -> Any:
        if self._client is None:
            self._client = clients.client("dynamodb")
        return self._client

    # ----- OrderRepository --------------------------------------------------------------
    def get(self, order_id: str) -> Order:
        response = self._ddb.get_item(
            TableName=self._table, Key=self._order_key(order_id), ConsistentRead=True
        )
        if "Item" not in response:
            raise OrderNotFound(order_id)
        return order_from_item(from_attribute_values(response["Item"]))

    def _insert(self, order: Order, events: Sequence[DomainEvent]) -> None:
        put = self._put(order_to_item(order), _NEW)
        try:
            self._transact([put, *self._outbox(events)])
        except ClientError as error:
            reasons = cancellation(error)
            if reasons is None:
                raise
            if reasons.any("ConditionalCheckFailed"):  # the id, or its outbox, is taken
                raise OrderAlreadyExists(order.order_id) from error
            if reasons.any("TransactionConflict"):  # a concurrent insert of the same id
                raise ConcurrencyConflict(order.order_id) from error
            raise

    def _update(self, order: Order, expected_version: int, events: Sequence[DomainEvent]) -> None:
        put = self._put(order_to_item(order), "#version = :expected")
        put["Put"]["ExpressionAttributeNames"] = {"#version": "version"}
        put["Put"]["ExpressionAttributeValues"] = {":expected": {"N": str(expected_version)}}
        put["Put"]["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        try:
            self._transact([put, *self._outbox(events)])
        except ClientError as error:
            reasons = cancellation(error)
            if reasons is None:
                raise
            if reasons.failed(0) and reasons.items[0] is None and not self._exists(order):
                raise OrderNotFound(order.order_id) from error
            if reasons.any("ConditionalCheckFailed") or reasons.any("TransactionConflict"):
                raise ConcurrencyConflict(order.order_id) from error
            raise

    # ----- CustomerOrders ---------------------------------------------------------------
    def list_for_customer(self, customer_id: str, limit: int, cursor: str | None) -> OrderPage:
        items, next_cursor = read_page(self._ddb, self._table, customer_id, limit, cursor)
        return OrderPage(tuple(order_from_item(i) for i in items), next_cursor)

    # ----- helpers ----------------------------------------------------------------------
    def _transact(self, actions: list[dict[str, Any]]) -> None:
        if len(actions) > MAX_ITEMS:
            raise ValueError(
                f"one save may write at most {MAX_ITEMS - 1} events, not {len(actions) - 1}"
            )
        self._ddb.transact_write_items(TransactItems=actions)

    def _outbox(self, events: Sequence[DomainEvent]) -> list[dict[str, Any]]:
        expires = int(self._clock()) + OUTBOX_RETENTION_SECONDS
        return [self._put(event_to_outbox_item(e, expires), _NEW) for e in events]

    def _put(self, item: dict[str, Any], condition: str) -> dict[str, Any]:
        return {
            "Put": {
                "TableName": self._table,
                "Item": to_attribute_values(item),
                "ConditionExpression": condition,
            }
        }

    def _exists(self, order: Order) -> bool:
        """Only on a failed update whose answer carried no old item: missing, or racing?"""
        response = self._ddb.get_item(
            TableName=self._table,
            Key=self._order_key(order.order_id),
            ConsistentRead=True,
            ProjectionExpression="PK",
        )
        return "Item" in response

    @staticmethod
    def _order_key(order_id: str) -> dict[str, Any]:
        return {"PK": {"S": keys.order_pk(order_id)}, "SK": {"S": keys.ORDER_SK}}
