"""The carrier's events as we accept them (source ``simship.carrier``), parsed at the edge.

Unknown fields in ``detail`` are ignored so the carrier can add some without breaking us;
the ones we use are checked strictly.
"""

from __future__ import annotations

from typing import Literal

from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
from pydantic import BaseModel, ConfigDict, Field

from domain.commands import CarrierUpdateKind, RecordCarrierUpdate

SOURCE = "simship.carrier"
KINDS: dict[str, CarrierUpdateKind] = {
    "ShipmentDispatched": CarrierUpdateKind.DISPATCHED,
    "ShipmentDelivered": CarrierUpdateKind.DELIVERED,
    "ShipmentDeliveryFailed": CarrierUpdateKind.FAILED,
}
CarrierDetailType = Literal["ShipmentDispatched", "ShipmentDelivered", "ShipmentDeliveryFailed"]


class CarrierDetail(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    order_id: str = Field(alias="orderId", pattern=r"^[A-Za-z0-9-]{1,64}$")
    tracking_number: str = Field(alias="trackingNumber", pattern=r"^[A-Z0-9]{6,40}$")
    event_id: str = Field(
        alias="eventId",
        min_length=1,
        max_length=128,
        description="The carrier's id for this report (for deduplication)",
    )
    reason: str = Field(
        "", max_length=200, pattern=r"^[^\x00-\x1F\x7F]*$", description="Why a delivery failed"
    )


class CarrierEvent(EventBridgeModel):
    source: Literal["simship.carrier"]
    detail_type: CarrierDetailType = Field(alias="detail-type")
    detail: CarrierDetail  # narrows the envelope's raw detail

    def to_command(self) -> RecordCarrierUpdate:
        return RecordCarrierUpdate(
            order_id=self.detail.order_id,
            tracking_number=self.detail.tracking_number,
            kind=KINDS[self.detail_type],
            reason=self.detail.reason,
        )
