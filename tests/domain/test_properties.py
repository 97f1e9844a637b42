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
    "tok_lost",
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
H, P = ShipmentStatus, PaymentStatus
ENDED = {S.CANCELLED, S.FAILED, S.PAYMENT_FAILED}


class OrderSaga(RuleBasedStateMachine):
    """The carrier here keeps the protocol: it reports a delivery (or its loss) only for a
    parcel the capture released, though late, repeated and before its own dispatch news."""

    orders = Bundle("orders")

    def __init__(self) -> None:
        super().__init__()
        self.w = World()
        self.wait_tokens: dict[str, str] = {}
        self.token_numbers = itertools.count(1)
        self.seen: dict[str, tuple[OrderStatus, int]] = {}
        self.compensated: set[str] = set()

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

    def _token(self, oid: str) -> str:
        token = f"task-{next(self.token_numbers)}"
        self.wait_tokens[token] = oid
        return token

    def _ship(self, oid: str) -> None:
        self._do(lambda: self.w.ship(oid, self._token(oid)))

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
    @rule(
        oid=orders,
        step=st.sampled_from(
            ["start", "authorize", "request_shipment", "capture", "ask_operator", "complete"]
        ),
    )
    def workflow_step(self, oid: str, step: str) -> None:
        if step == "request_shipment":
            self._ship(oid)
        elif step in ("capture", "ask_operator"):
            self._do(lambda: getattr(self.w, step)(oid, self._token(oid)))
        else:
            self._do(lambda: getattr(self.w, step)(oid))

    @rule(oid=orders, count=st.integers(1, 8))
    def next_happy_steps(self, oid: str, count: int) -> None:
        """What the workflow (or the carrier) does next: gets orders deep into the saga."""
        for _ in range(count):
            order = self._stored(oid)
            step = {
                S.PLACED: lambda: self.w.authorize(oid),
                S.PAYMENT_AUTHORIZED: lambda: self._ship(oid),
                S.SHIPMENT_REQUESTED: lambda: self.w.dispatched(oid),
                S.DELIVERED: lambda: self.w.complete(oid),
            }.get(order.status)
            if order.status is S.SHIPPED:
                released = order.payment.status is P.CAPTURED
                step = (
                    (lambda: self.w.delivered(oid))
                    if released
                    else (lambda: self.w.capture(oid, self._token(oid)))
                )
            if step is None or not self._do(step):
                return

    @rule(oid=orders, which=st.sampled_from(["cancel_shipment", "void", "refund_payment", "all"]))
    def compensate(self, oid: str, which: str) -> None:
        if which != "all":
            self._do(lambda: getattr(self.w, which)(oid))
            return
        # The workflow's whole chain after a cancellation or a failure.
        steps = ("cancel_shipment", "void", "refund_payment")
        done = [self._do(lambda s=s: getattr(self.w, s)(oid)) for s in steps]  # type: ignore[misc]
        if self._stored(oid).status is not S.CANCELLED:
            done.append(self._do(lambda: self.w.fail(oid, "compensated")))
        if all(done) and self._stored(oid).status in (S.CANCELLED, S.FAILED):
            self.compensated.add(oid)

    # ----- the carrier ----------------------------------------------------------------------
    @rule(oid=orders, kind=st.sampled_from(list(CarrierUpdateKind)), forged=st.booleans())
    def carrier_reports(self, oid: str, kind: CarrierUpdateKind, forged: bool) -> None:
        shipment = self._stored(oid).shipment
        left = shipment is not None and shipment.status in (H.IN_TRANSIT, H.DELIVERED, H.FAILED)
        if kind is not CarrierUpdateKind.DISPATCHED and not left and not forged:
            return  # an honest carrier: nothing arrives or gets lost before it left
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

    @rule(provider=st.sampled_from(["payments", "carrier"]), lose=st.booleans())
    def answers_get_lost(self, provider: str, lose: bool) -> None:
        """The provider does what it was asked, the caller hears a timeout."""
        getattr(self.w, provider).lose_answers = lose

    @rule(oid=orders, step=st.sampled_from(["authorize", "request_shipment"]))
    def an_answer_is_lost_then_the_customer_cancels(self, oid: str, step: str) -> None:
        """The hold or booking the order never heard of: the compensations must find it."""
        provider = self.w.payments if step == "authorize" else self.w.carrier
        provider.lose_answers = True
        self.workflow_step(oid, step)
        provider.lose_answers = False
        self._do(lambda: self.w.cancel(oid))

    @rule(hours=st.sampled_from([1, 6, 24, 72, 170]))
    def time_passes(self, hours: int) -> None:
        self.w.clock.advance(hours=hours)

    # ----- invariants -------------------------------------------------------------------
    @invariant()
    def invariants_hold(self) -> None:
        orders = self.w.orders.peek()
        for check in (
            self.statuses_follow_the_table_and_versions_rise,
            self.one_event_per_state_change,
            self.money_is_accounted_for,
            self.no_goods_leave_unpaid_and_captured_minus_refunded_is_kept,
            self.compensated_orders_leave_nothing_behind,
            self.parcels_are_accounted_for,
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
            if payment.status is not P.PENDING and payment.status is not P.DECLINED:
                assert [a.reference for a in auths] == [payment.reference]
            if not auths:  # never money held for an order that does not know it
                assert payment.status in (P.PENDING, P.DECLINED)
            assert not (captures and voids)
            captured = sum((e.amount.amount for e in captures if e.amount), Decimal(0))
            refunded = sum((e.amount.amount for e in refunds if e.amount), Decimal(0))
            if not self.w.payments.lose_answers:  # a lost answer is recorded on the next try
                assert payment.captured.amount == captured
                assert payment.refunded.amount == refunded
            assert payment.refunded <= payment.captured

    def no_goods_leave_unpaid_and_captured_minus_refunded_is_kept(
        self, orders: dict[str, Order]
    ) -> None:
        for order in orders.values():
            shipment, payment = order.shipment, order.payment
            if shipment is not None and shipment.status in (H.IN_TRANSIT, H.DELIVERED):
                assert payment.status is P.CAPTURED, "goods left without a captured payment"
            kept = payment.captured - payment.refunded
            if order.status in ENDED:
                assert kept == eur("0"), f"{order.status} keeps {kept}"
            if order.status is S.COMPLETED:
                assert kept == order.total

    def compensated_orders_leave_nothing_behind(self, orders: dict[str, Order]) -> None:
        for oid in self.compensated:
            order = orders[oid]
            assert self.w.payments.holds(f"{oid}:") == [], "a hold left behind"
            booked = self.w.carrier.booking_for(oid)
            if booked is not None and order.shipment is not None:
                assert order.shipment.status is not H.IN_TRANSIT
                if order.shipment.status not in (H.FAILED, H.DELIVERED):
                    assert self.w.carrier.is_cancelled(booked), "a booking left behind"
            assert order.payment.status is not P.AUTHORIZED

    def parcels_are_accounted_for(self, orders: dict[str, Order]) -> None:
        for order in orders.values():
            booked, shipment = self.w.carrier.booking_for(order.order_id), order.shipment
            if shipment is not None:
                assert shipment.tracking_number == booked
                assert order.payment.status is not P.PENDING  # only after payment
                assert (shipment.status is H.CANCELLED) == (
                    self.w.carrier.is_cancelled(shipment.tracking_number)
                )
            if order.status is S.CANCELLED and shipment is not None:
                assert shipment.status not in (H.IN_TRANSIT, H.DELIVERED)
            if order.status in (S.COMPLETED, S.PARTIALLY_REFUNDED, S.REFUNDED, S.DELIVERED):
                assert shipment is not None and shipment.status is H.DELIVERED

    def the_workflow_hears_only_the_truth(self, orders: dict[str, Order]) -> None:
        assert set(self.w.workflow.started) <= set(orders)
        for kind, token, detail in self.w.workflow.signals:
            order = orders[self.wait_tokens[token]]
            assert order.shipment is not None
            if kind in ("resume", "heartbeat"):  # the carrier came (capture) or delivered
                assert order.shipment.status is not H.REQUESTED
            elif detail == "ShipmentFailed":
                assert order.shipment.status is H.FAILED
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
