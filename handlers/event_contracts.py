"""Event contracts: every event OrderFlow emits on the bus and accepts from upstream (the
carrier, Stripe), as pydantic models, turned into the JSON Schemas and examples in ``docs/events/``.

Emitted details mirror ``adapters.aws.codec.event_to_detail`` (camelCase, money as decimal
strings). Their schemas are closed (``additionalProperties: false``) so that a field the producer
adds without a contract change fails the contract tests; consumers should still ignore fields
they do not know. Regenerate with ``python -m handlers.event_contracts``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
from pydantic import BaseModel, ConfigDict, Field, create_model
from pydantic.alias_generators import to_camel

from handlers.carrier_events import KINDS, CarrierEvent
from handlers.carrier_events import SOURCE as CARRIER_SOURCE
from handlers.stripe_events import MODELS as STRIPE_MODELS
from handlers.stripe_events import SOURCE as STRIPE_SOURCE

SOURCE = "orderflow.orders"
"""The ``source`` of every domain event on the bus (adapters.aws.eventbridge)."""
SCHEMA_VERSION = "1"


class Detail(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, extra="forbid")


class MoneyDetail(Detail):
    amount: str = Field(pattern=r"^-?[0-9]+\.[0-9]{2}$", description="Exact decimal, as text")
    currency: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217")


class EventDetail(Detail):
    order_id: str
    version: int = Field(ge=1, description="The order's version this change produced")
    occurred_at: datetime
    event_id: str = Field(description="orderId:version, unique: deduplicate on it")


class PlacedLineDetail(Detail):
    sku: str
    quantity: int = Field(ge=1)
    unit_price: MoneyDetail


class OrderPlaced(EventDetail):
    customer_id: str
    lines: list[PlacedLineDetail] = Field(min_length=1)
    total: MoneyDetail


class PaymentAuthorized(EventDetail):
    amount: MoneyDetail
    provider_reference: str


class Reasoned(EventDetail):
    reason: str


class Tracked(EventDetail):
    tracking_number: str


class Amounted(EventDetail):
    amount: MoneyDetail


class ShipmentRequested(Tracked):
    carrier: str


class DeliveryFailed(Tracked):
    reason: str


class OrderCompleted(EventDetail):
    total: MoneyDetail


class RefundIssued(EventDetail):
    refund_id: str
    amount: MoneyDetail
    reason: str
    total_refunded: MoneyDetail


class PaymentDisputed(EventDetail):
    dispute_id: str
    status: str = Field(description="Stripe's dispute status; won, lost or warning_closed: closed")
    reason: str
    amount: MoneyDetail


class AuthorizationExpired(EventDetail):
    provider_reference: str


DOMAIN_DETAILS: dict[str, type[EventDetail]] = {
    "OrderPlaced": OrderPlaced,
    "PaymentAuthorized": PaymentAuthorized,
    "PaymentFailed": Reasoned,
    "ShipmentRequested": ShipmentRequested,
    "ShipmentDispatched": Tracked,
    "ShipmentDelivered": Tracked,
    "DeliveryFailed": DeliveryFailed,
    "ShipmentCancelled": Tracked,
    "PaymentCaptured": Amounted,
    "PaymentVoided": Amounted,
    "OrderCompleted": OrderCompleted,
    "OrderCancelled": Reasoned,
    "OrderFailed": Reasoned,
    "OrderNeedsAttention": Reasoned,
    "RefundIssued": RefundIssued,
    "PaymentDisputed": PaymentDisputed,
    "AuthorizationExpired": AuthorizationExpired,
}


@dataclass(frozen=True)
class Contract:
    direction: Literal["emitted", "accepted"]
    source: str
    detail_type: str
    model: type[EventBridgeModel]
    version: str = SCHEMA_VERSION

    @property
    def slug(self) -> str:
        return f"{self.source}.{self.detail_type}"

    def schema(self) -> dict[str, Any]:
        schema = self.model.model_json_schema(by_alias=True)
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["$id"] = f"{self.slug}.v{self.version}.schema.json"
        return schema


def _emitted(detail_type: str, detail: type[EventDetail]) -> Contract:
    model = create_model(
        f"{detail_type}Event",
        __base__=EventBridgeModel,
        source=(Literal[SOURCE], ...),
        detail_type=(Literal[detail_type], Field(alias="detail-type")),
        detail=(detail, ...),
    )
    return Contract("emitted", SOURCE, detail_type, model)


def _accepted(detail_type: str) -> Contract:
    model = create_model(
        f"{detail_type}CarrierEvent",
        __base__=CarrierEvent,
        detail_type=(Literal[detail_type], Field(alias="detail-type")),
    )
    return Contract("accepted", CARRIER_SOURCE, detail_type, model)


def _from_stripe(detail_type: str) -> Contract:
    """The fields of Stripe's event we read; the partner source carries the same detail."""
    return Contract("accepted", STRIPE_SOURCE, detail_type, STRIPE_MODELS[detail_type])


CONTRACTS: tuple[Contract, ...] = (
    *(_emitted(name, detail) for name, detail in DOMAIN_DETAILS.items()),
    *(_accepted(name) for name in KINDS),
    *(_from_stripe(name) for name in STRIPE_MODELS),
)


if __name__ == "__main__":
    from handlers.event_catalog import write_catalog

    for path in write_catalog():
        print(path)
