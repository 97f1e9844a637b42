"""Stripe's signed webhooks (``POST /webhooks/stripe``, no authorizer: the signature is the
authentication) put on the application bus, for the Stripe event consumer.

The body is checked against ``Stripe-Signature`` with the endpoint's signing secret (read from
Secrets Manager on the first request): a bad, altered or stale signature is a 400 and nothing
else happens. A good one is put on the bus as it came (source ``orderflow.stripe-webhook``,
detail-type = Stripe's event type) and answered 200; if the bus refuses it the answer is an
error, so Stripe delivers it again. Nothing of the body is logged.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from adapters.stripe_webhooks import BadSignature
from handlers.common import init_phase
from handlers.common.observability import logger, metrics, tracer
from handlers.common.root import FunctionRoot
from handlers.stripe_events import SOURCE

root = FunctionRoot()
MAX_BODY_BYTES = 256 * 1024
"""An EventBridge entry's limit; Stripe's events are far smaller."""


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    payload = _body(event)
    headers = {str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items()}
    signature = headers.get("stripe-signature", "")
    if payload is None or not signature:
        return _refuse("a signed Stripe event is expected")
    try:
        stripe_event = root.app.stripe_webhooks.verify(payload, signature)
    except BadSignature as bad:
        return _refuse(str(bad))
    detail_type = stripe_event["type"][:128]
    logger.append_keys(stripe_event_id=str(stripe_event.get("id"))[:80], detail_type=detail_type)
    root.app.forwarder.put(SOURCE, detail_type, payload)
    metrics.add_metric(name="StripeWebhooksForwarded", unit="Count", value=1)
    return _answer(200, {"received": True})


def _body(event: dict[str, Any]) -> str | None:
    body = event.get("body")
    if not isinstance(body, str) or len(body) > MAX_BODY_BYTES:
        return None
    if not event.get("isBase64Encoded"):
        return body
    try:  # the signature covers the bytes Stripe sent: decode, never re-encode the JSON
        return base64.b64decode(body, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None


def _refuse(why: str) -> dict[str, Any]:
    logger.warning("Stripe webhook refused", extra={"why": why})
    metrics.add_metric(name="StripeWebhooksRefused", unit="Count", value=1)
    return _answer(400, {"error": "INVALID_SIGNATURE", "message": why, "details": []})


def _answer(status: int, body: dict[str, Any]) -> dict[str, Any]:
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(body),
    }


init_phase.release()  # the last statement: the init phase is over (collections resume)
