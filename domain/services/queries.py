"""Reading orders on behalf of a customer: another customer's order does not exist for them."""

from __future__ import annotations

from domain.errors import OrderNotFound
from domain.order import Order
from domain.ports import CustomerOrders, OrderPage, OrderRepository

MAX_PAGE = 100


def owned_order(orders: OrderRepository, order_id: str, customer_id: str) -> Order:
    order = orders.get(order_id)
    if order.customer_id != customer_id:
        raise OrderNotFound(order_id)  # the same answer as a missing order: no enumeration
    return order


def list_orders(
    customer_id: str, *, orders: CustomerOrders, limit: int = 20, cursor: str | None = None
) -> OrderPage:
    return orders.list_for_customer(customer_id, max(1, min(limit, MAX_PAGE)), cursor)
