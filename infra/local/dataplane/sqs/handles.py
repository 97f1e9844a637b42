"""What a consumer does with a receipt handle: delete the message, change its visibility.

A stale handle (the message was received again since) deletes nothing and still succeeds,
as SQS documents; a visibility change with it is refused. A message already gone deletes as
a success too. A handle of another queue, or one that is not a handle, is invalid.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from infra.local.dataplane.errors import AwsError
from infra.local.dataplane.sqs import groups
from infra.local.dataplane.sqs.base import SqsBase
from infra.local.dataplane.sqs.batch import checked_entries, failure
from infra.local.dataplane.sqs.errors import bad_receipt, invalid_value, missing, sqs_error
from infra.local.dataplane.sqs.queue import Queue
from infra.local.dataplane.sqs.receipts import decode
from infra.local.dataplane.sqs.storage import remove

MAX_VISIBILITY = 43_200
"""Twelve hours: a message's whole time in flight, counted from the receive."""


class HandleOperations(SqsBase):
    def delete_message(self, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.write() as db:
            self._delete(db, self.queue(db, params), params.get("ReceiptHandle"))
        return {}

    def delete_message_batch(self, params: dict[str, Any]) -> dict[str, Any]:
        entries = checked_entries(params.get("Entries"), "DeleteMessageBatchRequestEntry")
        return self._batch(
            params, entries, lambda db, q, e: self._delete(db, q, e.get("ReceiptHandle"))
        )

    def change_message_visibility(self, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.write() as db:
            self._change(db, self.queue(db, params), params)
        return {}

    def change_message_visibility_batch(self, params: dict[str, Any]) -> dict[str, Any]:
        entries = checked_entries(params.get("Entries"), "ChangeMessageVisibilityBatchRequestEntry")
        return self._batch(params, entries, self._change)

    def _batch(
        self, params: dict[str, Any], entries: list[dict[str, Any]], act: Any
    ) -> dict[str, Any]:
        successful, failed = [], []
        with self.store.write() as db:
            queue = self.queue(db, params)
            for entry in entries:
                try:
                    with self.store.write():
                        act(db, queue, entry)
                except AwsError as error:
                    failed.append(failure(entry["Id"], error))
                    continue
                successful.append({"Id": entry["Id"]})
        return {"Successful": successful, "Failed": failed}

    def _delete(self, db: sqlite3.Connection, queue: Queue, handle: object) -> None:
        row = self._row(db, queue, handle)
        if row is not None and row[1] == decode(handle)[2]:
            remove(db, queue, row[0], row[2])
            if queue.fifo:
                self.wake(queue.id)  # the group's next message may be received now

    def _change(self, db: sqlite3.Connection, queue: Queue, params: dict[str, Any]) -> None:
        handle = params.get("ReceiptHandle")
        timeout = params.get("VisibilityTimeout")
        if timeout is None:
            raise missing("VisibilityTimeout")
        if (
            isinstance(timeout, bool)
            or not isinstance(timeout, int)
            or not 0 <= timeout <= MAX_VISIBILITY
        ):
            raise invalid_value(
                "VisibilityTimeout", timeout, f"Must be >= 0 and <= {MAX_VISIBILITY}."
            )
        row = self._row(db, queue, handle)
        if row is None or row[1] != decode(handle)[2]:
            raise invalid_value(
                "ReceiptHandle",
                handle,
                "Message does not exist or is not available for visibility timeout change.",
            )
        row_id, _, group, visible, received = row
        now = self.clock()
        if visible <= now:
            raise sqs_error("MessageNotInflight", "Message not inflight.")
        if now - received + timeout > MAX_VISIBILITY:
            raise invalid_value(
                "VisibilityTimeout",
                timeout,
                "Total VisibilityTimeout for the message is beyond the limit "
                f"[{MAX_VISIBILITY} seconds]",
            )
        db.execute("UPDATE sqs_messages SET visible = ? WHERE id = ?", (now + timeout, row_id))
        if queue.fifo and group is not None:
            groups.refresh(db, queue.id, group)
        self.wake(queue.id)

    def _row(self, db: sqlite3.Connection, queue: Queue, handle: object) -> Any:
        """(row id, receipt token, group, visible, received) of the handle's message, if any."""
        queue_id, row_id, _ = decode(handle)
        if queue_id != queue.id:
            raise bad_receipt(str(handle))
        return db.execute(
            "SELECT id, receipt, group_id, visible, received FROM sqs_messages "
            "WHERE id = ? AND queue_id = ?",
            (row_id, queue.id),
        ).fetchone()
