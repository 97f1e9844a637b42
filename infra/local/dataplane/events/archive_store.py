"""Archived events: stored with the archive's counters kept in step, trimmed to the
archive's retention (an index range on ingestion time, so the cost is what is dropped)."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

from infra.local.dataplane.events.routing import BusRoutes

DAY = 86_400.0


def keep(
    db: sqlite3.Connection, bus: BusRoutes, event: dict[str, Any], text: str, now: float
) -> None:
    """Store the event (``text``, its JSON) in each of the bus's archives it matches."""
    for archive in bus.archives:
        if archive.retention_days:
            trim(db, archive.name, now - archive.retention_days * DAY)
        if archive.matches is not None and not archive.matches(event):
            continue
        size = len(text.encode())
        db.execute(
            "INSERT INTO events_archived (archive, ingested, event_time, size, envelope) "
            "VALUES (?, ?, ?, ?, ?)",
            (archive.name, now, event_time(event), size, text),
        )
        db.execute(
            "UPDATE events_archives SET event_count = event_count + 1, "
            "size_bytes = size_bytes + ? WHERE name = ?",
            (size, archive.name),
        )


def trim(db: sqlite3.Connection, archive: str, cutoff: float) -> None:
    """Drop an archive's events ingested at or before ``cutoff`` (past its retention)."""
    count, size = db.execute(
        "SELECT count(*), COALESCE(SUM(size), 0) FROM events_archived "
        "WHERE archive = ? AND ingested <= ?",
        (archive, cutoff),
    ).fetchone()
    if count:
        db.execute(
            "DELETE FROM events_archived WHERE archive = ? AND ingested <= ?", (archive, cutoff)
        )
        db.execute(
            "UPDATE events_archives SET event_count = event_count - ?, "
            "size_bytes = size_bytes - ? WHERE name = ?",
            (count, size, archive),
        )


def event_time(event: dict[str, Any]) -> float:
    return datetime.fromisoformat(event["time"].replace("Z", "+00:00")).timestamp()
