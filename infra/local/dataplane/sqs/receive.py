"""ReceiveMessage: short and long polls, visibility, and the redrive to a dead-letter queue.

A message received more than ``maxReceiveCount`` times is moved to the DLQ at the receive
that would exceed it (as SQS does), keeping its id, body and attributes. A long poll waits
on the queue's condition (``waiters.py``), never spinning: a send, a visibility change or a
dead-lettering into the queue wakes it, and so does the next hidden message's visibility
deadline.
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from typing import Any

from infra.local.dataplane.errors import AwsError
from infra.local.dataplane.sqs import groups
from infra.local.dataplane.sqs.base import SqsBase, integer
from infra.local.dataplane.sqs.candidates import candidates, next_visible
from infra.local.dataplane.sqs.queue import Queue, by_arn
from infra.local.dataplane.sqs.receipts import encode, new_token
from infra.local.dataplane.sqs.selection import Row, Selection, rendered
from infra.local.dataplane.sqs.storage import relocate


class ReceiveOperations(SqsBase):
    def blocks(self, operation: str, params: dict[str, Any]) -> bool:
        """Only a long poll waits; a short one answers at once, on the server's event loop
        (a worker thread would cost it a thread hand-off each way)."""
        if operation != "ReceiveMessage":
            return False
        wait = params.get("WaitTimeSeconds")
        if isinstance(wait, int) and not isinstance(wait, bool):
            return wait > 0
        try:
            with self.store.read() as db:
                queue = self.queue(db, params)
        except AwsError:
            return False  # the call itself answers the error, at once
        return queue.number("ReceiveMessageWaitTimeSeconds") > 0

    def receive_message(self, params: dict[str, Any]) -> dict[str, Any]:
        count = integer(
            params, "MaxNumberOfMessages", 1, 10, "Must be between 1 and 10, if provided."
        )
        visibility = integer(params, "VisibilityTimeout", 0, 43_200)
        wait = integer(params, "WaitTimeSeconds", 0, 20)
        selection = Selection.of(params)
        deadline: float | None = None
        while True:
            with self.store.write() as db:
                queue = self.queue(db, params)
                now = self.clock()
                if deadline is None:
                    deadline = now + (
                        queue.number("ReceiveMessageWaitTimeSeconds") if wait is None else wait
                    )
                seen = self.waiters.generation(queue.id)
                hide = queue.number("VisibilityTimeout") if visibility is None else visibility
                messages = self._take(db, queue, now, count or 1, hide, selection)
                upcoming = None if messages else next_visible(db, queue, now)
            if messages:
                return {"Messages": messages}
            if now >= deadline:
                return {}
            until = deadline if upcoming is None else min(deadline, upcoming)
            self.waiters.wait(queue.id, seen, until - now)

    def _take(
        self,
        db: sqlite3.Connection,
        queue: Queue,
        now: float,
        count: int,
        hide: int,
        selection: Selection,
    ) -> list[dict[str, Any]]:
        self.expire(db, queue, now, always=queue.fifo)
        dlq = self._dead_letter_queue(db, queue)
        taken: list[dict[str, Any]] = []
        for row in candidates(db, queue, now, count):
            if dlq is not None and queue.redrive and row.receives >= queue.redrive[1]:
                relocate(db, row.id, row.group_id, queue, dlq, now, dead_letter=True)
                self.wake(dlq.id)
                continue
            taken.append(self._mark(db, queue, row, now, hide, selection))
            if len(taken) == count:
                break
        return taken

    def _mark(
        self,
        db: sqlite3.Connection,
        queue: Queue,
        row: Row,
        now: float,
        hide: int,
        selection: Selection,
    ) -> dict[str, Any]:
        token = new_token()
        first = row.first_receive if row.first_receive is not None else int(now * 1000)
        db.execute(
            "UPDATE sqs_messages SET visible = ?, receives = receives + 1, first_receive = ?, "
            "received = ?, receipt = ? WHERE id = ?",
            (now + hide, first, now, token, row.id),
        )
        if queue.fifo and row.group_id is not None:
            groups.refresh(db, queue.id, row.group_id)
        received = replace(row, receives=row.receives + 1, first_receive=first)
        return rendered(received, encode(queue.id, row.id, token), selection, queue.fifo)

    def _dead_letter_queue(self, db: sqlite3.Connection, queue: Queue) -> Queue | None:
        if queue.redrive is None:
            return None
        dlq = by_arn(db, queue.redrive[0], self.region)
        return dlq if dlq is not None and dlq.fifo == queue.fifo else None
