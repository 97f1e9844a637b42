"""Value objects of an order: address, line, payment, shipment, refund."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.money import Money
from domain.status import PaymentStatus, ShipmentStatus

__all__ = [
    "Address",
    "Booking",
    "Dispute",
    "OrderLine",
    "Payment",
    "PaymentStatus",
    "Refund",
    "Shipment",
    "ShipmentStatus",
]


@dataclass(frozen=True, slots=True)
class Address:
    name: str
    line1: str
    city: str
    postal_code: str
    country: str
    line2: str = ""


@dataclass(frozen=True, slots=True)
class OrderLine:
    sku: str
    quantity: int
    unit_price: Money

    @property
    def total(self) -> Money:
        return self.unit_price.times(self.quantity)


@dataclass(frozen=True, slots=True)
class Payment:
    """The order's one payment: authorized once, then captured once or voided."""

    status: PaymentStatus
    amount: Money
    captured: Money
    refunded: Money
    reference: str = ""
    valid_until: datetime | None = None
    """When the authorization lapses: a capture after it is refused (``AUTHORIZATION_LIFETIME``)."""

    @classmethod
    def pending(cls, amount: Money) -> Payment:
        zero = Money.zero(amount.currency)
        return cls(PaymentStatus.PENDING, amount, captured=zero, refunded=zero)

    @property
    def refundable(self) -> Money:
        return self.captured - self.refunded


@dataclass(frozen=True, slots=True)
class Shipment:
    status: ShipmentStatus
    carrier: str
    tracking_number: str

    @property
    def is_active(self) -> bool:
        """Booked and not yet ended: the carrier may still move the parcel."""
        return self.status in (
            ShipmentStatus.REQUESTED,
            ShipmentStatus.DISPATCHED,
            ShipmentStatus.IN_TRANSIT,
        )


@dataclass(frozen=True, slots=True)
class Refund:
    refund_id: str
    amount: Money
    reason: str
    provider_reference: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Booking:
    """The carrier's answer to a booking."""

    carrier: str
    tracking_number: str


DISPUTE_CLOSED = frozenset({"won", "lost", "warning_closed"})
"""The provider's final dispute statuses (Stripe's words): the outcome."""


@dataclass(frozen=True, slots=True)
class Dispute:
    """A cardholder's dispute of the order's payment, as the provider last told us."""

    dispute_id: str
    status: str
    """The provider's word: needs_response, under_review... then won, lost or warning_closed."""
    reason: str
    amount: Money
    updated_at: datetime

    @property
    def is_closed(self) -> bool:
        return self.status in DISPUTE_CLOSED
