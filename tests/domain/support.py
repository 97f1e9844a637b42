"""The domain tests' world: the use cases wired to in-memory ports, no network.

``World`` is the composition the tests drive: one repository, catalog, payment provider,
carrier, workflow recorder and manual clock, plus one method per use case. Its repository
checks the reliability invariants on every write (only table transitions, a strictly
increasing version, one event per state change), so every test that moves an order checks
them too. ``order_in(status)`` drives a new order to any status through the use cases.

A plain module (not conftest.py) so that test modules and hypothesis machines can import it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

import pytest

from adapters.carrier import SimulatedCarrier
from adapters.catalog import SeededCatalog
from adapters.clock import ManualClock
from adapters.ids import SequentialIds
from adapters.memory.recorders import RecordingPublisher, RecordingWorkflow
from adapters.memory.repository import InMemoryOrderRepository
from adapters.payments import SimulatedPaymentProvider
from domain.commands import (
    AskOperator,
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
from domain.errors import PaymentDeclined
from domain.events import DomainEvent
from domain.money import Money
from domain.order import Order
from domain.ports import Authorization, Booking
from domain.status import TRANSITIONS, OrderStatus
from domain.values import Address, OrderLine
from handlers.common.bootstrap import App
from infra.in_memory import in_memory

S = OrderStatus
E = TypeVar("E", bound=DomainEvent)

HOME = Address("Ada Lovelace", "12 St James's Square", "London", "SW1Y 4JH", "GB")
ANTARCTICA = Address("Base", "1 Ice Shelf", "McMurdo", "9999", "AQ")
NOWHERE = Address("Nobody", "1 Empty Road", "Nulltown", "00012", "FR")
FLAKY = Address("Flo", "3 Retry Lane", "Flakyville", "75001", "FR")

ALICE = "customer-alice"
BOB = "customer-bob"


def eur(amount: str) -> Money:
    return Money.of(amount, "EUR")


def items(*pairs: tuple[str, int]) -> tuple[ItemRequest, ...]:
    return tuple(ItemRequest(sku, quantity) for sku, quantity in pairs)


# ----------------------------------------------------------------------------- spies
@dataclass
class SpyPaymentProvider(SimulatedPaymentProvider):
    """The simulated provider, counting every call (declines leave no ledger entry)."""

    calls: list[tuple[str, str]] = field(default_factory=list)

    def authorize(self, key: str, amount: Money, payment_token: str) -> str:
        self.calls.append(("authorize", key))
        return super().authorize(key, amount, payment_token)

    def find_authorization(self, key: str) -> Authorization | None:
        self.calls.append(("find_authorization", key))
        return super().find_authorization(key)

    def capture(self, key: str, reference: str, amount: Money) -> None:
        self.calls.append(("capture", key))
        super().capture(key, reference, amount)

    def void(self, key: str, reference: str) -> None:
        self.calls.append(("void", key))
        super().void(key, reference)

    def refund(self, key: str, reference: str, amount: Money) -> str:
        self.calls.append(("refund", key))
        return super().refund(key, reference, amount)

    def calls_for(self, order_id: str, kind: str | None = None) -> list[tuple[str, str]]:
        return [c for c in self.calls if c[1].startswith(order_id) and kind in (None, c[0])]

    def ledger_for(self, order_id: str, kind: str) -> list[Money]:
        return [
            e.amount
            for e in self.ledger
            if e.kind == kind and e.key.startswith(f"{order_id}:") and e.amount is not None
        ]


@dataclass
class SpyCarrier(SimulatedCarrier):
    calls: list[tuple[str, str]] = field(default_factory=list)

    def book(
        self, key: str, order_id: str, address: Address, lines: Sequence[OrderLine]
    ) -> Booking:
        self.calls.append(("book", key))
        return super().book(key, order_id, address, lines)

    def find_booking(self, key: str) -> Booking | None:
        self.calls.append(("find_booking", key))
        return super().find_booking(key)

    def cancel(self, key: str, tracking_number: str) -> None:
        self.calls.append(("cancel", key))
        super().cancel(key, tracking_number)

    def booking_for(self, order_id: str) -> str | None:
        return self.results.get(f"{order_id}:ship")


# ----------------------------------------------------------------------------- repository
class CheckingRepository(InMemoryOrderRepository):
    """The in-memory repository, asserting the reliability guide's write invariants on every
    write, with a hook to let another writer in between a read and a save (races)."""

    def __init__(self) -> None:
        super().__init__()
        self.silent_bumps: dict[str, int] = {}
        """Version increments without an event (see ``_silent_bumps``), per order."""
        self.updates = 0
        self._before_next_update: list[Callable[[], object]] = []

    def interleave(self, other_writer: Callable[[], object]) -> None:
        """Run ``other_writer`` just before the next ``_update`` reaches storage."""
        self._before_next_update.append(other_writer)

    def clear_interleaved(self) -> None:
        """Drop writers still waiting (the command under test never wrote)."""
        self._before_next_update.clear()

    def _insert(self, order: Order, events: Sequence[DomainEvent]) -> None:
        assert order.status is S.PLACED
        assert order.version == 1
        assert [(e.name, e.version) for e in events] == [("OrderPlaced", 1)]
        super()._insert(order, events)

    def _update(self, order: Order, expected_version: int, events: Sequence[DomainEvent]) -> None:
        if self._before_next_update:
            self._before_next_update.pop(0)()
        stored = self.peek().get(order.order_id)
        if stored is not None and stored.version == expected_version:
            _check_write(stored, order, events)
        super()._update(order, expected_version, events)  # raises on a stale version
        assert stored is not None
        self.updates += 1
        bumps = _silent_bumps(stored, order)
        self.silent_bumps[order.order_id] = self.silent_bumps.get(order.order_id, 0) + bumps

    def peek(self) -> dict[str, Order]:
        """The stored orders themselves, not copies (reads deep-copy, which is slow in
        hypothesis loops): only for checks that do not change them."""
        with self._lock:
            return dict(self._orders)

    def events_of(self, order_id: str) -> list[DomainEvent]:
        return [e for e in self.outbox if e.order_id == order_id]


def _silent_bumps(before: Order, after: Order) -> int:
    """Two changes bump the version without a state change, and so without an event:
    remembering the workflow's token, and claiming a refund before the provider pays it."""
    token = int(after.wait_token != before.wait_token)
    claim = int(before.pending_refund is None and after.pending_refund is not None)
    return token + claim


