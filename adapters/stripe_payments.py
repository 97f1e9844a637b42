"""The ``PaymentGateway`` port on Stripe PaymentIntents with manual capture (docs/providers.md).

Every call that moves money sends our key as Stripe's idempotency key, and every object it
creates carries the key in ``metadata["orderflow_key"]``. Stripe forgets idempotency keys after
24 hours; the metadata stays, so a repeated ``authorize`` or ``refund`` first looks for what
its key already made, and a capture or void first asks the intent's status.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import stripe

from adapters.stripe_units import from_minor_units, minor_units
from domain.errors import PaymentCaptureFailed, PaymentDeclined, PaymentProviderUnavailable
from domain.money import Money
from domain.order_payment import AUTHORIZATION_LIFETIME, order_id_of_key
from domain.ports import Authorization
from domain.status import PaymentStatus

__all__ = ["StripePaymentGateway", "from_minor_units", "minor_units"]

API_VERSION = "2026-10-28.endive"
"""The API version this adapter is written against: the pinned SDK's own (a test holds them
equal, so an SDK upgrade is a reviewed change). localstripe ignores the Stripe-Version header."""

KEY_FIELD = "orderflow_key"
ORDER_FIELD = "orderflow_order_id"
"""On an authorization: the order it pays for, so that Stripe's events name the order."""

_STATUS = {
    "requires_capture": PaymentStatus.AUTHORIZED,
    "succeeded": PaymentStatus.CAPTURED,
    "canceled": PaymentStatus.VOIDED,  # voided, or expired: Stripe cancels an uncaptured hold
}


