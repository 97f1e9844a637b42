"""Which messages a receive may take, in order, without scanning the queue: the ready index
from its start (standard queues), or FIFO groups in head order; and when the next hidden
message becomes visible (a long poll's wake-up time)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

from infra.local.dataplane.sqs.queue import Queue
from infra.local.dataplane.sqs.selection import ROW, Row

GROUPS_PER_READ = 32


def candidates(db: sqlite3.Connection, queue: Queue, now: float, count: int) -> Iterator[Row]:
    """Receivable rows in order, read in small slices so the caller's updates are seen."""
    if queue.fifo:
        yield from _fifo(db, queue, now, count)
        return
    seen: set[int] = set()  # with VisibilityTimeout 0 a received message stays visible
    cutoff = now - queue.number("MessageRetentionPeriod")
    while True:
        rows = db.execute(
            f"SELECT {ROW} FROM sqs_messages WHERE queue_id = ? AND visible <= ? "  # noqa: S608
            "AND enqueued > ? ORDER BY visible, id LIMIT ?",
            (queue.id, now, cutoff, count),
        ).fetchall()
        fresh = [Row(*row) for row in rows if row[0] not in seen]
        if not fresh:
            return
        for row in fresh:
            seen.add(row.id)
            yield row


def _fifo(db: sqlite3.Connection, queue: Queue, now: float, count: int) -> Iterator[Row]:
    """Group by group in head order: a group's messages in order while they are visible;
    a group whose head is in flight or delayed is skipped whole."""
    after = -1
    while True:
        heads = db.execute(
            "SELECT group_id, head, head_visible FROM sqs_groups WHERE queue_id = ? AND head > ? "
            "ORDER BY head LIMIT ?",
            (queue.id, after, GROUPS_PER_READ),
        ).fetchall()
        if not heads:
            return
        for group, head, head_visible in heads:
            after = head
            if head_visible > now:
                continue
            rows = db.execute(
                f"SELECT {ROW} FROM sqs_messages WHERE queue_id = ? AND group_id = ? "  # noqa: S608
                "ORDER BY id LIMIT ?",
                (queue.id, group, count),
            ).fetchall()
            for row in rows:
                if row[-1] > now:
                    break
                yield Row(*row)


def next_visible(db: sqlite3.Connection, queue: Queue, now: float) -> float | None:
    """When the next hidden or delayed message of the queue becomes visible."""
    found = db.execute(
        "SELECT MIN(visible) FROM sqs_messages WHERE queue_id = ? AND visible > ?",
        (queue.id, now),
    ).fetchone()[0]
    return None if found is None else float(found)
