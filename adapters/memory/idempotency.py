"""Powertools' idempotency records in a dict: for the demo, the benchmark and the tests.

It keeps DynamoDB's semantics: a conditional put that succeeds only when no live record exists
(none, expired, or in progress past its Lambda deadline), under a lock so concurrent requests
race as they would on the table.
"""

from __future__ import annotations

import threading
import time

from aws_lambda_powertools.utilities.idempotency import BasePersistenceLayer
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyItemAlreadyExistsError,
    IdempotencyItemNotFoundError,
)
from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import DataRecord


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
            if old is not None and _live(old, now):
                # No old record attached: Powertools then reads it back and validates the payload.
                raise IdempotencyItemAlreadyExistsError
            self.records[data_record.idempotency_key] = data_record

    def _update_record(self, data_record: DataRecord) -> None:
        with self._lock:
            self.records[data_record.idempotency_key] = data_record

    def _delete_record(self, data_record: DataRecord) -> None:
        with self._lock:
            self.records.pop(data_record.idempotency_key, None)


def _live(record: DataRecord, now: float) -> bool:
    if (record.expiry_timestamp or 0) < now:
        return False
    deadline = record.in_progress_expiry_timestamp
    return not (record.status == "INPROGRESS" and deadline is not None and deadline < now * 1000)
