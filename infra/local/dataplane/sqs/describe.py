"""GetQueueAttributes and the queue's tags.

The approximate counts are exact here: messages visible now (ApproximateNumberOfMessages),
received and not yet visible again (NotVisible), sent with a delay still running (Delayed).
Counting reads an index range, so it costs with the backlog: SQS computes them lazily too,
and callers (alarms, the operator CLI) ask rarely.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from infra.local.dataplane.sqs.attributes import READ_ONLY, SETTABLE, unknown
from infra.local.dataplane.sqs.base import SqsBase
from infra.local.dataplane.sqs.errors import invalid, missing
from infra.local.dataplane.sqs.queue import Queue

COUNTS = (
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
)
MAX_TAGS = 50


class DescribeOperations(SqsBase):
    def get_queue_attributes(self, params: dict[str, Any]) -> dict[str, Any]:
        names = set(params.get("AttributeNames") or [])
        for name in names:
            if name not in SETTABLE and name not in READ_ONLY:
                raise unknown(name)
        with self.store.write() as db:
            queue = self.queue(db, params)
            now = self.clock()
            found = self._static(queue)
            if "All" in names or names & set(COUNTS):
                self.expire(db, queue, now, always=True)
                found.update(_counts(db, queue, now))
        wanted = {k: v for k, v in found.items() if "All" in names or k in names}
        return {"Attributes": wanted} if wanted else {}

    def _static(self, queue: Queue) -> dict[str, str]:
        found = {k: v for k, v in queue.attributes.items() if v}
        if not queue.fifo:
            found.pop("FifoQueue", None)
        found["QueueArn"] = queue.arn
        found["CreatedTimestamp"] = str(int(queue.created))
        found["LastModifiedTimestamp"] = str(int(queue.modified))
        return found

    def tag_queue(self, params: dict[str, Any]) -> dict[str, Any]:
        tags = params.get("Tags")
        if not isinstance(tags, dict) or not tags:
            raise missing("Tags")
        with self.store.write() as db:
            queue = self.queue(db, params)
            merged = {**queue.tags, **{str(k): str(v) for k, v in tags.items()}}
            if len(merged) > MAX_TAGS:
                raise invalid(f"Too many tags added for queue {queue.name}: at most {MAX_TAGS}.")
            _save_tags(db, queue, merged)
        return {}

    def untag_queue(self, params: dict[str, Any]) -> dict[str, Any]:
        keys = params.get("TagKeys")
        if not isinstance(keys, list) or not keys:
            raise missing("TagKeys")
        with self.store.write() as db:
            queue = self.queue(db, params)
            _save_tags(db, queue, {k: v for k, v in queue.tags.items() if k not in keys})
        return {}

    def list_queue_tags(self, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as db:
            queue = self.queue(db, params)
        return {"Tags": queue.tags} if queue.tags else {}


def _counts(db: sqlite3.Connection, queue: Queue, now: float) -> dict[str, str]:
    visible, hidden, delayed = db.execute(
        "SELECT COALESCE(SUM(visible <= :now), 0), "
        "COALESCE(SUM(visible > :now AND receives > 0), 0), "
        "COALESCE(SUM(visible > :now AND receives = 0), 0) "
        "FROM sqs_messages WHERE queue_id = :queue",
        {"now": now, "queue": queue.id},
    ).fetchone()
    return dict(zip(COUNTS, (str(visible), str(hidden), str(delayed)), strict=True))


def _save_tags(db: sqlite3.Connection, queue: Queue, tags: dict[str, str]) -> None:
    db.execute("UPDATE sqs_queues SET tags = ? WHERE id = ?", (json.dumps(tags), queue.id))
