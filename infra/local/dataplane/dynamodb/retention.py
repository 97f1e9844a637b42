"""What DynamoDB forgets on its own: stream records after 24 hours, transaction tokens after
10 minutes. Both tables keep their oldest rows first in key order (a table's stream by
sequence number, tokens by the 10-minute bucket they were written in), so a trim reads from
the front and stops at the first row still kept: it never walks live rows."""

from __future__ import annotations

import sqlite3

from infra.local.dataplane.dynamodb.stream_records import record_ids

STREAM_RETENTION = 24 * 3600.0
TOKEN_LIFETIME = 600.0


def stale(db: sqlite3.Connection, tid: int, now: float) -> bool:
    """Whether the oldest record of the table's stream is past retention."""
    row = db.execute(
        "SELECT created FROM ddb_stream WHERE id BETWEEN ? AND ? ORDER BY id LIMIT 1",
        record_ids(tid),
    ).fetchone()
    return row is not None and row[0] < now - STREAM_RETENTION


def trim_table(db: sqlite3.Connection, tid: int, now: float, batch: int = 1000) -> int:
    """Delete up to ``batch`` of the table's records past retention; remember the highest
    sequence number gone (an iterator before it has lost records)."""
    horizon, last, gone = now - STREAM_RETENTION, None, 0
    first, end = record_ids(tid)
    rows = db.execute(
        "SELECT id, created FROM ddb_stream WHERE id BETWEEN ? AND ? ORDER BY id LIMIT ?",
        (first, end, batch),
    )
    for key, created in rows:
        if created >= horizon:
            break
        last, gone = key, gone + 1
    if last is None:
        return 0
    db.execute("DELETE FROM ddb_stream WHERE id BETWEEN ? AND ?", (first, last))
    db.execute(
        "UPDATE ddb_counts SET trimmed = max(trimmed, ?) WHERE tid = ? AND idx = ''",
        (last - first, tid),
    )
    return gone


def trim_streams(db: sqlite3.Connection, now: float, batch: int = 1000) -> int:
    """Trim every table's stream (tables whose stream may still hold records)."""
    tables = db.execute("SELECT tid FROM ddb_counts WHERE idx = '' AND seq > trimmed").fetchall()
    gone = 0
    for (tid,) in tables:
        while (done := trim_table(db, tid, now, batch)) == batch:
            gone += done
        gone += done
    return gone


def bucket(now: float) -> int:
    return int(now // TOKEN_LIFETIME)


def trim_tokens(db: sqlite3.Connection, now: float, batch: int) -> None:
    """Drop up to ``batch`` tokens of buckets that can hold no live token any more."""
    db.execute(
        "DELETE FROM ddb_tokens WHERE (bucket, token) IN "
        "(SELECT bucket, token FROM ddb_tokens WHERE bucket < ? LIMIT ?)",
        (bucket(now) - 1, batch),
    )
