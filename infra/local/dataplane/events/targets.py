"""Rule targets: checked as PutTargets checks them, compiled once (kind, input shape, FIFO
group, dead-letter queue) for delivery.

Emulated target kinds: SQS queues, Lambda functions, Step Functions state machines and event
buses of this account. Others are refused by name. RetryPolicy is validated and stored; the
local stack does not retry: a delivery the target refuses goes to the DeadLetterConfig queue
at once (with EventBridge's ERROR_CODE, ERROR_MESSAGE, RULE_ARN, TARGET_ARN attributes).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from infra.local.dataplane.events.errors import validation
from infra.local.dataplane.events.transform import Shape, shape

KINDS = (
    ("queue", re.compile(r"arn:aws[\w-]*:sqs:[^:]+:\d{12}:[^:]+")),
    ("function", re.compile(r"arn:aws[\w-]*:lambda:[^:]+:\d{12}:function:[^:]+(:[^:]+)?")),
    ("state_machine", re.compile(r"arn:aws[\w-]*:states:[^:]+:\d{12}:stateMachine:[^:]+")),
    ("bus", re.compile(r"arn:aws[\w-]*:events:[^:]+:\d{12}:event-bus/.+")),
)
_ID = re.compile(r"[.\-_A-Za-z0-9]{1,64}")
MAX_TARGETS_PER_RULE = 5


@dataclass(frozen=True)
class Target:
    id: str
    arn: str
    kind: str
    shape: Shape
    group: str | None
    dead_letter_arn: str | None


def compiled(given: Mapping[str, Any]) -> Target:
    target_id, arn = given.get("Id"), given.get("Arn")
    if not isinstance(target_id, str) or not _ID.fullmatch(target_id):
        raise validation(f"Target Id {target_id!r} is not valid: 1-64 of [.-_A-Za-z0-9].")
    if not isinstance(arn, str) or not arn:
        raise validation(f"Target {target_id} has no Arn.")
    kind = next((name for name, pattern in KINDS if pattern.fullmatch(arn)), None)
    if kind is None:
        raise validation(
            f"Target {target_id}: {arn} is not a target the local stack emulates "
            "(SQS queues, Lambda functions, Step Functions state machines, event buses)."
        )
    if sum(given.get(k) is not None for k in ("Input", "InputPath", "InputTransformer")) > 1:
        raise validation(
            f"Target {target_id}: only one of Input, InputPath or InputTransformer may be given."
        )
    group = (given.get("SqsParameters") or {}).get("MessageGroupId")
    if kind == "queue" and arn.endswith(".fifo") and not group:
        raise validation(f"Parameter(s) SqsParameters must be specified for target: {target_id}.")
    if group is not None and kind != "queue":
        raise validation(f"Target {target_id}: SqsParameters apply to SQS targets only.")
    _check_retry(target_id, given.get("RetryPolicy") or {})
    dead_letter = (given.get("DeadLetterConfig") or {}).get("Arn")
    if dead_letter is not None and not KINDS[0][1].fullmatch(str(dead_letter)):
        raise validation(f"Target {target_id}: DeadLetterConfig.Arn must be an SQS queue ARN.")
    return Target(target_id, arn, kind, shape(given), group, dead_letter)


def _check_retry(target_id: str, policy: Mapping[str, Any]) -> None:
    attempts = policy.get("MaximumRetryAttempts")
    age = policy.get("MaximumEventAgeInSeconds")
    if attempts is not None and not (isinstance(attempts, int) and 0 <= attempts <= 185):
        raise validation(f"Target {target_id}: MaximumRetryAttempts must be between 0 and 185.")
    if age is not None and not (isinstance(age, int) and 60 <= age <= 86400):
        raise validation(
            f"Target {target_id}: MaximumEventAgeInSeconds must be between 60 and 86400."
        )
