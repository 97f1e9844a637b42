"""Signing a webhook body as Stripe does (docs.stripe.com/webhooks#verify-manually): the
``Stripe-Signature`` header ``t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">``."""

from __future__ import annotations

import hashlib
import hmac
import time

SECRET = "whsec_orderflow_tests_0123456789abcdef"


def signature(body: str, secret: str = SECRET, at: float | None = None) -> str:
    timestamp = int(time.time() if at is None else at)
    mac = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"
