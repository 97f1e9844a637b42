"""The saga's test harness: the real ASL on moto's interpreter, the real task handlers, in-memory
adapters and simulated providers, and the real Step Functions gateway for starts and callbacks.

``Saga`` drives orders the way production does: the domain services place, start and cancel
orders and record carrier updates (as the API and EventBridge handlers will); the workflow calls
the task handlers through Lambda invoke. Tests then read the execution (status, states entered)
and the repository. A plain module, not conftest.py, so test modules can import it.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from adapters.aws.stepfunctions import StepFunctionsWorkflow
from adapters.carrier import SimulatedCarrier
from adapters.clock import ManualClock
from adapters.ids import SequentialIds
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
from domain.errors import PaymentProviderUnavailable
from domain.order import Order
from domain.status import OrderStatus
from domain.values import Address, PaymentStatus, ShipmentStatus
from handlers.common.bootstrap import App
from infra.in_memory import in_memory
from infra.sam_translate import load_template
from tests.support.sfn_runner import (
    ORDER_SAGA_ASL,
    DeployedSaga,
    TaskFunction,
    create_function,
    ensure_role,
    history,
    render_definition,
    states_entered,
    wait_for_execution,
)


def saga_tasks() -> tuple[TaskFunction, ...]:
    """One function per DefinitionSubstitution of infra/template.yaml, with its Handler: the
    saga's Task functions as the template (and so the local stack) define them."""
    resources = load_template()["Resources"]
    machine = resources["OrderSagaStateMachine"]["Properties"]
    return tuple(
        TaskFunction(key, resources[key.removesuffix("Arn")]["Properties"]["Handler"])
        for key in machine["DefinitionSubstitutions"]
    )


def deploy_saga(session: Any, environment: dict[str, str]) -> DeployedSaga:
    """The saga's functions and state machine in moto (one function per substitution, with
    the template's task list)."""
    role_arn = ensure_role(session.client("iam"))
    lambdas = session.client("lambda")
    arns = {
        t.substitution: create_function(lambdas, role_arn, t, environment) for t in saga_tasks()
    }
    created = session.client("stepfunctions").create_state_machine(
        name="OrderSaga",
        roleArn=role_arn,
        type="STANDARD",
        definition=render_definition(ORDER_SAGA_ASL, arns),
    )
    return DeployedSaga(str(created["stateMachineArn"]), arns)


TEST_TIME_SCALE = 1e-4
"""A 2 s retry interval takes 0.2 ms; RequestShipment's 3-day heartbeat 26 s, far longer than
any test needs to answer it."""
FAST_TIMEOUTS = 1e-6
"""For tests of the carrier wait's timeouts: 3 days = 0.26 s, 14 days = 1.2 s."""
CUSTOMER = "customer-ada"
HOME = Address("Ada Lovelace", "12 St James's Square", "London", "SW1Y 4JH", "GB")
ANTARCTICA = Address("Base", "1 Ice Shelf", "McMurdo", "9999", "AQ")
HAPPY_PATH = ["AuthorizePayment", "RequestShipment", "CapturePayment", "CompleteOrder"]
COMPENSATED = ["CancelShipment", "VoidPayment", "RefundPayment", "FailOrder"]


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
class HookedPaymentProvider(SimulatedPaymentProvider):
    """The simulated provider, running ``before_lost_answer`` once, when an answer it gives is
    lost: after the money moved at the provider, before the caller hears the timeout."""

    before_lost_answer: Callable[[], object] | None = None

    def _lose_answer(self, key: str, token: str) -> None:
        try:
            super()._lose_answer(key, token)
        except PaymentProviderUnavailable:
            hook, self.before_lost_answer = self.before_lost_answer, None
            if hook is not None:
                hook()
            raise


