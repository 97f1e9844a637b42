"""The three transition tables: the order's, its payment's and its parcel's.

Each is the one place where its rule lives (diagrams in docs/architecture.md): the aggregate
consults them for every change, services never check a status themselves. A rule change is an
edit of one table.
"""

from __future__ import annotations

from enum import StrEnum


class OrderStatus(StrEnum):
    PLACED = "PLACED"
    PAYMENT_AUTHORIZED = "PAYMENT_AUTHORIZED"
    PAYMENT_FAILED = "PAYMENT_FAILED"
    SHIPMENT_REQUESTED = "SHIPMENT_REQUESTED"
    SHIPPED = "SHIPPED"
    NEEDS_ATTENTION = "NEEDS_ATTENTION"
    DELIVERED = "DELIVERED"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"
    FAILED = "FAILED"
    PARTIALLY_REFUNDED = "PARTIALLY_REFUNDED"
    REFUNDED = "REFUNDED"


class PaymentStatus(StrEnum):
    PENDING = "PENDING"
    AUTHORIZED = "AUTHORIZED"
    DECLINED = "DECLINED"
    CAPTURED = "CAPTURED"
    VOIDED = "VOIDED"


class ShipmentStatus(StrEnum):
    REQUESTED = "REQUESTED"
    """Booked; the carrier has not come for it yet."""
    DISPATCHED = "DISPATCHED"
    """The carrier is at the dock: the parcel is held there until its payment is captured."""
    IN_TRANSIT = "IN_TRANSIT"
    """Released to the carrier by the capture: on its way."""
    DELIVERED = "DELIVERED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"


S, P, H = OrderStatus, PaymentStatus, ShipmentStatus

TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    S.PLACED: frozenset({S.PAYMENT_AUTHORIZED, S.PAYMENT_FAILED, S.CANCELLED, S.FAILED}),
    S.PAYMENT_AUTHORIZED: frozenset({S.SHIPMENT_REQUESTED, S.CANCELLED, S.FAILED}),
    # DELIVERED straight from SHIPMENT_REQUESTED: the carrier's "dispatched" may arrive late.
    S.SHIPMENT_REQUESTED: frozenset({S.SHIPPED, S.DELIVERED, S.CANCELLED, S.FAILED}),
    S.SHIPPED: frozenset({S.DELIVERED, S.NEEDS_ATTENTION, S.FAILED}),
    # The carrier went silent after the parcel left: an operator finds out what happened.
    S.NEEDS_ATTENTION: frozenset({S.DELIVERED, S.FAILED}),
    # FAILED: a carrier that delivered before the capture, and a capture then refused.
    S.DELIVERED: frozenset({S.COMPLETED, S.FAILED}),
    S.COMPLETED: frozenset({S.PARTIALLY_REFUNDED, S.REFUNDED}),
    S.PARTIALLY_REFUNDED: frozenset({S.PARTIALLY_REFUNDED, S.REFUNDED}),
    S.PAYMENT_FAILED: frozenset(),
    S.CANCELLED: frozenset(),
    S.FAILED: frozenset(),
    S.REFUNDED: frozenset(),
}

PAYMENT_TRANSITIONS: dict[PaymentStatus, frozenset[PaymentStatus]] = {
    # VOIDED from PENDING: a hold the order never heard of (a lost answer), found by its key.
    P.PENDING: frozenset({P.AUTHORIZED, P.DECLINED, P.VOIDED}),
    P.AUTHORIZED: frozenset({P.CAPTURED, P.VOIDED}),
    P.CAPTURED: frozenset({P.CAPTURED}),  # refunds: the captured payment gives money back
    P.DECLINED: frozenset(),
    P.VOIDED: frozenset(),
}

SHIPMENT_TRANSITIONS: dict[ShipmentStatus, frozenset[ShipmentStatus]] = {
    # DELIVERED without IN_TRANSIT: the carrier's news overtook its dispatch report or our
    # release (then the capture follows the goods, docs/workflow.md).
    H.REQUESTED: frozenset({H.DISPATCHED, H.DELIVERED, H.FAILED, H.CANCELLED}),
    H.DISPATCHED: frozenset({H.IN_TRANSIT, H.DELIVERED, H.FAILED, H.CANCELLED}),
    H.IN_TRANSIT: frozenset({H.DELIVERED, H.FAILED}),
    H.DELIVERED: frozenset(),
    H.FAILED: frozenset(),
    H.CANCELLED: frozenset(),
}

CAPTURABLE_WITH: frozenset[ShipmentStatus] = frozenset({H.DISPATCHED, H.DELIVERED})
"""Capture at dispatch: never before the carrier comes; after delivery if the news came first."""

TERMINAL: frozenset[OrderStatus] = frozenset(s for s, nxt in TRANSITIONS.items() if not nxt) | {
    S.COMPLETED,
    S.PARTIALLY_REFUNDED,
}
"""Statuses in which the workflow has ended (refunds may still follow a completed order)."""

CANCELLABLE: frozenset[OrderStatus] = frozenset(
    s for s, nxt in TRANSITIONS.items() if S.CANCELLED in nxt
)
CALLABLE_OFF: frozenset[ShipmentStatus] = frozenset(
    s for s, nxt in SHIPMENT_TRANSITIONS.items() if H.CANCELLED in nxt
)
"""Parcels that have not left: a compensation can still call them off."""


def can_transition(current: OrderStatus, target: OrderStatus) -> bool:
    return target in TRANSITIONS[current]
