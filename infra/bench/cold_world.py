"""What a cold start's first invocation talks to: moto's server on a loopback port, holding the
template's tables, bus and state machine, and an order in the state each function's event needs.

The measured process is the child; this side (the bench) only prepares. Each function gets one
representative event: the call its users make most (POST /orders for the API, an OrderPlaced
message for the starter, a carrier report, an outbox insert, each saga step on an order ready
for it), so its first invocation creates the clients and walks the code a real one does.
"""

from __future__ import annotations

import json
import logging
import os
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from infra.bench import events
from infra.bench.template import REGION, Function, lambda_environment, load

Event = dict[str, Any]
_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench"}
_PASS = json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}})


@contextmanager
def backend(
    fns: list[Function],
    payment_token: str = "tok_visa_4242",  # noqa: S107  # a test token
) -> Iterator[Seeder]:
    """moto on a free loopback port with the template's data resources, and its seeder
    (whose orders pay with ``payment_token``, through the provider the environment names)."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # a line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    # moto's backends live in this process: an earlier part's resources (tables, secrets) are
    # still there, so every backend starts from its reset state.
    reset = urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")  # noqa: S310
    with urllib.request.urlopen(reset, timeout=10):  # noqa: S310  # our loopback server
        pass
    env = lambda_environment(next(f for f in fns if f.module == "handlers.api"))
    names = {k: env[k] for k in ("ORDERS_TABLE", "EVENT_BUS_NAME", "IDEMPOTENCY_TABLE")}
    names["STATE_MACHINE_ARN"] = env["STATE_MACHINE_ARN"]
    names["AWS_ENDPOINT_URL"] = endpoint
    try:
        with _environment({**names, **_CREDENTIALS, "AWS_DEFAULT_REGION": REGION}):
            _create_tables(names)
            _create_resources(names)
            yield Seeder(names, payment_token)
    finally:
        server.stop()


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _create_tables(names: dict[str, str], fresh: bool = False) -> None:
    import boto3

    resources = load().get("Resources") or {}
    dynamodb = boto3.client("dynamodb")
    for logical, table in (
        ("OrdersTable", "ORDERS_TABLE"),
        ("IdempotencyTable", "IDEMPOTENCY_TABLE"),
    ):
        if fresh:
            dynamodb.delete_table(TableName=names[table])
        props = resources[logical]["Properties"]
        extra: dict[str, Any] = {}
        if "GlobalSecondaryIndexes" in props:
            extra["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
        if "StreamSpecification" in props:
            view = props["StreamSpecification"]["StreamViewType"]
            extra["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": view}
        dynamodb.create_table(
            TableName=names[table],
            KeySchema=props["KeySchema"],
            AttributeDefinitions=props["AttributeDefinitions"],
            BillingMode="PAY_PER_REQUEST",
            **extra,
        )


def _create_resources(names: dict[str, str]) -> None:
    import boto3

    boto3.client("events").create_event_bus(Name=names["EVENT_BUS_NAME"])
    boto3.client("stepfunctions").create_state_machine(
        name=names["STATE_MACHINE_ARN"].rsplit(":", 1)[-1],
        definition=_PASS,
        roleArn="arn:aws:iam::123456789012:role/bench",
    )


class Seeder:
    """Orders in DynamoDB (through our own adapters), in the state each event needs."""

    def __init__(
        self,
        names: dict[str, str],
        payment_token: str = "tok_visa_4242",  # noqa: S107
    ) -> None:
        self.names = names
        from adapters.aws import clients
        from adapters.clock import ManualClock
        from adapters.memory.recorders import RecordingPublisher, RecordingWorkflow
        from handlers.common.bootstrap import bootstrap
        from handlers.common.settings import Settings
        from infra.bench.world import World

        clients.clear_cache()
        # The workflow is recorded, not called: seeding must not answer the children's tokens.
        app = bootstrap(
            Settings.from_environ(), workflow=RecordingWorkflow(), publisher=RecordingPublisher()
        )
        self.world = World(app, payment_token)
        an_hour_ago = ManualClock(datetime.now(UTC) - timedelta(hours=1))
        self.stale = World(
            bootstrap(
                Settings.from_environ(),
                workflow=RecordingWorkflow(),
                publisher=RecordingPublisher(),
                clock=an_hour_ago,
            ),
            payment_token,
        )
        """Orders that stopped moving long ago, for the reconciler."""

    def reset(self) -> None:
        """Empty tables again: moto copies a whole table for every transaction (its rollback
        backup), so a table that grows slows every later write, seeding and samples alike."""
        _create_tables(self.names, fresh=True)

    def event_for(self, logical_id: str) -> Event:
        """A fresh order per event; seeding is tried three times (moto on a loaded machine can
        time out a transaction that it then commits, and the retry finds the order there)."""
        for attempt in range(3):
            try:
                return self._event_for(logical_id)
            except Exception:
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _event_for(self, logical_id: str) -> Event:
        w = self.world
        tasks: dict[str, Callable[[], Event]] = {
            "AuthorizePaymentFunction": lambda: {"orderId": w.placed()},
            "RequestShipmentFunction": lambda: {
                "orderId": w.authorized(),
                "taskToken": f"bench-{uuid.uuid4()}",
            },
            "CapturePaymentFunction": lambda: {
                "orderId": w.dispatched(),
                "taskToken": f"bench-{uuid.uuid4()}",
            },
            "AskOperatorFunction": lambda: {
                "orderId": w.in_transit(),
                "taskToken": f"bench-{uuid.uuid4()}",
            },
            "CompleteOrderFunction": lambda: {"orderId": w.delivered()},
            "CancelShipmentFunction": lambda: {"orderId": w.shipping()},
            "VoidPaymentFunction": lambda: {"orderId": w.authorized()},
            "RefundPaymentFunction": lambda: {"orderId": w.lost()},
            "FailOrderFunction": lambda: {
                "orderId": w.placed(),
                "error": {"Error": "States.Timeout", "Cause": None},
            },
        }
        if logical_id.startswith("floor"):
            return {}
        if logical_id in tasks:
            return tasks[logical_id]()
        if logical_id == "ApiFunction":
            return events.post_order(str(uuid.uuid4()))
        if logical_id == "WorkflowStarterFunction":
            placed = {"orderId": w.placed()}
            return events.sqs(
                [json.dumps(events.bridge("orderflow.orders", "OrderPlaced", placed))]
            )
        if logical_id == "UpstreamEventsFunction":
            order_id = w.shipping()
            report = {"orderId": order_id, "trackingNumber": w.tracking(order_id)}
            report["eventId"] = f"bench-{uuid.uuid4()}"
            return events.bridge("simship.carrier", "ShipmentDispatched", report)
        if logical_id == "StripeEventsFunction":
            return self._stripe_refund(w.delivered())
        if logical_id == "ReconcilerFunction":
            self.stale.placed()  # stuck: placed an hour ago and its workflow never started
            return events.bridge("aws.events", "Scheduled Event", {})
        if logical_id == "OutboxRelayFunction":
            order_id = w.placed()
            (placed_event, *_) = self._outbox(order_id)
            return events.stream([placed_event])
        raise KeyError(f"no representative event for {logical_id}")

    def _stripe_refund(self, order_id: str) -> Event:
        """A refund made in Stripe's dashboard, as Stripe's webhook would tell it."""
        from adapters.aws import clients
        from adapters.aws.keys import ORDER_SK, order_pk

        item = clients.client("dynamodb").get_item(
            TableName=os.environ["ORDERS_TABLE"],
            Key={"PK": {"S": order_pk(order_id)}, "SK": {"S": ORDER_SK}},
        )["Item"]
        charge = {
            "object": "charge",
            "id": f"ch_{uuid.uuid4().hex}",
            "payment_intent": item["payment"]["M"]["reference"]["S"],
            "amount_refunded": 100,
            "currency": item["payment"]["M"]["amount"]["M"]["currency"]["S"].lower(),
            "metadata": {"orderflow_order_id": order_id},
        }
        stripe_event = {
            "object": "event",
            "id": f"evt_{uuid.uuid4().hex}",
            "type": "charge.refunded",
            "data": {"object": charge},
        }
        return events.bridge("orderflow.stripe-webhook", "charge.refunded", stripe_event)

    def _outbox(self, order_id: str) -> list[Any]:
        from adapters.aws import clients
        from adapters.aws.codec import event_from_outbox_item, from_attribute_values
        from adapters.aws.keys import order_pk

        found = clients.client("dynamodb").query(
            TableName=os.environ["ORDERS_TABLE"],
            KeyConditionExpression="PK = :pk AND begins_with(SK, :event)",
            ExpressionAttributeValues={":pk": {"S": order_pk(order_id)}, ":event": {"S": "EVENT#"}},
        )
        return [event_from_outbox_item(from_attribute_values(i)) for i in found["Items"]]
