"""The Stripe adapter through the real SDK over loopback: against localstripe (a stateful fake
Stripe), and against a canned server for the answers localstripe never gives (insufficient
funds, rate limits, 5xx, slow answers, the search query)."""

from __future__ import annotations

import contextlib
import json
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import stripe

from adapters.stripe_payments import API_VERSION, StripePaymentGateway, minor_units
from domain.errors import PaymentCaptureFailed, PaymentDeclined, PaymentProviderUnavailable
from domain.money import Money
from domain.order_payment import AUTHORIZATION_LIFETIME
from domain.status import PaymentStatus
from tests.e2e.targets import free_port
from tests.support.localstripe import API_KEY, localstripe_url  # noqa: F401  # the fixture

APPROVED = "pm_card_visa"
DECLINED = "pm_card_chargeCustomerFail"
"""localstripe declines charges on card 4000000000000341 only; its pm_card_visa_chargeDeclined
(4000000000000002) is declined when attached to a customer, but charged when confirmed."""


@pytest.fixture
def gateway(localstripe_url: str) -> StripePaymentGateway:  # noqa: F811
    return StripePaymentGateway(API_KEY, api_base=localstripe_url, search_api=False)


@pytest.fixture
def raw(localstripe_url: str) -> stripe.StripeClient:  # noqa: F811
    """The SDK itself, to look at what the adapter left at the provider."""
    return stripe.StripeClient(API_KEY, base_addresses={"api": localstripe_url})


def order() -> str:
    return uuid.uuid4().hex  # one localstripe serves the session: keys never meet


def eur(amount: str) -> Money:
    return Money.of(amount, "EUR")


def intents_with(raw: stripe.StripeClient, key: str) -> list[stripe.PaymentIntent]:
    listed = raw.v1.payment_intents.list({"limit": 100}).auto_paging_iter()
    return [i for i in listed if i.metadata.to_dict().get("orderflow_key") == key]


# ----- authorize -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("amount", "currency", "units"),
    [("19.99", "EUR", 1999), ("0.50", "USD", 50), ("500", "JPY", 500), ("1.25", "KWD", 1250)],
)
def test_authorize_holds_the_exact_amount(
    gateway: StripePaymentGateway, raw: stripe.StripeClient, amount: str, currency: str, units: int
) -> None:
    order_id = order()
    key = f"{order_id}:authorize"
    reference = gateway.authorize(key, Money.of(amount, currency), APPROVED)
    assert reference.startswith("pi_")
    intent = raw.v1.payment_intents.retrieve(reference)
    assert intent.status == "requires_capture"
    assert (intent.amount, intent.currency) == (units, currency.lower())
    assert intent.capture_method == "manual"
    assert intent.metadata.to_dict() == {"orderflow_key": key, "orderflow_order_id": order_id}


def test_order_of_names_the_order_an_intent_pays_for(gateway: StripePaymentGateway) -> None:
    """How Stripe's events that carry no metadata of ours (disputes) find their order."""
    order_id = order()
    reference = gateway.authorize(f"{order_id}:authorize", Money.of("5.00", "EUR"), APPROVED)

    assert gateway.order_of(reference) == order_id
    assert gateway.order_of("pi_neverissued000000") is None


def test_minor_units_refuse_what_the_currency_cannot_hold() -> None:
    assert minor_units(Money.of("1999", "JPY")) == 1999
    assert minor_units(Money.of("0.01", "GBP")) == 1
    with pytest.raises(ValueError, match="minor units"):
        minor_units(Money.of("19.99", "JPY"))


def test_the_same_key_authorizes_once(
    gateway: StripePaymentGateway, raw: stripe.StripeClient
) -> None:
    key = f"{order()}:authorize"
    first = gateway.authorize(key, eur("19.99"), APPROVED)
    assert gateway.authorize(key, eur("19.99"), APPROVED) == first
    assert [i.id for i in intents_with(raw, key)] == [first]


