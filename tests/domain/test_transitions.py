"""Every allowed and every refused status transition, driven through the Order's methods.

Both lists are generated from ``domain.status.TRANSITIONS``: adding or removing an edge in the
table makes a test here fail until the Order (and these drivers) agree with it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest

from domain.errors import InvalidTransition
from domain.order import Order
from domain.status import CANCELLABLE, TERMINAL, TRANSITIONS, OrderStatus, can_transition
from domain.values import PaymentStatus, ShipmentStatus
from tests.domain.support import World, eur

S = OrderStatus
AT = datetime.fromisoformat("2026-02-01T10:00:00+00:00")

Step = Callable[[Order], object]


def _compensate_then_fail(o: Order) -> object:
    o.cancel_shipment(AT)
    o.void_payment(AT)
    if (owed := o.owed_back()).is_positive:
        o.refund_undelivered(owed, "rf_test", AT)
    return o.fail("saga failed", AT)


def _lost_then_fail(o: Order) -> object:
    o.record_delivery_failure("lost", AT)
    return _compensate_then_fail(o)


def _delivered_unpaid(world: World) -> Order:
    """The carrier delivered before its dispatch news (or our capture) reached us."""
    order = world.order_in(S.SHIPMENT_REQUESTED)
    order.record_delivery(AT)
    world.orders.save(order)
    return world.get(order.order_id)


def _capture_then_complete(o: Order) -> object:
    o.capture_payment(AT)
    return o.complete(AT)


# The one Order method (or short sequence) whose purpose is to enter each status.
ENTER: dict[OrderStatus, Step] = {
    S.PAYMENT_AUTHORIZED: lambda o: o.authorize_payment("auth_test", AT),
    S.PAYMENT_FAILED: lambda o: o.decline_payment("card_declined", AT),
    S.SHIPMENT_REQUESTED: lambda o: o.request_shipment("SimShip", "TRK-TEST", AT),
    S.SHIPPED: lambda o: o.record_dispatch(AT),
    S.NEEDS_ATTENTION: lambda o: o.ask_operator(AT),
    S.DELIVERED: lambda o: o.record_delivery(AT),
    S.COMPLETED: _capture_then_complete,
    S.CANCELLED: lambda o: o.cancel("changed my mind", AT),
    S.FAILED: _compensate_then_fail,
    S.PARTIALLY_REFUNDED: lambda o: o.refund("r-part", eur("1.00"), "damaged", "ref", AT),
    S.REFUNDED: lambda o: o.refund("r-full", o.payment.refundable, "damaged", "ref", AT),
}

# How each allowed edge happens in the saga, where it differs from ENTER[target].
ALLOWED: dict[tuple[OrderStatus, OrderStatus], Step] = {
    (S.SHIPPED, S.FAILED): _lost_then_fail,  # lost on its way: refunded
    (S.NEEDS_ATTENTION, S.FAILED): _lost_then_fail,  # the carrier's late word: lost
    (S.DELIVERED, S.FAILED): _compensate_then_fail,  # delivered unpaid, the capture refused
}
# Where an edge starts from an order other than the happy path's (``World.order_in``).
SOURCES: dict[tuple[OrderStatus, OrderStatus], Callable[[World], Order]] = {
    (S.DELIVERED, S.FAILED): _delivered_unpaid,
}

# Every other state-changing method of the Order (await_carrier is not a state change).
OTHERS: dict[str, Step] = {
    "capture_payment": lambda o: o.capture_payment(AT),
    "void_payment": lambda o: o.void_payment(AT),
    "cancel_shipment": lambda o: o.cancel_shipment(AT),
    "record_delivery_failure": lambda o: o.record_delivery_failure("lost", AT),
    "refund_undelivered": lambda o: o.refund_undelivered(o.total, "rf", AT),
    "ask_operator": lambda o: o.ask_operator(AT),
    "fail_uncompensated": lambda o: o.fail("saga failed", AT),
}
EVERY_METHOD: dict[str, Step] = {**{f"enter {t}": f for t, f in ENTER.items()}, **OTHERS}

ALLOWED_EDGES = [(s, t) for s in OrderStatus for t in sorted(TRANSITIONS[s])]
REFUSED_EDGES = [(s, t) for s in OrderStatus for t in OrderStatus if t not in TRANSITIONS[s]]


def _attempt(step: Step, order: Order) -> tuple[object, BaseException | None]:
    try:
        return step(order), None
    except InvalidTransition as refused:
        return None, refused


def test_table_lists_every_status_once_and_no_edge_to_placed() -> None:
    assert set(TRANSITIONS) == set(OrderStatus)
    assert all(S.PLACED not in targets for targets in TRANSITIONS.values())
    assert all(can_transition(s, t) for s, t in ALLOWED_EDGES)
    assert not any(can_transition(s, t) for s, t in REFUSED_EDGES)


def test_derived_sets_follow_the_table() -> None:
    assert {S.PLACED, S.PAYMENT_AUTHORIZED, S.SHIPMENT_REQUESTED} == CANCELLABLE
    assert {s for s, t in TRANSITIONS.items() if not t} <= TERMINAL
    assert S.COMPLETED in TERMINAL
    assert S.SHIPPED not in TERMINAL


@pytest.mark.parametrize(("source", "target"), ALLOWED_EDGES, ids=lambda s: str(s))
def test_allowed_transition(world: World, source: OrderStatus, target: OrderStatus) -> None:
    order = SOURCES.get((source, target), lambda w: w.order_in(source))(world)
    step = ALLOWED.get((source, target), ENTER.get(target))
    if step is None:
        pytest.fail(f"no Order method enters {target}: add a driver for this table edge")
    version, events = order.version, len(order.pending_events)

    step(order)

    assert order.status is target
    assert order.version > version
    assert len(order.pending_events) > events
    world.orders.save(order)  # the checking repository re-checks the edge and the events
    assert world.get(order.order_id).status is target


def test_every_special_driver_is_a_table_edge() -> None:
    assert set(ALLOWED) | set(SOURCES) <= set(ALLOWED_EDGES)


@pytest.mark.parametrize(("source", "target"), REFUSED_EDGES, ids=lambda s: str(s))
def test_refused_transition(world: World, source: OrderStatus, target: OrderStatus) -> None:
    """No Order method moves an order from ``source`` to ``target``. The method meant to enter
    ``target`` leaves the status alone: it refuses (InvalidTransition), does nothing (a repeat
    returns False) or, for money or a parcel that lost a race with a cancellation, records
    the fact on the cancelled order without changing its status."""
    order = world.order_in(source)
    if source is not target:
        for name, step in EVERY_METHOD.items():
            copy = world.get(order.order_id)
            _attempt(step, copy)
            assert copy.status is not target, f"{name} moved {source} to {target}"
    enter = ENTER.get(target)
    if enter is None:
        return  # nothing enters PLACED but placing a new order
    copy = world.get(order.order_id)
    result, refused = _attempt(enter, copy)
    assert copy.status is source
    if source is target:
        assert refused is not None or result is False
        assert copy.version == order.version, "a repeat is not a new state change"
        assert copy.pending_events == []


def test_refused_change_leaves_the_order_untouched(world: World) -> None:
    order = world.order_in(S.SHIPPED)
    before = (order.status, order.version, order.payment, order.shipment)
    with pytest.raises(InvalidTransition) as refused:
        order.cancel("too late", AT)
    assert (refused.value.current, refused.value.target) == ("SHIPPED", "CANCELLED")
    assert (order.status, order.version, order.payment, order.shipment) == before
    assert order.pending_events == []


def test_fail_is_refused_while_a_step_is_uncompensated(world: World) -> None:
    order = world.order_in(S.SHIPMENT_REQUESTED)
    with pytest.raises(InvalidTransition, match="uncompensated"):
        order.fail("timeout", AT)
    order.void_payment(AT)
    with pytest.raises(InvalidTransition, match="a parcel not called off"):
        order.fail("timeout", AT)
    order.cancel_shipment(AT)
    assert order.fail("timeout", AT) is True
    assert (order.status, order.payment.status, order.shipment and order.shipment.status) == (
        S.FAILED,
        PaymentStatus.VOIDED,
        ShipmentStatus.CANCELLED,
    )


def test_await_carrier_bumps_the_version_without_an_event(world: World) -> None:
    order = world.order_in(S.SHIPMENT_REQUESTED)
    version = order.version
    assert order.await_carrier("task-token-2", AT) is True
    assert order.await_carrier("task-token-2", AT) is False
    assert (order.version, order.pending_events, order.status) == (
        version + 1,
        [],
        S.SHIPMENT_REQUESTED,
    )
