"""Place an order: prices come from the catalog, never from the client."""

from __future__ import annotations

import uuid

from domain.commands import PlaceOrder
from domain.errors import (
    IdempotencyKeyReused,
    InvalidOrder,
    OrderAlreadyExists,
    OutOfStock,
    UnknownSku,
)
from domain.order import Order
from domain.ports import Catalog, Clock, OrderRepository
from domain.values import OrderLine

_ORDER_IDS = uuid.UUID("6f1c2a4e-0c47-4f57-9a55-2b1f3f0e7d10")


def order_id_for(customer_id: str, request_key: str) -> str:
    """The same customer and idempotency key always name the same order."""
    return str(uuid.uuid5(_ORDER_IDS, f"{customer_id}\n{request_key}"))


def place_order(
    cmd: PlaceOrder, *, orders: OrderRepository, catalog: Catalog, clock: Clock
) -> Order:
    if not cmd.request_key:
        raise InvalidOrder("an idempotency key is required", field="Idempotency-Key")
    prices = catalog.price_of([item.sku for item in cmd.items])
    lines = []
    for item in cmd.items:
        found = prices.get(item.sku)
        if found is None:
            raise UnknownSku(item.sku)
        if not found.in_stock:
            raise OutOfStock(item.sku)
        lines.append(OrderLine(item.sku, item.quantity, found.unit_price))
    order = Order.place(
        order_id=order_id_for(cmd.customer_id, cmd.request_key),
        customer_id=cmd.customer_id,
        lines=tuple(lines),
        shipping_address=cmd.shipping_address,
        payment_token=cmd.payment_token,
        at=clock.now(),
    )
    try:
        orders.add(order)
    except OrderAlreadyExists:
        existing = orders.get(order.order_id)
        if not existing.same_request_as(order):
            raise IdempotencyKeyReused() from None
        return existing
    return order
