"""DeleteQueue and PurgeQueue: the queue's messages and FIFO groups go at once; a deleted
queue's name may be reused after 60 seconds (``queues.py``), a queue purged once a minute."""

from __future__ import annotations

import sqlite3
from typing import Any

from infra.local.dataplane.sqs.base import SqsBase
from infra.local.dataplane.sqs.errors import sqs_error
from infra.local.dataplane.sqs.queue import Queue

PURGE_EVERY = 60.0


class RemovalOperations(SqsBase):
    def delete_queue(self, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.write() as db:
            queue = self.queue(db, params)
            _drop_messages(db, queue)
            db.execute("DELETE FROM sqs_dedup WHERE queue_id = ?", (queue.id,))
            db.execute("DELETE FROM sqs_queues WHERE id = ?", (queue.id,))
            db.execute(
                "INSERT OR REPLACE INTO sqs_deleted_queues (account, name, deleted) "
                "VALUES (?, ?, ?)",
                (queue.account, queue.name, self.clock()),
            )
            self._expired.pop(queue.id, None)
            self.store.after_commit(lambda: self.waiters.forget(queue.id))
        return {}

    def purge_queue(self, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.write() as db:
            queue = self.queue(db, params)
            now = self.clock()
            if queue.purged is not None and now - queue.purged < PURGE_EVERY:
                raise sqs_error(
                    "PurgeQueueInProgress",
                    f"Only one PurgeQueue operation on {queue.name} is allowed every 60 seconds.",
                )
            _drop_messages(db, queue)
            db.execute("UPDATE sqs_queues SET purged = ? WHERE id = ?", (now, queue.id))
        return {}


def _drop_messages(db: sqlite3.Connection, queue: Queue) -> None:
    db.execute("DELETE FROM sqs_messages WHERE queue_id = ?", (queue.id,))
    db.execute("DELETE FROM sqs_groups WHERE queue_id = ?", (queue.id,))
