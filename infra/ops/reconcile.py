"""``reconcile [--dry-run]``: run the reconciler once, now, from the operator's machine.

The deployed ReconcilerFunction runs the same use case every 5 minutes
(``domain.services.reconcile``: what is stuck, and how each kind is repaired); this runs it on
demand with the operator's credentials, against the local stack or a deployed one.
``--dry-run`` lists what it would repair and repairs nothing.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from adapters.aws.dynamodb_orders import DynamoOrderRepository
from adapters.aws.open_orders import DynamoOpenOrders
from adapters.aws.stepfunctions import StepFunctionsRuns, StepFunctionsWorkflow
from adapters.clock import SystemClock
from domain.commands import Reconcile
from domain.services.reconcile import Finding, Reconciliation, reconcile
from infra.ops.errors import FAILED, OK
from infra.ops.render import Output, duration, iso, stamp, table
from infra.ops.target import Target

DEFAULT_QUIET_SECONDS = int(Reconcile().quiet_for.total_seconds())


def run(target: Target, quiet_for: timedelta, dry_run: bool) -> Reconciliation:
    table_name, machine = target.config.table_name, target.config.state_machine_arn
    ddb, sfn = target.client("dynamodb"), target.client("stepfunctions")
    return reconcile(
        Reconcile(quiet_for=quiet_for, dry_run=dry_run),
        open_orders=DynamoOpenOrders(table_name, client=ddb),
        runs=StepFunctionsRuns(machine, client=sfn),
        orders=DynamoOrderRepository(table_name, client=ddb),
        workflow=StepFunctionsWorkflow(machine, client=sfn),
        clock=SystemClock(),
    )


def reconcile_command(
    target: Target, dry_run: bool = False, quiet_seconds: float = DEFAULT_QUIET_SECONDS
) -> Output:
    result = run(target, timedelta(seconds=quiet_seconds), dry_run)
    failed = dict(result.failures)
    data: dict[str, Any] = {
        "dryRun": dry_run,
        "quietForSeconds": quiet_seconds,
        "checked": result.checked,
        "findings": [_finding(f, failed.get(f.order_id)) for f in result.findings],
        "repaired": len(result.repaired),
        "forOperator": len(result.for_operator),
        "failed": len(failed),
    }
    lines = [
        f"{result.checked} open orders on {target.where} unchanged for "
        f"{duration(quiet_seconds)}; {len(result.findings)} stuck"
    ]
    if result.findings:
        lines += table(
            ["ORDER", "STATUS", "CHANGED (UTC)", "REPAIR", "WHY"],
            [
                [f.order_id, f.status.value, stamp(f.updated_at), _repair_text(f, failed), f.why]
                for f in result.findings
            ],
        )
    if dry_run:
        lines.append("dry run: nothing was repaired (run it without --dry-run to repair)")
    else:
        lines.append(
            f"repaired {len(result.repaired)}, failed {len(failed)}, "
            f"left for an operator {len(result.for_operator)}"
        )
    if result.for_operator:
        lines.append("  each needs a look: python -m infra.ops order <ORDER>")
    if failed:
        lines += [f"  {order_id}: {error}" for order_id, error in failed.items()]
    left = result.findings if dry_run else (*result.for_operator, *failed)
    return Output(data, lines, FAILED if left else OK)


def _finding(f: Finding, error: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "orderId": f.order_id,
        "status": f.status.value,
        "updatedAt": iso(f.updated_at),
        "repair": f.repair.value,
        "why": f.why,
        "execution": f.run.name if f.run else None,
    }
    if error is not None:
        out["error"] = error
    return out


def _repair_text(f: Finding, failed: dict[str, str]) -> str:
    return f"{f.repair.value} (failed)" if f.order_id in failed else f.repair.value
