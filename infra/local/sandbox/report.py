"""Lambda's ``REPORT`` line, one per invoke, as the function's log would show it."""

from __future__ import annotations

import logging
import math

from infra.local.sandbox.environment import FunctionConfig
from infra.local.sandbox.process import Outcome

log = logging.getLogger("localstack.lambda")


def report_line(fn: FunctionConfig, request_id: str, outcome: Outcome) -> str:
    parts = [
        f"REPORT RequestId: {request_id}",
        f"Duration: {outcome.duration_ms:.2f} ms",
        f"Billed Duration: {math.ceil(outcome.duration_ms + (outcome.init_ms or 0))} ms",
        f"Memory Size: {fn.memory_mb} MB",
        f"Max Memory Used: {math.ceil(outcome.max_memory_mb)} MB",
    ]
    if outcome.init_ms is not None:
        parts.append(f"Init Duration: {outcome.init_ms:.2f} ms")
    if outcome.status != "success":
        parts.append(f"Status: {outcome.status}")
    return "\t".join(parts)


def log_report(fn: FunctionConfig, request_id: str, outcome: Outcome) -> None:
    """At INFO with ``--handler-logs``, else at DEBUG; timeouts and crashes always say so."""
    level = logging.WARNING if outcome.status in ("timeout", "crash") else logging.INFO
    if log.isEnabledFor(level):
        log.log(level, "%s  %s", fn.name, report_line(fn, request_id, outcome))
