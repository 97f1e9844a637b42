"""The committed contracts (docs/openapi.json, docs/events/) match the code, and every event
the system really emits or accepts matches its schema."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from adapters.aws.codec import event_to_detail
from domain.events import EVENT_TYPES
from handlers import api_openapi, event_catalog
from handlers.carrier_events import CarrierEvent
from handlers.event_contracts import CONTRACTS, SOURCE, Contract
from handlers.stripe_events import MODELS as STRIPE_MODELS
from handlers.stripe_events import SOURCE as STRIPE_SOURCE
from handlers.stripe_events import to_command
from handlers.workflow_starter import OrderPlacedEnvelope

DOCS = Path(__file__).resolve().parents[2] / "docs"
REGENERATE = "stale: run `python -m handlers.event_contracts` and commit docs/events/"


def test_openapi_document_is_current_and_valid() -> None:
    committed = (DOCS / "openapi.json").read_text(encoding="utf-8")

    assert committed == api_openapi.render(), (
        "docs/openapi.json is stale: run `python -m handlers.api_openapi` and commit it"
    )
    validate(json.loads(committed))


def test_openapi_documents_our_error_shape_not_powertools_defaults() -> None:
    document = json.loads(api_openapi.render())
    post = document["paths"]["/orders"]["post"]

    assert "HTTPValidationError" not in json.dumps(document)
    assert post["responses"]["422"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorOut"
    }
    assert document["components"]["schemas"]["PlaceOrderIn"]["additionalProperties"] is False
    assert any(p["name"].lower() == "idempotency-key" and p["required"] for p in post["parameters"])


def test_event_catalog_files_are_current() -> None:
    rendered = event_catalog.render()
    committed = {p.name for p in (DOCS / "events").iterdir()}

    assert committed == set(rendered), REGENERATE
    for name, content in rendered.items():
        committed_text = (DOCS / "events" / name).read_text(encoding="utf-8")
        assert committed_text == content, f"{name} {REGENERATE}"


def test_every_domain_event_has_a_contract_and_every_carrier_type_too() -> None:
    emitted = {c.detail_type for c in CONTRACTS if c.direction == "emitted"}
    accepted = {c.detail_type for c in CONTRACTS if c.direction == "accepted"}

    assert emitted == set(EVENT_TYPES)
    assert accepted == {
        "ShipmentDispatched",
        "ShipmentDelivered",
        "ShipmentDeliveryFailed",
        *STRIPE_MODELS,
    }


def _schema(contract: Contract) -> Draft202012Validator:
    stem = f"{contract.slug}.v{contract.version}"
    schema = json.loads((DOCS / "events" / f"{stem}.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda c: c.slug)
def test_each_example_validates_against_its_schema(contract: Contract) -> None:
    stem = f"{contract.slug}.v{contract.version}"
    example = json.loads((DOCS / "events" / f"{stem}.example.json").read_text(encoding="utf-8"))

    assert list(_schema(contract).iter_errors(example)) == []
    contract.model.model_validate(example)


@pytest.mark.parametrize("name", sorted(EVENT_TYPES))
def test_what_the_codec_emits_matches_the_contract(name: str) -> None:
    """The producer side: a field added to a domain event without a contract change fails."""
    (contract,) = [c for c in CONTRACTS if c.direction == "emitted" and c.detail_type == name]
    envelope = {
        **event_catalog.example(contract),
        "detail": event_to_detail(event_catalog.sample_event(name)),
    }

    assert list(_schema(contract).iter_errors(envelope)) == []


def test_schemas_reject_a_bad_detail() -> None:
    (placed,) = [c for c in CONTRACTS if c.detail_type == "OrderPlaced"]
    example = event_catalog.example(placed)
    example["detail"]["total"] = {"amount": 44.99, "currency": "EUR"}  # a float: never
    example["detail"]["surprise"] = True

    assert len(list(_schema(placed).iter_errors(example))) == 2


def test_consumers_accept_the_examples() -> None:
    """Our own consumers read what the catalog promises: the workflow starter reads OrderPlaced,
    the carrier handler reads the carrier's events."""
    for contract in CONTRACTS:
        example = event_catalog.example(contract)
        if contract.detail_type == "OrderPlaced":
            assert OrderPlacedEnvelope.model_validate(example).detail.order_id
        if contract.direction == "accepted" and contract.source == "simship.carrier":
            assert CarrierEvent.model_validate(example).source == "simship.carrier"
    assert SOURCE == "orderflow.orders"


@pytest.mark.parametrize(
    "name, pick",
    [
        ("sqs_order_placed.json", lambda e: json.loads(e["Records"][0]["body"])),
        ("eventbridge_shipment_delivered.json", lambda e: e),
    ],
)
def test_the_committed_sample_events_match_the_contracts(
    load_event: Callable[[str], dict[str, Any]],
    name: str,
    pick: Callable[[dict[str, Any]], dict[str, Any]],
) -> None:
    event = pick(load_event(name))
    (contract,) = [
        c for c in CONTRACTS if (c.source, c.detail_type) == (event["source"], event["detail-type"])
    ]

    assert list(_schema(contract).iter_errors(event)) == []


STRIPE_CONTRACTS = [c for c in CONTRACTS if c.source == STRIPE_SOURCE]


def test_every_stripe_event_type_handled_has_a_contract() -> None:
    assert sorted(c.detail_type for c in STRIPE_CONTRACTS) == sorted(STRIPE_MODELS)
    assert set(STRIPE_MODELS) == {
        "charge.refunded",
        "charge.dispute.created",
        "charge.dispute.closed",
        "payment_intent.canceled",
    }


@pytest.mark.parametrize("contract", STRIPE_CONTRACTS, ids=lambda c: c.detail_type)
def test_the_stripe_consumer_reads_news_from_each_example(contract: Contract) -> None:
    """The consumer side: what the catalog promises for a Stripe type is what the consumer
    turns into news for the order, from either source."""
    example = event_catalog.example(contract)
    partner = {**example, "source": "aws.partner/stripe.com/ed_test_61Rz4ZxYwVuTsRqP"}

    for event in (example, partner):
        assert list(_schema(contract).iter_errors(event)) == []
        command = to_command(STRIPE_MODELS[contract.detail_type].model_validate(event))
        assert command is not None
        assert command.event_id == example["detail"]["id"]
        assert command.payment_reference.startswith("pi_")


@pytest.mark.parametrize(
    "change",
    [
        {"source": "stripe.com"},  # not the partner source, not ours: forged
        {"detail": {"id": "evt_1", "object": "event", "type": "charge.refunded", "data": {}}},
    ],
    ids=["forged source", "no object"],
)
def test_stripe_schemas_refuse_what_the_consumer_refuses(change: dict[str, Any]) -> None:
    (refunded,) = [c for c in STRIPE_CONTRACTS if c.detail_type == "charge.refunded"]
    event = {**event_catalog.example(refunded), **change}

    assert list(_schema(refunded).iter_errors(event)) != []