def test_a_declined_card_is_declined_and_holds_nothing(
    gateway: StripePaymentGateway, raw: stripe.StripeClient
) -> None:
    key = f"{order()}:authorize"
    with pytest.raises(PaymentDeclined) as declined:
        gateway.authorize(key, eur("10.00"), DECLINED)
    assert declined.value.reason == "card_declined"
    assert gateway.find_authorization(key) is None
    with pytest.raises(PaymentDeclined, match="card_declined"):  # told again, not tried again
        gateway.authorize(key, eur("10.00"), DECLINED)
    [intent] = intents_with(raw, key)
    assert intent.status == "requires_payment_method"


def test_a_card_that_needs_3d_secure_is_declined(
    gateway: StripePaymentGateway, raw: stripe.StripeClient
) -> None:
    card = {"number": "4000002500003155", "exp_month": 12, "exp_year": 2034, "cvc": "123"}
    method = raw.v1.payment_methods.create({"type": "card", "card": card})  # type: ignore[typeddict-item]
    key = f"{order()}:authorize"
    with pytest.raises(PaymentDeclined, match="authentication_required"):
        gateway.authorize(key, eur("10.00"), method.id)
    assert gateway.find_authorization(key) is None


# ----- find_authorization, capture, void -------------------------------------------------
def test_find_authorization_follows_the_hold(
    gateway: StripePaymentGateway, raw: stripe.StripeClient
) -> None:
    o = order()
    assert gateway.find_authorization(f"{o}:authorize") is None
    reference = gateway.authorize(f"{o}:authorize", eur("19.99"), APPROVED)
    found = gateway.find_authorization(f"{o}:authorize")
    assert found is not None
    created = datetime.fromtimestamp(raw.v1.payment_intents.retrieve(reference).created, UTC)
    assert (found.reference, found.status, found.amount) == (
        reference,
        PaymentStatus.AUTHORIZED,
        eur("19.99"),
    )
    assert found.valid_until == created + AUTHORIZATION_LIFETIME
    gateway.capture(f"{o}:capture", reference, eur("19.99"))
    captured = gateway.find_authorization(f"{o}:authorize")
    assert captured is not None and captured.status is PaymentStatus.CAPTURED


def test_find_authorization_after_a_void(gateway: StripePaymentGateway) -> None:
    o = order()
    reference = gateway.authorize(f"{o}:authorize", Money.of("500", "JPY"), APPROVED)
    gateway.void(f"{o}:void", reference)
    found = gateway.find_authorization(f"{o}:authorize")
    assert found is not None
    assert (found.status, found.amount) == (PaymentStatus.VOIDED, Money.of("500", "JPY"))


def test_capture_takes_the_amount_and_is_idempotent(
    gateway: StripePaymentGateway, raw: stripe.StripeClient
) -> None:
    o = order()
    reference = gateway.authorize(f"{o}:authorize", eur("19.99"), APPROVED)
    gateway.capture(f"{o}:capture", reference, eur("15.00"))
    gateway.capture(f"{o}:capture", reference, eur("15.00"))  # a retry: nothing happens
    intent = raw.v1.payment_intents.retrieve(reference, {"expand": ["latest_charge"]})
    assert intent.status == "succeeded"
    charge: Any = intent.latest_charge
    assert charge.captured is True
    assert charge.amount_refunded == 499  # localstripe releases the rest as a refund


def test_capture_after_a_void_fails(
    gateway: StripePaymentGateway, raw: stripe.StripeClient
) -> None:
    o = order()
    reference = gateway.authorize(f"{o}:authorize", eur("19.99"), APPROVED)
    gateway.void(f"{o}:void", reference)
    gateway.void(f"{o}:void", reference)  # canceled already: fine
    with pytest.raises(PaymentCaptureFailed, match="canceled"):
        gateway.capture(f"{o}:capture", reference, eur("19.99"))
    assert raw.v1.payment_intents.retrieve(reference).status == "canceled"


def test_void_after_a_capture_changes_nothing(
    gateway: StripePaymentGateway, raw: stripe.StripeClient
) -> None:
    o = order()
    reference = gateway.authorize(f"{o}:authorize", eur("19.99"), APPROVED)
    gateway.capture(f"{o}:capture", reference, eur("19.99"))
    gateway.void(f"{o}:void", reference)
    assert raw.v1.payment_intents.retrieve(reference).status == "succeeded"


