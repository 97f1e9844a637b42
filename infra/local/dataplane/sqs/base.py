"""What every group of SQS operations shares: the store, the clock, where queues live, the
long polls to wake."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from typing import Any

from infra.local.dataplane.service import JsonService
from infra.local.dataplane.sqs.errors import invalid_value
from infra.local.dataplane.sqs.queue import Queue, by_url, split_arn
from infra.local.dataplane.sqs.schema import DDL
from infra.local.dataplane.sqs.storage import expire
from infra.local.dataplane.sqs.waiters import Waiters
from infra.local.dataplane.store import Store

EXPIRY_INTERVAL = 1.0


class SqsBase(JsonService):
    NAME = "sqs"
    TARGET_PREFIX = "AmazonSQS"
    JSON_VERSION = "1.0"

    def __init__(
        self,
        store: Store,
        *,
        clock: Callable[[], float] = time.time,
        region: str = "us-east-1",
        account: str = "123456789012",
        endpoint: str = "http://127.0.0.1:4566",
    ) -> None:
        self.store = store
        self.clock = clock
        self.region = region
        self.account = account
        self.endpoint = endpoint.rstrip("/")
        self.waiters = Waiters()
        self._expired: dict[int, float] = {}
        store.schema(DDL)

    def url(self, queue: Queue) -> str:
        return f"{self.endpoint}/{queue.account}/{queue.name}"

    def url_of_arn(self, arn: str) -> str:
        """The queue URL for a queue ARN (how the stack's own parts address a target queue)."""
        account, name = split_arn(arn)
        return f"{self.endpoint}/{account}/{name}"

    def queue(self, db: sqlite3.Connection, params: dict[str, Any]) -> Queue:
        return by_url(db, params.get("QueueUrl"), self.region)

    def expire(
        self, db: sqlite3.Connection, queue: Queue, now: float, *, always: bool = False
    ) -> None:
        """Delete the queue's messages past retention, at most once a second per queue on the
        hot paths (a receive also skips expired rows itself, so none is ever returned)."""
        last = self._expired.get(queue.id)
        if always or last is None or not 0 <= now - last < EXPIRY_INTERVAL:
            expire(db, queue, now)
            self._expired[queue.id] = now

    def wake(self, *queue_ids: int) -> None:
        """Once the current write commits, wake the long polls of these queues."""
        self.store.after_commit(lambda: self.waiters.notify(queue_ids))


def integer(
    params: dict[str, Any], name: str, low: int, high: int, reason: str | None = None
) -> int | None:
    """An optional integer parameter within [low, high], refused as SQS refuses it."""
    value = params.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise invalid_value(name, value, reason or f"Must be >= {low} and <= {high}, if provided.")
    return value
