"""Renders ``docs/events/``: one JSON Schema and one example per contract, and the README catalog.

Examples of emitted events are produced by the real codec from sample domain events, so an
example is exactly what the relay would put on the bus.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from adapters.aws.codec import event_to_detail
from domain.events import EVENT_TYPES, DomainEvent, PlacedLine
from domain.money import Money
from handlers.event_contracts import CONTRACTS, Contract
from handlers.stripe_events import SOURCE as STRIPE_SOURCE

DOCS = Path(__file__).resolve().parent.parent / "docs" / "events"
ORDER_ID = "2f0a7c1e-9b3d-5e4f-8a6b-1c2d3e4f5a6b"
AT = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
_SAMPLES: dict[str, Any] = {
    "customer_id": "7d1c5a0e-4b8f-4e2a-9d3c-2f6e8a1b0c4d",
    "lines": (PlacedLine(sku="BOOK-001", quantity=2, unit_price=Money.of("12.50", "EUR")),),
    "total": Money.of("25.00", "EUR"),
    "amount": Money.of("25.00", "EUR"),
    "total_refunded": Money.of("25.00", "EUR"),
    "provider_reference": "auth_5d41402abc4b2a76",
    "carrier": "SimShip",
    "tracking_number": "TRK0123456789AB",
    "refund_id": "b9f3c2d1-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
    "reason": "customer changed their mind",
    "dispute_id": "dp_1QzYxWvUtSrQpOnM",
    "status": "needs_response",
}
_CARRIER_DETAILS: dict[str, dict[str, str]] = {
    "ShipmentDispatched": {},
    "ShipmentDelivered": {},
    "ShipmentDeliveryFailed": {"reason": "recipient not at home after 3 attempts"},
}


PAYMENT_INTENT = "pi_3QzYxWvUtSrQpOnM1a2b3c4d"
_STRIPE_METADATA = {"orderflow_key": f"{ORDER_ID}:authorize", "orderflow_order_id": ORDER_ID}
_DISPUTE = {
    "id": "dp_1QzYxWvUtSrQpOnM",
    "object": "dispute",
    "amount": 2500,
    "currency": "eur",
    "charge": "ch_3QzYxWvUtSrQpOnM1a2b3c4d",
    "payment_intent": PAYMENT_INTENT,
    "reason": "fraudulent",
    "status": "needs_response",
    "is_charge_refundable": False,
    "metadata": {},
}
_STRIPE_OBJECTS: dict[str, dict[str, Any]] = {
    "charge.refunded": {
        "id": "ch_3QzYxWvUtSrQpOnM1a2b3c4d",
        "object": "charge",
        "amount": 2500,
        "amount_captured": 2500,
        "amount_refunded": 1000,
        "currency": "eur",
        "payment_intent": PAYMENT_INTENT,
        "refunded": False,
        "status": "succeeded",
        "metadata": _STRIPE_METADATA,
    },
    "charge.dispute.created": _DISPUTE,
    "charge.dispute.closed": {**_DISPUTE, "status": "lost"},
    "payment_intent.canceled": {
        "id": PAYMENT_INTENT,
        "object": "payment_intent",
        "amount": 2500,
        "currency": "eur",
        "capture_method": "manual",
        "status": "canceled",
        "cancellation_reason": "automatic",
        "metadata": _STRIPE_METADATA,
    },
}


def stripe_detail(detail_type: str) -> dict[str, Any]:
    """Stripe's event as its webhook or event destination sends it (a snapshot event)."""
    return {
        "id": f"evt_1Qz{uuid.uuid5(uuid.NAMESPACE_URL, detail_type).hex[:20]}",
        "object": "event",
        "api_version": "2026-10-28.endive",
        "created": int(AT.timestamp()),
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": detail_type,
        "data": {"object": _STRIPE_OBJECTS[detail_type]},
    }


def sample_event(detail_type: str) -> DomainEvent:
    cls = EVENT_TYPES[detail_type]
    version = 1 if detail_type == "OrderPlaced" else 4
    extra = {
        f.name: _SAMPLES[f.name]
        for f in fields(cls)
        if f.name not in ("order_id", "version", "occurred_at")
    }
    return cls(order_id=ORDER_ID, version=version, occurred_at=AT, **extra)


def example(contract: Contract) -> dict[str, Any]:
    if contract.direction == "emitted":
        detail = event_to_detail(sample_event(contract.detail_type))
    elif contract.source == STRIPE_SOURCE:
        detail = stripe_detail(contract.detail_type)
    else:
        detail = {
            "orderId": ORDER_ID,
            "trackingNumber": _SAMPLES["tracking_number"],
            "eventId": f"simship-{contract.detail_type}-000123",
            **_CARRIER_DETAILS[contract.detail_type],
        }
    return {
        "version": "0",
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, contract.slug)),
        "detail-type": contract.detail_type,
        "source": contract.source,
        "account": "123456789012",
        "time": "2026-01-01T12:00:00Z",
        "region": "us-east-1",
        "resources": [],
        "detail": detail,
    }


def render() -> dict[str, str]:
    """File name -> content of everything in docs/events/."""
    files: dict[str, str] = {}
    for contract in CONTRACTS:
        stem = f"{contract.slug}.v{contract.version}"
        files[f"{stem}.schema.json"] = _json(contract.schema())
        files[f"{stem}.example.json"] = _json(example(contract))
    files["README.md"] = _readme()
    return files


def write_catalog(directory: Path = DOCS) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in render().items():
        (directory / name).write_text(content, encoding="utf-8")
        written.append(directory / name)
    return written


def _json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def _readme() -> str:
    rows = [
        f"| {c.direction} | `{c.source}` | `{c.detail_type}` | {c.version} "
        f"| [schema]({c.slug}.v{c.version}.schema.json) "
        f"| [example]({c.slug}.v{c.version}.example.json) |"
        for c in CONTRACTS
    ]
    return _README + "\n".join(rows) + "\n"


_README = """\
# Event catalog

Generated by `python -m handlers.event_contracts` from the pydantic models in
`handlers/event_contracts.py`, `handlers/carrier_events.py` and `handlers/stripe_events.py`;
do not edit by hand
(a test fails when these files are stale or an example does not match its schema).

- **Emitted** events go on the application bus with source `orderflow.orders`, one per state
  change of an order, relayed from the outbox at least once: deduplicate on `detail.eventId`
  (`orderId:version`). They are published in version order per order, but EventBridge may
  deliver them out of order: `detail.version` (the order's version, not the schema's) tells
  which is newer.
- **Accepted** events are what the carrier and Stripe send; unknown detail fields are ignored,
  an event that does not match is dropped and counted (`UpstreamEventsRejected`).
- **Stripe's** events arrive two ways with one shape: from our webhook endpoint
  (`POST /webhooks/stripe`, signature checked, put on the application bus with source
  `orderflow.stripe-webhook`) and from Stripe's EventBridge event destination (source
  `aws.partner/stripe.com/<destination id>`, on the partner event bus). The detail-type is
  Stripe's event type, the detail is Stripe's event; the schemas below cover the fields we
  read (`detail.id`, Stripe's event id, deduplicates). Types not listed are ignored and
  counted (`StripeEventsIgnored`). See docs/providers.md, "Stripe events".
- Schemas are JSON Schema 2020-12 of the whole EventBridge event. A breaking change gets a new
  schema version.

| Direction | Source | Detail-type | Version | Schema | Example |
|---|---|---|---|---|---|
"""
