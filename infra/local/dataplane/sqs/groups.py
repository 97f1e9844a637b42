"""FIFO message groups: each group's head (its oldest message) and when the head is visible.

A FIFO receive takes messages of a group in order, starting at its head; while the head is
in flight (or delayed) the whole group waits. Keeping the head per group lets a receive walk
groups in head order and skip only the ones waiting, instead of scanning messages.
"""

from __future__ import annotations

import sqlite3


def join(db: sqlite3.Connection, queue_id: int, group: str, row_id: int, visible: float) -> None:
    """A message entered the group (sent, or moved in with its old, possibly smaller id)."""
    db.execute(
        "INSERT INTO sqs_groups (queue_id, group_id, head, head_visible) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (queue_id, group_id) DO UPDATE SET head = excluded.head, "
        "head_visible = excluded.head_visible WHERE excluded.head < sqs_groups.head",
        (queue_id, group, row_id, visible),
    )


def refresh(db: sqlite3.Connection, queue_id: int, group: str) -> None:
    """Recompute a group's head after its messages were removed, moved or made (in)visible."""
    head = db.execute(
        "SELECT id, visible FROM sqs_messages WHERE queue_id = ? AND group_id = ? "
        "ORDER BY id LIMIT 1",
        (queue_id, group),
    ).fetchone()
    if head is None:
        db.execute("DELETE FROM sqs_groups WHERE queue_id = ? AND group_id = ?", (queue_id, group))
    else:
        db.execute(
            "UPDATE sqs_groups SET head = ?, head_visible = ? WHERE queue_id = ? AND group_id = ?",
            (head[0], head[1], queue_id, group),
        )


def rebuild(db: sqlite3.Connection) -> None:
    """Every group's head visibility from its message (start-up, after releasing in-flight)."""
    db.execute(
        "UPDATE sqs_groups SET head_visible = "
        "(SELECT visible FROM sqs_messages WHERE sqs_messages.id = sqs_groups.head)"
    )
