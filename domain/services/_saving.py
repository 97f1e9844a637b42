"""Saving after a provider call, when another writer may have moved the order meanwhile."""

from __future__ import annotations

from collections.abc import Callable

from domain.errors import ConcurrencyConflict
from domain.order import Order
from domain.ports import OrderRepository

ATTEMPTS = 3


def apply_and_save(
    orders: OrderRepository, order: Order, change: Callable[[Order], object]
) -> Order:
    """Apply ``change`` and save; on a lost race re-read the order and apply it again.

    Used after money moved or a parcel was booked: the result must be recorded on the order
    whatever else happened to it, or the compensations would not know to undo it.
    """
    for _ in range(ATTEMPTS):
        change(order)
        try:
            orders.save(order)
            return order
        except ConcurrencyConflict:
            order = orders.get(order.order_id)
    raise ConcurrencyConflict(order.order_id)
