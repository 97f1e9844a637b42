"""Lambda's queue of asynchronous invokes, kept in the store: an accepted event is never lost.

EventBridge and ``InvocationType: Event`` hand an event over here (in their own transaction);
worker threads take what is due, invoke, and settle: done, retried after a delay (Lambda: 2
retries by default, about 1 and 2 minutes apart; here 1 and 2 seconds), or after the last
attempt sent to the function's dead-letter queue (``DeadLetterConfig``) or dropped with an
error in the log. An invoke that was running when the stack died runs again after the
restart (at least once, as on Lambda); a throttled one waits without losing an attempt.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from infra.local.dataplane.errors import AwsError

if TYPE_CHECKING:
    from infra.local.dataplane.functions.service import Functions
    from infra.local.dataplane.store import Store

log = logging.getLogger("localstack")
DDL = """
CREATE TABLE IF NOT EXISTS fn_async (
    id INTEGER PRIMARY KEY AUTOINCREMENT, request_id TEXT NOT NULL, function TEXT NOT NULL,
    payload BLOB NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, due REAL NOT NULL,
    created REAL NOT NULL, leased INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS fn_async_due ON fn_async (leased, due);
"""
RETRY_DELAYS = (1.0, 2.0)
"""Real seconds before the 2nd and 3rd attempts (AWS: about 1 and 2 minutes)."""
DeadLetter = Callable[[str, bytes, dict[str, str]], None]


class AsyncQueue:
    def __init__(
        self, store: Store, functions: Functions, *, clock: Callable[[], float], workers: int = 4
    ) -> None:
        store.schema(DDL)
        self.store, self.functions, self.clock = store, functions, clock
        self.dead_letter: DeadLetter | None = None
        """Sends (queue ARN, body, attributes) to an SQS dead-letter queue; set by the engine."""
        self._workers = workers
        self._threads: list[threading.Thread] = []
        self._wake = threading.Condition()
        self._stopping = threading.Event()

    def enqueue(self, db: sqlite3.Connection, function: str, payload: bytes) -> str:
        request_id = str(uuid.uuid4())
        now = self.clock()
        db.execute(
            "INSERT INTO fn_async (request_id, function, payload, due, created) VALUES (?,?,?,?,?)",
            (request_id, function, payload, now, now),
        )
        self.store.after_commit(self._notify)
        return request_id

    def pending(self) -> int:
        with self.store.read() as db:
            return int(db.execute("SELECT count(*) FROM fn_async").fetchone()[0])

    def start(self) -> None:
        """Invokes that were running when the stack stopped are due again at once."""
        with self.store.write() as db:
            db.execute("UPDATE fn_async SET leased = 0, due = ? WHERE leased = 1", (self.clock(),))
        self._stopping.clear()
        for number in range(self._workers):
            thread = threading.Thread(target=self._work, name=f"lambda-async-{number}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stopping.set()
        self._notify()
        for thread in self._threads:
            thread.join(10)
        self._threads.clear()

    def _notify(self) -> None:
        with self._wake:
            self._wake.notify_all()

    def _work(self) -> None:
        while not self._stopping.is_set():
            job = self._claim()
            if job is None:
                continue
            try:
                self._run(job)
            except Exception:  # the job stays leased; the next start runs it again
                log.exception("asynchronous invoke of %s failed in the stack", job["function"])

    def _claim(self) -> dict[str, Any] | None:
        with self.store.write() as db:
            now = self.clock()
            row = db.execute(
                "SELECT id, request_id, function, payload, attempts, created FROM fn_async "
                "WHERE leased = 0 AND due <= ? ORDER BY due, id LIMIT 1",
                (now,),
            ).fetchone()
            if row is not None:
                db.execute("UPDATE fn_async SET leased = 1 WHERE id = ?", (row[0],))
                keys = ("id", "request_id", "function", "payload", "attempts", "created")
                return dict(zip(keys, row, strict=True))
            upcoming = db.execute("SELECT min(due) FROM fn_async WHERE leased = 0").fetchone()[0]
        wait = 1.0 if upcoming is None else max(0.0, min(1.0, upcoming - now))
        with self._wake:
            if not self._stopping.is_set():
                self._wake.wait(wait)
        return None

    def _run(self, job: dict[str, Any]) -> None:
        try:
            result = self.functions.invoke(job["function"], job["payload"], job["request_id"])
        except AwsError as refused:
            if refused.status == 429:  # throttled: try again soon, the attempt does not count
                self._later(job["id"], 1.0, job["attempts"])
                return
            if refused.code == "ResourceNotFoundException":
                log.error("asynchronous invoke of %s: no such function, dropped", job["function"])
                self._done(job["id"])
                return
            raise
        if not result.function_error:
            self._done(job["id"])
            return
        with self.store.read() as db:
            settings = self.functions.registry.invoke_config(db, job["function"])
        attempts = job["attempts"] + 1
        too_old = self.clock() - job["created"] > settings.get("MaximumEventAgeInSeconds", 21600)
        log.warning("asynchronous invoke of %s failed (attempt %d)", job["function"], attempts)
        if attempts > int(settings.get("MaximumRetryAttempts", 2)) or too_old:
            self._give_up(job, result.payload)
            return
        delay = RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1]
        self._later(job["id"], delay, attempts)

    def _later(self, job_id: int, delay: float, attempts: int) -> None:
        with self.store.write() as db:
            db.execute(
                "UPDATE fn_async SET leased = 0, due = ?, attempts = ? WHERE id = ?",
                (self.clock() + delay, attempts, job_id),
            )

    def _done(self, job_id: int) -> None:
        with self.store.write() as db:
            db.execute("DELETE FROM fn_async WHERE id = ?", (job_id,))

    def _give_up(self, job: dict[str, Any], answer: bytes) -> None:
        """As Lambda does: the event as the body, RequestID/ErrorCode/ErrorMessage attributes."""
        with self.store.write() as db:
            config = self.functions.registry.get(db, job["function"])
            target = (config.get("DeadLetterConfig") or {}).get("TargetArn", "")
            try:
                error = json.loads(answer)
            except ValueError:
                error = {}
            attributes = {
                "RequestID": job["request_id"],
                "ErrorCode": "200",
                "ErrorMessage": str(error.get("errorMessage", "") or "-")[:256],
            }
            if target.startswith("arn:aws:sqs:") and self.dead_letter is not None:
                self.dead_letter(target, job["payload"], attributes)
                log.error(
                    "asynchronous invoke of %s failed: event sent to its DLQ", job["function"]
                )
            else:
                log.error("asynchronous invoke of %s failed: event dropped", job["function"])
            db.execute("DELETE FROM fn_async WHERE id = ?", (job["id"],))
