"""The composition root: the one place that picks an adapter for every port.

Handlers ask ``ports()`` for what they need; it is built once per process, on first use, so
importing a handler costs nothing and a request that needs no AWS client creates none.
Tests call ``use(...)`` with in-memory adapters to run the same handlers without AWS.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from domain.ports import (
    Carrier,
    Catalog,
    Clock,
    CustomerOrders,
    EventPublisher,
    IdGenerator,
    OrderRepository,
    PaymentGateway,
    WorkflowGateway,
)

if TYPE_CHECKING:
    from handlers.common.settings import Settings


class AwsPorts:
    """Adapters backed by AWS (or the local stack, through AWS_ENDPOINT_URL)."""

    @cached_property
    def _settings(self) -> Settings:
        from handlers.common.settings import settings

        return settings()

    @cached_property
    def orders(self) -> OrderRepository:
        from adapters.aws.dynamodb_orders import DynamoOrderRepository

        return DynamoOrderRepository(self._settings.orders_table)

    @property
    def customer_orders(self) -> CustomerOrders:
        return self.orders  # type: ignore[return-value]  # the DynamoDB repository does both

    @cached_property
    def catalog(self) -> Catalog:
        from adapters.catalog import SeededCatalog

        return SeededCatalog()

    @cached_property
    def payments(self) -> PaymentGateway:
        from adapters.aws.provider_store import DynamoResultStore
        from adapters.payments import SimulatedPaymentProvider

        return SimulatedPaymentProvider(
            results=DynamoResultStore(self._settings.orders_table, "payments")
        )

    @cached_property
    def carrier(self) -> Carrier:
        from adapters.aws.provider_store import DynamoResultStore
        from adapters.carrier import SimulatedCarrier

        return SimulatedCarrier(results=DynamoResultStore(self._settings.orders_table, "carrier"))

    @cached_property
    def workflow(self) -> WorkflowGateway:
        from adapters.aws.stepfunctions import StepFunctionsWorkflow

        return StepFunctionsWorkflow(self._settings.state_machine_arn)

    @cached_property
    def publisher(self) -> EventPublisher:
        from adapters.aws.eventbridge import EventBridgePublisher

        return EventBridgePublisher(self._settings.event_bus_name)

    @cached_property
    def clock(self) -> Clock:
        from adapters.clock import SystemClock

        return SystemClock()

    @cached_property
    def ids(self) -> IdGenerator:
        from adapters.ids import UuidIds

        return UuidIds()


@dataclass
class Ports:
    """A fixed set of adapters, for tests and demos."""

    orders: OrderRepository
    customer_orders: CustomerOrders
    catalog: Catalog
    payments: PaymentGateway
    carrier: Carrier
    workflow: WorkflowGateway
    publisher: EventPublisher
    clock: Clock
    ids: IdGenerator


_current: AwsPorts | Ports | None = None


def ports() -> AwsPorts | Ports:
    global _current
    if _current is None:
        _current = AwsPorts()
    return _current


def use(replacement: AwsPorts | Ports | None) -> None:
    """Swap the adapters (tests); ``use(None)`` goes back to AWS on next use."""
    global _current
    _current = replacement
