"""The saga's test harness: the real ASL on moto's interpreter, the real task handlers, in-memory
adapters and simulated providers, and the real Step Functions gateway for starts and callbacks.

``Saga`` drives orders the way production does: the domain services place, start and cancel
orders and record carrier updates (as the API and EventBridge handlers will); the workflow calls
the task handlers through Lambda invoke. Tests then read the execution (status, states entered)
and the repository. A plain module, not conftest.py, so test modules can import it.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from adapters.aws.stepfunctions import StepFunctionsWorkflow
from adapters.carrier import SimulatedCarrier
from adapters.catalog import SeededCatalog
from adapters.clock import ManualClock
from adapters.memory.repository import InMemoryOrderRepository
from adapters.payments import SimulatedPaymentProvider
from domain.commands import (
    CancelOrder,
    CarrierUpdateKind,
    ItemRequest,
    PlaceOrder,
    RecordCarrierUpdate,
    StartOrderWorkflow,
)
from domain.errors import ConcurrencyConflict
from domain.order import Order
from domain.services.cancel_order import cancel_order
from domain.services.place_order import place_order
from domain.services.record_carrier_update import record_carrier_update
from domain.services.start_workflow import start_order_workflow
from domain.status import OrderStatus
from domain.values import Address, PaymentStatus, ShipmentStatus
from infra.local.sfn_runner import DeployedSaga, history, states_entered, wait_for_execution

TEST_TIME_SCALE = 1e-4
"""A 2 s retry interval takes 0.2 ms; RequestShipment's 3-day heartbeat 26 s, far longer than
any test needs to answer it."""
FAST_TIMEOUTS = 1e-6
"""For tests of the carrier wait's timeouts: 3 days = 0.26 s, 14 days = 1.2 s."""
CUSTOMER = "customer-ada"
HOME = Address("Ada Lovelace", "12 St James's Square", "London", "SW1Y 4JH", "GB")
ANTARCTICA = Address("Base", "1 Ice Shelf", "McMurdo", "9999", "AQ")
HAPPY_PATH = ["AuthorizePayment", "RequestShipment", "CompleteOrder"]
COMPENSATED = ["CancelShipment", "VoidPayment", "FailOrder", "CancelledOrFailed"]


@dataclass
class FlakyCancelCarrier(SimulatedCarrier):
    """The simulated carrier, in an outage during exactly its first ``failing_cancels`` cancel
    calls: a deterministic fault in the CancelShipment compensation, whatever the timing."""

    failing_cancels: int = 0
    cancel_calls: int = 0

    def cancel(self, key: str, tracking_number: str) -> None:
        self.cancel_calls += 1
        self.outage = self.cancel_calls <= self.failing_cancels
        try:
            super().cancel(key, tracking_number)
        finally:
            self.outage = False


