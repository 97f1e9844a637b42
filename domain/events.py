"""Domain events: facts, named in the past tense, one per state change of an order.

``version`` is the order's version the change produced, so ``event_id`` (order id + version)
is unique and stable: consumers deduplicate on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.money import Money


@dataclass(frozen=True, kw_only=True, slots=True)
class DomainEvent:
    order_id: str
    version: int
    occurred_at: datetime

    @property
    def name(self) -> str:
        return type(self).__name__

    @property
    def event_id(self) -> str:
        return f"{self.order_id}:{self.version}"


@dataclass(frozen=True, kw_only=True, slots=True)
class PlacedLine:
    sku: str
    quantity: int
    unit_price: Money


@dataclass(frozen=True, kw_only=True, slots=True)
class OrderPlaced(DomainEvent):
    customer_id: str
    lines: tuple[PlacedLine, ...]
    total: Money


@dataclass(frozen=True, kw_only=True, slots=True)
class PaymentAuthorized(DomainEvent):
    amount: Money
    provider_reference: str


@dataclass(frozen=True, kw_only=True, slots=True)
class PaymentFailed(DomainEvent):
    reason: str


@dataclass(frozen=True, kw_only=True, slots=True)
class ShipmentRequested(DomainEvent):
    carrier: str
    tracking_number: str


@dataclass(frozen=True, kw_only=True, slots=True)
class ShipmentDispatched(DomainEvent):
    tracking_number: str


@dataclass(frozen=True, kw_only=True, slots=True)
class ShipmentDelivered(DomainEvent):
    tracking_number: str


@dataclass(frozen=True, kw_only=True, slots=True)
class DeliveryFailed(DomainEvent):
    tracking_number: str
    reason: str


@dataclass(frozen=True, kw_only=True, slots=True)
class ShipmentCancelled(DomainEvent):
    tracking_number: str


@dataclass(frozen=True, kw_only=True, slots=True)
class PaymentCaptured(DomainEvent):
    amount: Money


@dataclass(frozen=True, kw_only=True, slots=True)
class PaymentVoided(DomainEvent):
    amount: Money


@dataclass(frozen=True, kw_only=True, slots=True)
class OrderCompleted(DomainEvent):
    total: Money


@dataclass(frozen=True, kw_only=True, slots=True)
class OrderCancelled(DomainEvent):
    reason: str


@dataclass(frozen=True, kw_only=True, slots=True)
class OrderFailed(DomainEvent):
    reason: str


@dataclass(frozen=True, kw_only=True, slots=True)
class OrderNeedsAttention(DomainEvent):
    """The saga cannot decide alone: ``domain.attention.operator_action`` says what to do."""

    reason: str


@dataclass(frozen=True, kw_only=True, slots=True)
class RefundIssued(DomainEvent):
    refund_id: str
    amount: Money
    reason: str
    total_refunded: Money


@dataclass(frozen=True, kw_only=True, slots=True)
class PaymentDisputed(DomainEvent):
    """The cardholder disputed the payment at the provider, or the provider closed the dispute
    (``status`` won, lost or warning_closed)."""

    dispute_id: str
    status: str
    reason: str
    amount: Money


@dataclass(frozen=True, kw_only=True, slots=True)
class AuthorizationExpired(DomainEvent):
    """The provider let the authorization lapse before the capture: the capture will fail."""

    provider_reference: str


EVENT_TYPES: dict[str, type[DomainEvent]] = {
    cls.__name__: cls
    for cls in (
        OrderPlaced,
        PaymentAuthorized,
        PaymentFailed,
        ShipmentRequested,
        ShipmentDispatched,
        ShipmentDelivered,
        DeliveryFailed,
        ShipmentCancelled,
        PaymentCaptured,
        PaymentVoided,
        OrderCompleted,
        OrderCancelled,
        OrderFailed,
        OrderNeedsAttention,
        RefundIssued,
        PaymentDisputed,
        AuthorizationExpired,
    )
}