def test_void_of_an_unknown_intent_is_loud(gateway: StripePaymentGateway) -> None:
    with pytest.raises(stripe.InvalidRequestError):
        gateway.void(f"{order()}:void", "pi_doesnotexist")


# ----- refund ----------------------------------------------------------------------------
def test_refunds_full_and_partial_once_per_key(
    gateway: StripePaymentGateway, raw: stripe.StripeClient
) -> None:
    o = order()
    reference = gateway.authorize(f"{o}:authorize", eur("19.99"), APPROVED)
    gateway.capture(f"{o}:capture", reference, eur("19.99"))
    first = gateway.refund(f"{o}:refund:a", reference, eur("5.00"))
    assert first.startswith("re_")
    assert gateway.refund(f"{o}:refund:a", reference, eur("5.00")) == first  # a retry
    rest = gateway.refund(f"{o}:refund:b", reference, eur("14.99"))
    assert rest != first
    refunds = raw.v1.refunds.list({"payment_intent": reference}).auto_paging_iter()
    assert sorted((r.metadata.to_dict()["orderflow_key"], r.amount) for r in refunds) == [
        (f"{o}:refund:a", 500),
        (f"{o}:refund:b", 1499),
    ]


def test_a_full_refund(gateway: StripePaymentGateway, raw: stripe.StripeClient) -> None:
    o = order()
    reference = gateway.authorize(f"{o}:authorize", Money.of("1200", "JPY"), APPROVED)
    gateway.capture(f"{o}:capture", reference, Money.of("1200", "JPY"))
    refund = raw.v1.refunds.retrieve(
        gateway.refund(f"{o}:refund:r1", reference, Money.of("1200", "JPY"))
    )
    assert (refund.amount, refund.currency, refund.payment_intent) == (1200, "jpy", reference)


# ----- failures --------------------------------------------------------------------------
def test_an_unreachable_provider_is_unavailable() -> None:
    gateway = StripePaymentGateway(
        API_KEY, api_base=f"http://127.0.0.1:{free_port()}", search_api=False
    )
    with pytest.raises(PaymentProviderUnavailable):
        gateway.authorize(f"{order()}:authorize", eur("1.00"), APPROVED)
    with pytest.raises(PaymentProviderUnavailable):
        gateway.find_authorization(f"{order()}:authorize")


def test_a_bad_api_key_is_loud(localstripe_url: str) -> None:  # noqa: F811
    gateway = StripePaymentGateway("not-a-key", api_base=localstripe_url, search_api=False)
    with pytest.raises(stripe.AuthenticationError) as raised:
        gateway.authorize(f"{order()}:authorize", eur("1.00"), APPROVED)
    assert "not-a-key" not in str(raised.value)


def test_the_api_version_is_the_sdks() -> None:
    """An SDK upgrade brings another API version: review the adapter, then move the pin."""
    assert stripe.api_version == API_VERSION


# ----- a canned server, for what localstripe never answers -------------------------------
class Canned(ThreadingHTTPServer):
    """Reads find nothing (or get ``reads``); every POST gets ``answer``; after ``delay`` s."""

    answer: tuple[int, dict[str, Any]] = (200, {})
    reads: dict[str, Any] | None = None
    delay = 0.0
    seen: list[tuple[str, str]]


class _Handler(BaseHTTPRequestHandler):
    server: Canned

    def _reply(self) -> None:
        self.server.seen.append((self.command, self.path))
        time.sleep(self.server.delay)
        status, body = self.server.answer
        if self.command == "GET" and self.server.reads is not None:
            status, body = 200, self.server.reads
        elif self.command == "GET":
            found = "search_result" if "/search" in self.path else "list"
            status, body = 200, {"object": found, "data": [], "has_more": False, "url": self.path}
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # a client timed out
            self.wfile.write(data)

    do_GET = do_POST = _reply

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def canned() -> Iterator[Canned]:
    server = Canned(("127.0.0.1", 0), _Handler)
    server.seen = []
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def canned_gateway(server: Canned, timeout: float = 5.0) -> StripePaymentGateway:
    return StripePaymentGateway(
        API_KEY, api_base=f"http://127.0.0.1:{server.server_port}", timeout=timeout
    )


