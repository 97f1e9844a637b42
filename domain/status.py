"""Order statuses and the one table of allowed transitions (diagram in docs/architecture.md)."""

from __future__ import annotations

from enum import StrEnum


class OrderStatus(StrEnum):
    PLACED = "PLACED"
    PAYMENT_AUTHORIZED = "PAYMENT_AUTHORIZED"
    PAYMENT_FAILED = "PAYMENT_FAILED"
    SHIPMENT_REQUESTED = "SHIPMENT_REQUESTED"
    SHIPPED = "SHIPPED"
    DELIVERED = "DELIVERED"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"
    FAILED = "FAILED"
    PARTIALLY_REFUNDED = "PARTIALLY_REFUNDED"
    REFUNDED = "REFUNDED"


S = OrderStatus

TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    S.PLACED: frozenset({S.PAYMENT_AUTHORIZED, S.PAYMENT_FAILED, S.CANCELLED, S.FAILED}),
    S.PAYMENT_AUTHORIZED: frozenset({S.SHIPMENT_REQUESTED, S.CANCELLED, S.FAILED}),
    # DELIVERED straight from SHIPMENT_REQUESTED: the carrier's "dispatched" may arrive late.
    S.SHIPMENT_REQUESTED: frozenset({S.SHIPPED, S.DELIVERED, S.CANCELLED, S.FAILED}),
    S.SHIPPED: frozenset({S.DELIVERED, S.FAILED}),
    S.DELIVERED: frozenset({S.COMPLETED, S.FAILED}),
    S.COMPLETED: frozenset({S.PARTIALLY_REFUNDED, S.REFUNDED}),
    S.PARTIALLY_REFUNDED: frozenset({S.PARTIALLY_REFUNDED, S.REFUNDED}),
    S.PAYMENT_FAILED: frozenset(),
    S.CANCELLED: frozenset(),
    S.FAILED: frozenset(),
    S.REFUNDED: frozenset(),
}

TERMINAL: frozenset[OrderStatus] = frozenset(s for s, nxt in TRANSITIONS.items() if not nxt) | {
    S.COMPLETED,
    S.PARTIALLY_REFUNDED,
}
"""Statuses in which the workflow has ended (refunds may still follow a completed order)."""

CANCELLABLE: frozenset[OrderStatus] = frozenset(
    s for s, nxt in TRANSITIONS.items() if S.CANCELLED in nxt
)


def can_transition(current: OrderStatus, target: OrderStatus) -> bool:
    return target in TRANSITIONS[current]