@dataclass
class Saga:
    sfn: Any
    deployed: DeployedSaga
    orders: InMemoryOrderRepository
    payments: HookedPaymentProvider
    carrier: FlakyCancelCarrier
    workflow: StepFunctionsWorkflow
    clock: ManualClock
    _requests: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def __post_init__(self) -> None:
        self.app: App = in_memory(
            orders=self.orders,
            customer_orders=self.orders,
            payments=self.payments,
            carrier=self.carrier,
            workflow=self.workflow,
            clock=self.clock,
            ids=SequentialIds("wf"),
        )
        """The saga's task functions run on this app (``tests.support.wiring.use_app``)."""

    # ----- the customer and the platform, through the domain services --------------------
    def place(self, *, token: str = "tok_visa", address: Address = HOME) -> str:
        cmd = PlaceOrder(
            customer_id=CUSTOMER,
            request_key=f"key-{next(self._requests)}",
            items=(ItemRequest("BOOK-001", 2),),
            shipping_address=address,
            payment_token=token,
        )
        return self.app.place_order(cmd).order_id

    def start(self, order_id: str) -> None:
        self.app.start_workflow(StartOrderWorkflow(order_id))

    def place_and_start(self, **kwargs: Any) -> str:
        order_id = self.place(**kwargs)
        self.start(order_id)
        return order_id

    def cancel(self, order_id: str) -> Order:
        return self.app.cancel_order(CancelOrder(order_id, CUSTOMER))

    def carrier_reports(self, order_id: str, kind: CarrierUpdateKind, reason: str = "") -> Order:
        """What the carrier-events handler does with a ShipmentDispatched/Delivered/... event."""
        tracking = self.order(order_id).shipment
        assert tracking is not None, "the carrier reports on a parcel that was never booked"
        cmd = RecordCarrierUpdate(order_id, tracking.tracking_number, kind, reason)
        return self.app.record_carrier_update(cmd)

    # ----- waiting and reading -----------------------------------------------------------
    def execution_arn(self, order_id: str) -> str:
        machine = self.deployed.state_machine_arn
        return f"{machine.replace(':stateMachine:', ':execution:')}:{order_id}"

    def waiting_for_carrier(self, order_id: str, after: str = "", timeout: float = 30.0) -> str:
        """Block until a waiting step (RequestShipment, CapturePayment, AskOperator) stored a
        token other than ``after`` and the workflow listens on it."""
        deadline, delay = time.monotonic() + timeout, 0.005
        while time.monotonic() < deadline:
            token = self.orders.get(order_id).wait_token
            if token and token != after and self._listening(order_id, token):
                return token
            time.sleep(delay)
            delay = min(0.05, delay * 1.5)
        raise TimeoutError(f"order {order_id} never waited for the carrier")

    def _listening(self, order_id: str, token: str) -> bool:
        """A heartbeat is harmless, and refused until the wait has begun; a step without
        HeartbeatSeconds refuses it always on moto, so there the history says it waits."""
        try:
            self.sfn.send_task_heartbeat(taskToken=token)
        except ClientError as error:
            if error.response["Error"]["Code"] not in ("InvalidToken", "TaskDoesNotExist"):
                raise
            events = self.history(order_id)
            return bool(events) and events[-1]["type"] == "TaskSubmitted"
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

    # ----- the invariants of docs/reliability.md that the saga is responsible for --------
    def assert_invariants(self, order_id: str, *, compensated: bool = True) -> None:
        """Money and parcels: no goods leave without a captured payment; captured - refunded is
        the value of the goods kept; with ``compensated``, an order that ended cancelled or
        failed holds no authorization (seen or not) and no parcel that could still leave."""
        order = self.order(order_id)
        money = {
            kind: self.payments.entries(kind, f"{order_id}:")
            for kind in ("authorize", "capture", "void", "refund")
        }
        assert len(money["authorize"]) <= 1, "authorized twice"
        assert len(money["capture"]) <= 1, "captured twice"
        assert not (money["capture"] and money["void"]), "captured and voided"
        payment, shipment = order.payment, order.shipment
        assert payment.refunded <= payment.captured
        if shipment is not None and shipment.status in (
            ShipmentStatus.IN_TRANSIT,
            ShipmentStatus.DELIVERED,
        ):
            assert payment.status is PaymentStatus.CAPTURED, "goods left without a captured payment"
        kept = order.total if shipment and shipment.status is ShipmentStatus.DELIVERED else None
        if order.status in (OrderStatus.COMPLETED, OrderStatus.CANCELLED, OrderStatus.FAILED):
            expected = kept.amount if kept is not None else 0
            assert (payment.captured - payment.refunded).amount == expected, "money for goods"
        if compensated and order.status in (OrderStatus.CANCELLED, OrderStatus.FAILED):
            assert self.payments.holds(f"{order_id}:") == [], "authorization left held"
            assert payment.status is not PaymentStatus.AUTHORIZED
            if shipment is not None:
                assert shipment.status not in (ShipmentStatus.REQUESTED, ShipmentStatus.DISPATCHED)
        bookings = [key for key in self.carrier.results if key.startswith(f"{order_id}:")]
        assert len(bookings) <= 1, "booked twice"
