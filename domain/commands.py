"""Commands: requests to change an order, named in the imperative."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from domain.money import Money
from domain.values import Address


@dataclass(frozen=True, slots=True)
class ItemRequest:
    sku: str
    quantity: int


@dataclass(frozen=True, slots=True)
class PlaceOrder:
    customer_id: str
    request_key: str
    """The client's idempotency key: the same key and the same order give the same order."""
    items: tuple[ItemRequest, ...]
    shipping_address: Address
    payment_token: str


@dataclass(frozen=True, slots=True)
class StartOrderWorkflow:
    order_id: str


@dataclass(frozen=True, slots=True)
class AuthorizePayment:
    order_id: str


@dataclass(frozen=True, slots=True)
class RequestShipment:
    order_id: str
    wait_token: str
    """The workflow's task token, given back when the carrier reports delivery."""


class CarrierUpdateKind(StrEnum):
    DISPATCHED = "DISPATCHED"
    DELIVERED = "DELIVERED"
    FAILED = "FAILED"


@dataclass(frozen=True, slots=True)
class RecordCarrierUpdate:
    order_id: str
    tracking_number: str
    kind: CarrierUpdateKind
    reason: str = ""


@dataclass(frozen=True, slots=True)
class CapturePayment:
    """Capture at dispatch; the capture releases the parcel, then the step waits for delivery."""

    order_id: str
    wait_token: str = ""
    """The workflow's task token for the carrier's next word (empty: do not wait)."""


@dataclass(frozen=True, slots=True)
class CompleteOrder:
    order_id: str


@dataclass(frozen=True, slots=True)
class CancelOrder:
    order_id: str
    customer_id: str
    reason: str = "cancelled by customer"


@dataclass(frozen=True, slots=True)
class RefundOrder:
    order_id: str
    customer_id: str
    refund_id: str
    """The client's idempotency key for this refund."""
    amount: Money | None
    """None refunds whatever is still refundable."""
    reason: str


@dataclass(frozen=True, slots=True)
class VoidPayment:
    order_id: str


@dataclass(frozen=True, slots=True)
class RefundPayment:
    """Compensation: give back what was captured for goods the customer will not keep."""

    order_id: str


@dataclass(frozen=True, slots=True)
class CancelShipment:
    order_id: str


@dataclass(frozen=True, slots=True)
class AskOperator:
    """The carrier went silent after dispatch: an operator finds out; the step waits."""

    order_id: str
    wait_token: str


@dataclass(frozen=True, slots=True)
class FailOrder:
    order_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class Reconcile:
    quiet_for: timedelta = timedelta(minutes=5)
    """Only orders unchanged for this long: younger ones may still be on their way."""
    dry_run: bool = False
    """Say what would be repaired, repair nothing."""


class PaymentNewsKind(StrEnum):
    REFUNDED = "REFUNDED"
    """Money was refunded at the provider; ``amount`` is the payment's refunded total there."""
    DISPUTE = "DISPUTE"
    """A dispute opened or closed; ``amount`` is the disputed amount."""
    AUTHORIZATION_EXPIRED = "AUTHORIZATION_EXPIRED"
    """The provider let the hold lapse (never sent for a hold we released)."""


@dataclass(frozen=True, slots=True)
class RecordPaymentNews:
    """What the payment provider tells us on its own about a payment (a Stripe event)."""

    event_id: str
    """The provider's id for this news: a refund it reports is recorded under it."""
    kind: PaymentNewsKind
    payment_reference: str
    """The provider's reference of the payment (a PaymentIntent id)."""
    order_id: str = ""
    """The order, when the news names it (our metadata); otherwise the provider is asked."""
    amount: Money | None = None
    dispute_id: str = ""
    status: str = ""
    reason: str = ""
    charge_reference: str = ""
