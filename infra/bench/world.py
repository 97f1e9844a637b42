"""Orders made through the application services, with in-memory adapters, in whichever state
a warm benchmark case needs: along the happy path (placed, authorized, shipping, dispatched,
in transit, delivered) and a parcel lost after the capture (for the refund)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from adapters.carrier import SimulatedCarrier
from adapters.catalog import SeededCatalog
from adapters.clock import SystemClock
from adapters.ids import UuidIds
from adapters.memory.recorders import RecordingPublisher, RecordingWorkflow
from adapters.memory.repository import InMemoryOrderRepository
from adapters.payments import SimulatedPaymentProvider
from domain import commands as c
from domain.services.authorize_payment import authorize_payment
from domain.services.capture_payment import capture_payment
from domain.services.place_order import place_order
from domain.services.record_carrier_update import record_carrier_update
from domain.services.request_shipment import request_shipment
from domain.services.start_workflow import start_order_workflow
from domain.values import Address
from handlers.common.bootstrap import Ports
from infra.bench import events

ADDRESS = Address("Ada Lovelace", "12 St James's Square", "London", "SW1Y 4JH", "GB")


def memory_ports() -> Ports:
    orders = InMemoryOrderRepository()
    return Ports(
        orders=orders,
        customer_orders=orders,
        catalog=SeededCatalog(),
        payments=SimulatedPaymentProvider(),
        carrier=SimulatedCarrier(),
        workflow=RecordingWorkflow(),
        publisher=RecordingPublisher(),
        clock=SystemClock(),
        ids=UuidIds(),
    )


@dataclass
class World:
    """Orders made through the services, in whichever state a case needs."""

    p: Ports

    def placed(self) -> str:
        cmd = c.PlaceOrder(
            events.CUSTOMER,
            str(uuid.uuid4()),
            (c.ItemRequest("BOOK-001", 2), c.ItemRequest("TEE-003", 1)),
            ADDRESS,
            "tok_visa_4242",
        )
        order = place_order(cmd, orders=self.p.orders, catalog=self.p.catalog, clock=self.p.clock)
        start_order_workflow(
            c.StartOrderWorkflow(order.order_id), orders=self.p.orders, workflow=self.p.workflow
        )
        return order.order_id

    def authorized(self) -> str:
        order_id = self.placed()
        authorize_payment(
            c.AuthorizePayment(order_id),
            orders=self.p.orders,
            payments=self.p.payments,
            clock=self.p.clock,
        )
        return order_id

    def shipping(self) -> str:
        order_id = self.authorized()
        request_shipment(
            c.RequestShipment(order_id, f"token-{order_id}"),
            orders=self.p.orders,
            carrier=self.p.carrier,
            workflow=self.p.workflow,
            clock=self.p.clock,
        )
        return order_id

    def dispatched(self) -> str:
        """The carrier is at the dock: the parcel waits there for the capture."""
        return self.report(self.shipping(), c.CarrierUpdateKind.DISPATCHED)

    def in_transit(self) -> str:
        """Captured at dispatch, which released the parcel to the carrier."""
        order_id = self.dispatched()
        capture_payment(
            c.CapturePayment(order_id),
            orders=self.p.orders,
            payments=self.p.payments,
            clock=self.p.clock,
        )
        return order_id

    def delivered(self) -> str:
        return self.report(self.in_transit(), c.CarrierUpdateKind.DELIVERED)

    def lost(self) -> str:
        """Captured, then the carrier lost the parcel: the payment is owed back."""
        return self.report(self.in_transit(), c.CarrierUpdateKind.FAILED)

    def report(self, order_id: str, kind: c.CarrierUpdateKind) -> str:
        record_carrier_update(
            c.RecordCarrierUpdate(order_id, self.tracking(order_id), kind),
            orders=self.p.orders,
            workflow=self.p.workflow,
            clock=self.p.clock,
        )
        return order_id

    def tracking(self, order_id: str) -> str:
        shipment = self.p.orders.get(order_id).shipment
        assert shipment is not None  # noqa: S101  # shipping() booked it
        return shipment.tracking_number
