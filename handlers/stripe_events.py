"""Stripe's events as we accept them, parsed at the edge (docs/providers.md, Stripe events).

They reach the application bus two ways with the same shape: from Stripe's EventBridge event
destination (source ``aws.partner/stripe.com/<destination id>``, on the partner bus) and from
our webhook endpoint (source ``orderflow.stripe-webhook``, after its signature was checked).
The detail-type is Stripe's event type and the detail is Stripe's event itself. Only the fields
we read are checked; Stripe adds fields freely.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
from pydantic import BaseModel, ConfigDict, Field, create_model

from adapters.stripe_units import from_minor_units
from domain.commands import PaymentNewsKind, RecordPaymentNews

SOURCE = "orderflow.stripe-webhook"
"""What the webhook endpoint puts on the application bus."""
PARTNER_SOURCE_PREFIX = "aws.partner/stripe.com/"
ORDER_FIELD = "orderflow_order_id"
"""Our metadata on a PaymentIntent (adapters.stripe_payments.ORDER_FIELD)."""
EXPIRED = "automatic"
"""payment_intent.canceled's cancellation_reason when Stripe let the hold lapse; a hold we
released (void) has another reason or none."""

Source = Annotated[
    str,
    Field(
        pattern=r"^(orderflow\.stripe-webhook|aws\.partner/stripe\.com/[A-Za-z0-9_./-]{1,200})$",
        description="Our webhook endpoint, or Stripe's EventBridge event destination",
    ),
]
PaymentIntentId = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z0-9_]{3,255}$",
        description="The PaymentIntent's id (pi_...; the simulated provider's auth_...)",
    ),
]
Currency = Annotated[str, Field(pattern=r"^[a-z]{3}$", description="ISO 4217, lower case")]
MinorUnits = Annotated[int, Field(ge=0, le=10**12, description="In the currency's minor units")]
Text = Annotated[str, Field(max_length=200, pattern=r"^[^\x00-\x1F\x7F]*$")]


class StripeModel(BaseModel):
    model_config = ConfigDict(extra="ignore")


class PaymentIntentObject(StripeModel):
    object: Literal["payment_intent"]
    id: PaymentIntentId
    metadata: dict[str, str] = {}
    cancellation_reason: Text | None = None


class ChargeObject(StripeModel):
    object: Literal["charge"]
    id: Annotated[str, Field(pattern=r"^(ch|py)_[A-Za-z0-9]{1,255}$")]
    payment_intent: PaymentIntentId
    amount_refunded: MinorUnits = Field(description="Refunded in all, in minor units")
    currency: Currency
    metadata: dict[str, str] = {}


class DisputeObject(StripeModel):
    object: Literal["dispute"]
    id: Annotated[str, Field(pattern=r"^(dp|du)_[A-Za-z0-9]{1,255}$")]
    payment_intent: PaymentIntentId
    amount: MinorUnits
    currency: Currency
    reason: Text
    status: Annotated[str, Field(pattern=r"^[a-z_]{1,40}$")]


class _Data(StripeModel):
    object: Any


class StripeEvent(StripeModel):
    """Stripe's event (a snapshot event: the object as it was when it happened)."""

    object: Literal["event"]
    id: Annotated[str, Field(pattern=r"^evt_[A-Za-z0-9]{1,255}$", description="Deduplicate on it")]
    type: str
    data: _Data


def _event(type_name: str, data_object: type[StripeModel], name: str) -> type[EventBridgeModel]:
    data = create_model(f"{name}Data", __base__=_Data, object=(data_object, ...))
    detail = create_model(
        f"{name}Detail", __base__=StripeEvent, type=(Literal[type_name], ...), data=(data, ...)
    )
    return create_model(
        name,
        __base__=EventBridgeModel,
        source=(Source, ...),
        detail_type=(Literal[type_name], Field(alias="detail-type")),
        detail=(detail, ...),
    )


MODELS: dict[str, type[EventBridgeModel]] = {
    "charge.refunded": _event("charge.refunded", ChargeObject, "ChargeRefunded"),
    "charge.dispute.created": _event(
        "charge.dispute.created", DisputeObject, "ChargeDisputeCreated"
    ),
    "charge.dispute.closed": _event("charge.dispute.closed", DisputeObject, "ChargeDisputeClosed"),
    "payment_intent.canceled": _event(
        "payment_intent.canceled", PaymentIntentObject, "PaymentIntentCanceled"
    ),
}
"""Every Stripe event type we act on; any other is ignored (and counted)."""


def to_command(event: EventBridgeModel) -> RecordPaymentNews | None:
    """The news a parsed Stripe event brings; None when it brings none (a hold we released)."""
    detail: Any = event.detail
    found = detail.data.object
    if isinstance(found, PaymentIntentObject):
        if found.cancellation_reason != EXPIRED:
            return None
        return RecordPaymentNews(
            detail.id,
            PaymentNewsKind.AUTHORIZATION_EXPIRED,
            found.id,
            order_id=found.metadata.get(ORDER_FIELD, ""),
        )
    if isinstance(found, ChargeObject):
        return RecordPaymentNews(
            detail.id,
            PaymentNewsKind.REFUNDED,
            found.payment_intent,
            order_id=found.metadata.get(ORDER_FIELD, ""),
            amount=from_minor_units(found.amount_refunded, found.currency),
            charge_reference=found.id,
        )
    assert isinstance(found, DisputeObject)  # noqa: S101  # MODELS has no other object
    return RecordPaymentNews(
        detail.id,
        PaymentNewsKind.DISPUTE,
        found.payment_intent,
        amount=from_minor_units(found.amount, found.currency),
        dispute_id=found.id,
        status=found.status,
        reason=found.reason,
    )
