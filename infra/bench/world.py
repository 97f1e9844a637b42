"""Orders made through the application services, with in-memory adapters, in whichever state
a warm benchmark case needs: along the happy path (placed, authorized, shipping, dispatched,
in transit, delivered) and a parcel lost after the capture (for the refund)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from domain import commands as c
from domain.values import Address
from handlers.common.bootstrap import App
from infra.bench import events
from infra.in_memory import in_memory

ADDRESS = Address("Ada Lovelace", "12 St James's Square", "London", "SW1Y 4JH", "GB")


def memory_app() -> App:
    """The composition root's in-memory app (``infra.in_memory``)."""
    return in_memory()


@dataclass
class World:
    """Orders made through the app's use cases, in whichever state a case needs."""

    p: App
    payment_token: str = "tok_visa_4242"  # noqa: S105  # a test token, not a secret
    """The simulated provider's approving token; ``pm_card_visa`` for Stripe (localstripe)."""

    def placed(self) -> str:
        cmd = c.PlaceOrder(
            events.CUSTOMER,
            str(uuid.uuid4()),
            (c.ItemRequest("BOOK-001", 2), c.ItemRequest("TEE-003", 1)),
            ADDRESS,
            self.payment_token,
        )
        order = self.p.place_order(cmd)
        self.p.start_workflow(c.StartOrderWorkflow(order.order_id))
        return order.order_id

    def authorized(self) -> str:
        order_id = self.placed()
        self.p.authorize_payment(c.AuthorizePayment(order_id))
        return order_id

    def shipping(self) -> str:
        order_id = self.authorized()
        self.p.request_shipment(c.RequestShipment(order_id, f"token-{order_id}"))
        return order_id

    def dispatched(self) -> str:
        """The carrier is at the dock: the parcel waits there for the capture."""
        return self.report(self.shipping(), c.CarrierUpdateKind.DISPATCHED)

    def in_transit(self) -> str:
        """Captured at dispatch, which released the parcel to the carrier."""
        order_id = self.dispatched()
        self.p.capture_payment(c.CapturePayment(order_id))
        return order_id

    def delivered(self) -> str:
        return self.report(self.in_transit(), c.CarrierUpdateKind.DELIVERED)

    def lost(self) -> str:
        """Captured, then the carrier lost the parcel: the payment is owed back."""
        return self.report(self.in_transit(), c.CarrierUpdateKind.FAILED)

    def report(self, order_id: str, kind: c.CarrierUpdateKind) -> str:
        self.p.record_carrier_update(c.RecordCarrierUpdate(order_id, self.tracking(order_id), kind))
        return order_id

    def tracking(self, order_id: str) -> str:
        shipment = self.p.orders.get(order_id).shipment
        assert shipment is not None  # noqa: S101  # shipping() booked it
        return shipment.tracking_number
