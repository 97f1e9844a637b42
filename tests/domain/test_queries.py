"""owned_order and list_orders: a customer sees their own orders, each page once."""

from __future__ import annotations

import pytest

from domain.errors import OrderNotFound
from domain.services.queries import MAX_PAGE, list_orders, owned_order
from domain.status import OrderStatus
from tests.domain.support import ALICE, BOB, World


def test_owned_order_returns_the_customers_order(world: World) -> None:
    order = world.place()
    assert owned_order(world.orders, order.order_id, ALICE).order_id == order.order_id


def test_another_customers_order_does_not_exist_for_them(world: World) -> None:
    order = world.place()
    with pytest.raises(OrderNotFound) as other:
        owned_order(world.orders, order.order_id, BOB)
    with pytest.raises(OrderNotFound) as missing:
        owned_order(world.orders, "no-such-order", BOB)
    # The same answer whether the order exists or not: ids cannot be probed.
    assert type(other.value) is type(missing.value)
    assert str(other.value) == f"order {order.order_id} was not found"


def _all_pages(world: World, customer: str, limit: int) -> list[list[str]]:
    pages, cursor = [], None
    while True:
        page = list_orders(customer, orders=world.orders, limit=limit, cursor=cursor)
        pages.append([o.order_id for o in page.orders])
        if page.cursor is None:
            return pages
        cursor = page.cursor


def test_pagination_visits_every_order_exactly_once(world: World) -> None:
    mine = [world.place(customer=ALICE).order_id for _ in range(45)]
    for _ in range(5):
        world.place(customer=BOB)

    pages = _all_pages(world, ALICE, limit=10)

    assert [len(p) for p in pages] == [10, 10, 10, 10, 5]
    seen = [oid for page in pages for oid in page]
    assert seen == list(reversed(mine))  # newest first, each once, no one else's
    assert sorted(seen) == sorted(set(seen))


def test_pagination_with_an_exact_last_page(world: World) -> None:
    for _ in range(20):
        world.place()
    assert [len(p) for p in _all_pages(world, ALICE, limit=10)] == [10, 10]


def test_orders_with_the_same_timestamp_are_each_listed_once(world: World) -> None:
    same_second = []
    for _ in range(12):
        same_second.append(world.place().order_id)
        world.clock.advance(seconds=-1)  # undo place()'s tick: all twelve share one instant
    seen = [oid for page in _all_pages(world, ALICE, limit=5) for oid in page]
    assert sorted(seen) == sorted(same_second)


def test_orders_placed_while_paging_do_not_repeat_or_skip(world: World) -> None:
    old = [world.place().order_id for _ in range(30)]
    first = list_orders(ALICE, orders=world.orders, limit=10)
    for _ in range(3):
        world.place()  # newer orders land in front of the pages already read
    seen = [o.order_id for o in first.orders]
    cursor = first.cursor
    while cursor is not None:
        page = list_orders(ALICE, orders=world.orders, limit=10, cursor=cursor)
        seen += [o.order_id for o in page.orders]
        cursor = page.cursor
    assert seen == list(reversed(old))


def test_a_customer_without_orders_gets_one_empty_page(world: World) -> None:
    world.place(customer=BOB)
    page = list_orders(ALICE, orders=world.orders)
    assert (page.orders, page.cursor) == ((), None)


@pytest.mark.parametrize(("asked", "given"), [(0, 1), (-5, 1), (1, 1), (500, MAX_PAGE)])
def test_the_page_size_is_clamped(world: World, asked: int, given: int) -> None:
    for _ in range(MAX_PAGE + 1):
        world.place()
    assert len(list_orders(ALICE, orders=world.orders, limit=asked).orders) == given


def test_listed_orders_are_copies(world: World) -> None:
    order = world.place()
    [listed] = list_orders(ALICE, orders=world.orders).orders
    listed.status = OrderStatus.CANCELLED
    assert world.get(order.order_id).status is OrderStatus.PLACED
