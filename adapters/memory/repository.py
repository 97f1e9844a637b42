"""An in-memory order repository with the same contract as the DynamoDB one: conditional
writes on the version, and an outbox filled in the same step as the order."""

from __future__ import annotations

import base64
import copy
import threading
from collections.abc import Iterator, Sequence
from datetime import datetime

from domain.errors import ConcurrencyConflict, InvalidCursor, OrderAlreadyExists, OrderNotFound
from domain.events import DomainEvent
from domain.order import Order
from domain.ports import OpenOrder, OrderPage, OrderRepository
from domain.status import TERMINAL


class InMemoryOrderRepository(OrderRepository):
    def __init__(self) -> None:
        self._orders: dict[str, Order] = {}
        self.outbox: list[DomainEvent] = []
        self._lock = threading.Lock()

    def get(self, order_id: str) -> Order:
        with self._lock:
            stored = self._orders.get(order_id)
            if stored is None:
                raise OrderNotFound(order_id)
            return copy.deepcopy(stored)

    def _insert(self, order: Order, events: Sequence[DomainEvent]) -> None:
        with self._lock:
            if order.order_id in self._orders:
                raise OrderAlreadyExists(order.order_id)
            self._store(order, events)

    def _update(self, order: Order, expected_version: int, events: Sequence[DomainEvent]) -> None:
        with self._lock:
            stored = self._orders.get(order.order_id)
            if stored is None:
                raise OrderNotFound(order.order_id)
            if stored.version != expected_version:
                raise ConcurrencyConflict(order.order_id)
            self._store(order, events)

    def _store(self, order: Order, events: Sequence[DomainEvent]) -> None:
        snapshot = copy.deepcopy(order)
        snapshot.pending_events = []
        snapshot.loaded_version = order.version
        self._orders[order.order_id] = snapshot
        self.outbox.extend(events)

    def list_for_customer(self, customer_id: str, limit: int, cursor: str | None) -> OrderPage:
        with self._lock:
            mine = sorted(
                (o for o in self._orders.values() if o.customer_id == customer_id),
                key=lambda o: (o.created_at, o.order_id),
                reverse=True,
            )
        if cursor:  # the last key read, like DynamoDB's LastEvaluatedKey: an offset would
            # repeat orders when newer ones are placed while a customer pages
            try:
                at, _, last_id = base64.urlsafe_b64decode(cursor).decode().partition(" ")
                after = (datetime.fromisoformat(at), last_id)
            except ValueError:  # binascii.Error and UnicodeDecodeError are ValueErrors
                raise InvalidCursor from None
            mine = [o for o in mine if (o.created_at, o.order_id) < after]
        page = tuple(copy.deepcopy(o) for o in mine[:limit])
        next_cursor = None
        if len(mine) > limit:
            last = f"{page[-1].created_at.isoformat()} {page[-1].order_id}"
            next_cursor = base64.urlsafe_b64encode(last.encode()).decode()
        return OrderPage(page, next_cursor)

    def open_orders(self, updated_before: datetime) -> Iterator[OpenOrder]:
        """``OpenOrders``: what the DynamoDB adapter reads from its sparse index."""
        with self._lock:
            found = [
                OpenOrder(o.order_id, o.status, o.updated_at)
                for o in self._orders.values()
                if o.status not in TERMINAL and o.updated_at < updated_before
            ]
        return iter(sorted(found, key=lambda o: (o.updated_at, o.order_id)))

    def all(self) -> list[Order]:
        with self._lock:
            return [copy.deepcopy(o) for o in self._orders.values()]
