"""Property-based tests: generated orders and generated sequences of commands.

``OrderSaga`` applies random commands (the workflow's steps, customers' cancels and refunds,
carrier reports, races, provider and carrier outages) to a few orders and checks the
reliability invariants after every step. The repository checks the write invariants itself
(only table transitions, version strictly up, one event per state change): see support.py.

Examples are derandomized, so every run checks the same cases and a failure reproduces
without a database; ``ORDERFLOW_HYPOTHESIS_EXPLORE=1`` runs many more, random, examples.
"""

from __future__ import annotations

import contextlib
import itertools
import os
from collections.abc import Callable
from decimal import Decimal

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
)

from adapters.catalog import SEED, SeededCatalog
from adapters.payments import LedgerEntry
from domain.commands import CarrierUpdateKind, ItemRequest
from domain.errors import DomainError, InvalidOrder
from domain.money import Money
from domain.order import MAX_LINES, MAX_QUANTITY, Order
from domain.ports import CatalogItem
from domain.status import TRANSITIONS, OrderStatus
from domain.values import Address, PaymentStatus, ShipmentStatus
from tests.domain.support import ALICE, ANTARCTICA, BOB, FLAKY, HOME, World, eur

S = OrderStatus
EXPLORE = os.environ.get("ORDERFLOW_HYPOTHESIS_EXPLORE") == "1"
PROFILE = settings(
    derandomize=not EXPLORE,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

IN_STOCK = [item.sku for item in SEED if item.in_stock]


def examples(n: int) -> settings:
    return settings(PROFILE, max_examples=n * 10 if EXPLORE else n)


# ----------------------------------------------------------------------------- totals
@st.composite
def priced_lines(draw: st.DrawFn) -> list[tuple[str, Decimal, int]]:
    n = draw(st.integers(1, MAX_LINES))
    cents = draw(st.lists(st.integers(0, 10**7), min_size=n, max_size=n))
    quantities = draw(st.lists(st.integers(1, MAX_QUANTITY), min_size=n, max_size=n))
    return [
        (f"SKU-{i}", Decimal(c).scaleb(-2), q)
        for i, (c, q) in enumerate(zip(cents, quantities, strict=True))
    ]


@examples(60)
@given(priced_lines())
def test_total_is_the_exact_sum_of_the_lines(lines: list[tuple[str, Decimal, int]]) -> None:
    catalog = SeededCatalog(
        [CatalogItem(sku, Money(price, "EUR"), in_stock=True) for sku, price, _ in lines]
    )
    world = World(catalog=catalog)
    order = world.place(lines=tuple(ItemRequest(sku, q) for sku, _, q in lines))

    assert order.total.amount == sum((price * q for _, price, q in lines), Decimal(0))
    assert order.total.amount == sum((ln.total.amount for ln in order.lines), Decimal(0))
    assert order.total.amount.as_tuple().exponent == -2
    assert order.payment.amount == order.total


@examples(30)
@given(st.integers().filter(lambda q: not 1 <= q <= MAX_QUANTITY))
def test_any_quantity_out_of_range_is_refused(quantity: int) -> None:
    world = World()
    try:
        world.place(lines=(ItemRequest("BOOK-001", quantity),))
    except InvalidOrder as refused:
        assert refused.field == "items[0].quantity"
    else:
        raise AssertionError(f"quantity {quantity} was accepted")
    assert world.orders.all() == []


@examples(40)
@given(st.lists(st.one_of(st.none(), st.integers(-100, 6000)), min_size=1, max_size=8))
def test_refunds_never_exceed_the_capture(amounts: list[int | None]) -> None:
    world = World()
    oid = world.order_in(S.COMPLETED).order_id  # 44.99 EUR captured
    for i, cents in enumerate(amounts):
        amount = None if cents is None else Money(Decimal(cents).scaleb(-2), "EUR")
        with contextlib.suppress(DomainError):  # refusals are expected; checked below
            world.refund(oid, amount, refund_id=f"r-{i % 3}")  # ids repeat: retries
    order = world.get(oid)
    refunded = sum((m.amount for m in world.payments.ledger_for(oid, "refund")), Decimal(0))
    assert refunded == order.payment.refunded.amount <= order.payment.captured.amount
    assert len(order.refunds) == len(world.payments.ledger_for(oid, "refund"))
    assert (order.status is S.REFUNDED) == (order.payment.refundable == eur("0"))


# ----------------------------------------------------------------------------- the saga
def _reachable(status: OrderStatus) -> set[OrderStatus]:
    """Statuses reachable from ``status`` through table edges (a step may take several)."""
    seen: set[OrderStatus] = set()
    todo = [status]
    while todo:
        for nxt in TRANSITIONS[todo.pop()] - seen:
            seen.add(nxt)
            todo.append(nxt)
    return seen


TOKENS = [
    "tok_visa",
    "tok_visa",
    "tok_visa",
    "tok_decline",
    "tok_flaky",
    "tok_nocapture",
    "tok_unavailable",
]
ADDRESSES = [HOME, HOME, HOME, FLAKY, ANTARCTICA]
LINES = st.lists(
    st.tuples(st.sampled_from(IN_STOCK), st.integers(1, 3)),
    min_size=1,
    max_size=3,
    unique_by=lambda line: line[0],
)
KINDS = st.sampled_from(list(CarrierUpdateKind))
DELIVERED_OR_LATER = {S.DELIVERED, S.COMPLETED, S.PARTIALLY_REFUNDED, S.REFUNDED}


class OrderSaga(RuleBasedStateMachine):
    orders = Bundle("orders")

    def __init__(self) -> None:
        super().__init__()
        self.w = World()
        self.wait_tokens: dict[str, str] = {}
        self.token_numbers = itertools.count(1)
        self.seen: dict[str, tuple[OrderStatus, int]] = {}

    # ----- helpers --------------------------------------------------------------------
    def _do(self, action: Callable[[], object]) -> bool:
        """Run a command; a domain error is an outcome, anything else fails the test."""
        try:
            action()
        except DomainError as error:
            event(f"raised {type(error).__name__}")
            return False
        return True

    def _stored(self, oid: str) -> Order:
        """The stored order itself, to read only (a copy per read is slow here)."""
        return self.w.orders.peek()[oid]

    def _ledger(self, oid: str, kind: str) -> list[LedgerEntry]:
        return [e for e in self.w.payments.ledger if e.kind == kind and e.key.startswith(f"{oid}:")]

    def _ship(self, oid: str) -> None:
        token = f"task-{next(self.token_numbers)}"
        self.wait_tokens[token] = oid
        self._do(lambda: self.w.ship(oid, token))

    # ----- customers --------------------------------------------------------------------
    @initialize(target=orders, token=st.sampled_from(TOKENS), lines=LINES)
    def first_order(self, token: str, lines: list[tuple[str, int]]) -> object:
        return self.place("k0", token, HOME, lines)

    @precondition(lambda self: len(self.seen) < 3)
    @rule(
        target=orders,
        key=st.sampled_from(["k1", "k2", "k3", "k4", "k5"]),
        token=st.sampled_from(TOKENS),
        address=st.sampled_from(ADDRESSES),
        lines=LINES,
    )
    def place(self, key: str, token: str, address: Address, lines: list[tuple[str, int]]) -> object:
        """Keys repeat: a replay returns the order, another body under a used key is refused."""
        cmd = self.w.place_cmd(
            key=key,
            token=token,
            address=address,
            lines=tuple(ItemRequest(s, q) for s, q in lines),
        )
        placed: list[str] = []
        self._do(lambda: placed.append(self.w.place(cmd).order_id))
        if not placed or placed[0] in self.seen:
            return multiple()
        self.seen[placed[0]] = (S.PLACED, 1)
        return placed[0]

    @rule(
        oid=orders,
        customer=st.sampled_from([ALICE, ALICE, BOB]),
        during=st.sampled_from([None, None, "authorize", "request_shipment"]),
    )
    def customer_cancels(self, oid: str, customer: str, during: str | None) -> None:
        """On its own, or racing a workflow step (between the step's read and its save)."""
        if during is None:
            self._do(lambda: self.w.cancel(oid, customer))
            return
        self.w.orders.interleave(lambda: self._do(lambda: self.w.cancel(oid, customer)))
        self.workflow_step(oid, during)
        self.w.orders.clear_interleaved()

    @rule(
        oid=orders,
        cents=st.one_of(st.none(), st.integers(1, 40000)),
        refund_id=st.sampled_from(["r1", "r2", "r3"]),
        customer=st.sampled_from([ALICE, BOB]),
    )
    def refund(self, oid: str, cents: int | None, refund_id: str, customer: str) -> None:
        amount = None if cents is None else Money(Decimal(cents).scaleb(-2), "EUR")
        self._do(lambda: self.w.refund(oid, amount, refund_id=refund_id, customer=customer))

    # ----- the workflow -------------------------------------------------------------------
    @rule(oid=orders, step=st.sampled_from(["start", "authorize", "request_shipment", "complete"]))
    def workflow_step(self, oid: str, step: str) -> None:
        if step == "request_shipment":
            self._ship(oid)
        else:
            self._do(lambda: getattr(self.w, step)(oid))

    @rule(oid=orders, count=st.integers(1, 8))
    def next_happy_steps(self, oid: str, count: int) -> None:
        """What the workflow (or the carrier) does next: gets orders deep into the saga."""
        steps: dict[OrderStatus, Callable[[], object]] = {
            S.PLACED: lambda: self.w.authorize(oid),
            S.PAYMENT_AUTHORIZED: lambda: self._ship(oid),
            S.SHIPMENT_REQUESTED: lambda: self.w.dispatched(oid),
            S.SHIPPED: lambda: self.w.delivered(oid),
            S.DELIVERED: lambda: self.w.complete(oid),
        }
        for _ in range(count):
            step = steps.get(self._stored(oid).status)
            if step is None or not self._do(step):
                return

    @rule(oid=orders, which=st.sampled_from(["cancel_shipment", "void", "fail", "all"]))
    def compensate(self, oid: str, which: str) -> None:
        if which != "all":
            self._do(lambda: getattr(self.w, which)(oid))
            return
        # The workflow's whole chain after a cancellation or a failure.
        done = [self._do(lambda: self.w.cancel_shipment(oid)), self._do(lambda: self.w.void(oid))]
        if self._stored(oid).status is not S.CANCELLED:
            done.append(self._do(lambda: self.w.fail(oid, "compensated")))
        order = self._stored(oid)
        if all(done) and order.status in (S.CANCELLED, S.FAILED):
            assert order.shipment is None or order.shipment.status is not ShipmentStatus.REQUESTED
            assert order.payment.status is not PaymentStatus.AUTHORIZED
        if all(done) and order.status is S.CANCELLED:
            assert order.shipment is None or not order.shipment.is_active

    # ----- the carrier ----------------------------------------------------------------------
    @rule(oid=orders, kind=KINDS, forged=st.sampled_from([False, False, False, True]))
    def carrier_reports(self, oid: str, kind: CarrierUpdateKind, forged: bool) -> None:
        shipment = self._stored(oid).shipment
        tracking = "TRK-FORGED" if forged or shipment is None else shipment.tracking_number
        self._do(lambda: self.w.carrier_update(oid, kind, tracking))

    @rule(oid=orders)
    def carrier_reports_during_shipment_request(self, oid: str) -> None:
        def report() -> None:
            if (shipment := self._stored(oid).shipment) is not None:
                self._do(
                    lambda: self.w.carrier_update(
                        oid, CarrierUpdateKind.DISPATCHED, shipment.tracking_number
                    )
                )

        self.w.orders.interleave(report)
        self._ship(oid)
        self.w.orders.clear_interleaved()

    # ----- faults and time ------------------------------------------------------------------
    @rule(provider=st.sampled_from(["payments", "carrier"]), down=st.booleans())
    def outage(self, provider: str, down: bool) -> None:
        getattr(self.w, provider).outage = down

    @rule(seconds=st.integers(1, 3600))
    def time_passes(self, seconds: int) -> None:
        self.w.clock.advance(seconds=seconds)

    # ----- invariants -------------------------------------------------------------------
    @invariant()
    def invariants_hold(self) -> None:
        orders = self.w.orders.peek()
        for check in (
            self.statuses_follow_the_table_and_versions_rise,
            self.one_event_per_state_change,
            self.money_is_accounted_for,
            self.parcels_are_accounted_for,
            self.statuses_agree_with_payment_and_parcel,
            self.the_workflow_hears_only_the_truth,
        ):
            check(orders)

    def statuses_follow_the_table_and_versions_rise(self, orders: dict[str, Order]) -> None:
        for order in orders.values():
            before, version = self.seen[order.order_id]
            assert order.status is before or order.status in _reachable(before)
            assert order.version >= version
            self.seen[order.order_id] = (order.status, order.version)

    def one_event_per_state_change(self, orders: dict[str, Order]) -> None:
        outbox = self.w.orders.outbox
        assert len({e.event_id for e in outbox}) == len(outbox)
        for order in orders.values():
            versions = [e.version for e in self.w.orders.events_of(order.order_id)]
            assert versions == sorted(versions) and versions[0] == 1
            silent = self.w.orders.silent_bumps.get(order.order_id, 0)
            assert len(versions) + silent == order.version

    def money_is_accounted_for(self, orders: dict[str, Order]) -> None:
        for order in orders.values():
            oid, payment = order.order_id, order.payment
            auths, captures = self._ledger(oid, "authorize"), self._ledger(oid, "capture")
            voids, refunds = self._ledger(oid, "void"), self._ledger(oid, "refund")
            assert len(auths) <= 1 and len(captures) <= 1 and len(voids) <= 1
            if auths:  # never money held for an order that does not know it
                assert payment.status in (
                    PaymentStatus.AUTHORIZED,
                    PaymentStatus.CAPTURED,
                    PaymentStatus.VOIDED,
                )
                assert payment.reference == auths[0].reference
            else:
                assert payment.status in (PaymentStatus.PENDING, PaymentStatus.DECLINED)
            assert (payment.status is PaymentStatus.VOIDED) == bool(voids)
            assert not (captures and voids)
            captured = sum((e.amount.amount for e in captures if e.amount), Decimal(0))
            refunded = sum((e.amount.amount for e in refunds if e.amount), Decimal(0))
            assert payment.captured.amount == captured
            assert payment.refunded.amount == refunded <= captured
            assert len(order.refunds) == len(refunds)

    def parcels_are_accounted_for(self, orders: dict[str, Order]) -> None:
        for order in orders.values():
            booked, shipment = self.w.carrier.booking_for(order.order_id), order.shipment
            assert (shipment is None) == (booked is None)
            if shipment is None:
                continue
            assert shipment.tracking_number == booked
            assert order.payment.status is not PaymentStatus.PENDING  # only after payment
            assert (shipment.status is ShipmentStatus.CANCELLED) == (
                self.w.carrier.is_cancelled(shipment.tracking_number)
            )
            if order.status is S.CANCELLED:
                assert shipment.status not in (ShipmentStatus.DISPATCHED, ShipmentStatus.DELIVERED)

    def statuses_agree_with_payment_and_parcel(self, orders: dict[str, Order]) -> None:
        for order in orders.values():
            if order.status in (S.COMPLETED, S.PARTIALLY_REFUNDED, S.REFUNDED):
                assert order.payment.status is PaymentStatus.CAPTURED
            if order.status in DELIVERED_OR_LATER:
                assert order.shipment is not None
                assert order.shipment.status is ShipmentStatus.DELIVERED
            if order.status is S.FAILED:
                assert order.payment.status is not PaymentStatus.AUTHORIZED
                assert order.shipment is None or (
                    order.shipment.status is not ShipmentStatus.REQUESTED
                )
            if order.status is S.PAYMENT_FAILED:
                assert (order.payment.status, order.shipment) == (PaymentStatus.DECLINED, None)

    def the_workflow_hears_only_the_truth(self, orders: dict[str, Order]) -> None:
        assert set(self.w.workflow.started) <= set(orders)
        for kind, token, detail in self.w.workflow.signals:
            order = orders[self.wait_tokens[token]]
            assert order.shipment is not None
            if kind == "resume":
                assert order.shipment.status is ShipmentStatus.DELIVERED
            elif kind == "heartbeat":
                assert order.shipment.status is not ShipmentStatus.REQUESTED
            elif detail == "ShipmentFailed":
                assert order.shipment.status is ShipmentStatus.FAILED
            else:
                assert (kind, detail, order.status) == (
                    "fail",
                    "CancellationRequested",
                    S.CANCELLED,
                )

    def teardown(self) -> None:
        for order in self.w.orders.all():
            event(f"ended {order.status}")


OrderSaga.TestCase.settings = settings(examples(100), stateful_step_count=30)
TestOrderSaga = OrderSaga.TestCase
