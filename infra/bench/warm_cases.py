"""What the warm benchmark compares: each handler on its event versus its service called directly.

Every case prepares ``n`` pairs of calls before any timing: a fresh order in the right state for
each call (on both sides), so the handler and the direct call do the same domain work.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

from adapters.memory.repository import InMemoryOrderRepository
from domain import commands as c
from handlers.common.bootstrap import App
from infra.bench import events
from infra.bench.fakes import Context
from infra.bench.world import ADDRESS, World
from infra.in_memory import in_memory

Call = Callable[[], Any]
Pair = tuple[Call, Call]


def _handler(dotted: str) -> Callable[[dict[str, Any], Any], Any]:
    import importlib

    module, attr = dotted.rsplit(".", 1)
    fn: Callable[[dict[str, Any], Any], Any] = getattr(importlib.import_module(module), attr)
    return fn


def api_post_order(w: World, n: int) -> list[Pair]:
    handler, ctx, p = _handler("handlers.api.handler"), Context(), w.p

    def pair() -> Pair:
        event = events.post_order(str(uuid.uuid4()))
        cmd = c.PlaceOrder(
            events.CUSTOMER,
            str(uuid.uuid4()),
            (c.ItemRequest("BOOK-001", 2), c.ItemRequest("TEE-003", 1)),
            ADDRESS,
            "tok_visa_4242",
        )
        return (
            lambda: _expect(handler(event, ctx), 201),
            lambda: p.place_order(cmd),
        )

    return [pair() for _ in range(n)]


def api_get_order(w: World, n: int) -> list[Pair]:
    handler, ctx, order_id = _handler("handlers.api.handler"), Context(), w.placed()
    event = events.get_order(order_id)
    return [
        (
            lambda: _expect(handler(event, ctx), 200),
            lambda: w.p.owned_order(order_id, events.CUSTOMER),
        )
        for _ in range(n)
    ]


def workflow_starter(w: World, n: int) -> list[Pair]:
    handler, ctx, p = _handler("handlers.workflow_starter.handler"), Context(), w.p

    def pair() -> Pair:
        event = events.sqs(
            [json.dumps(events.bridge("orderflow.orders", "OrderPlaced", {"orderId": w.placed()}))]
        )
        direct = c.StartOrderWorkflow(w.placed())
        return (
            lambda: _expect_batch(handler(event, ctx)),
            lambda: p.start_workflow(direct),
        )

    return [pair() for _ in range(n)]


def upstream_events(w: World, n: int) -> list[Pair]:
    handler, ctx, p = _handler("handlers.upstream_events.handler"), Context(), w.p

    def pair() -> Pair:
        mine, theirs = w.shipping(), w.shipping()
        event = events.bridge(
            "simship.carrier",
            "ShipmentDelivered",
            {"orderId": mine, "trackingNumber": w.tracking(mine), "eventId": str(uuid.uuid4())},
        )
        cmd = c.RecordCarrierUpdate(theirs, w.tracking(theirs), c.CarrierUpdateKind.DELIVERED)
        return (
            lambda: _expect_status(handler(event, ctx), "recorded"),
            lambda: p.record_carrier_update(cmd),
        )

    return [pair() for _ in range(n)]


def outbox_relay(w: World, n: int) -> list[Pair]:
    handler, ctx, p = _handler("handlers.outbox_relay.handler"), Context(), w.p
    source = InMemoryOrderRepository()
    in_memory(orders=source, clock=p.clock).place_order(
        c.PlaceOrder(
            events.CUSTOMER, "relay", (c.ItemRequest("BOOK-001", 1),), ADDRESS, "tok_visa_4242"
        )
    )
    event = source.outbox[0]
    record = events.stream([event])
    return [
        (
            lambda: _expect_batch(handler(record, ctx)),
            lambda: p.relay_events([event]),
        )
        for _ in range(n)
    ]


WAITING_TASKS = ("request_shipment", "capture_payment")
"""Tasks that wait for the carrier on the workflow's token (``waitForTaskToken``)."""


def _task(
    name: str, state: Callable[[World], str], direct: Callable[[str, App], Any]
) -> Callable[[World, int], list[Pair]]:
    def case(w: World, n: int) -> list[Pair]:
        handler, ctx = _handler(f"handlers.tasks.{name}.handler"), Context()

        def pair() -> Pair:
            mine, theirs = state(w), state(w)
            event: dict[str, Any] = {"orderId": mine}
            if name in WAITING_TASKS:
                event["taskToken"] = f"token-{mine}"
            return (lambda: handler(event, ctx), lambda: direct(theirs, w.p))

        return [pair() for _ in range(n)]

    return case


def control(w: World, n: int) -> list[Pair]:
    """The same fixed work (~1 ms) on both sides: its "overhead" is the measurement's noise."""

    def work() -> int:
        return sum(range(20_000))

    return [(work, work) for _ in range(n)]


CASES: dict[str, Callable[[World, int], list[Pair]]] = {
    "control (same work both sides)": control,
    "api POST /orders": api_post_order,
    "api GET /orders/{id}": api_get_order,
    "workflow_starter": workflow_starter,
    "upstream_events": upstream_events,
    "outbox_relay": outbox_relay,
    "task authorize_payment": _task(
        "authorize_payment",
        World.placed,
        lambda o, p: p.authorize_payment(c.AuthorizePayment(o)),
    ),
    "task request_shipment": _task(
        "request_shipment",
        World.authorized,
        lambda o, p: p.request_shipment(c.RequestShipment(o, f"token-{o}")),
    ),
    "task capture_payment": _task(
        "capture_payment",
        World.dispatched,
        lambda o, p: p.capture_payment(c.CapturePayment(o, f"token-{o}")),
    ),
    "task complete_order": _task(
        "complete_order",
        World.delivered,
        lambda o, p: p.complete_order(c.CompleteOrder(o)),
    ),
}


class UnexpectedAnswer(RuntimeError):
    """The handler did not do the work (a bench bug, or a broken handler): no timing of it."""


def _expect(response: dict[str, Any], status: int) -> None:
    if response.get("statusCode") != status:
        raise UnexpectedAnswer(
            f"expected {status}, got {response.get('statusCode')}: "
            f"{str(response.get('body'))[:200]}"
        )


def _expect_batch(response: dict[str, Any]) -> None:
    if response.get("batchItemFailures"):
        raise UnexpectedAnswer(f"batch item failures: {response['batchItemFailures']}")


def _expect_status(response: dict[str, Any], status: str) -> None:
    if response.get("status") != status:
        raise UnexpectedAnswer(f"expected {status}, got {response}")
