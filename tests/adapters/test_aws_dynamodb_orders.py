"""DynamoOrderRepository against moto: round trips, the transactional outbox, optimistic
concurrency, and customer listing."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from typing import Any

import pytest

from adapters.aws import clients
from adapters.aws.codec import (
    event_from_outbox_item,
    from_attribute_values,
    order_to_item,
    to_attribute_values,
)
from adapters.aws.dynamodb_orders import DynamoOrderRepository, InvalidCursor
from domain import events as ev
from domain.errors import ConcurrencyConflict, DomainError, OrderAlreadyExists, OrderNotFound
from domain.order import Order
from domain.status import OrderStatus


@pytest.fixture
def repo(table: str) -> DynamoOrderRepository:
    return DynamoOrderRepository(table, clock=lambda: 1_767_268_800.0)


def snapshot(order: Order) -> dict[str, Any]:
    return dataclasses.asdict(order)


def outbox(table: str, order_id: str) -> list[dict[str, Any]]:
    response = clients.client("dynamodb").query(
        TableName=table,
        KeyConditionExpression="PK = :pk AND begins_with(SK, :event)",
        ExpressionAttributeValues={":pk": {"S": f"ORDER#{order_id}"}, ":event": {"S": "EVENT#"}},
        ConsistentRead=True,
    )
    return [from_attribute_values(i) for i in response["Items"]]


def calls_to(operation_names: list[str]) -> Callable[..., None]:
    def record(model: Any, **_: Any) -> None:
        operation_names.append(model.name)

    return record


def lifecycle(samples: Any) -> list[tuple[str, Callable[[Order], object]]]:
    at = samples.later
    return [
        ("authorized", lambda o: o.authorize_payment("auth_1", at(1))),
        ("shipment requested", lambda o: o.request_shipment("SimShip", "TRK1", at(2))),
        ("awaiting the carrier", lambda o: o.await_carrier("task-token-1", at(3))),
        ("shipped", lambda o: o.record_dispatch(at(4))),
        ("delivered", lambda o: o.record_delivery(at(5))),
        ("captured", lambda o: o.capture_payment(at(6))),
        ("completed", lambda o: o.complete(at(7))),
        ("refund claimed", lambda o: o.reserve_refund("r-1", samples.eur("5.00"), "dented", at(8))),
        (
            "partly refunded",
            lambda o: o.refund("r-1", samples.eur("5.00"), "dented", "rf_1", at(8)),
        ),
        ("refunded", lambda o: o.refund("r-2", samples.eur("23.10"), "return", "rf_2", at(9))),
    ]


def test_every_shape_of_an_order_round_trips_and_each_change_writes_its_events(
    repo: DynamoOrderRepository, table: str, samples: Any
) -> None:
    order = samples.new_order()
    written = list(order.pending_events)
    repo.add(order)
    assert snapshot(repo.get("o-1")) == snapshot(order)
    for step, change in lifecycle(samples):
        change(order)
        written += order.pending_events
        repo.save(order)
        assert snapshot(repo.get("o-1")) == snapshot(order), step
    stored = repo.get("o-1")
    assert stored.status is OrderStatus.REFUNDED
    assert [r.refund_id for r in stored.refunds] == ["r-1", "r-2"]
    assert stored.loaded_version == stored.version == 11
    assert stored.pending_refund is None
    assert [event_from_outbox_item(i) for i in outbox(table, "o-1")] == written


@pytest.mark.parametrize(
    "ending",
    [
        lambda o, at: o.cancel("changed my mind", at),
        lambda o, at: o.decline_payment("card_declined", at),
        lambda o, at: o.fail("carrier lost it", at),
    ],
    ids=["cancelled", "payment failed", "failed"],
)
def test_orders_that_ended_early_round_trip(
    repo: DynamoOrderRepository, samples: Any, ending: Callable[[Order, Any], object]
) -> None:
    order = samples.new_order()
    repo.add(order)
    ending(order, samples.later(1))
    repo.save(order)
    assert snapshot(repo.get("o-1")) == snapshot(order)
    assert repo.get("o-1").reason


def test_insert_writes_the_order_and_its_events_in_one_transaction(
    repo: DynamoOrderRepository, table: str, samples: Any
) -> None:
    operations: list[str] = []
    clients.client("dynamodb").meta.events.register("before-call.dynamodb", calls_to(operations))
    order = samples.new_order()
    placed = order.pending_events[0]
    repo.add(order)
    assert operations == ["TransactWriteItems"]
    assert order.pending_events == [] and order.loaded_version == 1
    [item] = outbox(table, "o-1")
    assert item["SK"] == "EVENT#0000000001"
    assert item["eventType"] == "OrderPlaced"
    assert item["eventId"] == "o-1:1"
    assert item["expiration"] == 1_767_268_800 + 7 * 24 * 3600
    assert event_from_outbox_item(item) == placed
    assert repo.get("o-1").customer_id == "c-1"


def test_a_second_insert_of_the_same_id_is_refused_and_changes_nothing(
    repo: DynamoOrderRepository, table: str, samples: Any
) -> None:
    repo.add(samples.new_order())
    again = samples.new_order(customer_id="c-2")
    with pytest.raises(OrderAlreadyExists):
        repo.add(again)
    assert repo.get("o-1").customer_id == "c-1"
    assert len(outbox(table, "o-1")) == 1
    assert again.pending_events  # not marked as written


def test_a_stale_save_is_a_conflict_and_writes_nothing(
    repo: DynamoOrderRepository, table: str, samples: Any
) -> None:
    repo.add(samples.new_order())
    first, second = repo.get("o-1"), repo.get("o-1")
    first.authorize_payment("auth_1", samples.later(1))
    repo.save(first)
    second.cancel("changed my mind", samples.later(2))
    with pytest.raises(ConcurrencyConflict):
        repo.save(second)
    stored = repo.get("o-1")
    assert stored.status is OrderStatus.PAYMENT_AUTHORIZED
    assert stored.version == 2
    events = [event_from_outbox_item(i) for i in outbox(table, "o-1")]
    assert [type(e) for e in events] == [ev.OrderPlaced, ev.PaymentAuthorized]
    assert second.pending_events and second.loaded_version == 1


def test_updating_an_order_that_does_not_exist_is_order_not_found(
    repo: DynamoOrderRepository, table: str, samples: Any
) -> None:
    ghost = samples.new_order(order_id="ghost")
    ghost.mark_persisted()  # as if it had been read
    ghost.authorize_payment("auth_1", samples.later(1))
    with pytest.raises(OrderNotFound):
        repo.save(ghost)
    assert outbox(table, "ghost") == []


def test_ten_concurrent_saves_of_the_same_version_one_wins(
    repo: DynamoOrderRepository, table: str, samples: Any
) -> None:
    repo.add(samples.new_order())
    loaded = threading.Barrier(10)
    outcomes: dict[int, str] = {}

    def attempt(i: int) -> None:
        order = repo.get("o-1")
        loaded.wait()
        order.authorize_payment(f"auth_{i}", samples.later(1))
        try:
            repo.save(order)
            outcomes[i] = "won"
        except ConcurrencyConflict:
            outcomes[i] = "conflict"
        except Exception as error:  # shown by the assertion below
            outcomes[i] = repr(error)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes.values()) == ["conflict"] * 9 + ["won"]
    winners = [i for i, outcome in outcomes.items() if outcome == "won"]
    stored = repo.get("o-1")
    assert stored.version == 2
    assert stored.payment.reference == f"auth_{winners[0]}"
    events = [event_from_outbox_item(i) for i in outbox(table, "o-1")]
    assert [e.version for e in events] == [1, 2]
    assert isinstance(events[1], ev.PaymentAuthorized)
    assert events[1].provider_reference == f"auth_{winners[0]}"


def test_a_save_with_nothing_changed_writes_nothing(
    repo: DynamoOrderRepository, samples: Any
) -> None:
    repo.add(samples.new_order())
    operations: list[str] = []
    clients.client("dynamodb").meta.events.register("before-call.dynamodb", calls_to(operations))
    repo.save(repo.get("o-1"))
    assert operations == ["GetItem"]


def test_a_save_beyond_the_transaction_limit_is_refused_before_any_call(
    repo: DynamoOrderRepository, samples: Any
) -> None:
    order = samples.new_order()
    order.pending_events = [
        ev.OrderCancelled(order_id="o-1", version=v, occurred_at=samples.T0, reason="x")
        for v in range(1, 101)
    ]
    operations: list[str] = []
    clients.client("dynamodb").meta.events.register("before-call.dynamodb", calls_to(operations))
    with pytest.raises(ValueError, match="at most 99 events"):
        repo.add(order)
    assert operations == []
    order.pending_events = order.pending_events[:99]  # exactly 100 actions: allowed
    repo.add(order)
    assert operations == ["TransactWriteItems"]


def test_get_of_a_missing_order(repo: DynamoOrderRepository) -> None:
    with pytest.raises(OrderNotFound):
        repo.get("nope")


# ----- list_for_customer -------------------------------------------------------------------
@pytest.fixture
def customers(table: str, samples: Any) -> list[str]:
    """45 orders of c-A (pairs share a creation time), 5 of c-B; returns c-A's ids, newest
    first. Seeded with BatchWriteItem through the same codec: moto copies the whole table on
    every transaction, which makes 50 inserts through the repository take seconds."""
    mine = [
        samples.new_order(order_id=f"a-{i:02d}", customer_id="c-A", at=samples.later(i // 2))
        for i in range(45)
    ]
    others = [
        samples.new_order(order_id=f"b-{i}", customer_id="c-B", at=samples.later(i))
        for i in range(5)
    ]
    everyone = [*mine, *others]
    for start in range(0, len(everyone), 25):
        clients.client("dynamodb").batch_write_item(
            RequestItems={
                table: [
                    {"PutRequest": {"Item": to_attribute_values(order_to_item(o))}}
                    for o in everyone[start : start + 25]
                ]
            }
        )
    mine.sort(key=lambda o: (o.created_at, o.order_id), reverse=True)
    return [o.order_id for o in mine]


def read_all(repo: DynamoOrderRepository, customer: str, limit: int) -> list[list[str]]:
    pages, cursor = [], None
    while True:
        page = repo.list_for_customer(customer, limit, cursor)
        pages.append([o.order_id for o in page.orders])
        if page.cursor is None:
            return pages
        cursor = page.cursor
        assert len(pages) < 100, "the cursor does not advance"


def test_pages_through_every_order_once_newest_first(
    repo: DynamoOrderRepository, customers: list[str]
) -> None:
    pages = read_all(repo, "c-A", 10)
    assert [len(p) for p in pages] == [10, 10, 10, 10, 5]
    assert [oid for page in pages for oid in page] == customers


def test_a_full_last_page_has_no_cursor_to_an_empty_one(
    repo: DynamoOrderRepository, customers: list[str]
) -> None:
    assert [len(p) for p in read_all(repo, "c-A", 15)] == [15, 15, 15]
    assert read_all(repo, "c-nobody", 10) == [[]]


def test_another_customers_cursor_shows_only_the_callers_orders(
    repo: DynamoOrderRepository, customers: list[str]
) -> None:
    cursor = repo.list_for_customer("c-A", 3, None).cursor
    page = repo.list_for_customer("c-B", 50, cursor)
    assert all(o.customer_id == "c-B" for o in page.orders)
    assert {o.order_id for o in page.orders} <= {f"b-{i}" for i in range(5)}


def _b64(raw: str) -> str:
    import base64

    return base64.urlsafe_b64encode(raw.encode()).decode()


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "!!not base64!!",
        _b64("not json"),
        _b64("[1, 2]"),
        _b64('{"v": 2, "k": "2026-01-01T12:00:00.000000Z#a-01"}'),
        _b64('{"v": 1, "k": 42}'),
        _b64('{"v": 1, "k": "yesterday#a-01"}'),
        _b64('{"v": 1, "k": "2026-01-01T12:00:00.000000Z#"}'),
        _b64('{"v": 1, "k": "2026-01-01T12:00:00.000000Z#a-01", "pk": "CUSTOMER#c-B"}'),
        "A" * 600,
    ],
)
def test_an_invalid_cursor_is_refused_clearly(repo: DynamoOrderRepository, cursor: str) -> None:
    with pytest.raises(InvalidCursor) as raised:
        repo.list_for_customer("c-A", 10, cursor)
    assert isinstance(raised.value, DomainError)  # the API answers 400 invalid_cursor
    assert str(raised.value) == "the page cursor is not valid"