class StripePaymentGateway:
    def __init__(
        self,
        api_key: str,
        *,
        api_base: str | None = None,
        timeout: float = 10.0,
        search_api: bool = True,
    ) -> None:
        """``api_base`` points at another server (localstripe in tests). ``search_api=False``
        looks up by key by listing every PaymentIntent: localstripe has no Search API, and
        listing all is fit for a fake only. Retries are the workflow's: the SDK makes none."""
        self._stripe = stripe.StripeClient(
            api_key,
            stripe_version=API_VERSION,
            base_addresses={"api": api_base} if api_base else None,
            http_client=stripe.RequestsClient(timeout=timeout),
            max_network_retries=0,
        )
        self._search_api = search_api

    def authorize(self, key: str, amount: Money, payment_token: str) -> str:
        intent = self._intent_for(key)
        if intent is None:
            with _provider_errors():
                intent = self._stripe.v1.payment_intents.create(
                    {
                        "amount": minor_units(amount),
                        "currency": amount.currency.lower(),
                        "payment_method": payment_token,
                        "capture_method": "manual",
                        "confirm": True,
                        "metadata": _metadata(key),
                    },
                    {"idempotency_key": key},
                )
        if intent.status == "requires_payment_method" and intent.last_payment_error:
            error = intent.last_payment_error  # an earlier decline, told again
            reason = getattr(error, "decline_code", None) or getattr(error, "code", None)
            raise PaymentDeclined(reason or "card_declined")
        if intent.status == "processing":  # not for cards, but asking again will tell
            raise PaymentProviderUnavailable("Stripe is still processing the authorization")
        if intent.status not in _STATUS:  # requires_action: 3-D Secure, and no customer here
            raise PaymentDeclined("authentication_required")
        return intent.id

    def find_authorization(self, key: str) -> Authorization | None:
        intent = self._intent_for(key)
        if intent is None or intent.status not in _STATUS:
            return None  # never made, or declined: nothing is or was held
        created = datetime.fromtimestamp(intent.created, UTC)
        return Authorization(
            reference=intent.id,
            status=_STATUS[intent.status],
            amount=from_minor_units(intent.amount, intent.currency),
            valid_until=created + AUTHORIZATION_LIFETIME,  # Stripe holds online card auths 7 days
        )

    def capture(self, key: str, reference: str, amount: Money) -> None:
        with _provider_errors():
            status = self._stripe.v1.payment_intents.retrieve(reference).status
            if status == "succeeded":
                return  # captured already (this key's earlier attempt)
            if status != "requires_capture":
                raise PaymentCaptureFailed(f"the authorization can no longer be captured: {status}")
            try:
                self._stripe.v1.payment_intents.capture(
                    reference, {"amount_to_capture": minor_units(amount)}, {"idempotency_key": key}
                )
            except stripe.InvalidRequestError as refused:
                if refused.code != "payment_intent_unexpected_state":
                    raise
                # canceled or expired since it was asked
                raise PaymentCaptureFailed(refused.user_message or "capture refused") from refused

    def void(self, key: str, reference: str) -> None:
        with _provider_errors():
            try:
                self._stripe.v1.payment_intents.cancel(reference, options={"idempotency_key": key})
            except stripe.InvalidRequestError:
                # Canceled already, or captured: nothing is held (a capture is refunded instead).
                status = self._stripe.v1.payment_intents.retrieve(reference).status
                if status not in ("canceled", "succeeded"):
                    raise

    def refund(self, key: str, reference: str, amount: Money) -> str:
        with _provider_errors():
            for earlier in self._stripe.v1.refunds.list(
                {"payment_intent": reference, "limit": 100}
            ).auto_paging_iter():
                if _made_with(earlier, key):
                    return earlier.id
            refund = self._stripe.v1.refunds.create(
                {
                    "payment_intent": reference,
                    "amount": minor_units(amount),
                    "metadata": {KEY_FIELD: key},
                },
                {"idempotency_key": key},
            )
        return refund.id

    def order_of(self, reference: str) -> str | None:
        with _provider_errors():
            try:
                intent = self._stripe.v1.payment_intents.retrieve(reference)
            except stripe.InvalidRequestError as unknown:
                if unknown.http_status == 404:
                    return None
                raise
        metadata: Any = intent.metadata or {}
        if ORDER_FIELD in metadata:
            return str(metadata[ORDER_FIELD])
        return order_id_of_key(str(metadata[KEY_FIELD])) if KEY_FIELD in metadata else None

    def _intent_for(self, key: str) -> stripe.PaymentIntent | None:
        with _provider_errors():
            if self._search_api:
                quoted = key.replace("\\", "\\\\").replace("'", "\\'")
                query = f"metadata['{KEY_FIELD}']:'{quoted}'"
                found: Any = self._stripe.v1.payment_intents.search({"query": query, "limit": 10})
            else:
                found = self._stripe.v1.payment_intents.list({"limit": 100})
            mine = [i for i in found.auto_paging_iter() if _made_with(i, key)]
        # One per key; should there be more, the one that holds or moved money, else the newest.
        mine.sort(key=lambda i: (i.status in _STATUS, i.created), reverse=True)
        return mine[0] if mine else None


def _metadata(key: str) -> dict[str, str]:
    order_id = order_id_of_key(key)
    return {KEY_FIELD: key, **({ORDER_FIELD: order_id} if order_id else {})}


def _made_with(made: stripe.PaymentIntent | stripe.Refund, key: str) -> bool:
    metadata = made.metadata  # a dict at run time, typed as an object with any attribute
    return metadata is not None and KEY_FIELD in metadata and metadata[KEY_FIELD] == key


@contextmanager
def _provider_errors() -> Iterator[None]:
    """Declines and outages as the domain names them; anything else propagates as it is."""
    try:
        yield
    except stripe.CardError as error:
        details = error.error
        reason = (details.decline_code if details else None) or error.code or "card_declined"
        raise PaymentDeclined(reason) from error
    except (stripe.RateLimitError, stripe.APIConnectionError) as error:
        raise PaymentProviderUnavailable(
            f"Stripe is unavailable: {type(error).__name__}"
        ) from error
    except stripe.APIError as error:
        if error.http_status is not None and error.http_status != 409 and error.http_status < 500:
            raise
        raise PaymentProviderUnavailable(f"Stripe answered {error.http_status}") from error
