"""start_order_workflow and relay_events."""

from __future__ import annotations

import pytest

from domain.errors import OrderNotFound
from domain.services.relay_events import relay_events
from domain.status import OrderStatus
from tests.domain.support import World

S = OrderStatus


def test_start_names_the_execution_by_the_order(world: World) -> None:
    order = world.place()
    world.start(order.order_id)
    assert world.workflow.started == {order.order_id: {"orderId": order.order_id}}


def test_start_repeated_is_one_execution(world: World) -> None:
    order = world.place()
    for _ in range(3):
        assert world.start(order.order_id).version == 1
    assert list(world.workflow.started) == [order.order_id]


@pytest.mark.parametrize("status", [S.PAYMENT_AUTHORIZED, S.CANCELLED, S.COMPLETED])
def test_start_of_an_order_that_moved_on_starts_nothing(world: World, status: OrderStatus) -> None:
    order = world.order_in(status)
    assert world.start(order.order_id).status is status
    assert world.workflow.started == {}


def test_start_of_an_unknown_order(world: World) -> None:
    with pytest.raises(OrderNotFound):
        world.start("no-such-order")


def test_relay_publishes_every_outbox_event_in_order(world: World) -> None:
    a = world.order_in(S.COMPLETED).order_id
    b = world.order_in(S.CANCELLED).order_id
    shuffled = list(reversed(world.orders.outbox))

    assert relay_events(shuffled, publisher=world.publisher) == len(shuffled)

    published = [(e.order_id, e.version) for e in world.publisher.published]
    assert published == sorted(published)
    assert sorted(published) == sorted((e.order_id, e.version) for e in world.orders.outbox)
    assert {oid for oid, _ in published} == {a, b}


def test_relay_of_a_duplicate_batch_publishes_the_same_event_ids(world: World) -> None:
    world.order_in(S.SHIPPED)
    batch = list(world.orders.outbox)
    relay_events(batch, publisher=world.publisher)
    relay_events(batch, publisher=world.publisher)  # at-least-once: consumers dedupe on event_id
    ids = [e.event_id for e in world.publisher.published]
    assert len(ids) == 2 * len(batch)
    assert len(set(ids)) == len(batch)


def test_relay_of_nothing(world: World) -> None:
    assert relay_events([], publisher=world.publisher) == 0
    assert world.publisher.published == []
