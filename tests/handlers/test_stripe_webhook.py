"""Stripe's signed webhooks: a good signature puts the event on the bus once, as it came; a
bad, altered, stale or missing one is a 400 and nothing is put on the bus. The signature is
checked by the SDK (``stripe.Webhook.construct_event``) against a header made as Stripe
makes it (tests/support/stripe_signing.py)."""

from __future__ import annotations

import base64
import io
import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from adapters.memory.recorders import RecordingForwarder
from adapters.stripe_webhooks import StripeWebhookVerifier
from handlers import event_catalog, stripe_webhook
from handlers.stripe_events import SOURCE
from tests.domain.support import World
from tests.handlers.fakes import FakeLambdaContext
from tests.support.stripe_signing import SECRET, signature

Metrics = Callable[[], dict[str, float]]
BODY = json.dumps(event_catalog.stripe_detail("charge.refunded"), separators=(",", ":"))


@pytest.fixture
def bus(world: World) -> Iterator[RecordingForwarder]:
    forwarder = RecordingForwarder()
    world.app.__dict__.update(forwarder=forwarder, stripe_webhooks=StripeWebhookVerifier(SECRET))
    yield forwarder


def post(body: str, headers: dict[str, str], **event: Any) -> dict[str, Any]:
    request = {
        "resource": "/webhooks/stripe",
        "path": "/webhooks/stripe",
        "httpMethod": "POST",
        "headers": headers,
        "body": body,
        "isBase64Encoded": False,
        "requestContext": {"requestId": "req-1"},
        **event,
    }
    return stripe_webhook.handler(request, FakeLambdaContext())


def test_a_good_signature_puts_the_event_on_the_bus_once(
    bus: RecordingForwarder, emitted_metrics: Metrics
) -> None:
    answer = post(BODY, {"Stripe-Signature": signature(BODY)})

    assert answer["statusCode"] == 200 and json.loads(answer["body"]) == {"received": True}
    assert bus.entries == [(SOURCE, "charge.refunded", BODY)]  # the bytes Stripe signed
    assert emitted_metrics()["StripeWebhooksForwarded"] == 1


def test_the_header_name_is_case_insensitive_and_base64_bodies_are_read(
    bus: RecordingForwarder,
) -> None:
    encoded = base64.b64encode(BODY.encode()).decode()

    answer = post(encoded, {"stripe-signature": signature(BODY)}, isBase64Encoded=True)

    assert answer["statusCode"] == 200
    assert bus.entries == [(SOURCE, "charge.refunded", BODY)]


@pytest.mark.parametrize(
    "make_headers, body",
    [
        (lambda: {"Stripe-Signature": signature(BODY, secret="whsec_someone_else")}, BODY),
        (lambda: {"Stripe-Signature": signature(BODY, at=time.time() - 301)}, BODY),
        (lambda: {"Stripe-Signature": signature(BODY)}, BODY.replace("1000", "9000")),
        (lambda: {"Stripe-Signature": "t=1,v1=deadbeef"}, BODY),
        (lambda: {"Stripe-Signature": "garbage"}, BODY),
        (lambda: {}, BODY),
        (lambda: {"Stripe-Signature": signature("not json")}, "not json"),
    ],
    ids=[
        "another secret",
        "stale",
        "body altered",
        "forged",
        "unreadable",
        "missing",
        "signed but not json",
    ],
)
def test_a_bad_signature_is_a_400_and_nothing_else_happens(
    bus: RecordingForwarder,
    emitted_metrics: Metrics,
    logs: io.StringIO,
    make_headers: Callable[[], dict[str, str]],
    body: str,
) -> None:
    answer = post(body, make_headers())

    assert answer["statusCode"] == 400
    assert json.loads(answer["body"])["error"] == "INVALID_SIGNATURE"
    assert bus.entries == []
    assert emitted_metrics()["StripeWebhooksRefused"] == 1
    assert "ch_3Qz" not in logs.getvalue()  # nothing of the body in the logs


def test_a_refused_put_is_an_error_so_stripe_delivers_again(
    world: World, bus: RecordingForwarder, monkeypatch: pytest.MonkeyPatch
) -> None:
    from adapters.aws.forwarder import ForwardFailed

    def refused(*_: Any) -> str:
        raise ForwardFailed("ThrottlingException")

    monkeypatch.setattr(bus, "put", refused)

    with pytest.raises(ForwardFailed):
        post(BODY, {"Stripe-Signature": signature(BODY)})


def test_the_forwarder_raises_on_a_failed_entry_inside_a_200() -> None:
    from adapters.aws.forwarder import EventBridgeForwarder, ForwardFailed

    class Client:
        def __init__(self, answer: dict[str, Any]) -> None:
            self.answer, self.calls = answer, []  # type: list[dict[str, Any]]

        def put_events(self, **request: Any) -> dict[str, Any]:
            self.calls.append(request)
            return self.answer

    failing = Client({"FailedEntryCount": 1, "Entries": [{"ErrorCode": "InternalFailure"}]})
    with pytest.raises(ForwardFailed, match="InternalFailure"):
        EventBridgeForwarder("bus", failing).put(SOURCE, "charge.refunded", BODY)
    fine = Client({"FailedEntryCount": 0, "Entries": [{"EventId": "e-1"}]})
    assert EventBridgeForwarder("bus", fine).put(SOURCE, "charge.refunded", BODY) == "e-1"
    assert fine.calls == [
        {
            "Entries": [
                {
                    "EventBusName": "bus",
                    "Source": SOURCE,
                    "DetailType": "charge.refunded",
                    "Detail": BODY,
                }
            ]
        }
    ]
