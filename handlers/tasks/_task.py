"""What every Step Functions Task handler shares, so each task module is a few lines.

``task_handler`` parses the state's input with a small model, sets the order id as the logs'
correlation id, traces (without the response), flushes metrics, and maps the order to a small
result. Errors pass through unchanged: Lambda reports the class name as ``errorType`` and that
is the error the workflow's Retry and Catch match on (workflows/order_saga.asl.json).

An error that is neither transient (retried) nor an outcome the state catches (``caught``: a
decline, a cancellation) is a fault: it is counted as ``TaskErrors``, which pages, while
Lambda's own Errors metric also counts the business outcomes and so cannot.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypedDict, TypeVar

from aws_lambda_powertools.metrics import MetricUnit, single_metric
from aws_lambda_powertools.metrics.functions import is_metrics_disabled
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict, Field

from domain.errors import DomainError
from domain.order import Order
from handlers.common import init_phase
from handlers.common.bootstrap import App
from handlers.common.observability import logger, metrics, tracer
from handlers.common.root import FunctionRoot

AppPorts = App
root = FunctionRoot()
"""The task function's composition root (each task is a function of its own)."""
ORDER_ID = r"^[A-Za-z0-9-]{1,80}$"
"""An order id is also the execution's name: at most 80 characters."""


class TaskInput(BaseModel):
    """What the state machine passes every Task: the order id, nothing else (no personal data)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    order_id: str = Field(alias="orderId", pattern=ORDER_ID)


class CallbackTaskInput(TaskInput):
    task_token: str = Field(alias="taskToken", min_length=1, max_length=2048)


class TaskResult(TypedDict):
    orderId: str
    status: str


M = TypeVar("M", bound=TaskInput)
LambdaHandler = Callable[[dict[str, Any], LambdaContext], TaskResult]


def task_handler(
    model: type[M],
    step: Callable[[M, AppPorts], Order],
    caught: tuple[type[DomainError], ...] = (),
) -> LambdaHandler:
    """Wrap ``step(parsed_input, ports)`` as a Lambda handler ``(event, context)``; ``caught``
    are the business errors the state's Catch handles."""

    @logger.inject_lambda_context(correlation_id_path="orderId", clear_state=True)
    @metrics.log_metrics
    @tracer.capture_lambda_handler(capture_response=False)
    def handler(event: dict[str, Any], context: LambdaContext) -> TaskResult:
        try:
            order = step(model.model_validate(event), root.app)
        except DomainError as error:
            # The type only: messages are for the workflow's history, not for the logs.
            expected = error.transient or isinstance(error, caught)
            log = logger.info if isinstance(error, caught) else logger.warning
            log("step ended with an error", extra={"error": type(error).__name__})
            if not expected:
                count("TaskErrors")
            raise
        except Exception:
            count("TaskErrors")
            raise
        logger.info("step done", extra={"order_status": order.status.value})
        return {"orderId": order.order_id, "status": order.status.value}

    handler.__doc__ = step.__doc__
    handler.caught = caught  # type: ignore[attr-defined]  # checked against the ASL's Catch
    init_phase.release()  # the task module's last statement builds its handler: init is over
    return handler


def count(metric: str, **dimensions: str) -> None:
    """One Count of ``metric``, with dimensions of its own if given.

    Without dimensions it joins the invocation's metrics, which ``log_metrics`` flushes. With
    dimensions it is emitted on its own (``single_metric``), as Powertools' own cold-start metric
    is: a dimension added to the shared ``Metrics`` applies to every metric it holds until a
    flush, and it holds them across invocations while metrics are disabled (the local stack's
    quiet mode, where several tasks share one process), so the next compensation overwrote
    ``Compensation`` with a "Dimension 'Compensation' has already been added" warning.
    """
    if not dimensions:
        metrics.add_metric(name=metric, unit=MetricUnit.Count, value=1)
        return
    if is_metrics_disabled():
        return  # single_metric prints whatever the switch says
    service = {"service": str(metrics.service)} if metrics.service else {}
    with single_metric(
        name=metric,
        unit=MetricUnit.Count,
        value=1,
        namespace=metrics.namespace,
        default_dimensions={**metrics.default_dimensions, **service, **dimensions},
    ):
        pass  # printed (EMF) as the block ends
