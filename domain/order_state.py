"""The Order aggregate's state and the one way to change it (``Order`` is in order.py).

``_change`` checks the order's transition table, bumps the version and records exactly one
event; ``_pay`` and ``_ship`` check the payment's and the parcel's tables. Every rule about
which change may follow which is in ``domain/status.py``, nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from domain import events as ev
from domain.errors import InvalidTransition
from domain.status import (
    PAYMENT_TRANSITIONS,
    SHIPMENT_TRANSITIONS,
    OrderStatus,
    PaymentStatus,
    ShipmentStatus,
    can_transition,
)
from domain.values import Address, Dispute, OrderLine, Payment, Refund, Shipment


@dataclass(eq=False)
class OrderState:
    order_id: str
    customer_id: str
    lines: tuple[OrderLine, ...]
    shipping_address: Address
    payment_token: str
    status: OrderStatus
    version: int
    created_at: datetime
    updated_at: datetime
    payment: Payment
    shipment: Shipment | None = None
    refunds: tuple[Refund, ...] = ()
    wait_token: str = ""
    """The workflow's task token while it waits for the carrier; empty otherwise."""
    reason: str = ""
    """Why the order was cancelled, failed, declined or needs an operator."""
    pending_refund: Refund | None = None
    """A refund claimed before money moved; recorded in ``refunds`` once the provider paid it."""
    dispute: Dispute | None = None
    """The cardholder's latest dispute of the payment, open or with its outcome."""
    loaded_version: int = 0
    """The version as last read from or written to the repository."""
    pending_events: list[ev.DomainEvent] = field(default_factory=list)

    def _change(
        self,
        event_type: type[ev.DomainEvent],
        at: datetime,
        target: OrderStatus | None = None,
        **fields: Any,
    ) -> None:
        if target is not None:
            if not can_transition(self.status, target):
                raise InvalidTransition(self.status.value, target.value)
            self.status = target
        self.version += 1
        self.updated_at = at
        self.pending_events.append(
            event_type(order_id=self.order_id, version=self.version, occurred_at=at, **fields)
        )

    def _silent_change(self, at: datetime) -> None:
        """A new version without an event: not a state change, but a concurrent writer must
        not lose it (the workflow's token, a refund claim)."""
        self.version += 1
        self.updated_at = at

    def _pay(self, target: PaymentStatus, **changes: Any) -> None:
        self._check_payment(target)
        self.payment = replace(self.payment, status=target, **changes)

    def _check_payment(self, target: PaymentStatus) -> None:
        if target not in PAYMENT_TRANSITIONS[self.payment.status]:
            raise InvalidTransition(f"payment {self.payment.status.value}", target.value)

    def _ship(self, target: ShipmentStatus) -> Shipment:
        """Move the parcel; returns it as it was."""
        shipment = self._shipment()
        if target not in SHIPMENT_TRANSITIONS[shipment.status]:
            raise InvalidTransition(f"shipment {shipment.status.value}", target.value)
        self.shipment = replace(shipment, status=target)
        return shipment

    def _shipment(self) -> Shipment:
        if self.shipment is None:
            raise InvalidTransition(self.status.value, "a carrier update")
        return self.shipment

    def _require(self, *allowed: OrderStatus, target: OrderStatus) -> None:
        if self.status not in allowed:
            raise InvalidTransition(self.status.value, target.value)

    def _may_ship(self, target: ShipmentStatus) -> bool:
        return self.shipment is not None and target in SHIPMENT_TRANSITIONS[self.shipment.status]

    def _may_pay(self, target: PaymentStatus) -> bool:
        return target in PAYMENT_TRANSITIONS[self.payment.status]
