"""``retry <order-id>``: run a failed (timed out, aborted) saga again.

On AWS this is RedriveExecution: the same execution resumes at the state that failed, and the
steps that succeeded are not run again. moto has no RedriveExecution, so locally a new
execution ``<order-id>-retry-<n>`` starts from the beginning with the original input; the
steps already done run again, which the handlers' idempotency makes harmless.

An order already in a final status (FAILED after its compensations, CANCELLED, ...) is not
retried without ``--force``: its saga ended as designed.
"""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True)
class RetryPlan:
    """A saga that may be retried, and what a retry will do to it."""

    order_id: str
    latest: dict[str, Any]
    attempts: int
    local: bool

    @property
    def new_name(self) -> str:
        """The emulated retry's execution name (local only)."""
        return f"{self.order_id}-retry-{self.attempts}"

    @property
    def text(self) -> str:
        if self.local:
            return (
                f"start a new execution {self.new_name} from the beginning with the input of "
                f"{self.latest['name']}; the steps already done run again, which the handlers' "
                "idempotency makes harmless (emulated: moto has no RedriveExecution; on AWS "
                "the failed execution itself resumes at the state that failed)"
            )
        return (
            f"redrive {self.latest['name']} (RedriveExecution): it resumes at the state that "
            "failed; the steps that succeeded are not run again"
        )


def plan(target: Target, order_id: str, force: bool = False) -> RetryPlan:
    """What ``retry`` would do; OpsError when there is nothing to retry or the saga ended."""
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
    return RetryPlan(order_id, latest, len(tries), target.local)


def retry_command(target: Target, order_id: str, force: bool = False) -> Output:
    chosen = plan(target, order_id, force)
    order_id, latest = chosen.order_id, chosen.latest
    why = f"{latest['status']} {latest.get('error') or ''}".strip()
    sfn = target.client("stepfunctions")
    if target.local:
        name = chosen.new_name
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
