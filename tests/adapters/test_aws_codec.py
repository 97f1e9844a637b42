"""The edge encodings: camelCase, ISO 8601 UTC, money as strings, every event type."""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from adapters.aws.codec import (
    event_from_detail,
    event_from_outbox_image,
    event_to_detail,
    event_to_entry,
    event_to_outbox_item,
    is_outbox_image,
    iso,
    order_from_item,
    order_to_item,
    parse_iso,
    to_attribute_values,
)
from domain import events as ev
from domain.money import Money
from domain.values import Dispute

AT = datetime(2026, 3, 4, 5, 6, 7, 890123, tzinfo=UTC)
EUR = Money.of("12.50", "EUR")
SAMPLE_FIELDS: dict[str, Any] = {
    "customer_id": "c-1",
    "lines": (ev.PlacedLine(sku="SKU-1", quantity=2, unit_price=EUR),),
    "total": Money.of("25.00", "EUR"),
    "amount": EUR,
    "provider_reference": "auth_abc",
    "reason": "card_declined ✓",
    "carrier": "SimShip",
    "tracking_number": "TRK123",
    "refund_id": "r-1",
    "total_refunded": EUR,
    "dispute_id": "dp_1",
    "status": "needs_response",
}


def one_of_each() -> list[ev.DomainEvent]:
    samples = []
    for version, cls in enumerate(ev.EVENT_TYPES.values(), start=1):
        extra = {f.name: SAMPLE_FIELDS[f.name] for f in fields(cls) if f.name in SAMPLE_FIELDS}
        samples.append(cls(order_id="o-1", version=version, occurred_at=AT, **extra))
    return samples


@pytest.mark.parametrize("event", one_of_each(), ids=lambda e: e.name)
def test_every_event_round_trips_through_json_detail(event: ev.DomainEvent) -> None:
    detail = json.loads(json.dumps(event_to_detail(event)))
    assert event_from_detail(event.name, detail) == event


@pytest.mark.parametrize("event", one_of_each(), ids=lambda e: e.name)
def test_every_event_round_trips_through_an_outbox_stream_image(event: ev.DomainEvent) -> None:
    image = to_attribute_values(event_to_outbox_item(event, expires_at=1_800_000_000))
    assert is_outbox_image(image)
    assert event_from_outbox_image(image) == event


def test_detail_is_camel_case_with_envelope_and_money_as_strings() -> None:
    placed = one_of_each()[0]
    assert isinstance(placed, ev.OrderPlaced)
    assert event_to_detail(placed) == {
        "orderId": "o-1",
        "version": 1,
        "occurredAt": "2026-03-04T05:06:07.890123Z",
        "eventId": "o-1:1",
        "customerId": "c-1",
        "lines": [
            {"sku": "SKU-1", "quantity": 2, "unitPrice": {"amount": "12.50", "currency": "EUR"}}
        ],
        "total": {"amount": "25.00", "currency": "EUR"},
    }


def test_eventbridge_entry() -> None:
    refund = next(e for e in one_of_each() if isinstance(e, ev.RefundIssued))
    entry = event_to_entry(refund, bus_name="bus", source="orderflow.orders", trace_header=None)
    assert entry["Source"] == "orderflow.orders"
    assert entry["DetailType"] == "RefundIssued"
    assert entry["EventBusName"] == "bus"
    assert entry["Resources"] == []
    assert "TraceHeader" not in entry
    detail = json.loads(entry["Detail"], parse_float=lambda _: pytest.fail("a float"))
    assert detail["totalRefunded"] == {"amount": "12.50", "currency": "EUR"}
    assert detail["eventId"] == refund.event_id
    assert (
        event_to_entry(refund, bus_name="b", source="s", trace_header="Root=1-x")["TraceHeader"]
        == "Root=1-x"
    )


def test_outbox_item_layout() -> None:
    event = one_of_each()[2]
    item = event_to_outbox_item(event, expires_at=1_800_000_000)
    assert item["PK"] == "ORDER#o-1"
    assert item["SK"] == "EVENT#0000000003"
    assert item["eventType"] == event.name
    assert item["eventId"] == "o-1:3"
    assert item["occurredAt"] == "2026-03-04T05:06:07.890123Z"
    assert item["expiration"] == 1_800_000_000
    assert item["detail"]["orderId"] == "o-1"


def test_an_order_image_is_not_an_outbox_image(samples: Any) -> None:
    image = to_attribute_values(order_to_item(samples.new_order()))
    assert not is_outbox_image(image)
    with pytest.raises(ValueError):
        event_from_outbox_image(image)


@pytest.mark.parametrize(
    ("event_type", "detail"),
    [
        ("NoSuchEvent", {}),
        ("PaymentFailed", {"orderId": "o", "version": 1, "occurredAt": "2026-01-01T00:00:00Z"}),
        (
            "PaymentFailed",
            {"orderId": "o", "version": 1.5, "occurredAt": "2026-01-01T00:00:00Z", "reason": "x"},
        ),
        (
            "PaymentFailed",
            {"orderId": "o", "version": 1, "occurredAt": "2026-01-01T00:00:00", "reason": "x"},
        ),
        (
            "PaymentCaptured",
            {
                "orderId": "o",
                "version": 1,
                "occurredAt": "2026-01-01T00:00:00Z",
                "amount": {"amount": 12.5, "currency": "EUR"},
            },
        ),
    ],
    ids=["unknown type", "missing field", "float version", "naive time", "float money"],
)
def test_bad_details_are_refused(event_type: str, detail: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        event_from_detail(event_type, detail)


def test_timestamps_are_utc_fixed_width_and_refuse_naive_times() -> None:
    paris = timezone(timedelta(hours=1))
    assert iso(datetime(2026, 1, 1, 13, 0, tzinfo=paris)) == "2026-01-01T12:00:00.000000Z"
    assert parse_iso("2026-01-01T12:00:00.000000Z") == datetime(2026, 1, 1, 12, tzinfo=UTC)
    with pytest.raises(ValueError):
        iso(datetime(2026, 1, 1))


def test_order_item_is_readable_maps_with_money_as_strings(samples: Any) -> None:
    order = samples.new_order()
    item = order_to_item(order)
    assert item["PK"] == "ORDER#o-1"
    assert item["SK"] == "ORDER"
    assert item["GSI1PK"] == "CUSTOMER#c-1"
    assert item["GSI1SK"] == "2026-01-01T12:00:00.000000Z#o-1"
    assert item["lines"][0] == {
        "sku": "SKU-1",
        "quantity": 2,
        "unitPrice": {"amount": "12.50", "currency": "EUR"},
    }
    assert item["payment"]["amount"] == {"amount": "28.10", "currency": "EUR"}
    assert item["shippingAddress"]["postalCode"] == "75002"
    assert "shipment" not in item
    attributes = to_attribute_values(item)
    assert attributes["version"] == {"N": "1"}
    assert attributes["payment"]["M"]["amount"]["M"]["amount"] == {"S": "28.10"}
    assert not any(isinstance(v, float | Decimal) for v in item.values())


def test_an_orders_dispute_round_trips_through_its_item(samples: Any) -> None:
    order = samples.new_order()
    order.dispute = Dispute("dp_1", "needs_response", "fraudulent", EUR, AT)

    item = order_to_item(order)

    assert item["dispute"] == {
        "disputeId": "dp_1",
        "status": "needs_response",
        "reason": "fraudulent",
        "amount": {"amount": "12.50", "currency": "EUR"},
        "updatedAt": iso(AT),
    }
    assert order_from_item(item).dispute == order.dispute
    assert "dispute" not in order_to_item(samples.new_order())
