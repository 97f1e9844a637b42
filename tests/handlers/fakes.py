"""Test doubles and environment for the handlers: a Lambda context, and the environment SAM
gives every function. (The in-memory idempotency store is the app's own:
``adapters.memory.idempotency``.)"""

from __future__ import annotations

from dataclasses import dataclass

LAMBDA_ENV = {  # what SAM sets on every function (infra/template.yaml), for tests
    "POWERTOOLS_SERVICE_NAME": "orderflow",
    "POWERTOOLS_METRICS_NAMESPACE": "OrderFlow",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "ORDERS_TABLE": "orderflow-test",
    "IDEMPOTENCY_TABLE": "orderflow-test-idempotency",  # SAM sets it on the API only
    "EVENT_BUS_NAME": "orderflow-test-bus",
    "STATE_MACHINE_ARN": "arn:aws:states:us-east-1:123456789012:stateMachine:orderflow-test",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}


@dataclass
class FakeLambdaContext:
    function_name: str = "orderflow-test"
    function_version: str = "$LATEST"
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:orderflow-test"
    memory_limit_in_mb: int = 512
    aws_request_id: str = "c6af9ac6-7b61-11e6-9a41-93e812345678"
    log_group_name: str = "/aws/lambda/orderflow-test"
    log_stream_name: str = "2026/01/01/[$LATEST]abcdef"
    remaining_ms: int = 30_000

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms
