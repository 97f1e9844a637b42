"""The Lambda context the benchmarks hand the handlers (the in-memory adapters are the
composition root's own: ``infra.in_memory``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Context:
    """The Lambda context attributes Powertools reads."""

    function_name: str = "orderflow-bench"
    function_version: str = "$LATEST"
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:orderflow-bench"
    memory_limit_in_mb: int = 256
    aws_request_id: str = "00000000-0000-4000-8000-000000000000"
    log_group_name: str = "/aws/lambda/orderflow-bench"
    log_stream_name: str = "2026/01/01/[$LATEST]0123456789abcdef"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000
