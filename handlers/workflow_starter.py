"""Start order workflows from OrderPlaced events buffered in SQS (EventBridge rule -> queue).

The queue absorbs bursts above Step Functions' StartExecution quota. Each record is parsed on
its own, so one bad message fails alone (reported in ``batchItemFailures``); the queue's
redrive policy (``maxReceiveCount``) then moves it to the dead-letter queue for an operator.
Duplicates are harmless: the execution is named by the order id.
"""

from __future__ import annotations

from typing import Any, Literal

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, Field

from domain.commands import StartOrderWorkflow
from domain.status import OrderStatus
from handlers.common import init_phase
from handlers.common.observability import logger, metrics, tracer
from handlers.common.root import FunctionRoot

# Every record is reported, even when all fail: raising would only retry the same batch (#4691).
root = FunctionRoot()
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


class OrderPlacedDetail(BaseModel):
    order_id: str = Field(alias="orderId", pattern=r"^[A-Za-z0-9-]{1,64}$")


class OrderPlacedEnvelope(EventBridgeModel):
    detail_type: Literal["OrderPlaced"] = Field(alias="detail-type")
    detail: OrderPlacedDetail  # narrows the envelope's raw detail


def record_handler(record: SQSRecord) -> None:
    try:
        _start(OrderPlacedEnvelope.model_validate_json(record.body).detail.order_id)
    except Exception as error:
        # The type only: a validation message would quote the payload.
        logger.warning(
            "message failed; it will be retried, then dead-lettered",
            extra={"message_id": record.message_id, "error": type(error).__name__},
        )
        raise
    finally:
        logger.set_correlation_id(None)


def _start(order_id: str) -> None:
    logger.set_correlation_id(order_id)
    order = root.app.start_workflow(StartOrderWorkflow(order_id))
    if order.status is OrderStatus.PLACED:
        metrics.add_metric(name="WorkflowsStarted", unit="Count", value=1)
        logger.info("workflow started")
    else:
        logger.info(
            "order already moved on; nothing to start", extra={"order_status": order.status.value}
        )


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return dict(
        process_partial_response(
            event=event, record_handler=record_handler, processor=processor, context=context
        )
    )


init_phase.release()  # the last statement: the init phase is over (collections resume)
