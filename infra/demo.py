"""A scripted walk through three orders' lives on the domain with in-memory adapters.

It plays the workflow's part by calling the use cases in the order the saga does, on the
composition root's in-memory app (``infra.in_memory``), so it needs no AWS,
no Docker and no network. Run it with ``make run``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field

from adapters.carrier import SimulatedCarrier
from adapters.clock import ManualClock
from adapters.memory.recorders import RecordingWorkflow
from adapters.memory.repository import InMemoryOrderRepository
from adapters.payments import SimulatedPaymentProvider
from domain.commands import (
    AuthorizePayment,
    CancelOrder,
    CancelShipment,
    CapturePayment,
    CarrierUpdateKind,
    CompleteOrder,
    FailOrder,
    ItemRequest,
    PlaceOrder,
    RecordCarrierUpdate,
    RefundOrder,
    RefundPayment,
    RequestShipment,
    StartOrderWorkflow,
    VoidPayment,
)
from domain.errors import DomainError
from domain.money import Money
from domain.values import Address
from infra.in_memory import in_memory

ADDRESS = Address("Ada Lovelace", "12 Analytical Row", "London", "NW1 6XE", "GB")


@dataclass
class Demo:
    out: Callable[[str], object] = print
    orders: InMemoryOrderRepository = field(default_factory=InMemoryOrderRepository)
    clock: ManualClock = field(default_factory=ManualClock)
    payments: SimulatedPaymentProvider = field(default_factory=SimulatedPaymentProvider)
    carrier: SimulatedCarrier = field(default_factory=SimulatedCarrier)
    workflow: RecordingWorkflow = field(default_factory=RecordingWorkflow)

    def __post_init__(self) -> None:
        self.app = in_memory(
            orders=self.orders,
            clock=self.clock,
            payments=self.payments,
            carrier=self.carrier,
            workflow=self.workflow,
        )

    def step(self, label: str, action: Callable[[], object], minutes: float = 1) -> None:
        self.clock.advance(minutes=minutes)
        try:
            action()
            outcome = "ok"
        except DomainError as error:
            outcome = f"{type(error).__name__}: {error.message}"
        self.out(f"  {self.clock.now():%a %H:%M}  {label:<34} {outcome}")

    def place(self, key: str, token: str) -> str:
        cmd = PlaceOrder(
            "customer-1",
            key,
            (ItemRequest("BOOK-001", 2), ItemRequest("MUG-002", 1)),
            ADDRESS,
            token,
        )
        order = self.app.place_order(cmd)
        self.out(f"\norder {order.order_id}: 2 x BOOK-001 + 1 x MUG-002 = {order.total}")
        self.step(
            "start the workflow",
            lambda: self.app.start_workflow(StartOrderWorkflow(order.order_id)),
        )
        return order.order_id

    def authorize(self, order_id: str) -> None:
        self.step(
            "authorize payment", lambda: self.app.authorize_payment(AuthorizePayment(order_id))
        )

    def ship(self, order_id: str) -> None:
        self.step(
            "request shipment, wait for carrier",
            lambda: self.app.request_shipment(RequestShipment(order_id, f"token-{order_id[:8]}")),
        )

    def carrier_says(self, order_id: str, kind: CarrierUpdateKind, hours: float) -> None:
        shipment = self.orders.get(order_id).shipment
        tracking = shipment.tracking_number if shipment else ""
        self.step(
            f"carrier: {kind.value.lower()}",
            lambda: self.app.record_carrier_update(RecordCarrierUpdate(order_id, tracking, kind)),
            minutes=hours * 60,
        )

    def capture(self, order_id: str) -> None:
        self.step(
            "capture at dispatch: parcel leaves",
            lambda: self.app.capture_payment(CapturePayment(order_id, f"token-{order_id[:8]}-2")),
        )

    def compensate(self, order_id: str, reason: str) -> None:
        app = self.app
        self.step(
            "compensate: cancel shipment", lambda: app.cancel_shipment(CancelShipment(order_id))
        )
        self.step("compensate: void payment", lambda: app.void_payment(VoidPayment(order_id)))
        self.step("compensate: refund payment", lambda: app.refund_payment(RefundPayment(order_id)))
        self.step("close the order", lambda: app.fail_order(FailOrder(order_id, reason)))

    def summary(self, order_id: str) -> None:
        order = self.orders.get(order_id)
        events = [e.name for e in self.orders.outbox if e.order_id == order_id]
        self.out(
            f"  => {order.status.value} (version {order.version}); payment "
            f"{order.payment.status.value}, captured {order.payment.captured}, "
            f"refunded {order.payment.refunded}"
        )
        self.out(f"     events: {', '.join(events)}")


def main(out: Callable[[str], object] = print) -> int:
    demo = Demo(out=out)
    out("OrderFlow demo: the order saga on the domain, with in-memory adapters")

    happy = demo.place("demo-happy", "tok_visa")
    demo.authorize(happy)
    demo.ship(happy)
    demo.carrier_says(happy, CarrierUpdateKind.DISPATCHED, hours=5)
    demo.capture(happy)
    demo.carrier_says(happy, CarrierUpdateKind.DELIVERED, hours=26)
    demo.step("complete", lambda: demo.app.complete_order(CompleteOrder(happy)))
    refund = RefundOrder(happy, "customer-1", "refund-1", Money.of("8.00", "EUR"), "mug broken")
    demo.step("customer asks a 8.00 EUR refund", lambda: demo.app.refund_order(refund))
    demo.summary(happy)

    declined = demo.place("demo-declined", "tok_decline")
    demo.authorize(declined)
    demo.summary(declined)

    cancelled = demo.place("demo-cancel", "tok_visa")
    demo.authorize(cancelled)
    demo.ship(cancelled)
    demo.step(
        "customer cancels", lambda: demo.app.cancel_order(CancelOrder(cancelled, "customer-1"))
    )
    demo.compensate(cancelled, "cancelled by customer")
    demo.summary(cancelled)
    return 0


if __name__ == "__main__":
    sys.exit(main())
