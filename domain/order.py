"""The Order aggregate: the only place where an order's state changes.

Its state and the one way to change it are in ``order_state.py``, its payment in
``order_payment.py``, its parcel in ``order_shipment.py``; here are its creation, its ending and
the customer's refunds. Every change consults a table of ``domain/status.py``; a method that
would repeat a change already made returns False and records nothing.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from domain import events as ev
from domain.errors import (
    CancellationRequested,
    ConcurrencyConflict,
    InvalidOrder,
    InvalidTransition,
    RefundNotAllowed,
)
from domain.money import Money
from domain.order_provider import ProviderNews
from domain.status import CALLABLE_OFF, CANCELLABLE, OrderStatus, PaymentStatus, ShipmentStatus
from domain.values import Address, OrderLine, Payment, Refund

MAX_LINES = 50
MAX_QUANTITY = 100
S = OrderStatus


class Order(ProviderNews):
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
            status=S.PLACED,
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
    def currency(self) -> str:
        return self.total.currency

    @property
    def is_new(self) -> bool:
        return self.loaded_version == 0

    def same_request_as(self, other: Order) -> bool:
        """True when ``other`` asks for exactly this order (used for idempotent placing). The
        lines are a multiset: the same items listed in another order are the same order."""

        def asked(order: Order) -> Counter[tuple[str, int]]:
            return Counter((line.sku, line.quantity) for line in order.lines)

        return (
            self.customer_id == other.customer_id
            and asked(self) == asked(other)
            and self.shipping_address == other.shipping_address
            and self.payment_token == other.payment_token
        )

    def mark_persisted(self) -> list[ev.DomainEvent]:
        """Called by repositories after a successful write; returns the events written."""
        written, self.pending_events = self.pending_events, []
        self.loaded_version = self.version
        return written

    def raise_if_cancelled(self) -> None:
        if self.status is S.CANCELLED:
            raise CancellationRequested(self.order_id)

    # ----- the end of the order --------------------------------------------------------
    def complete(self, at: datetime) -> bool:
        if self.status in (S.COMPLETED, S.PARTIALLY_REFUNDED, S.REFUNDED):
            return False  # completed already; refunds may have followed
        if self.payment.status is not PaymentStatus.CAPTURED:
            raise InvalidTransition(self.status.value, S.COMPLETED.value)
        self._change(ev.OrderCompleted, at, S.COMPLETED, total=self.total)
        return True

    def cancel(self, reason: str, at: datetime) -> bool:
        if self.status is S.CANCELLED:
            return False
        if self.status not in CANCELLABLE:
            raise InvalidTransition(self.status.value, S.CANCELLED.value)
        self.reason = reason
        self._change(ev.OrderCancelled, at, S.CANCELLED, reason=reason)
        return True

    def fail(self, reason: str, at: datetime) -> bool:
        """Close an order whose saga could not finish. Compensations must have run first."""
        if self.status in (S.FAILED, S.CANCELLED, S.PAYMENT_FAILED):
            return False
        left = self.uncompensated()
        if left:
            raise InvalidTransition(
                f"{self.status.value} with uncompensated steps ({', '.join(left)})", "FAILED"
            )
        self.reason = reason
        self._change(ev.OrderFailed, at, S.FAILED, reason=reason)
        return True

    def uncompensated(self) -> list[str]:
        """What a failed order must not keep: a hold, a parcel that may still leave or is on
        its way, money for goods not kept; nor may a paid delivery fail (it completes)."""
        left = []
        delivered = self.shipment is not None and self.shipment.status is ShipmentStatus.DELIVERED
        if delivered and self.payment.status is PaymentStatus.CAPTURED:
            left.append("a paid delivery")
        if self.payment.status is PaymentStatus.AUTHORIZED:
            left.append("a payment still authorized")
        if self.shipment is not None and self.shipment.status in CALLABLE_OFF:
            left.append("a parcel not called off")
        if self.shipment is not None and self.shipment.status is ShipmentStatus.IN_TRANSIT:
            left.append("a parcel on its way")
        elif self.owed_back().is_positive:
            left.append("money to give back")
        return left

    # ----- the customer's refunds ------------------------------------------------------
    def refund(
        self, refund_id: str, amount: Money, reason: str, provider_reference: str, at: datetime
    ) -> bool:
        if any(r.refund_id == refund_id for r in self.refunds):
            return False
        self.check_refund(amount)
        refunded = self.payment.refunded + amount
        target = S.REFUNDED if refunded == self.payment.captured else S.PARTIALLY_REFUNDED
        self._pay(PaymentStatus.CAPTURED, refunded=refunded)
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
        self._silent_change(at)
        return True

    def check_refund(self, amount: Money) -> None:
        """Refuse a refund before any money moves: only after capture, never above it."""
        if self.status not in (S.COMPLETED, S.PARTIALLY_REFUNDED):
            raise InvalidTransition(self.status.value, S.REFUNDED.value)
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
