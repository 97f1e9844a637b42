"""Carrier reports from EventBridge (rule on source ``simship.carrier``) move orders on.

An event we can never use (unknown type, malformed, a parcel or order we do not know) is
logged without its content, counted (``UpstreamEventsRejected``) and dropped: retrying would
not help. A transient failure (a lost race, AWS unavailable) raises, so Lambda's asynchronous
retries run and then the function's failure destination keeps the event for an operator.
Duplicates and late reports are harmless: the order ignores news it already has.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.parser import ValidationError, parse
from aws_lambda_powertools.utilities.typing import LambdaContext

from domain.errors import DomainError
from handlers.carrier_events import CarrierEvent
from handlers.common import init_phase
from handlers.common.observability import logger, metrics, tracer
from handlers.common.root import FunctionRoot

root = FunctionRoot()


@logger.inject_lambda_context(correlation_id_path=correlation_paths.EVENT_BRIDGE, clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    logger.append_keys(
        source=str(event.get("source"))[:64], detail_type=str(event.get("detail-type"))[:64]
    )
    try:
        carrier_event = parse(event=event, model=CarrierEvent)
    except ValidationError as invalid:
        fields = sorted({".".join(map(str, e["loc"])) for e in invalid.errors()})
        return _reject("unreadable event", fields=fields)
    logger.append_keys(
        order_id=carrier_event.detail.order_id, carrier_event_id=carrier_event.detail.event_id
    )
    try:
        order = root.app.record_carrier_update(carrier_event.to_command())
    except DomainError as error:
        if error.transient:
            raise
        return _reject("event refused by the order", error=type(error).__name__)
    logger.info("carrier update recorded", extra={"order_status": order.status.value})
    return {"status": "recorded", "orderStatus": order.status.value}


def _reject(why: str, **context: Any) -> dict[str, Any]:
    logger.warning(f"{why}; dropped", extra=context)
    metrics.add_metric(name="UpstreamEventsRejected", unit="Count", value=1)
    return {"status": "rejected"}


init_phase.release()  # the last statement: the init phase is over (collections resume)
