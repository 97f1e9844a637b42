"""place_order: prices from the catalog, the order's rules, and the idempotency key."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from adapters.catalog import SeededCatalog
from domain.commands import ItemRequest
from domain.errors import IdempotencyKeyReused, InvalidOrder, OutOfStock, UnknownSku
from domain.events import OrderPlaced
from domain.money import Money
from domain.order import MAX_LINES, MAX_QUANTITY
from domain.ports import CatalogItem
from domain.services.place_order import order_id_for
from domain.status import OrderStatus
from domain.values import PaymentStatus
from tests.domain.support import ALICE, BOB, HOME, NOWHERE, World, eur, items


def wide_catalog(n: int, currency: str = "EUR") -> SeededCatalog:
    return SeededCatalog(
        [CatalogItem(f"SKU-{i:03}", Money.of("1.10", currency), in_stock=True) for i in range(n)]
    )


def test_prices_come_from_the_catalog(world: World) -> None:
    order = world.place(lines=items(("BOOK-001", 2), ("TEE-003", 3), ("POSTER-005", 1)))

    assert [(ln.sku, ln.quantity, ln.unit_price) for ln in order.lines] == [
        ("BOOK-001", 2, eur("12.50")),
        ("TEE-003", 3, eur("19.99")),
        ("POSTER-005", 1, eur("5.25")),
    ]
    assert order.total == eur("90.22")
    assert order.total.amount == Decimal("90.22")
    assert (order.status, order.version, order.payment.status) == (
        OrderStatus.PLACED,
        1,
        PaymentStatus.PENDING,
    )
    assert order.payment.captured == order.payment.refunded == eur("0")


def test_placing_writes_one_order_placed_event(world: World) -> None:
    order = world.place()
    [event] = world.orders.events_of(order.order_id)
    assert isinstance(event, OrderPlaced)
    assert (event.version, event.customer_id, event.total) == (1, ALICE, order.total)
    assert event.event_id == f"{order.order_id}:1"
    assert [(ln.sku, ln.quantity) for ln in event.lines] == [("BOOK-001", 2), ("TEE-003", 1)]
    assert world.get(order.order_id).pending_events == []


def test_unknown_sku_is_refused_and_nothing_stored(world: World) -> None:
    with pytest.raises(UnknownSku) as err:
        world.place(lines=items(("BOOK-001", 1), ("NOPE-404", 1)))
    assert err.value.sku == "NOPE-404"
    assert world.orders.all() == [] and world.orders.outbox == []


def test_out_of_stock_is_refused_and_nothing_stored(world: World) -> None:
    with pytest.raises(OutOfStock) as err:
        world.place(lines=items(("GONE-999", 1)))
    assert err.value.sku == "GONE-999"
    assert world.orders.all() == []


@pytest.mark.parametrize(
    ("lines", "field", "message"),
    [
        ((), "items", "at least one line"),
        (items(("BOOK-001", 0)), "items[0].quantity", "between 1 and 100"),
        (items(("BOOK-001", 1), ("MUG-002", MAX_QUANTITY + 1)), "items[1].quantity", "between"),
        (items(("BOOK-001", -3)), "items[0].quantity", "between"),
        (items(("BOOK-001", 1), ("MUG-002", 1), ("BOOK-001", 2)), "items", "only once"),
    ],
    ids=["empty", "quantity-0", "quantity-101", "quantity-negative", "duplicate-sku"],
)
def test_invalid_orders_are_refused_and_nothing_stored(
    world: World, lines: tuple[ItemRequest, ...], field: str, message: str
) -> None:
    with pytest.raises(InvalidOrder, match=message) as err:
        world.place(lines=lines)
    assert err.value.field == field
    assert world.orders.all() == [] and world.orders.outbox == []


def test_more_than_fifty_lines_is_refused() -> None:
    world = World(catalog=wide_catalog(MAX_LINES + 1))
    lines = items(*((f"SKU-{i:03}", 1) for i in range(MAX_LINES + 1)))
    with pytest.raises(InvalidOrder, match="at most 50 lines") as err:
        world.place(lines=lines)
    assert err.value.field == "items"
    assert world.orders.all() == []


def test_limits_themselves_are_accepted() -> None:
    world = World(catalog=wide_catalog(MAX_LINES))
    lines = items(*((f"SKU-{i:03}", MAX_QUANTITY if i == 0 else 1) for i in range(MAX_LINES)))
    order = world.place(lines=lines)
    assert len(order.lines) == MAX_LINES
    assert order.total == eur("1.10").times(MAX_QUANTITY + MAX_LINES - 1)


def test_lines_in_two_currencies_are_refused() -> None:
    catalog = SeededCatalog(
        [
            CatalogItem("EU-1", eur("1.00"), in_stock=True),
            CatalogItem("US-1", Money.of("1.00", "USD"), in_stock=True),
        ]
    )
    world = World(catalog=catalog)
    with pytest.raises(InvalidOrder, match="one currency"):
        world.place(lines=items(("EU-1", 1), ("US-1", 1)))


def test_an_idempotency_key_is_required(world: World) -> None:
    cmd = world.place_cmd()
    with pytest.raises(InvalidOrder) as err:
        world.place(
            type(cmd)(cmd.customer_id, "", cmd.items, cmd.shipping_address, cmd.payment_token)
        )
    assert err.value.field == "Idempotency-Key"


def test_same_key_same_order_returns_the_same_order(world: World) -> None:
    cmd = world.place_cmd(key="k-1")
    first = world.place(cmd)
    second = world.place(cmd)  # a retry, a second later

    assert second.order_id == first.order_id == order_id_for(ALICE, "k-1")
    assert second.created_at == first.created_at
    assert second.version == 1
    assert len(world.orders.all()) == 1
    assert world.events_of(first.order_id) == ["OrderPlaced"]


def test_same_key_after_the_order_moved_on_returns_it_as_it_is(world: World) -> None:
    cmd = world.place_cmd(key="k-1")
    order = world.place(cmd)
    world.authorize(order.order_id)
    again = world.place(cmd)
    assert again.status is OrderStatus.PAYMENT_AUTHORIZED
    assert len(world.orders.all()) == 1


@pytest.mark.parametrize(
    "change",
    [
        {"lines": items(("BOOK-001", 3), ("TEE-003", 1))},
        {"lines": items(("BOOK-001", 2), ("MUG-002", 1))},
        {"lines": items(("BOOK-001", 2))},
        {"address": NOWHERE},
        {"token": "tok_other"},
    ],
    ids=["quantity", "sku", "fewer-lines", "address", "payment-token"],
)
def test_same_key_different_order_is_refused(world: World, change: dict[str, Any]) -> None:
    first = world.place(world.place_cmd(key="k-1"))
    with pytest.raises(IdempotencyKeyReused):
        world.place(world.place_cmd(key="k-1", **change))
    assert [o.order_id for o in world.orders.all()] == [first.order_id]
    assert world.get(first.order_id).lines == first.lines


def test_the_key_is_scoped_to_the_customer(world: World) -> None:
    alice = world.place(world.place_cmd(customer=ALICE, key="k-1"))
    bob = world.place(world.place_cmd(customer=BOB, key="k-1", address=HOME))
    assert alice.order_id != bob.order_id
    assert (world.get(alice.order_id).customer_id, world.get(bob.order_id).customer_id) == (
        ALICE,
        BOB,
    )


def test_the_same_lines_in_another_order_are_the_same_order(world: World) -> None:
    """Idempotent placing compares the lines as a multiset."""
    first = world.place(key="k-multiset", lines=items(("BOOK-001", 2), ("TEE-003", 1)))
    again = world.place(key="k-multiset", lines=items(("TEE-003", 1), ("BOOK-001", 2)))
    assert again.order_id == first.order_id and again.version == first.version
    with pytest.raises(IdempotencyKeyReused):
        world.place(key="k-multiset", lines=items(("TEE-003", 2), ("BOOK-001", 1)))
