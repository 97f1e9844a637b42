"""The order's payment: authorized once, captured when the carrier comes for the parcel (which
releases it), or voided; a capture for goods the customer did not get is refunded.

``needs_*`` methods answer a service before it calls the provider (and refuse what the tables
refuse); the recording methods apply the provider's answer. Repeats return False.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from domain import events as ev
from domain.errors import (
    CancellationRequested,
    InvalidTransition,
    PaymentCaptureFailed,
    PaymentDeclined,
    ShipmentFailed,
)
from domain.money import Money
from domain.order_state import OrderState
from domain.status import CAPTURABLE_WITH, OrderStatus, PaymentStatus, ShipmentStatus
from domain.values import Refund

AUTHORIZATION_LIFETIME = timedelta(days=7)
"""How long a card authorization holds (the networks' usual 7 days): a capture after it fails."""
DISPATCH_WINDOW = timedelta(days=6)
"""How long the saga waits for the carrier to come (RequestShipment's TimeoutSeconds): within
the authorization's lifetime, with a day left for the capture's retries or a redrive."""
UNDELIVERED_REFUND = "undelivered"
AUTHORIZE_KEY_SUFFIX = ":authorize"
"""Every authorization is asked for with the key ``<order id>:authorize``."""


def authorization_key(order_id: str) -> str:
    return f"{order_id}{AUTHORIZE_KEY_SUFFIX}"


def order_id_of_key(key: str) -> str | None:
    """The order an authorization key belongs to; None for any other key."""
    order_id, suffix, rest = key.rpartition(AUTHORIZE_KEY_SUFFIX)
    return order_id if suffix and not rest and order_id else None


S, P, H = OrderStatus, PaymentStatus, ShipmentStatus


class PaymentSteps(OrderState):
    @property
    def total(self) -> Money:
        return self.payment.amount

    # ----- authorize ----------------------------------------------------------------------
    def needs_authorization(self) -> bool:
        """True when the provider must be asked; raises when this order cannot be paid for."""
        if self.status is S.PAYMENT_FAILED:
            raise PaymentDeclined(self.reason)
        if self.payment.status is not P.PENDING:
            return False
        if self.status is S.CANCELLED:
            raise CancellationRequested(self.order_id)
        self._require(S.PLACED, target=S.PAYMENT_AUTHORIZED)  # FAILED: the saga gave up
        return True

    def authorize_payment(
        self, reference: str, at: datetime, valid_until: datetime | None = None
    ) -> bool:
        """Record an authorization. On an order cancelled meanwhile (a lost race) the money is
        still recorded, without a status change, so that the void compensation releases it."""
        if self.payment.status is P.AUTHORIZED:
            return False
        self._check_payment(P.AUTHORIZED)
        target = None if self.status is S.CANCELLED else S.PAYMENT_AUTHORIZED
        if target is not None:
            self._require(S.PLACED, target=target)
        until = valid_until or at + AUTHORIZATION_LIFETIME
        self._pay(P.AUTHORIZED, reference=reference, valid_until=until)
        self._change(
            ev.PaymentAuthorized, at, target, amount=self.total, provider_reference=reference
        )
        return True

    def decline_payment(self, reason: str, at: datetime) -> bool:
        if self.status in (S.PAYMENT_FAILED, S.CANCELLED):  # CANCELLED: the cancel won the race
            return False
        self._require(S.PLACED, target=S.PAYMENT_FAILED)
        self._pay(P.DECLINED)
        self.reason = reason
        self._change(ev.PaymentFailed, at, S.PAYMENT_FAILED, reason=reason)
        return True

    # ----- capture at dispatch ------------------------------------------------------------
    def needs_capture(self, now: datetime) -> bool:
        """True when the provider must capture now: the carrier is at the dock (or delivered
        before we heard it came). Refuses before any money moves."""
        if self.payment.status is P.CAPTURED:
            return False
        self._check_capture()
        if self.payment.valid_until is not None and now >= self.payment.valid_until:
            raise PaymentCaptureFailed("the authorization expired before the carrier came")
        return True

    def capture_payment(self, at: datetime) -> bool:
        """Record the capture; it releases a parcel held at the dock to the carrier."""
        if self.payment.status is P.CAPTURED:
            return False
        self._check_capture()
        self._pay(P.CAPTURED, captured=self.total)
        if self._shipment().status is H.DISPATCHED:
            self._ship(H.IN_TRANSIT)
        self._change(ev.PaymentCaptured, at, amount=self.total)
        return True

    def _check_capture(self) -> None:
        shipment = self._shipment()
        if shipment.status is H.FAILED:  # it never left: nothing to charge for
            raise ShipmentFailed(shipment.tracking_number)
        self._check_payment(P.CAPTURED)
        if shipment.status not in CAPTURABLE_WITH:
            raise InvalidTransition(f"shipment {shipment.status.value}", "a capture")

    # ----- compensations ------------------------------------------------------------------
    def hold_to_release(self) -> str | None:
        """The authorization a void must release, if the order knows it."""
        return self.payment.reference if self.payment.status is P.AUTHORIZED else None

    def may_hold_unseen(self) -> bool:
        """An authorization whose answer was lost may exist: ask the provider by key."""
        return self.payment.status is P.PENDING

    def void_payment(self, at: datetime, reference: str = "") -> bool:
        """Release a hold: the known one, or one found at the provider (``reference``)."""
        if not self._may_pay(P.VOIDED) or not (reference or self.hold_to_release()):
            return False  # nothing held; a captured payment is refunded, never voided
        self._pay(P.VOIDED, reference=reference or self.payment.reference)
        self._change(ev.PaymentVoided, at, amount=self.total)
        return True

    def owed_back(self) -> Money:
        """What was captured for goods the customer will not keep (captured - refunded must be
        the value kept). A parcel still on its way is never refunded automatically."""
        shipment = self.shipment
        if shipment is not None and shipment.status is H.IN_TRANSIT:
            raise InvalidTransition("shipment IN_TRANSIT", "a refund of undelivered goods")
        kept = (
            self.total
            if shipment and shipment.status is H.DELIVERED
            else Money.zero(self.total.currency)
        )
        owed = self.payment.captured - self.payment.refunded - kept
        return owed if owed.is_positive else Money.zero(owed.currency)

    def refund_undelivered(self, amount: Money, reference: str, at: datetime) -> bool:
        if any(r.refund_id == UNDELIVERED_REFUND for r in self.refunds) or not amount.is_positive:
            return False
        refunded = self.payment.refunded + amount
        self._pay(P.CAPTURED, refunded=refunded)
        reason = "the parcel did not reach the customer"
        self.refunds = (*self.refunds, Refund(UNDELIVERED_REFUND, amount, reason, reference, at))
        self._change(
            ev.RefundIssued,
            at,
            refund_id=UNDELIVERED_REFUND,
            amount=amount,
            reason=reason,
            total_refunded=refunded,
        )
        return True
