"""Stripe's signed webhooks, checked with the SDK (``stripe.Webhook.construct_event``): the
``Stripe-Signature`` header must carry an HMAC-SHA256 of ``<timestamp>.<body>`` under the
endpoint's signing secret (``whsec_...``), made within the tolerance (5 minutes, Stripe's own
default, against replays)."""

from __future__ import annotations

import json
from typing import Any

TOLERANCE_SECONDS = 300


class BadSignature(ValueError):
    """The body is not one Stripe signed for this endpoint lately (forged, altered, stale)."""


class StripeWebhookVerifier:
    def __init__(self, signing_secret: str, tolerance: int = TOLERANCE_SECONDS) -> None:
        self._secret = signing_secret
        self._tolerance = tolerance

    def verify(self, payload: str, signature: str) -> dict[str, Any]:
        """The event Stripe signed, as a JSON object; raises ``BadSignature``."""
        import stripe  # on the first request only: the SDK is a large import

        try:
            stripe.Webhook.construct_event(payload, signature, self._secret, self._tolerance)
        except stripe.SignatureVerificationError as refused:
            raise BadSignature("the Stripe-Signature header does not match") from refused
        except ValueError as unreadable:  # signed, but not JSON: never from Stripe
            raise BadSignature("the body is not a JSON event") from unreadable
        event = json.loads(payload)
        if not isinstance(event, dict) or not isinstance(event.get("type"), str):
            raise BadSignature("the body is not a Stripe event")
        return event
