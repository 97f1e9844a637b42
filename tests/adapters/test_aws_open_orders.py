"""The open orders (sparse GSI2): written by the codec while an order's workflow runs, gone
with its last write, read least recently changed first by DynamoOpenOrders."""

from __future__ import annotations

from typing import Any

from adapters.aws import clients, keys
from adapters.aws.codec import order_to_item
from adapters.aws.dynamodb_orders import DynamoOrderRepository
from adapters.aws.open_orders import DynamoOpenOrders
from domain.status import OrderStatus


def test_only_an_open_order_carries_the_index_keys(samples: Any) -> None:
    order = samples.new_order("o-open")
    item = order_to_item(order)
    assert item["GSI2PK"] == keys.open_pk("o-open") and item["GSI2PK"] in keys.open_shards()
    assert item["GSI2SK"] == f"{item['updatedAt']}#o-open"
    order.cancel("changed my mind", samples.later(1))
    assert "GSI2PK" not in order_to_item(order) and "GSI2SK" not in order_to_item(order)


def test_open_orders_spread_over_every_shard() -> None:
    shards = {keys.open_pk(f"order-{n}") for n in range(200)}
    assert shards == set(keys.open_shards())


def test_the_reader_finds_open_orders_older_than_the_cutoff_and_no_finished_one(
    table: str, samples: Any
) -> None:
    repo = DynamoOrderRepository(table)
    for n in range(12):  # placed a minute apart: o-0 at T0, o-11 eleven minutes later
        repo.add(samples.new_order(f"o-{n}", at=samples.later(n)))
    finished = repo.get("o-3")
    finished.cancel("changed my mind", samples.later(20))
    repo.save(finished)
    authorized = repo.get("o-5")
    authorized.authorize_payment("auth_1", samples.later(5))  # changed, at the same minute
    repo.save(authorized)
    calls: list[str] = []
    ddb = clients.client("dynamodb")
    ddb.meta.events.register("before-call.dynamodb.Query", lambda **_: calls.append("Query"))

    found = list(DynamoOpenOrders(table).open_orders(samples.later(8)))

    assert sorted(o.order_id for o in found) == ["o-0", "o-1", "o-2", "o-4", "o-5", "o-6", "o-7"]
    by_id = {o.order_id: o for o in found}
    assert by_id["o-5"].status is OrderStatus.PAYMENT_AUTHORIZED
    assert by_id["o-1"].status is OrderStatus.PLACED and by_id["o-1"].updated_at == samples.later(1)
    assert len(calls) == keys.OPEN_SHARDS  # one Query per shard: no Scan, no GetItem


def test_the_reader_follows_every_page(table: str, samples: Any) -> None:
    repo = DynamoOrderRepository(table)
    for n in range(30):
        repo.add(samples.new_order(f"p-{n}", at=samples.later(n)))
    ddb = clients.client("dynamodb")
    real_query = ddb.query

    def small_pages(**request: Any) -> Any:
        return real_query(**{**request, "Limit": 2})

    ddb.query = small_pages  # type: ignore[method-assign]
    found = list(DynamoOpenOrders(table, client=ddb).open_orders(samples.later(100)))
    assert sorted(o.order_id for o in found) == sorted(f"p-{n}" for n in range(30))
