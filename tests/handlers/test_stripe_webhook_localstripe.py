"""Signed webhooks from a Stripe-compatible server (localstripe), over real HTTP through the local
API Gateway into the webhook function, then on to the Stripe event consumer.

localstripe signs as Stripe does (``t=<created>,v1=<HMAC-SHA256>``) for the events it knows;
it sends none of the four we act on (it has no refunds' or disputes' events and never lets a
hold lapse), so this checks the signature and the way in end to end, with ``customer.created``,
which the consumer ignores and counts. The four types' handling is tested from their contract
examples (test_stripe_consumer.py, test_contracts.py).
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from adapters.memory.recorders import RecordingForwarder
from adapters.stripe_webhooks import StripeWebhookVerifier
from handlers import stripe_consumer, stripe_webhook
from infra.local import tokens
from infra.local.gateway import create_app
from infra.local.routes import Route
from infra.local.serving import ServerThread
from tests.domain.support import World
from tests.handlers.fakes import FakeLambdaContext
from tests.support.localstripe import API_KEY, localstripe_url  # noqa: F401  # the fixture
from tests.support.stripe_signing import SECRET

pytestmark = pytest.mark.enable_socket  # localstripe and the gateway, on 127.0.0.1
ROUTE = Route("POST", "/webhooks/stripe", "StripeWebhookFunction", authorized=False)
WAIT_SECONDS = 15.0


class Webhook:
    """The local gateway serving the webhook function on a free loopback port."""

    def __init__(self) -> None:
        self.answers: list[int] = []
        self._lock = threading.Lock()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        self.server = ServerThread(
            create_app([ROUTE], self._invoke, tokens.verify, stage="local"), sock, "webhook"
        )
        self.url = f"http://127.0.0.1:{self.server.port}/local/webhooks/stripe"

    def _invoke(self, function: str, event: dict[str, Any]) -> dict[str, Any]:
        assert function == "StripeWebhookFunction"
        answer = stripe_webhook.handler(event, FakeLambdaContext())
        with self._lock:
            self.answers.append(answer["statusCode"])
        return answer


@pytest.fixture
def webhook(world: World) -> Iterator[Webhook]:
    world.app.__dict__.update(
        forwarder=RecordingForwarder(), stripe_webhooks=StripeWebhookVerifier(SECRET)
    )
    served = Webhook()
    served.server.start()
    try:
        yield served
    finally:
        served.server.stop()


def register(base: str, name: str, url: str, secret: str) -> None:
    answer = httpx.post(
        f"{base}/_config/webhooks/{name}",
        json={"url": url, "secret": secret, "events": ["customer.created"]},
        timeout=5,
    )
    answer.raise_for_status()


def test_localstripes_signed_webhooks_are_checked_and_put_on_the_bus(
    world: World,
    webhook: Webhook,
    localstripe_url: str,  # noqa: F811
) -> None:
    register(localstripe_url, "orderflow-good", webhook.url, SECRET)
    register(localstripe_url, "orderflow-forged", webhook.url, "whsec_not_ours_at_all")
    try:
        created = httpx.post(
            f"{localstripe_url}/v1/customers", auth=(API_KEY, ""), data={}, timeout=5
        )
        created.raise_for_status()
        deadline = time.monotonic() + WAIT_SECONDS
        while len(webhook.answers) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:  # the store is shared by the session's tests: leave no webhook behind
        for name in ("orderflow-good", "orderflow-forged"):
            register(localstripe_url, name, "http://127.0.0.1:9/unused", SECRET)

    assert sorted(webhook.answers) == [200, 400]
    forwarder = world.app.forwarder
    assert isinstance(forwarder, RecordingForwarder)
    [(source, detail_type, detail)] = forwarder.entries
    assert (source, detail_type) == ("orderflow.stripe-webhook", "customer.created")
    stripe_event = json.loads(detail)
    assert stripe_event["data"]["object"]["id"] == created.json()["id"]
    on_the_bus = {
        "version": "0",
        "id": "e-1",
        "detail-type": detail_type,
        "source": source,
        "account": "123456789012",
        "time": "2026-01-01T12:00:00Z",
        "region": "us-east-1",
        "resources": [],
        "detail": stripe_event,
    }
    assert stripe_consumer.handler(on_the_bus, FakeLambdaContext()) == {"status": "ignored"}
