"""Set stuck orders moving again: invoked every 5 minutes by an EventBridge schedule
(infra/template.yaml), and the same use case runs on demand from ``infra.ops reconcile``.

What counts as stuck and how each kind is repaired is the domain's
(``domain.services.reconcile``). Each run emits ``OrdersReconciled`` (repairs made; its alarm
says the pipeline lost an order somewhere) and ``OrdersNeedingOperator`` (stuck with no safe
repair). A repair that fails is logged and fails the invocation, so the function's errors
alarm fires too; the next run tries again (every repair is safe to repeat).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from domain.commands import Reconcile
from domain.services.reconcile import Repair
from handlers.common import init_phase
from handlers.common.observability import logger, metrics, tracer
from handlers.common.root import FunctionRoot

root = FunctionRoot()


class ReconcileIncomplete(Exception):
    """Some repairs failed this time; the next scheduled run tries them again."""


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    app = root.app
    quiet_for = timedelta(seconds=app.settings.reconcile_quiet_seconds)
    result = app.reconcile(Reconcile(quiet_for=quiet_for))
    for finding in result.findings:
        log = logger.warning if finding.repair is Repair.REPORT else logger.info
        log(
            "stuck order",
            extra={
                "order_id": finding.order_id,
                "order_status": finding.status.value,
                "repair": finding.repair.value,
                "why": finding.why,
            },
        )
    metrics.add_metric(name="OrdersReconciled", unit="Count", value=len(result.repaired))
    metrics.add_metric(name="OrdersNeedingOperator", unit="Count", value=len(result.for_operator))
    summary = {
        "checked": result.checked,
        "repaired": len(result.repaired),
        "forOperator": len(result.for_operator),
        "failed": len(result.failures),
    }
    logger.info("reconciled", extra=summary)
    if result.failures:
        for order_id, error in result.failures:
            logger.error("repair failed", extra={"order_id": order_id, "error": error})
        raise ReconcileIncomplete(f"{len(result.failures)} repairs failed; the next run retries")
    return summary


init_phase.release()  # the last statement: the init phase is over (collections resume)
