"""POST /orders is idempotent on (customer, Idempotency-Key), against the in-memory store
(Powertools' own logic, our configuration) and the DynamoDB layer on the idempotency table
(moto): one item per request, keyed ``id`` only, so records spread over partitions."""

from __future__ import annotations

import json
import multiprocessing
import time
from collections.abc import Iterator
from typing import Any

import pytest
from moto import mock_aws
from moto.server import ThreadedMotoServer

from adapters.aws import clients
from adapters.memory.idempotency import InMemoryIdempotencyStore
from handlers import api as api_function
from handlers.common.adapters_aws import IdempotencyTableNotSet
from handlers.common.bootstrap import bootstrap
from handlers.common.settings import Settings
from tests.domain.support import BOB, World
from tests.handlers.api_support import ORDER, ApiClient
from tests.handlers.fakes import LAMBDA_ENV
from tests.support.moto_tables import (
    IDEMPOTENCY_TABLE,
    TABLE,
    create_tables,
    make_moto_dynamodb_atomic,
)
from tests.support.wiring import use_app

OTHER_ORDER = {**ORDER, "items": [{"sku": "MUG-002", "quantity": 1}]}


# ----------------------------------------------------------------------------- in memory
def test_three_identical_posts_place_one_order_and_answer_alike(
    api: ApiClient, world: World
) -> None:
    replies = [api.place(key="same") for _ in range(3)]

    assert [r.status for r in replies] == [201, 201, 201]
    assert replies[0].raw == replies[1].raw == replies[2].raw
    assert len({r.headers["location"] for r in replies}) == 1
    assert len(world.orders.all()) == 1
    assert world.events_of(replies[0].body["orderId"]) == ["OrderPlaced"]


def test_the_key_is_on_the_parsed_order_not_its_bytes(api: ApiClient, world: World) -> None:
    """powertools #657: whitespace and key order must not make a new request."""
    compact = json.dumps(ORDER, separators=(",", ":"))
    shuffled = json.dumps(dict(reversed(list(ORDER.items()))), indent=4)

    first = api("POST", "/orders", raw=compact, headers={"Idempotency-Key": "k"})
    second = api("POST", "/orders", raw=shuffled, headers={"Idempotency-Key": "k"})

    assert first.status == second.status == 201
    assert first.raw == second.raw
    assert len(world.orders.all()) == 1


def test_same_key_with_another_order_is_422_and_changes_nothing(
    api: ApiClient, world: World
) -> None:
    placed = api.place(key="k")

    reused = api.place(OTHER_ORDER, key="k")

    assert reused.status == 422
    assert reused.body["error"] == "idempotency_key_reused"
    assert [o.order_id for o in world.orders.all()] == [placed.body["orderId"]]


def test_the_domain_refuses_a_reused_key_even_without_the_record(
    api: ApiClient, world: World, idempotency_store: InMemoryIdempotencyStore
) -> None:
    api.place(key="k")
    idempotency_store.records.clear()  # the record expired; the order did not

    reused = api.place(OTHER_ORDER, key="k")

    assert reused.status == 422
    assert reused.body["error"] == "idempotency_key_reused"


def test_keys_belong_to_one_customer(api: ApiClient, world: World) -> None:
    alice = api.place(key="k")
    bob = api.place(key="k", customer=BOB)

    assert alice.status == bob.status == 201
    assert alice.body["orderId"] != bob.body["orderId"]


def test_a_refused_request_does_not_use_up_the_key(api: ApiClient, world: World) -> None:
    refused = api.place({**ORDER, "items": [{"sku": "NOPE-1", "quantity": 1}]}, key="k")
    placed = api.place(key="k")

    assert refused.status == 422
    assert placed.status == 201


