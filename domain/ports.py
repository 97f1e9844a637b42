"""Ports: what the domain needs from the outside world, declared by the domain.

Protocols rather than ABCs: adapters and test fakes satisfy them by shape, without importing
a base class, and mypy still checks every implementation where it is used.
``OrderRepository`` is the exception: it is an ABC with a template method, because every
repository must do the same bookkeeping around its own storage call.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from domain.events import DomainEvent
from domain.money import Money
from domain.order import Order
from domain.status import OrderStatus, PaymentStatus
from domain.values import Address, Booking, OrderLine

__all__ = [
    "Authorization",
    "Booking",
    "Carrier",
    "Catalog",
    "CatalogItem",
    "Clock",
    "CustomerOrders",
    "EventPublisher",
    "IdGenerator",
    "OpenOrder",
    "OpenOrders",
    "OrderPage",
    "OrderRepository",
    "PaymentGateway",
    "WorkflowGateway",
    "WorkflowRun",
    "WorkflowRuns",
]


class OrderRepository(ABC):
    """Orders by id. ``save`` is conditional on the version the order was read at, and writes
    the order's pending events in the same atomic write (the transactional outbox)."""

    def add(self, order: Order) -> None:
        """Store a new order; raises ``OrderAlreadyExists`` if the id is taken."""
        self._insert(order, order.pending_events)
        order.mark_persisted()

    def save(self, order: Order) -> None:
        """Store a changed order; raises ``ConcurrencyConflict`` if it changed meanwhile."""
        if order.version == order.loaded_version:
            return  # nothing changed: a repeated command writes nothing
        self._update(order, order.loaded_version, order.pending_events)
        order.mark_persisted()

    @abstractmethod
    def get(self, order_id: str) -> Order:
        """Return the order or raise ``OrderNotFound``."""

    @abstractmethod
    def _insert(self, order: Order, events: Sequence[DomainEvent]) -> None: ...

    @abstractmethod
    def _update(
        self, order: Order, expected_version: int, events: Sequence[DomainEvent]
    ) -> None: ...


@dataclass(frozen=True, slots=True)
class OrderPage:
    orders: tuple[Order, ...]
    cursor: str | None
    """Opaque; pass it back to read the next page. None on the last page."""


class CustomerOrders(Protocol):
    def list_for_customer(self, customer_id: str, limit: int, cursor: str | None) -> OrderPage: ...


@dataclass(frozen=True, slots=True)
class CatalogItem:
    sku: str
    unit_price: Money
    in_stock: bool


class Catalog(Protocol):
    def price_of(self, skus: Sequence[str]) -> Mapping[str, CatalogItem]:
        """Items for the SKUs it knows; unknown SKUs are simply absent."""


@dataclass(frozen=True, slots=True)
class Authorization:
    """What the provider knows of an authorization, asked for by its idempotency key."""

    reference: str
    status: PaymentStatus
    """AUTHORIZED (a hold), CAPTURED or VOIDED (expired holds are VOIDED: nothing is held)."""
    amount: Money
    valid_until: datetime


class PaymentGateway(Protocol):
    """A card provider with separate authorization and capture (docs/providers.md maps it to
    Stripe PaymentIntents with manual capture). Every call carries an idempotency key: the
    same key never moves money twice, and a lost answer is asked for again by that key."""

    def authorize(self, key: str, amount: Money, payment_token: str) -> str:
        """Return the provider's reference; raise PaymentDeclined or PaymentProviderUnavailable."""

    def find_authorization(self, key: str) -> Authorization | None:
        """What became of the authorization asked for with ``key``; None if there is none."""

    def capture(self, key: str, reference: str, amount: Money) -> None:
        """Raise PaymentCaptureFailed when the provider refuses (expired, voided elsewhere)."""

    def void(self, key: str, reference: str) -> None: ...

    def refund(self, key: str, reference: str, amount: Money) -> str:
        """Return the refund's provider reference."""

    def order_of(self, reference: str) -> str | None:
        """The order whose authorization ``reference`` is (by the key it was made with);
        None when the provider knows no such payment of ours."""


class Carrier(Protocol):
    def book(
        self, key: str, order_id: str, address: Address, lines: Sequence[OrderLine]
    ) -> Booking:
        """Raise AddressNotServiceable or CarrierUnavailable."""

    def find_booking(self, key: str) -> Booking | None:
        """The booking made with ``key``, if any (its answer may have been lost)."""

    def cancel(self, key: str, tracking_number: str) -> None: ...


class EventPublisher(Protocol):
    def publish(self, events: Sequence[DomainEvent]) -> None:
        """Publish all of them or raise; never report a failed event as sent."""


class WorkflowGateway(Protocol):
    def start(self, order_id: str, payload: Mapping[str, Any]) -> None:
        """Start the order's workflow, named by the order id; starting it twice is harmless."""

    def resume(self, token: str, output: Mapping[str, Any]) -> None:
        """Resume a waiting step; a token that expired is ignored (the workflow moved on)."""

    def fail(self, token: str, error: str, cause: str) -> None: ...

    def heartbeat(self, token: str) -> None: ...


@dataclass(frozen=True, slots=True)
class OpenOrder:
    """An order whose workflow has not ended, as the reconciler sees it."""

    order_id: str
    status: OrderStatus
    updated_at: datetime


class OpenOrders(Protocol):
    def open_orders(self, updated_before: datetime) -> Iterable[OpenOrder]:
        """Orders not in a terminal status that have not changed since ``updated_before``."""


@dataclass(frozen=True, slots=True)
class WorkflowRun:
    """One execution of an order's workflow."""

    name: str
    status: str
    """RUNNING, SUCCEEDED, FAILED, TIMED_OUT or ABORTED (Step Functions' words)."""
    redrivable: bool
    """Closed without success and still within the engine's redrive window."""
    attempt: int
    """0 for the execution named by the order id; n for its n-th fresh restart."""


class WorkflowRuns(Protocol):
    """The workflow engine's record of executions, for the reconciler."""

    def running(self) -> set[str]:
        """The ids of the orders that have an execution running now."""

    def latest(self, order_id: str) -> WorkflowRun | None:
        """The order's newest execution; None if it never had one."""

    def redrive(self, run: WorkflowRun) -> None:
        """Run a closed execution again (it keeps its name)."""

    def restart(self, order_id: str, attempt: int) -> None:
        """Start execution number ``attempt`` of the order, from the workflow's start; starting
        the same attempt twice is harmless."""


class Clock(Protocol):
    def now(self) -> datetime:
        """An aware UTC datetime."""


class IdGenerator(Protocol):
    def new_id(self) -> str: ...
