"""Positions in a table's stream: sequence numbers as the API spells them (21-digit numeric
strings, increasing), the last one written and the highest one trimmed."""

from __future__ import annotations

import sqlite3

from infra.local.dataplane.errors import AwsError, validation

SEQUENCE_BASE = 10**20
"""Added to a table's own sequence numbers: every one has 21 digits, so they order alike as
numbers and as strings."""


def trimmed() -> AwsError:
    return AwsError(
        "TrimmedDataAccessException",
        "The requested records are older than the stream's 24-hour retention and were trimmed",
    )


def number(seq: int) -> str:
    return str(SEQUENCE_BASE + seq)


def sequence(raw: object) -> int:
    if not isinstance(raw, str) or not raw.isdigit() or int(raw) < SEQUENCE_BASE:
        raise validation(f"Invalid SequenceNumber: {raw}")
    return int(raw) - SEQUENCE_BASE


def positions(db: sqlite3.Connection, tid: int) -> tuple[int, int]:
    """The stream's last sequence number and the highest one trimmed."""
    row = db.execute("SELECT seq, trimmed FROM ddb_counts WHERE tid = ? AND idx = ''", (tid,))
    found = row.fetchone()
    return (0, 0) if found is None else (int(found[0]), int(found[1]))
