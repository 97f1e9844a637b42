"""Test doubles and environment for the handlers: an in-memory Powertools idempotency store, a
Lambda context, and the environment SAM gives every function.

The store keeps DynamoDB's semantics: a conditional put that succeeds only when no live record
exists (none, expired, or in progress past its Lambda deadline), under a lock so concurrent
requests race as they would on the table.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from aws_lambda_powertools.utilities.idempotency import BasePersistenceLayer
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyItemAlreadyExistsError,
    IdempotencyItemNotFoundError,
)
from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import DataRecord

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


class InMemoryIdempotencyStore(BasePersistenceLayer):
    def __init__(self) -> None:
        super().__init__()
        self.records: dict[str, DataRecord] = {}
        self._lock = threading.Lock()

    def _get_record(self, idempotency_key: str) -> DataRecord:
        with self._lock:
            try:
                return self.records[idempotency_key]
            except KeyError:
                raise IdempotencyItemNotFoundError from None

    def _put_record(self, data_record: DataRecord) -> None:
        now = time.time()
        with self._lock:
            old = self.records.get(data_record.idempotency_key)
            live = (
                old is not None
                and (old.expiry_timestamp or 0) >= now
                and not (
                    old.status == "INPROGRESS"
                    and old.in_progress_expiry_timestamp is not None
                    and old.in_progress_expiry_timestamp < now * 1000
                )
            )
            if live:
                # No old record attached: Powertools then reads it back and validates the payload.
                raise IdempotencyItemAlreadyExistsError
            self.records[data_record.idempotency_key] = data_record

    def _update_record(self, data_record: DataRecord) -> None:
        with self._lock:
            self.records[data_record.idempotency_key] = data_record

    def _delete_record(self, data_record: DataRecord) -> None:
        with self._lock:
            self.records.pop(data_record.idempotency_key, None)


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
