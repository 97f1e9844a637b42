"""Stripe's events from EventBridge (our webhook's source ``orderflow.stripe-webhook`` on the
application bus, Stripe's event destination on its partner bus) recorded on the order.

Types we do not act on are ignored and counted (``StripeEventsIgnored``): Stripe sends what
its destination subscribes to, and a new subscription must not page anyone. An event of a type
we act on that we can never use (malformed, a payment no order has) is logged without its
content, counted (``UpstreamEventsRejected``) and dropped. A transient failure raises, so
Lambda's asynchronous retries run and then the failure destination keeps the event. Repeats
are harmless (``domain.services.record_payment_news``).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.parser import ValidationError, parse
from aws_lambda_powertools.utilities.typing import LambdaContext

from domain.errors import DomainError
from handlers.common import init_phase
from handlers.common.observability import logger, metrics, tracer
from handlers.common.root import FunctionRoot
from handlers.stripe_events import MODELS, to_command

root = FunctionRoot()


@logger.inject_lambda_context(correlation_id_path=correlation_paths.EVENT_BRIDGE, clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    detail_type = str(event.get("detail-type"))[:64]
    logger.append_keys(source=str(event.get("source"))[:80], detail_type=detail_type)
    model = MODELS.get(detail_type)
    if model is None:
        logger.info("Stripe event type not handled; ignored")
        metrics.add_metric(name="StripeEventsIgnored", unit="Count", value=1)
        return {"status": "ignored"}
    try:
        stripe_event = parse(event=event, model=model)
    except ValidationError as invalid:
        fields = sorted({".".join(map(str, e["loc"])) for e in invalid.errors()})
        return _reject("unreadable event", fields=fields)
    command = to_command(stripe_event)
    if command is None:
        logger.info("no news for the order (a hold we released ourselves)")
        return {"status": "no news"}
    logger.append_keys(stripe_event_id=command.event_id, payment=command.payment_reference)
    try:
        order = root.app.record_payment_news(command)
    except DomainError as error:
        if error.transient:
            raise
        return _reject("event refused by the order", error=type(error).__name__)
    logger.info("Stripe event recorded", extra={"order_id": order.order_id})
    return {"status": "recorded", "orderId": order.order_id, "orderStatus": order.status.value}


def _reject(why: str, **context: Any) -> dict[str, Any]:
    logger.warning(f"{why}; dropped", extra=context)
    metrics.add_metric(name="UpstreamEventsRejected", unit="Count", value=1)
    return {"status": "rejected"}


init_phase.release()  # the last statement: the init phase is over (collections resume)
