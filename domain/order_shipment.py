"""The order's parcel: booked after payment, held at the dock when the carrier comes until the
capture releases it, then delivered or lost; called off while it has not left.

Carrier news is applied only when the parcel's table allows it, so duplicates and late or
out-of-order reports change nothing. ``carrier_signal`` says what the waiting workflow must hear.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from domain import events as ev
from domain.errors import CancellationRequested, InvalidTransition
from domain.order_payment import PaymentSteps
from domain.status import TERMINAL, OrderStatus, PaymentStatus, ShipmentStatus
from domain.values import Booking, Shipment

S, P, H = OrderStatus, PaymentStatus, ShipmentStatus
CARRIER_NEWS_FOR = (S.SHIPMENT_REQUESTED, S.SHIPPED, S.NEEDS_ATTENTION)
"""Order statuses in which the carrier's news still moves the order."""


class Signal(StrEnum):
    RESUME = "resume"
    """The wait is over: the carrier came (capture now) or delivered (complete)."""
    FAIL = "fail"
    """The parcel failed: compensate (``ShipmentFailed``)."""
    HEARTBEAT = "heartbeat"
    """The carrier is still at it: keep waiting."""


class ShipmentSteps(PaymentSteps):
    # ----- booking ----------------------------------------------------------------------
    def needs_booking(self) -> bool:
        """True when the carrier must book the parcel; raises when it must not be booked."""
        if self.shipment is not None:
            return False
        if self.status is S.CANCELLED:
            raise CancellationRequested(self.order_id)
        self._require(S.PAYMENT_AUTHORIZED, target=S.SHIPMENT_REQUESTED)  # only after payment
        return True

    def request_shipment(self, carrier: str, tracking_number: str, at: datetime) -> bool:
        """Record a booking. As with payments, a booking that lost a race with a cancellation
        is still recorded, so that the cancel-shipment compensation calls it off."""
        if self.shipment is not None:
            return False
        target = None if self.status is S.CANCELLED else S.SHIPMENT_REQUESTED
        if target is not None:
            self._require(S.PAYMENT_AUTHORIZED, target=target)
        self.shipment = Shipment(H.REQUESTED, carrier, tracking_number)
        self._change(
            ev.ShipmentRequested, at, target, carrier=carrier, tracking_number=tracking_number
        )
        return True

    def may_hold_unseen_booking(self) -> bool:
        """A booking whose answer was lost may exist: bookings follow an authorization."""
        return self.shipment is None and self.payment.status is not P.PENDING

    def await_carrier(self, wait_token: str, at: datetime) -> bool:
        """Remember the workflow's task token (a silent change: no event, a new version)."""
        if self.wait_token == wait_token:
            return False
        self.wait_token = wait_token
        self._silent_change(at)
        return True

    # ----- the carrier's news -------------------------------------------------------------
    def record_dispatch(self, at: datetime) -> bool:
        """The carrier is at the dock: the parcel waits there for the capture."""
        if self.status is not S.SHIPMENT_REQUESTED or not self._may_ship(H.DISPATCHED):
            return False  # a duplicate, or late news of a shipment that already moved on
        shipment = self._ship(H.DISPATCHED)
        self._change(ev.ShipmentDispatched, at, S.SHIPPED, tracking_number=shipment.tracking_number)
        return True

    def record_delivery(self, at: datetime) -> bool:
        if self.status not in CARRIER_NEWS_FOR or not self._may_ship(H.DELIVERED):
            return False
        shipment = self._ship(H.DELIVERED)
        self._change(
            ev.ShipmentDelivered, at, S.DELIVERED, tracking_number=shipment.tracking_number
        )
        return True

    def record_delivery_failure(self, reason: str, at: datetime) -> bool:
        if not self._may_ship(H.FAILED):
            return False
        shipment = self._ship(H.FAILED)
        self._change(ev.DeliveryFailed, at, tracking_number=shipment.tracking_number, reason=reason)
        return True

    def carrier_signal(self, heard_dispatch: bool = False) -> Signal | None:
        """What the waiting workflow step must hear now, given what the order knows."""
        if not self.wait_token or self.shipment is None:
            return None
        status = self.shipment.status
        if self.status is S.DELIVERED:
            return Signal.RESUME
        if status is H.FAILED and self.status is not S.FAILED:
            return Signal.FAIL
        if status is H.DISPATCHED and self.status is S.SHIPPED and self._may_pay(P.CAPTURED):
            return Signal.RESUME  # capture at dispatch
        if heard_dispatch and status is H.IN_TRANSIT:
            return Signal.HEARTBEAT
        return None

    # ----- compensations and escalation ---------------------------------------------------
    def can_call_off(self) -> bool:
        """The parcel has not left: booked, or held at the dock."""
        return self._may_ship(H.CANCELLED)

    def cancel_shipment(self, at: datetime) -> bool:
        """Compensation: call off a parcel that has not left (booked, or held at the dock)."""
        if not self.can_call_off():
            return False
        shipment = self._ship(H.CANCELLED)
        self._change(ev.ShipmentCancelled, at, tracking_number=shipment.tracking_number)
        return True

    def cancel_unseen_booking(self, booking: Booking, at: datetime) -> bool:
        """Record a booking the order never heard of (a lost answer), then its cancellation."""
        if self.shipment is not None:
            return False
        self.shipment = Shipment(H.REQUESTED, booking.carrier, booking.tracking_number)
        self._change(
            ev.ShipmentRequested,
            at,
            carrier=booking.carrier,
            tracking_number=booking.tracking_number,
        )
        return self.cancel_shipment(at)

    def ask_operator(self, at: datetime) -> bool:
        """After dispatch the carrier went silent: never a void or a refund for a parcel that
        may still arrive; an operator asks the carrier. No-op once its news is in."""
        if self.status is not S.SHIPPED:
            self._shipment()  # no parcel: a step out of place
            if self.status not in (S.NEEDS_ATTENTION, S.DELIVERED, *TERMINAL):
                raise InvalidTransition(self.status.value, S.NEEDS_ATTENTION.value)
            return False
        self.reason = "the carrier has not reported on the parcel since it left"
        self._change(ev.OrderNeedsAttention, at, S.NEEDS_ATTENTION, reason=self.reason)
        return True
