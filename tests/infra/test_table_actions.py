"""Each function may use exactly the DynamoDB actions its code calls, on the tables it calls them.

The calls are observed, not guessed: every function's handler runs in this process against
moto on loopback (the bench's cold-start world: the template's tables, an order in the state
each event needs), the API through each of its routes, CompleteOrder also on its late capture
(the news of delivery came first), every event twice (the duplicate path),
and a hook on the shared DynamoDB client records each operation, its table and index, and the
kinds of a transaction's items (IAM authorizes each item as PutItem, UpdateItem, ...). The
template's statements must grant that and nothing more: no Scan, no BatchWriteItem, and no
table at all for the outbox relay, which only reads the table's stream.

The idempotency table is the exception, granted as Powertools' DynamoDB layer needs it
(GetItem, PutItem, UpdateItem, DeleteItem: each request may take any of its paths); the calls
seen must still be among those.
"""

from __future__ import annotations

import importlib
import json
import os
import uuid
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pytest
from infra_support import ref_id, statements

from adapters.aws import clients
from infra.bench import cold_world, events
from infra.bench.fakes import Context
from infra.bench.template import functions
from tests.support.wiring import use_app

pytestmark = pytest.mark.enable_socket  # moto's server, on 127.0.0.1

POWERTOOLS_IDEMPOTENCY = {
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
}
_ITEM_ACTIONS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
}
Grants = dict[str, set[str]]
"""Resource (``OrdersTable``, ``OrdersTable/index/GSI1``, ``IdempotencyTable``) -> actions."""


