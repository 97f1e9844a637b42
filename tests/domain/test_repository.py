"""The repository contract the use cases rely on: conditional writes and the outbox.

Run against the in-memory repository; the DynamoDB one promises the same.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from domain.errors import ConcurrencyConflict, OrderAlreadyExists, OrderNotFound
from domain.events import DomainEvent
from domain.order import Order
from domain.services._saving import ATTEMPTS
from domain.status import OrderStatus
from tests.domain.support import CheckingRepository, World

S = OrderStatus


def test_a_stale_save_is_a_concurrency_conflict(world: World) -> None:
    order = world.place()
    mine, theirs = world.get(order.order_id), world.get(order.order_id)
    theirs.cancel("theirs", world.now())
    world.orders.save(theirs)

    mine.authorize_payment("auth_x", world.now())
    outbox = list(world.orders.outbox)
    with pytest.raises(ConcurrencyConflict) as conflict:
        world.orders.save(mine)

    assert conflict.value.transient is True
    assert conflict.value.order_id == order.order_id
    assert world.orders.outbox == outbox  # no event of the lost write reached the outbox
    assert world.get(order.order_id).status is S.CANCELLED


def test_a_lost_race_between_customers_commands_is_a_conflict(world: World) -> None:
    """cancel_order does not retry: the customer re-reads and decides again."""
    order = world.order_in(S.PAYMENT_AUTHORIZED)
    world.orders.interleave(lambda: world.ship(order.order_id))
    with pytest.raises(ConcurrencyConflict):
        world.cancel(order.order_id)
    assert world.get(order.order_id).status is S.SHIPMENT_REQUESTED
    assert world.cancel(order.order_id).status is S.CANCELLED  # read again: it still may


def test_save_without_a_change_writes_nothing(world: World) -> None:
    order = world.place()
    copy = world.get(order.order_id)
    updates = world.orders.updates
    world.orders.save(copy)
    assert world.orders.updates == updates


def test_save_writes_the_events_with_the_order(world: World) -> None:
    order = world.place()
    copy = world.get(order.order_id)
    copy.cancel("no", world.now())
    [pending] = copy.pending_events
    world.orders.save(copy)
    assert copy.pending_events == [] and copy.loaded_version == copy.version
    assert world.orders.outbox[-1] == pending
    assert world.get(order.order_id).version == pending.version


def test_adding_a_taken_id_is_refused(world: World) -> None:
    order = world.place()
    twin = Order.place(
        order_id=order.order_id,
        customer_id="someone-else",
        lines=order.lines,
        shipping_address=order.shipping_address,
        payment_token="tok_x",
        at=world.now(),
    )
    with pytest.raises(OrderAlreadyExists) as taken:
        world.orders.add(twin)
    assert taken.value.order_id == order.order_id
    assert len(world.orders.outbox) == 1
    assert world.get(order.order_id).customer_id == order.customer_id


def test_get_of_an_unknown_order(world: World) -> None:
    with pytest.raises(OrderNotFound) as missing:
        world.get("no-such-order")
    assert missing.value.order_id == "no-such-order"


def test_save_of_an_order_never_added(world: World) -> None:
    order = world.place()
    stranger = world.get(order.order_id)
    stranger.order_id = "never-added"
    stranger.cancel("x", world.now())
    with pytest.raises(OrderNotFound):
        world.orders.save(stranger)


def test_reads_are_copies(world: World) -> None:
    order = world.place()
    copy = world.get(order.order_id)
    copy.status = S.CANCELLED
    assert world.get(order.order_id).status is S.PLACED


class AlwaysRacing(CheckingRepository):
    """Someone else writes the order before every one of our writes."""

    def _update(self, order: Order, expected_version: int, events: Sequence[DomainEvent]) -> None:
        other = self.get(order.order_id)
        other.await_carrier(f"token-{other.version}", order.updated_at)
        super()._update(other, other.loaded_version, [])
        super()._update(order, expected_version, events)


def test_retries_after_provider_calls_give_up_as_a_conflict() -> None:
    world = World(orders=AlwaysRacing())
    order = world.place()
    with pytest.raises(ConcurrencyConflict):
        world.authorize(order.order_id)
    assert world.get(order.order_id).status is S.PLACED
    assert ATTEMPTS == 3  # the retries are bounded
    # The provider was called once: the authorization is keyed and is retried as it is.
    assert len(world.payments.calls) == 1