def card_error(code: str, decline_code: str | None) -> tuple[int, dict[str, Any]]:
    """Stripe's own answer to a declined confirmation (docs.stripe.com/declines/codes)."""
    error = {"type": "card_error", "code": code, "message": "Your card was declined."}
    return 402, {"error": {**error, **({"decline_code": decline_code} if decline_code else {})}}


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (card_error("card_declined", "insufficient_funds"), "insufficient_funds"),
        (card_error("card_declined", "generic_decline"), "generic_decline"),
        (card_error("expired_card", None), "expired_card"),
    ],
)
def test_card_errors_are_declines(
    canned: Canned, answer: tuple[int, dict[str, Any]], reason: str
) -> None:
    canned.answer = answer
    with pytest.raises(PaymentDeclined) as declined:
        canned_gateway(canned).authorize("o-1:authorize", eur("10.00"), APPROVED)
    assert declined.value.reason == reason


@pytest.mark.parametrize("status", [429, 409, 500, 502, 503])
def test_throttling_conflicts_and_server_errors_are_unavailable(
    canned: Canned, status: int
) -> None:
    canned.answer = (status, {"error": {"type": "api_error", "message": "try later"}})
    with pytest.raises(PaymentProviderUnavailable):
        canned_gateway(canned).authorize("o-1:authorize", eur("10.00"), APPROVED)
    assert [method for method, _ in canned.seen] == ["GET", "POST"]


def test_an_authorization_still_processing_is_asked_for_again(canned: Canned) -> None:
    canned.answer = (200, {"object": "payment_intent", "id": "pi_1", "status": "processing"})
    with pytest.raises(PaymentProviderUnavailable, match="processing"):
        canned_gateway(canned).authorize("o-1:authorize", eur("10.00"), APPROVED)


def test_a_capture_refused_in_a_race_fails(canned: Canned) -> None:
    """The intent was capturable when asked, and canceled when the capture came."""
    canned.answer = (
        400,
        {
            "error": {
                "type": "invalid_request_error",
                "message": "canceled",
                "code": "payment_intent_unexpected_state",
            }
        },
    )
    canned.reads = {"object": "payment_intent", "id": "pi_1", "status": "requires_capture"}
    with pytest.raises(PaymentCaptureFailed, match="canceled"):
        canned_gateway(canned).capture("o-1:capture", "pi_1", eur("10.00"))


def test_a_slow_answer_is_unavailable(canned: Canned) -> None:
    canned.delay = 1.0
    with pytest.raises(PaymentProviderUnavailable):
        canned_gateway(canned, timeout=0.2).find_authorization("o-1:authorize")


@pytest.mark.parametrize(
    ("answer", "raised"),
    [
        (
            (
                400,
                {"error": {"type": "invalid_request_error", "message": "No such payment_intent"}},
            ),
            stripe.InvalidRequestError,
        ),
        (
            (401, {"error": {"type": "invalid_request_error", "message": "Invalid API Key"}}),
            stripe.AuthenticationError,
        ),
        (
            (403, {"error": {"type": "invalid_request_error", "message": "restricted key"}}),
            stripe.PermissionError,
        ),
    ],
)
def test_other_refusals_are_loud(
    canned: Canned, answer: tuple[int, dict[str, Any]], raised: type[Exception]
) -> None:
    canned.answer = answer
    with pytest.raises(raised):
        canned_gateway(canned).refund("o-1:refund:r", "pi_1", eur("1.00"))


def test_the_lookup_searches_the_metadata_with_the_key_quoted(canned: Canned) -> None:
    assert canned_gateway(canned).find_authorization("o'1\\x:authorize") is None
    [(method, path)] = canned.seen
    url = urlsplit(path)
    assert (method, url.path) == ("GET", "/v1/payment_intents/search")
    assert parse_qs(url.query)["query"] == ["metadata['orderflow_key']:'o\\'1\\\\x:authorize'"]