@dataclass
class Saga:
    sfn: Any
    deployed: DeployedSaga
    orders: InMemoryOrderRepository
    payments: SimulatedPaymentProvider
    carrier: FlakyCancelCarrier
    workflow: StepFunctionsWorkflow
    clock: ManualClock
    _requests: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    # ----- the customer and the platform, through the domain services --------------------
    def place(self, *, token: str = "tok_visa", address: Address = HOME) -> str:
        cmd = PlaceOrder(
            customer_id=CUSTOMER,
            request_key=f"key-{next(self._requests)}",
            items=(ItemRequest("BOOK-001", 2),),
            shipping_address=address,
            payment_token=token,
        )
        return place_order(
            cmd, orders=self.orders, catalog=SeededCatalog(), clock=self.clock
        ).order_id

    def start(self, order_id: str) -> None:
        start_order_workflow(
            StartOrderWorkflow(order_id), orders=self.orders, workflow=self.workflow
        )

    def place_and_start(self, **kwargs: Any) -> str:
        order_id = self.place(**kwargs)
        self.start(order_id)
        return order_id

    def cancel(self, order_id: str) -> Order:
        return cancel_order(
            CancelOrder(order_id, CUSTOMER),
            orders=self.orders,
            workflow=self.workflow,
            clock=self.clock,
        )

    def carrier_reports(self, order_id: str, kind: CarrierUpdateKind, reason: str = "") -> Order:
        """What the carrier-events handler does with a ShipmentDispatched/Delivered/... event."""
        tracking = self.order(order_id).shipment
        assert tracking is not None, "the carrier reports on a parcel that was never booked"
        cmd = RecordCarrierUpdate(order_id, tracking.tracking_number, kind, reason)
        return record_carrier_update(
            cmd, orders=self.orders, workflow=self.workflow, clock=self.clock
        )

    # ----- waiting and reading -----------------------------------------------------------
    def execution_arn(self, order_id: str) -> str:
        machine = self.deployed.state_machine_arn
        return f"{machine.replace(':stateMachine:', ':execution:')}:{order_id}"

    def waiting_for_carrier(self, order_id: str, timeout: float = 30.0) -> str:
        """Block until RequestShipment stored its token and the workflow listens on it."""
        deadline, delay = time.monotonic() + timeout, 0.005
        while time.monotonic() < deadline:
            token = self.orders.get(order_id).wait_token
            if token and self._listening(token):
                return token
            time.sleep(delay)
            delay = min(0.05, delay * 1.5)
        raise TimeoutError(f"order {order_id} never waited for the carrier")

    def _listening(self, token: str) -> bool:
        try:  # a heartbeat is harmless, and refused until the wait has begun
            self.sfn.send_task_heartbeat(taskToken=token)
        except ClientError as error:
            if error.response["Error"]["Code"] in ("InvalidToken", "TaskDoesNotExist"):
                return False
            raise
        return True

    def finish(self, order_id: str, timeout: float = 30.0) -> dict[str, Any]:
        return wait_for_execution(self.sfn, self.execution_arn(order_id), timeout)

    def states(self, order_id: str) -> list[str]:
        return states_entered(self.sfn, self.execution_arn(order_id))

    def history(self, order_id: str) -> list[dict[str, Any]]:
        return history(self.sfn, self.execution_arn(order_id))

    def task_errors(self, order_id: str) -> list[str]:
        return [
            event[key]["error"]
            for event in self.history(order_id)
            for key in ("taskFailedEventDetails", "taskTimedOutEventDetails")
            if key in event
        ]

    def order(self, order_id: str) -> Order:
        return self.orders.get(order_id)

    @contextmanager
    def carrier_keeps_resending_dispatch(
        self, order_id: str, every: float = 0.025
    ) -> Iterator[None]:
        """From the booking on, the carrier re-sends "dispatched" (each one a heartbeat) until
        the block ends or the order has failed."""
        stop = threading.Event()

        def resend() -> None:
            while not stop.is_set() and (order := self.order(order_id)).status is not (
                OrderStatus.FAILED
            ):
                # A race lost to a compensation is harmless: the next resend reads again.
                with suppress(ConcurrencyConflict):
                    if order.shipment is not None:
                        self.carrier_reports(order_id, CarrierUpdateKind.DISPATCHED)
                stop.wait(every)

        worker = threading.Thread(target=resend, daemon=True)
        worker.start()
        try:
            yield
        finally:
            stop.set()
            worker.join(5)

    # ----- the invariants of docs/reliability.md that the saga is responsible for --------
    def assert_invariants(self, order_id: str, *, compensated: bool = True) -> None:
        """Money and parcels; with ``compensated``, also that an order that ended cancelled or
        failed holds no authorization and no parcel that could still leave."""
        order = self.order(order_id)
        money = {
            kind: self.payments.entries(kind, f"{order_id}:")
            for kind in ("authorize", "capture", "void")
        }
        assert len(money["authorize"]) <= 1, "authorized twice"
        assert len(money["capture"]) <= 1, "captured twice"
        assert not (money["capture"] and money["void"]), "captured and voided"
        assert order.payment.refunded <= order.payment.captured
        if money["capture"]:
            assert order.status is OrderStatus.COMPLETED
            assert order.shipment is not None and order.shipment.status is ShipmentStatus.DELIVERED
        if compensated and order.status in (OrderStatus.CANCELLED, OrderStatus.FAILED):
            assert order.payment.status is not PaymentStatus.AUTHORIZED, "authorization left held"
            assert order.payment.status is not PaymentStatus.CAPTURED
            if order.shipment is not None:
                assert order.shipment.status is not ShipmentStatus.REQUESTED, "parcel may leave"
        bookings = [key for key in self.carrier.results if key.startswith(f"{order_id}:")]
        assert len(bookings) <= 1, "booked twice"
