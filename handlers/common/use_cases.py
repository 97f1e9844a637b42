"""The use cases bound to one set of adapters: what a handler, a test, the demo or the
benchmark calls, each with its command only. The ports each one takes are named here, once."""

from __future__ import annotations

from domain import commands as c
from domain.events import DomainEvent
from domain.order import Order
from domain.ports import (
    Carrier,
    Catalog,
    Clock,
    CustomerOrders,
    EventPublisher,
    OpenOrders,
    OrderPage,
    OrderRepository,
    PaymentGateway,
    WorkflowGateway,
    WorkflowRuns,
)
from domain.services import compensations, queries
from domain.services.ask_operator import ask_operator
from domain.services.authorize_payment import authorize_payment
from domain.services.cancel_order import cancel_order
from domain.services.capture_payment import capture_payment
from domain.services.complete_order import complete_order
from domain.services.place_order import place_order
from domain.services.reconcile import Reconciliation, reconcile
from domain.services.record_carrier_update import record_carrier_update
from domain.services.record_payment_news import record_payment_news
from domain.services.refund_order import refund_order
from domain.services.relay_events import relay_events
from domain.services.request_shipment import request_shipment
from domain.services.start_workflow import start_order_workflow


class UseCases:
    """Mixed into the composition root (``handlers.common.bootstrap.App``), which provides
    the ports as attributes, built on first use."""

    orders: OrderRepository
    customer_orders: CustomerOrders
    catalog: Catalog
    payments: PaymentGateway
    carrier: Carrier
    workflow: WorkflowGateway
    publisher: EventPublisher
    clock: Clock
    open_orders: OpenOrders
    workflow_runs: WorkflowRuns

    # ----- customers ----------------------------------------------------------------------
    def place_order(self, cmd: c.PlaceOrder) -> Order:
        return place_order(cmd, orders=self.orders, catalog=self.catalog, clock=self.clock)

    def owned_order(self, order_id: str, customer_id: str) -> Order:
        return queries.owned_order(self.orders, order_id, customer_id)

    def list_orders(self, customer_id: str, limit: int, cursor: str | None) -> OrderPage:
        return queries.list_orders(
            customer_id, orders=self.customer_orders, limit=limit, cursor=cursor
        )

    def cancel_order(self, cmd: c.CancelOrder) -> Order:
        return cancel_order(cmd, orders=self.orders, workflow=self.workflow, clock=self.clock)

    def refund_order(self, cmd: c.RefundOrder) -> Order:
        return refund_order(cmd, orders=self.orders, payments=self.payments, clock=self.clock)

    # ----- the saga's steps ---------------------------------------------------------------
    def start_workflow(self, cmd: c.StartOrderWorkflow) -> Order:
        return start_order_workflow(cmd, orders=self.orders, workflow=self.workflow)

    def authorize_payment(self, cmd: c.AuthorizePayment) -> Order:
        return authorize_payment(cmd, orders=self.orders, payments=self.payments, clock=self.clock)

    def request_shipment(self, cmd: c.RequestShipment) -> Order:
        return request_shipment(
            cmd, orders=self.orders, carrier=self.carrier, workflow=self.workflow, clock=self.clock
        )

    def capture_payment(self, cmd: c.CapturePayment) -> Order:
        return capture_payment(
            cmd,
            orders=self.orders,
            payments=self.payments,
            clock=self.clock,
            workflow=self.workflow,
        )

    def ask_operator(self, cmd: c.AskOperator) -> Order:
        return ask_operator(cmd, orders=self.orders, workflow=self.workflow, clock=self.clock)

    def complete_order(self, cmd: c.CompleteOrder) -> Order:
        return complete_order(cmd, orders=self.orders, payments=self.payments, clock=self.clock)

    def void_payment(self, cmd: c.VoidPayment) -> Order:
        return compensations.void_payment(
            cmd, orders=self.orders, payments=self.payments, clock=self.clock
        )

    def refund_payment(self, cmd: c.RefundPayment) -> Order:
        return compensations.refund_payment(
            cmd, orders=self.orders, payments=self.payments, clock=self.clock
        )

    def cancel_shipment(self, cmd: c.CancelShipment) -> Order:
        return compensations.cancel_shipment(
            cmd, orders=self.orders, carrier=self.carrier, clock=self.clock
        )

    def fail_order(self, cmd: c.FailOrder) -> Order:
        return compensations.fail_order(cmd, orders=self.orders, clock=self.clock)

    # ----- upstream systems and the outbox ------------------------------------------------
    def record_carrier_update(self, cmd: c.RecordCarrierUpdate) -> Order:
        return record_carrier_update(
            cmd, orders=self.orders, workflow=self.workflow, clock=self.clock
        )

    def record_payment_news(self, cmd: c.RecordPaymentNews) -> Order:
        return record_payment_news(
            cmd, orders=self.orders, payments=self.payments, clock=self.clock
        )

    def relay_events(self, events: list[DomainEvent]) -> int:
        return relay_events(events, publisher=self.publisher)

    # ----- the reconciler -----------------------------------------------------------------
    def reconcile(self, cmd: c.Reconcile) -> Reconciliation:
        return reconcile(
            cmd,
            open_orders=self.open_orders,
            runs=self.workflow_runs,
            orders=self.orders,
            workflow=self.workflow,
            clock=self.clock,
        )
