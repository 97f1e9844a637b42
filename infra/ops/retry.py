"""``retry <order-id>``: run a failed (timed out, aborted) saga again.

On AWS this is RedriveExecution: the same execution resumes at the state that failed, and the
steps that succeeded are not run again. moto has no RedriveExecution, so locally a new
execution ``<order-id>-retry-<n>`` starts from the beginning with the original input; the
steps already done run again, which the handlers' idempotency makes harmless.

An order already in a final status (FAILED after its compensations, CANCELLED, ...) is not
retried without ``--force``: its saga ended as designed.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from domain.status import TERMINAL
from infra.ops.errors import OpsError
from infra.ops.executions import attempts, order_of
from infra.ops.orders import order_status
from infra.ops.render import Output, iso, stamp
from infra.ops.target import Target

RETRYABLE = ("FAILED", "TIMED_OUT", "ABORTED")
EMULATED = (
    "emulated: moto has no RedriveExecution, so a new execution started from the "
    "beginning with the original input (on AWS the failed execution itself resumes at "
    "the state that failed)"
)


def retry_command(target: Target, order_id: str, force: bool = False) -> Output:
    order_id = order_of(order_id)
    tries = attempts(target, order_id)
    latest = tries[-1]
    if latest["status"] not in RETRYABLE:
        raise OpsError(f"nothing to retry: {latest['name']} is {latest['status']}")
    status = order_status(target, order_id)
    if status in TERMINAL and not force:
        raise OpsError(
            f"order {order_id} is {status}: its saga has ended (compensations included), so a "
            "retry would only run it again for nothing; --force retries anyway"
        )
    why = f"{latest['status']} {latest.get('error') or ''}".strip()
    sfn = target.client("stepfunctions")
    if target.local:
        name = f"{order_id}-retry-{len(tries)}"
        started = sfn.start_execution(
            stateMachineArn=target.config.state_machine_arn,
            name=name,
            input=latest.get("input") or "{}",
        )
        data: dict[str, Any] = {
            "retried": latest["executionArn"],
            "emulated": True,
            "execution": started["executionArn"],
            "name": name,
        }
        lines = [f"{latest['name']} was {why}: started {name}", f"  {EMULATED}"]
    else:
        try:
            redriven = sfn.redrive_execution(executionArn=latest["executionArn"])
        except ClientError as error:
            code, message = error.response["Error"]["Code"], error.response["Error"]["Message"]
            raise OpsError(f"{latest['name']} cannot be redriven: {code}: {message}") from error
        data = {
            "retried": latest["executionArn"],
            "emulated": False,
            "execution": latest["executionArn"],
            "redriveDate": iso(redriven["redriveDate"]),
        }
        lines = [
            f"{latest['name']} was {why}: redriven at {stamp(redriven['redriveDate'])} UTC",
            "  it resumes at the state that failed (RedriveExecution)",
        ]
    lines.append(f"  follow it: python -m infra.ops execution {order_id}")
    return Output(data, lines)
