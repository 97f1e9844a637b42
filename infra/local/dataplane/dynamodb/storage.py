"""Item writes: the row, its index entries, its TTL entry, its stream record and the table's
counters change together, in the caller's transaction (one per API call).

Index entries hold no item data (a query reads the item), so an item rewritten with the same
index keys touches no index row; counters and the stream's sequence number are summed per
call and written once (``flush``).
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from typing import NamedTuple

from infra.local.dataplane.dynamodb.keys import Location, index_location, key_of
from infra.local.dataplane.dynamodb.spec import TableSpec
from infra.local.dataplane.dynamodb.stream_records import record_id, stored_record
from infra.local.dataplane.dynamodb.values import Item


class Stored(NamedTuple):
    """An item, its size in bytes, and its JSON text when it was read as such."""

    item: Item
    size: int
    text: str | None = None

    def json(self) -> str:
        return self.text if self.text is not None else dumps(self.item)


_READ = "SELECT item, size FROM ddb_items WHERE tid = ? AND h = ? AND pk = ? AND sk = ?"
_PUT = (
    "INSERT INTO ddb_items (tid, h, pk, sk, size, item) VALUES (?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (tid, h, pk, sk) DO UPDATE SET size = excluded.size, item = excluded.item"
)
_DELETE = "DELETE FROM ddb_items WHERE tid = ? AND h = ? AND pk = ? AND sk = ?"
_INDEX_PUT = "INSERT OR REPLACE INTO ddb_index VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
_INDEX_DELETE = (
    "DELETE FROM ddb_index WHERE tid = ? AND idx = ? AND ih = ? AND ipk = ? AND isk = ? "
    "AND pk = ? AND sk = ?"
)
_TTL_PUT = "INSERT OR REPLACE INTO ddb_ttl VALUES (?, ?, ?, ?, ?)"
_TTL_DELETE = "DELETE FROM ddb_ttl WHERE tid = ? AND expires = ? AND h = ? AND pk = ? AND sk = ?"
_STREAM = "INSERT INTO ddb_stream (id, created, record) VALUES (?, ?, ?)"
_LAST_SEQ = "SELECT seq FROM ddb_counts WHERE tid = ? AND idx = ''"
_COUNT = (
    "UPDATE ddb_counts SET items = items + ?, bytes = bytes + ?, seq = max(seq, ?) "
    "WHERE tid = ? AND idx = ?"
)


def dumps(item: Item) -> str:
    return json.dumps(item, separators=(",", ":"))


def read(db: sqlite3.Connection, spec: TableSpec, at: Location) -> Stored | None:
    row = db.execute(_READ, (spec.tid, *at)).fetchone()
    return None if row is None else Stored(json.loads(row[0]), row[1], row[0])


def expiry(spec: TableSpec, item: Item) -> float | None:
    value = item.get(spec.ttl_attribute) if spec.ttl_attribute else None
    return float(value["N"]) if value is not None and "N" in value else None


class Writer:
    def __init__(self, db: sqlite3.Connection, now: float) -> None:
        self.db = db
        self.now = now
        self._counts: defaultdict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0, 0])

    def change(
        self,
        spec: TableSpec,
        at: Location,
        old: Stored | None,
        new: Stored | None,
        *,
        by_ttl: bool = False,
    ) -> None:
        """Replace ``old`` (None: absent) by ``new`` (None: delete). A change that changes
        nothing writes nothing and leaves no stream record, as in DynamoDB."""
        old_item, new_item = old.item if old else None, new.item if new else None
        if old_item == new_item:
            return
        tid, db = spec.tid, self.db
        new_text = new.json() if new is not None else None
        if new is None:
            db.execute(_DELETE, (tid, *at))
        else:
            db.execute(_PUT, (tid, *at, new.size, new_text))
        self._count(tid, "", old, new)
        for index in spec.indexes:
            was = index_location(index, old_item) if old_item else None
            now = index_location(index, new_item) if new_item else None
            if was != now:
                if was is not None:
                    db.execute(_INDEX_DELETE, (tid, index.name, *was, at[1], at[2]))
                if now is not None:
                    db.execute(_INDEX_PUT, (tid, index.name, *now, *at))
            self._count(tid, index.name, old if was else None, new if now else None)
        if spec.ttl_attribute:
            self._ttl(spec, at, old_item, new_item)
        if spec.stream_view:
            keys = key_of(spec, new_item if new_item is not None else old_item or {})
            before = (old.json(), old.size) if old is not None else None
            after = (new_text, new.size) if new is not None and new_text is not None else None
            record = stored_record(spec.stream_view, keys, before, after, self.now, by_ttl=by_ttl)
            seq = self._next_sequence(tid)
            db.execute(_STREAM, (record_id(tid, seq), self.now, record))

    def _next_sequence(self, tid: int) -> int:
        counts = self._counts[(tid, "")]
        if not counts[2]:
            row = self.db.execute(_LAST_SEQ, (tid,)).fetchone()
            counts[2] = int(row[0]) if row else 0
        counts[2] += 1
        return counts[2]

    def _ttl(self, spec: TableSpec, at: Location, old: Item | None, new: Item | None) -> None:
        was = expiry(spec, old) if old else None
        now = expiry(spec, new) if new else None
        if was != now:
            if was is not None:
                self.db.execute(_TTL_DELETE, (spec.tid, was, *at))
            if now is not None:
                self.db.execute(_TTL_PUT, (spec.tid, now, *at))

    def _count(self, tid: int, index: str, old: Stored | None, new: Stored | None) -> None:
        if old is None and new is None:
            return
        counts = self._counts[(tid, index)]
        counts[0] += (new is not None) - (old is not None)
        counts[1] += (new.size if new else 0) - (old.size if old else 0)

    def flush(self) -> None:
        rows = [
            (n, b, s, tid, idx) for (tid, idx), (n, b, s) in self._counts.items() if n or b or s
        ]
        if rows:
            self.db.executemany(_COUNT, rows)
        self._counts.clear()
