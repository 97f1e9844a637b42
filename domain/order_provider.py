"""What the payment provider tells us on its own: a refund made in its dashboard, a dispute
opened or closed, an authorization it let lapse (docs/providers.md, Stripe events).

The provider's news never repeats a change already made (repeats return False), never counts
our own refunds twice, and keeps refunded <= captured.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from domain import events as ev
from domain.errors import InvalidTransition, PaymentNewsTooEarly, RefundNotAllowed
from domain.money import Money
from domain.order_shipment import ShipmentSteps
from domain.status import OrderStatus, PaymentStatus
from domain.values import Dispute, Refund

PROVIDER_REFUND = "refunded at the payment provider"
S, P = OrderStatus, PaymentStatus


class ProviderNews(ShipmentSteps):
    def record_provider_refund(
        self, refund_id: str, refunded_at_provider: Money, reference: str, at: datetime
    ) -> bool:
        """The provider says ``refunded_at_provider`` has been given back in all. What our own
        refunds do not explain was refunded elsewhere (a dashboard) and is recorded as one
        refund, ``refund_id`` (the provider's event id). Older or repeated news changes nothing."""
        if any(r.refund_id == refund_id for r in self.refunds):
            return False
        if refunded_at_provider.currency != self.total.currency:
            raise RefundNotAllowed(f"the order is paid in {self.total.currency}", field="currency")
        elsewhere = refunded_at_provider - self.payment.refunded
        if not elsewhere.is_positive:
            return False  # our own refunds, all recorded, or news older than them
        if self.payment.status is not P.CAPTURED:
            raise PaymentNewsTooEarly("a refund of a capture the order has not recorded yet")
        if self.pending_refund is not None or self._may_be_refunding():
            raise PaymentNewsTooEarly("a refund of ours is in flight: it is recorded first")
        if self.payment.refundable < elsewhere:
            raise RefundNotAllowed(f"at most {self.payment.refundable} can still be refunded")
        refunded = self.payment.refunded + elsewhere
        target = None  # money before the order completed: recorded, the saga goes on
        if self.status in (S.COMPLETED, S.PARTIALLY_REFUNDED):
            target = S.REFUNDED if refunded == self.payment.captured else S.PARTIALLY_REFUNDED
        self._pay(P.CAPTURED, refunded=refunded)
        self.refunds = (
            *self.refunds,
            Refund(refund_id, elsewhere, PROVIDER_REFUND, reference, at),
        )
        self._change(
            ev.RefundIssued,
            at,
            target,
            refund_id=refund_id,
            amount=elsewhere,
            reason=PROVIDER_REFUND,
            total_refunded=refunded,
        )
        return True

    def _may_be_refunding(self) -> bool:
        """The saga owes money back and may be paying it right now (the undelivered refund
        is recorded after the provider paid it)."""
        try:
            return self.owed_back().is_positive
        except InvalidTransition:  # a parcel on its way: nothing is refunded automatically
            return False

    def record_authorization_lapse(self, at: datetime) -> bool:
        """The provider cancelled the hold itself (it expired): a later capture fails as
        ``PaymentCaptureFailed`` without asking the provider, and the saga compensates. A hold
        we released ourselves, or a payment captured, declined or not made, changes nothing."""
        held = self.payment
        if held.status is not P.AUTHORIZED:
            return False
        if held.valid_until is not None and held.valid_until <= at:
            return False  # known to have lapsed already
        self.payment = replace(held, valid_until=at)
        self._change(ev.AuthorizationExpired, at, provider_reference=held.reference)
        return True

    def record_dispute(self, dispute: Dispute) -> bool:
        """A dispute opened or changed; once closed (won, lost) its outcome is final."""
        current = self.dispute
        same = current is not None and current.dispute_id == dispute.dispute_id
        if same and current is not None and (current.is_closed or current.status == dispute.status):
            return False  # a repeat, or news older than the outcome
        if dispute.amount.currency != self.total.currency:
            raise RefundNotAllowed(f"the order is paid in {self.total.currency}", field="currency")
        self.dispute = dispute
        self._change(
            ev.PaymentDisputed,
            dispute.updated_at,
            dispute_id=dispute.dispute_id,
            status=dispute.status,
            reason=dispute.reason,
            amount=dispute.amount,
        )
        return True