def _check_write(before: Order, after: Order, events: Sequence[DomainEvent]) -> None:
    assert after.status is before.status or after.status in TRANSITIONS[before.status], (
        f"{before.status} -> {after.status} is not in the transition table"
    )
    assert after.version > before.version, "the version must strictly increase"
    versions = [e.version for e in events]
    assert versions == sorted(set(versions)), "event versions must be unique and in order"
    assert all(before.version < v <= after.version for v in versions)
    assert all(e.order_id == after.order_id for e in events)
    silent = _silent_bumps(before, after)
    assert len(events) == after.version - before.version - silent, (
        "exactly one event per state change"
    )


# ----------------------------------------------------------------------------- the world
class World:
    """The composition root's in-memory app (``infra.in_memory``) with the
    checking repository, the spies and a manual clock; one method per use case, named after it.
    ``World(catalog=...)`` swaps in another adapter, as ``in_memory`` does."""

    def __init__(self, **overrides: Any) -> None:
        ports: dict[str, Any] = {
            "orders": CheckingRepository(),
            "catalog": SeededCatalog(),
            "payments": SpyPaymentProvider(),
            "carrier": SpyCarrier(),
            "workflow": RecordingWorkflow(),
            "publisher": RecordingPublisher(),
            "clock": ManualClock(),
            "ids": SequentialIds("id"),
            **overrides,
        }
        ports.setdefault("customer_orders", ports["orders"])
        self.app: App = in_memory(**ports)
        self.orders: CheckingRepository = ports["orders"]
        self.catalog: SeededCatalog = ports["catalog"]
        self.payments: SpyPaymentProvider = ports["payments"]
        self.carrier: SpyCarrier = ports["carrier"]
        self.workflow: RecordingWorkflow = ports["workflow"]
        self.publisher: RecordingPublisher = ports["publisher"]
        self.clock: ManualClock = ports["clock"]
        self.payments.clock = self.clock  # the provider's authorizations age with the tests' time
        self._keys = itertools.count(1)

    # ----- commands -----------------------------------------------------------------
    def place_cmd(
        self,
        *,
        customer: str = ALICE,
        key: str | None = None,
        lines: tuple[ItemRequest, ...] = items(("BOOK-001", 2), ("TEE-003", 1)),
        address: Address = HOME,
        token: str = "tok_visa",
    ) -> PlaceOrder:
        return PlaceOrder(customer, key or f"key-{next(self._keys)}", lines, address, token)

    def place(self, cmd: PlaceOrder | None = None, **kw: Any) -> Order:
        self.clock.advance(seconds=1)
        return self.app.place_order(cmd or self.place_cmd(**kw))

    def start(self, order_id: str) -> Order:
        return self.app.start_workflow(StartOrderWorkflow(order_id))

    def authorize(self, order_id: str) -> Order:
        return self.app.authorize_payment(AuthorizePayment(order_id))

    def ship(self, order_id: str, wait_token: str = "task-token-1") -> Order:
        return self.app.request_shipment(RequestShipment(order_id, wait_token))

    def carrier_update(
        self, order_id: str, kind: CarrierUpdateKind, tracking: str | None = None, reason: str = ""
    ) -> Order:
        if tracking is None:
            shipment = self.get(order_id).shipment
            assert shipment is not None
            tracking = shipment.tracking_number
        return self.app.record_carrier_update(RecordCarrierUpdate(order_id, tracking, kind, reason))

    def dispatched(self, order_id: str) -> Order:
        return self.carrier_update(order_id, CarrierUpdateKind.DISPATCHED)

    def delivered(self, order_id: str) -> Order:
        return self.carrier_update(order_id, CarrierUpdateKind.DELIVERED)

    def capture(self, order_id: str, wait_token: str = "task-token-2") -> Order:
        return self.app.capture_payment(CapturePayment(order_id, wait_token))

    def ask_operator(self, order_id: str, wait_token: str = "task-token-3") -> Order:
        return self.app.ask_operator(AskOperator(order_id, wait_token))

    def complete(self, order_id: str) -> Order:
        return self.app.complete_order(CompleteOrder(order_id))

    def cancel(
        self, order_id: str, customer: str = ALICE, reason: str = "changed my mind"
    ) -> Order:
        return self.app.cancel_order(CancelOrder(order_id, customer, reason))

    def refund(
        self,
        order_id: str,
        amount: Money | None = None,
        *,
        refund_id: str = "refund-1",
        customer: str = ALICE,
        reason: str = "damaged",
    ) -> Order:
        return self.app.refund_order(RefundOrder(order_id, customer, refund_id, amount, reason))

    def void(self, order_id: str) -> Order:
        return self.app.void_payment(VoidPayment(order_id))

    def refund_payment(self, order_id: str) -> Order:
        return self.app.refund_payment(RefundPayment(order_id))

    def compensate(self, order_id: str, reason: str = "saga failed") -> Order:
        """The workflow's compensation chain, in its order."""
        self.cancel_shipment(order_id)
        self.void(order_id)
        self.refund_payment(order_id)
        return self.fail(order_id, reason)

    def cancel_shipment(self, order_id: str) -> Order:
        return self.app.cancel_shipment(CancelShipment(order_id))

    def fail(self, order_id: str, reason: str = "saga failed") -> Order:
        return self.app.fail_order(FailOrder(order_id, reason))

    # ----- reading ------------------------------------------------------------------
    def get(self, order_id: str) -> Order:
        return self.orders.get(order_id)

    def events_of(self, order_id: str) -> list[str]:
        return [e.name for e in self.orders.events_of(order_id)]

    def last_event(self, kind: type[E]) -> E:
        last = self.orders.outbox[-1]
        assert isinstance(last, kind), last
        return last

    # ----- driving an order to a status ---------------------------------------------
    def order_in(self, status: OrderStatus, **place: Any) -> Order:
        """A new order, moved to ``status`` through the use cases; returns it as stored.

        The happy path up to ``status``; CANCELLED and FAILED straight from PLACED;
        PAYMENT_FAILED with a declining card. ``place`` goes to ``place_cmd``."""
        if status is S.PAYMENT_FAILED:
            place.setdefault("token", "tok_decline")
        order = self.place(**place)
        oid = order.order_id
        steps: dict[OrderStatus, list[Callable[[], object]]] = {
            S.PLACED: [],
            S.CANCELLED: [lambda: self.cancel(oid, order.customer_id)],
            S.FAILED: [lambda: self.fail(oid)],
            S.PAYMENT_FAILED: [lambda: self._declined(oid)],
        }
        happy: list[Callable[[], object]] = [
            lambda: self.authorize(oid),
            lambda: self.ship(oid),
            lambda: (self.dispatched(oid), self.capture(oid)),
            lambda: self.delivered(oid),
            lambda: self.complete(oid),
            lambda: self.refund(oid, eur("1.00"), refund_id="part", customer=order.customer_id),
            lambda: self.refund(oid, None, refund_id="rest", customer=order.customer_id),
        ]
        path = [
            S.PAYMENT_AUTHORIZED,
            S.SHIPMENT_REQUESTED,
            S.SHIPPED,
            S.DELIVERED,
            S.COMPLETED,
            S.PARTIALLY_REFUNDED,
            S.REFUNDED,
        ]
        if status in path:
            steps[status] = happy[: path.index(status) + 1]
        steps[S.NEEDS_ATTENTION] = [*happy[:3], lambda: self.ask_operator(oid)]
        for step in steps[status]:
            step()
        stored = self.get(oid)
        assert stored.status is status
        return stored

    def _declined(self, order_id: str) -> None:
        with pytest.raises(PaymentDeclined):
            self.authorize(order_id)

    def now(self) -> datetime:
        return self.clock.now()
