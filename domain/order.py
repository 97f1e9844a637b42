"""The Order aggregate: the only place where an order's state changes.

Every state change goes through ``_change``: it checks the transition table, bumps the version
and records exactly one event. Methods that would repeat a change already made return False
and record nothing, so repeating a command is harmless.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from domain import events as ev
from domain.errors import ConcurrencyConflict, InvalidOrder, InvalidTransition, RefundNotAllowed
from domain.money import Money
from domain.status import CANCELLABLE, OrderStatus, can_transition
from domain.values import (
    Address,
    OrderLine,
    Payment,
    PaymentStatus,
    Refund,
    Shipment,
    ShipmentStatus,
)

MAX_LINES = 50
MAX_QUANTITY = 100


@dataclass(eq=False)
class Order:
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
    """Why the order was cancelled, failed or declined."""
    pending_refund: Refund | None = None
    """A refund claimed before money moved; recorded in ``refunds`` once the provider paid it."""
    loaded_version: int = 0
    """The version as last read from or written to the repository."""
    pending_events: list[ev.DomainEvent] = field(default_factory=list)

    # ----- creation -------------------------------------------------------------------
    @classmethod
    def place(
        cls,
        *,
        order_id: str,
        customer_id: str,
        lines: tuple[OrderLine, ...],
        shipping_address: Address,
        payment_token: str,
        at: datetime,
    ) -> Order:
        _check_lines(lines)
        total = _sum(lines)
        order = cls(
            order_id=order_id,
            customer_id=customer_id,
            lines=lines,
            shipping_address=shipping_address,
            payment_token=payment_token,
            status=OrderStatus.PLACED,
            version=1,
            created_at=at,
            updated_at=at,
            payment=Payment.pending(total),
        )
        placed = tuple(
            ev.PlacedLine(sku=ln.sku, quantity=ln.quantity, unit_price=ln.unit_price)
            for ln in lines
        )
        order.pending_events.append(
            ev.OrderPlaced(
                order_id=order_id,
                version=1,
                occurred_at=at,
                customer_id=customer_id,
                lines=placed,
                total=total,
            )
        )
        return order

    # ----- reading --------------------------------------------------------------------
    @property
    def total(self) -> Money:
        return self.payment.amount

    @property
    def currency(self) -> str:
        return self.total.currency

    @property
    def is_new(self) -> bool:
        return self.loaded_version == 0

    def same_request_as(self, other: Order) -> bool:
        """True when ``other`` asks for exactly this order (used for idempotent placing)."""

        def asked(order: Order) -> list[tuple[str, int]]:
            return [(line.sku, line.quantity) for line in order.lines]

        return (
            self.customer_id == other.customer_id
            and asked(self) == asked(other)
            and self.shipping_address == other.shipping_address
            and self.payment_token == other.payment_token
        )

    # ----- the one way to change state -----------------------------------------------
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

    def _require(self, *allowed: OrderStatus, target: OrderStatus) -> None:
        if self.status not in allowed:
            raise InvalidTransition(self.status.value, target.value)

    def mark_persisted(self) -> list[ev.DomainEvent]:
        """Called by repositories after a successful write; returns the events written."""
        written, self.pending_events = self.pending_events, []
        self.loaded_version = self.version
        return written

    # ----- payment --------------------------------------------------------------------
    def authorize_payment(self, reference: str, at: datetime) -> bool:
        """Record an authorization. On an order cancelled meanwhile (a lost race) the money is
        still recorded, without a status change, so that the void compensation releases it."""
        if self.payment.status is PaymentStatus.AUTHORIZED:
            return False
        if self.payment.status is not PaymentStatus.PENDING:
            raise InvalidTransition(f"payment {self.payment.status.value}", "AUTHORIZED")
        target = None if self.status is OrderStatus.CANCELLED else OrderStatus.PAYMENT_AUTHORIZED
        if target is not None:
            self._require(OrderStatus.PLACED, target=target)
        self.payment = replace(self.payment, status=PaymentStatus.AUTHORIZED, reference=reference)
        self._change(
            ev.PaymentAuthorized, at, target, amount=self.total, provider_reference=reference
        )
        return True

    def decline_payment(self, reason: str, at: datetime) -> bool:
        if self.status is OrderStatus.PAYMENT_FAILED:
            return False
        self._require(OrderStatus.PLACED, target=OrderStatus.PAYMENT_FAILED)
        self.payment = replace(self.payment, status=PaymentStatus.DECLINED)
        self.reason = reason
        self._change(ev.PaymentFailed, at, OrderStatus.PAYMENT_FAILED, reason=reason)
        return True

    def capture_payment(self, at: datetime) -> bool:
        if self.payment.status is PaymentStatus.CAPTURED:
            return False
        self.check_capture()
        self.payment = replace(self.payment, status=PaymentStatus.CAPTURED, captured=self.total)
        self._change(ev.PaymentCaptured, at, amount=self.total)
        return True

    def check_capture(self) -> None:
        """Refuse a capture before any money moves: only an authorized, delivered order."""
        if self.payment.status is not PaymentStatus.AUTHORIZED:
            raise InvalidTransition(f"payment {self.payment.status.value}", "CAPTURED")
        self._require(OrderStatus.DELIVERED, target=OrderStatus.COMPLETED)

    def void_payment(self, at: datetime) -> bool:
        """Release an authorization. Nothing to do unless the payment is authorized."""
        if self.payment.status is not PaymentStatus.AUTHORIZED:
            return False
        self.payment = replace(self.payment, status=PaymentStatus.VOIDED)
        self._change(ev.PaymentVoided, at, amount=self.total)
        return True

    # ----- shipment -------------------------------------------------------------------
    def request_shipment(self, carrier: str, tracking_number: str, at: datetime) -> bool:
        """Record a booking. As with payments, a booking that lost a race with a cancellation
        is still recorded, so that the cancel-shipment compensation calls it off."""
        if self.shipment is not None:
            return False
        target = None if self.status is OrderStatus.CANCELLED else OrderStatus.SHIPMENT_REQUESTED
        if target is not None:
            self._require(OrderStatus.PAYMENT_AUTHORIZED, target=target)
        self.shipment = Shipment(ShipmentStatus.REQUESTED, carrier, tracking_number)
        self._change(
            ev.ShipmentRequested, at, target, carrier=carrier, tracking_number=tracking_number
        )
        return True

    def await_carrier(self, wait_token: str, at: datetime) -> bool:
        """Remember the workflow's task token. Not a state change: no event, but a new version
        so that a concurrent writer cannot lose it."""
        if self.wait_token == wait_token:
            return False
        self.wait_token = wait_token
        self.version += 1
        self.updated_at = at
        return True

    def record_dispatch(self, at: datetime) -> bool:
        shipment = self._shipment()
        if shipment.status is not ShipmentStatus.REQUESTED or self.status is not (
            OrderStatus.SHIPMENT_REQUESTED
        ):
            return False  # a duplicate, or late news of a shipment that already moved on
        self.shipment = replace(shipment, status=ShipmentStatus.DISPATCHED)
        self._change(
            ev.ShipmentDispatched, at, OrderStatus.SHIPPED, tracking_number=shipment.tracking_number
        )
        return True

    def record_delivery(self, at: datetime) -> bool:
        shipment = self._shipment()
        if not shipment.is_active or self.status not in (
            OrderStatus.SHIPMENT_REQUESTED,
            OrderStatus.SHIPPED,
        ):
            return False
        self.shipment = replace(shipment, status=ShipmentStatus.DELIVERED)
        self._change(
            ev.ShipmentDelivered,
            at,
            OrderStatus.DELIVERED,
            tracking_number=shipment.tracking_number,
        )
        return True

    def record_delivery_failure(self, reason: str, at: datetime) -> bool:
        shipment = self._shipment()
        if not shipment.is_active:
            return False
        self.shipment = replace(shipment, status=ShipmentStatus.FAILED)
        self._change(ev.DeliveryFailed, at, tracking_number=shipment.tracking_number, reason=reason)
        return True

    def cancel_shipment(self, at: datetime) -> bool:
        """Compensation: call off a booked parcel that has not left yet."""
        if self.shipment is None or self.shipment.status is not ShipmentStatus.REQUESTED:
            return False
        tracking = self.shipment.tracking_number
        self.shipment = replace(self.shipment, status=ShipmentStatus.CANCELLED)
        self._change(ev.ShipmentCancelled, at, tracking_number=tracking)
        return True

    def _shipment(self) -> Shipment:
        if self.shipment is None:
            raise InvalidTransition(self.status.value, "a carrier update")
        return self.shipment

    # ----- the end of the order --------------------------------------------------------
    def complete(self, at: datetime) -> bool:
        if self.status in (
            OrderStatus.COMPLETED,
            OrderStatus.PARTIALLY_REFUNDED,
            OrderStatus.REFUNDED,
        ):
            return False  # completed already; refunds may have followed
        if self.payment.status is not PaymentStatus.CAPTURED:
            raise InvalidTransition(self.status.value, OrderStatus.COMPLETED.value)
        self._change(ev.OrderCompleted, at, OrderStatus.COMPLETED, total=self.total)
        return True

    def cancel(self, reason: str, at: datetime) -> bool:
        if self.status is OrderStatus.CANCELLED:
            return False
        if self.status not in CANCELLABLE or (
            self.shipment is not None and self.shipment.status is not ShipmentStatus.REQUESTED
        ):
            raise InvalidTransition(self.status.value, OrderStatus.CANCELLED.value)
        self.reason = reason
        self._change(ev.OrderCancelled, at, OrderStatus.CANCELLED, reason=reason)
        return True

    def fail(self, reason: str, at: datetime) -> bool:
        """Close an order whose saga could not finish. Compensations must have run first."""
        if self.status in (OrderStatus.FAILED, OrderStatus.CANCELLED, OrderStatus.PAYMENT_FAILED):
            return False
        if self.payment.status is PaymentStatus.AUTHORIZED or (
            self.shipment is not None and self.shipment.status is ShipmentStatus.REQUESTED
        ):
            raise InvalidTransition(f"{self.status.value} with uncompensated steps", "FAILED")
        self.reason = reason
        self._change(ev.OrderFailed, at, OrderStatus.FAILED, reason=reason)
        return True

    def refund(
        self, refund_id: str, amount: Money, reason: str, provider_reference: str, at: datetime
    ) -> bool:
        if any(r.refund_id == refund_id for r in self.refunds):
            return False
        self.check_refund(amount)
        refunded = self.payment.refunded + amount
        target = (
            OrderStatus.REFUNDED
            if refunded == self.payment.captured
            else OrderStatus.PARTIALLY_REFUNDED
        )
        self.payment = replace(self.payment, refunded=refunded)
        self.refunds = (*self.refunds, Refund(refund_id, amount, reason, provider_reference, at))
        if self.pending_refund is not None and self.pending_refund.refund_id == refund_id:
            self.pending_refund = None
        self._change(
            ev.RefundIssued,
            at,
            target,
            refund_id=refund_id,
            amount=amount,
            reason=reason,
            total_refunded=refunded,
        )
        return True

    def reserve_refund(self, refund_id: str, amount: Money, reason: str, at: datetime) -> bool:
        """Claim a refund before any money moves. Saved conditionally on the version, the claim
        lets only one of two concurrent refunds through, so together they can never exceed
        what was captured. Not a state change: no event, but a new version."""
        if self.pending_refund is not None:
            if self.pending_refund.refund_id == refund_id:
                return False
            raise ConcurrencyConflict(self.order_id)  # finish the pending refund first
        self.check_refund(amount)
        self.pending_refund = Refund(refund_id, amount, reason, "", at)
        self.version += 1
        self.updated_at = at
        return True

    def check_refund(self, amount: Money) -> None:
        """Refuse a refund before any money moves: only after capture, never above it."""
        if self.status not in (OrderStatus.COMPLETED, OrderStatus.PARTIALLY_REFUNDED):
            raise InvalidTransition(self.status.value, OrderStatus.REFUNDED.value)
        if amount.currency != self.currency:
            raise RefundNotAllowed(f"the order is paid in {self.currency}", field="currency")
        if not amount.is_positive:
            raise RefundNotAllowed("a refund must be more than zero")
        if self.payment.refundable < amount:
            raise RefundNotAllowed(f"at most {self.payment.refundable} can still be refunded")

    def refund_for(self, refund_id: str) -> Refund | None:
        return next((r for r in self.refunds if r.refund_id == refund_id), None)


def _sum(lines: tuple[OrderLine, ...]) -> Money:
    total = Money.zero(lines[0].unit_price.currency)
    for line in lines:
        total = total + line.total
    return total


def _check_lines(lines: tuple[OrderLine, ...]) -> None:
    if not lines:
        raise InvalidOrder("an order needs at least one line", field="items")
    if len(lines) > MAX_LINES:
        raise InvalidOrder(f"an order has at most {MAX_LINES} lines", field="items")
    skus = [line.sku for line in lines]
    if len(set(skus)) != len(skus):
        raise InvalidOrder("each SKU may appear only once", field="items")
    for i, line in enumerate(lines):
        if not 1 <= line.quantity <= MAX_QUANTITY:
            raise InvalidOrder(
                f"quantity must be between 1 and {MAX_QUANTITY}", field=f"items[{i}].quantity"
            )
    if len({line.unit_price.currency for line in lines}) != 1:
        raise InvalidOrder("all lines must be priced in one currency", field="items")