def test_in_progress_duplicate_is_a_retryable_409(
    api: ApiClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A duplicate that arrives while the first request runs (here: from inside it)."""
    answers: list[Any] = []
    price_of = world.catalog.price_of

    def slow_catalog(skus: Any) -> Any:
        if not answers:
            answers.append(api.place(key="k"))  # the duplicate, while the record is in progress
        return price_of(skus)

    monkeypatch.setattr(world.catalog, "price_of", slow_catalog)

    first = api.place(key="k")

    assert first.status == 201
    assert answers[0].status == 409
    assert answers[0].body["error"] == "request_in_progress"
    assert answers[0].headers["retry-after"] == "1"
    assert len(world.orders.all()) == 1
    assert api.place(key="k").raw == first.raw  # the retry gets the first answer


def test_record_expires_after_the_configured_window_and_knows_the_lambda_deadline(
    api: ApiClient, idempotency_store: InMemoryIdempotencyStore
) -> None:
    api.place(key="k")

    (record,) = idempotency_store.records.values()
    assert record.status == "COMPLETED"
    assert record.expiry_timestamp is not None
    assert abs(record.expiry_timestamp - (time.time() + 2 * 24 * 3600)) < 60  # > EventBridge 24 h
    assert record.payload_hash  # payload validation is on


# ----------------------------------------------------------------------------- DynamoDB (moto)
@pytest.fixture
def on_aws(monkeypatch: pytest.MonkeyPatch, load_event: Any) -> Iterator[ApiClient]:
    """The API with every adapter real (AwsPorts) over a moto table."""
    make_moto_dynamodb_atomic(monkeypatch)
    with mock_aws():
        clients.clear_cache()
        create_tables(clients.client("dynamodb"))
        use_app(None)
        yield ApiClient(load_event("api_post_orders.json"))
        use_app(None)
        clients.clear_cache()


def _items(sort_key_prefix: str) -> list[dict[str, Any]]:
    scan = clients.client("dynamodb").scan(TableName=TABLE)["Items"]
    return [i for i in scan if i["SK"]["S"].startswith(sort_key_prefix)]


def _idempotency_records() -> list[dict[str, Any]]:
    return list(clients.client("dynamodb").scan(TableName=IDEMPOTENCY_TABLE)["Items"])


def test_on_dynamodb_repeats_replay_and_a_reused_key_is_refused(on_aws: ApiClient) -> None:
    first, second = on_aws.place(key="k"), on_aws.place(key="k")
    reused = on_aws.place(OTHER_ORDER, key="k")

    assert first.status == second.status == 201 and first.raw == second.raw
    assert reused.status == 422 and reused.body["error"] == "idempotency_key_reused"
    assert len(_items("ORDER")) == 1
    (record,) = _idempotency_records()
    assert record["status"]["S"] == "COMPLETED"
    assert int(record["expiration"]["N"]) > time.time() + 24 * 3600
    assert "in_progress_expiration" in record  # the Lambda context was registered
    orders_table = clients.client("dynamodb").scan(TableName=TABLE)["Items"]
    assert not [i for i in orders_table if i["PK"]["S"].startswith("idempotency")]


def test_on_dynamodb_two_orders_have_records_under_different_partition_keys(
    on_aws: ApiClient,
) -> None:
    """The hot-partition fix: no static partition key shared by every record of the function
    (Powertools' ``idempotency#<function>`` with a sort key); each request is its own."""
    first, second = on_aws.place(key="first"), on_aws.place(OTHER_ORDER, key="second")

    assert first.status == second.status == 201
    assert first.body["orderId"] != second.body["orderId"]
    key_schema = clients.client("dynamodb").describe_table(TableName=IDEMPOTENCY_TABLE)["Table"][
        "KeySchema"
    ]
    assert key_schema == [{"AttributeName": "id", "KeyType": "HASH"}]  # id is the partition key
    records = _idempotency_records()
    partition_keys = [r["id"]["S"] for r in records]
    assert len(records) == 2 and len(set(partition_keys)) == 2, partition_keys
    assert not any(k.startswith("idempotency#") for k in partition_keys)
    assert all(not {"PK", "SK"} & set(r) for r in records)
    assert {r["status"]["S"] for r in records} == {"COMPLETED"}


def test_without_the_idempotency_table_setting_the_store_refuses_clearly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("IDEMPOTENCY_TABLE")
    app = bootstrap(Settings.from_environ())

    assert app.settings.idempotency_table == ""  # other functions start without it
    with pytest.raises(IdempotencyTableNotSet, match="IDEMPOTENCY_TABLE"):
        app.idempotency_store  # noqa: B018


def test_without_the_idempotency_table_setting_post_orders_fails_and_says_why(
    monkeypatch: pytest.MonkeyPatch, world: World, load_event: Any, logs: Any
) -> None:
    monkeypatch.delenv("IDEMPOTENCY_TABLE")
    # The world's adapters, but the idempotency store as the function builds it (on AWS).
    ports = {name: getattr(world.app, name) for name in ("orders", "catalog", "clock", "ids")}
    api_function.root.use(bootstrap(Settings.from_environ(), **ports))

    reply = ApiClient(load_event("api_post_orders.json")).place(key="k")

    assert reply.status == 500
    assert world.orders.all() == []
    assert "IDEMPOTENCY_TABLE" in logs.getvalue()


def test_on_dynamodb_list_pages_and_refuses_a_forged_cursor(on_aws: ApiClient) -> None:
    for i in range(3):
        on_aws.place(key=f"k-{i}")

    page = on_aws("GET", "/orders", query={"limit": "2"})
    forged = on_aws("GET", "/orders", query={"cursor": "bm90LWEtY3Vyc29y"})

    assert page.status == 200 and len(page.body["orders"]) == 2 and page.body["nextCursor"]
    assert forged.status == 400
    assert forged.body["error"] == "invalid_cursor"
    assert forged.body["details"][0]["field"] == "cursor"


def test_ten_concurrent_identical_posts_place_one_order(
    monkeypatch: pytest.MonkeyPatch, load_event: Any
) -> None:
    """Ten Lambda instances (processes: Powertools' resolver keeps the request in class
    attributes, so threads cannot share one) race on one moto table."""
    make_moto_dynamodb_atomic(monkeypatch)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
        clients.clear_cache()
        create_tables(clients.client("dynamodb"))
        event = ApiClient(load_event("api_post_orders.json")).event(
            "POST", "/orders", body=ORDER, headers={"Idempotency-Key": "race"}
        )
        replies = _race(10, {**LAMBDA_ENV, "AWS_ENDPOINT_URL": endpoint}, event)
        orders = _items("ORDER")
        retry = _race(1, {**LAMBDA_ENV, "AWS_ENDPOINT_URL": endpoint}, event)
    finally:
        clients.clear_cache()
        server.stop()

    statuses = sorted(status for status, _, _ in replies)
    assert set(statuses) <= {201, 409}, replies
    created = {body for status, _, body in replies if status == 201}
    assert len(created) == 1  # every 201 is the same answer
    assert len(orders) == 1
    for status, headers, body in replies:
        if status == 409:
            assert json.loads(body)["error"] == "request_in_progress"
            assert headers["Retry-After"] == ["1"]
    assert retry[0][0] == 201 and retry[0][2] in created


def _race(instances: int, env: dict[str, str], event: dict[str, Any]) -> list[Any]:
    from tests.handlers.lambda_instance import serve_once

    forking = multiprocessing.get_context("fork")  # see lambda_instance.py
    barrier, results = forking.Barrier(instances), forking.Queue()
    workers = [
        forking.Process(target=serve_once, args=(env, event, barrier, results))
        for _ in range(instances)
    ]
    for worker in workers:
        worker.start()
    replies = [results.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
    return replies
