"""Carrier events from EventBridge: recorded once, refused without retries when unusable,
raised when transient."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest

from domain.commands import CarrierUpdateKind
from domain.errors import ConcurrencyConflict
from domain.order import Order
from domain.status import OrderStatus
from handlers import upstream_events
from tests.domain.support import World
from tests.handlers.fakes import FakeLambdaContext

Load = Callable[[str], dict[str, Any]]
Metrics = Callable[[], dict[str, float]]


@pytest.fixture
def carrier_event(load_event: Load) -> Callable[..., dict[str, Any]]:
    def make(order: Order, detail_type: str = "ShipmentDelivered", **detail: Any) -> dict[str, Any]:
        event = load_event("eventbridge_shipment_delivered.json")
        assert order.shipment is not None
        event["detail-type"] = detail_type
        event["detail"].update(
            {"orderId": order.order_id, "trackingNumber": order.shipment.tracking_number, **detail}
        )
        return event

    return make


def run(event: dict[str, Any]) -> dict[str, Any]:
    return upstream_events.handler(event, FakeLambdaContext())


def test_the_committed_sample_shape_is_recorded(world: World, carrier_event: Any) -> None:
    order = world.order_in(OrderStatus.SHIPPED)

    result = run(carrier_event(order))

    assert result == {"status": "recorded", "orderStatus": "DELIVERED"}
    assert world.get(order.order_id).status is OrderStatus.DELIVERED
    assert world.workflow.signals[-1][0] == "resume"


def test_duplicate_events_change_the_order_once(world: World, carrier_event: Any) -> None:
    order = world.order_in(OrderStatus.SHIPMENT_REQUESTED)

    for _ in range(3):
        run(carrier_event(order, "ShipmentDispatched"))

    assert world.events_of(order.order_id).count("ShipmentDispatched") == 1
    assert world.get(order.order_id).status is OrderStatus.SHIPPED


def test_delivered_before_dispatched_is_harmless(world: World, carrier_event: Any) -> None:
    order = world.order_in(OrderStatus.SHIPMENT_REQUESTED)

    run(carrier_event(order, "ShipmentDelivered"))
    late = run(carrier_event(order, "ShipmentDispatched"))

    assert late == {"status": "recorded", "orderStatus": "DELIVERED"}
    assert world.get(order.order_id).status is OrderStatus.DELIVERED
    assert "ShipmentDispatched" not in world.events_of(order.order_id)


def test_a_failed_delivery_fails_the_waiting_step(world: World, carrier_event: Any) -> None:
    order = world.order_in(OrderStatus.SHIPPED)

    run(carrier_event(order, "ShipmentDeliveryFailed", reason="nobody home"))

    assert world.events_of(order.order_id)[-1] == "DeliveryFailed"
    assert world.workflow.signals[-1][:1] == ("fail",)


@pytest.mark.parametrize(
    "change",
    [
        {"detail-type": "ShipmentLost"},
        {"source": "evil.forger"},
        {"detail": {"trackingNumber": "TRK1"}},
        {"detail": {"orderId": "o-1", "trackingNumber": "trk lower case", "eventId": "e"}},
        {"detail": "not an object"},
        {"detail-type": None},
    ],
    ids=[
        "unknown detail-type",
        "forged source",
        "no order id",
        "bad tracking number",
        "detail not an object",
        "no detail-type",
    ],
)
def test_unusable_events_are_dropped_and_counted(
    world: World,
    load_event: Load,
    emitted_metrics: Metrics,
    logs: io.StringIO,
    change: dict[str, Any],
) -> None:
    event = {**load_event("eventbridge_shipment_delivered.json"), **change}

    assert run(event) == {"status": "rejected"}
    assert emitted_metrics()["UpstreamEventsRejected"] == 1
    assert '"level":"WARNING"' in logs.getvalue()


def test_an_unknown_parcel_or_order_is_dropped_and_counted(
    world: World, carrier_event: Any, load_event: Load, emitted_metrics: Metrics
) -> None:
    order = world.order_in(OrderStatus.SHIPPED)

    wrong_parcel = run(carrier_event(order, trackingNumber="TRKSOMEONEELSE"))
    no_order = run(load_event("eventbridge_shipment_delivered.json"))

    assert wrong_parcel == no_order == {"status": "rejected"}
    assert emitted_metrics()["UpstreamEventsRejected"] == 2
    assert world.get(order.order_id).status is OrderStatus.SHIPPED


def test_rejections_log_no_event_content(world: World, load_event: Load, logs: io.StringIO) -> None:
    event = load_event("eventbridge_shipment_delivered.json")
    event["detail"].update(reason="Ring Mrs Zyxwa at 77 Hidden Lane", trackingNumber="bad")

    run(event)

    assert "Zyxwa" not in logs.getvalue() and "Hidden Lane" not in logs.getvalue()


def test_a_transient_error_raises_so_the_event_is_retried(
    world: World, carrier_event: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    order = world.order_in(OrderStatus.SHIPPED)

    def lost_race(*_: Any, **__: Any) -> None:
        raise ConcurrencyConflict(order.order_id)

    monkeypatch.setattr(world.app, "record_carrier_update", lost_race)

    with pytest.raises(ConcurrencyConflict):
        run(carrier_event(order))


def test_aws_failures_raise_too(
    world: World, carrier_event: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    order = world.order_in(OrderStatus.SHIPPED)
    monkeypatch.setattr(world.workflow, "resume", _unavailable)

    with pytest.raises(RuntimeError):
        run(carrier_event(order))
    # the delivery is recorded; the repeat (the retry) signals the workflow again
    monkeypatch.undo()
    assert run(carrier_event(order))["orderStatus"] == "DELIVERED"
    assert world.workflow.signals[-1][0] == "resume"


def _unavailable(*_: Any) -> None:
    raise RuntimeError("ServiceUnavailable")


def test_every_accepted_detail_type_maps_to_a_carrier_update() -> None:
    from handlers.carrier_events import KINDS

    assert set(KINDS.values()) == set(CarrierUpdateKind)