class Recorder:
    def __init__(self, tables: dict[str, str]) -> None:
        self.tables = tables
        self.seen: Grants = defaultdict(set)

    def __call__(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        operation = model.name
        if operation == "TransactWriteItems":
            for item in params["TransactItems"]:
                ((kind, body),) = item.items()
                self._add(body["TableName"], None, _ITEM_ACTIONS[kind])
            return
        self._add(params.get("TableName", "?"), params.get("IndexName"), operation)

    def _add(self, table: str, index: str | None, operation: str) -> None:
        resource = self.tables.get(table, table) + (f"/index/{index}" if index else "")
        self.seen[resource].add(f"dynamodb:{operation}")


def _api_events(seeder: cold_world.Seeder) -> Iterator[dict[str, Any]]:
    world = seeder.world
    yield seeder.event_for("ApiFunction")  # POST /orders
    refused = events.post_order(str(uuid.uuid4()))
    body = json.loads(refused["body"])
    body["items"] = [{"sku": "NO-SUCH-SKU", "quantity": 1}]
    refused["body"] = json.dumps(body)
    yield refused  # a refused POST: Powertools deletes its record
    placed = world.placed()
    yield events.get_order(placed)
    listing = events.rest("GET", "/orders", "/orders")
    listing["queryStringParameters"] = {"limit": "5"}
    yield listing
    yield events.rest(
        "POST",
        f"/orders/{placed}/cancel",
        "/orders/{orderId}/cancel",
        {},
        path_parameters={"orderId": placed},
    )
    completed = world.delivered()
    from domain import commands as c
    from domain.services.complete_order import complete_order

    p = world.p
    complete_order(c.CompleteOrder(completed), orders=p.orders, payments=p.payments, clock=p.clock)
    yield events.rest(
        "POST",
        f"/orders/{completed}/refunds",
        "/orders/{orderId}/refunds",
        {"amount": "1.00", "reason": "dented"},
        {"Idempotency-Key": str(uuid.uuid4())},
        path_parameters={"orderId": completed},
    )


def _task_paths(seeder: cold_world.Seeder, logical_id: str) -> Iterator[dict[str, Any]]:
    """The representative event, then the other paths whose calls may differ."""
    yield seeder.event_for(logical_id)
    if logical_id == "CompleteOrderFunction":
        from domain.commands import CarrierUpdateKind

        world = seeder.world  # news of delivery overtook the dispatch: it captures first
        yield {"orderId": world.report(world.shipping(), CarrierUpdateKind.DELIVERED)}


@pytest.fixture(scope="module")
def observed() -> dict[str, Grants]:
    fns = functions()
    found: dict[str, Grants] = {}
    quiet = {"POWERTOOLS_METRICS_NAMESPACE": "OrderFlow", "POWERTOOLS_METRICS_DISABLED": "true"}
    with pytest.MonkeyPatch.context() as env, cold_world.backend(fns) as seeder:
        for name, value in quiet.items():
            env.setenv(name, value)
        tables = {
            os.environ["ORDERS_TABLE"]: "OrdersTable",
            os.environ["IDEMPOTENCY_TABLE"]: "IdempotencyTable",
        }
        for fn in fns:
            module, attr = fn.handler.rsplit(".", 1)
            handler = getattr(importlib.import_module(module), attr)
            clients.clear_cache()
            use_app(None)
            api = fn.logical_id == "ApiFunction"
            paths = _api_events(seeder) if api else _task_paths(seeder, fn.logical_id)
            todo = list(paths)  # seeded before recording
            recorder = Recorder(tables)
            clients.client("dynamodb").meta.events.register(
                "before-parameter-build.dynamodb.*", recorder
            )
            for event in todo:
                for _ in range(2):
                    answer = handler(event, Context())
                    assert not (isinstance(answer, dict) and answer.get("batchItemFailures"))
                    if isinstance(answer, dict) and "statusCode" in answer:
                        assert answer["statusCode"] < 500, answer
            found[fn.logical_id] = dict(recorder.seen)
        clients.clear_cache()
        use_app(None)
    return found


def granted(cfn: dict[str, Any]) -> dict[str, Grants]:
    """Function -> resource -> DynamoDB item/query actions its role's statements allow."""
    roles = {
        ref_id(r["Properties"]["Role"]): name
        for name, r in cfn["Resources"].items()
        if r["Type"] == "AWS::Lambda::Function"
    }
    found: dict[str, Grants] = {name: defaultdict(set) for name in roles.values()}
    for s in statements(cfn):
        actions = {a for a in s.actions if a.startswith("dynamodb:") and "Stream" not in a}
        actions -= {"dynamodb:GetRecords", "dynamodb:GetShardIterator"}
        if not actions or s.role not in roles:
            continue
        for resource in s.resources:
            found[roles[s.role]][_resource_name(resource)] |= actions
    return {name: dict(grants) for name, grants in found.items()}


def _resource_name(resource: Any) -> str:
    if (target := ref_id(resource)) is not None:
        return target
    text = resource["Fn::Sub"] if isinstance(resource["Fn::Sub"], str) else resource["Fn::Sub"][0]
    return text.replace("${", "").replace(".Arn}", "").replace("}", "")


def test_every_function_ran_its_paths(observed: dict[str, Grants]) -> None:
    assert len(observed) == 15  # the optional Stripe webhook is off by default, and tableless
    # A refund made in Stripe's dashboard: the order read, then written with its outbox event.
    assert observed["StripeEventsFunction"] == {
        "OrdersTable": {"dynamodb:GetItem", "dynamodb:PutItem"}
    }
    assert observed["OutboxRelayFunction"] == {}  # PutEvents only
    assert "dynamodb:Query" in observed["ApiFunction"]["OrdersTable/index/GSI1"]
    # The open orders' index, then the stuck order itself (started through the starter's path).
    assert observed["ReconcilerFunction"] == {
        "OrdersTable/index/GSI2": {"dynamodb:Query"},
        "OrdersTable": {"dynamodb:GetItem"},
    }


@pytest.mark.parametrize("function", sorted(f.logical_id for f in functions()))
def test_table_grants_are_what_the_code_calls(
    function: str, observed: dict[str, Grants], cfn: dict[str, Any]
) -> None:
    grants = granted(cfn)[function]
    seen = dict(observed[function])
    idempotency_seen = seen.pop("IdempotencyTable", set())
    idempotency_granted = grants.pop("IdempotencyTable", set())
    assert grants == seen, f"{function}: granted {grants}, the code calls {seen}"
    assert idempotency_seen <= idempotency_granted
    if idempotency_granted:
        assert idempotency_granted == POWERTOOLS_IDEMPOTENCY
