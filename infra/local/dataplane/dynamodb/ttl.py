"""Time to Live: UpdateTimeToLive, DescribeTimeToLive, and ``expire``, the deletion of expired
items that the stack runs periodically (DynamoDB does it in the background, within days;
the stack as often as it calls ``expire``).

Items carry their expiry in ``ddb_ttl`` (kept by every write while TTL is enabled; filled
from the table once when it is enabled), so ``expire`` reads only what has expired. As in
DynamoDB, an expiry more than five years in the past is ignored, expired items stay readable
until deleted, and each deletion leaves a REMOVE stream record marked as the service's.
"""

from __future__ import annotations

import json
import sqlite3

from infra.local.dataplane.dynamodb import storage
from infra.local.dataplane.dynamodb.base import Base
from infra.local.dataplane.dynamodb.retention import trim_streams, trim_tokens
from infra.local.dataplane.dynamodb.spec import TableSpec
from infra.local.dataplane.errors import validation
from infra.local.dataplane.service import Params

FIVE_YEARS = 5 * 365 * 24 * 3600.0


class TtlOperations(Base):
    def update_time_to_live(self, params: Params) -> Params:
        wanted = params.get("TimeToLiveSpecification") or {}
        enabled, attribute = wanted.get("Enabled"), wanted.get("AttributeName")
        if not isinstance(enabled, bool) or not isinstance(attribute, str) or not attribute:
            raise validation("TimeToLiveSpecification needs Enabled and AttributeName")
        with self.store.write() as db:
            spec = self.catalog.get(db, params.get("TableName"))
            if enabled and spec.ttl_attribute:
                raise validation("TimeToLive is already enabled")
            if not enabled and not spec.ttl_attribute:
                raise validation("TimeToLive is already disabled")
            db.execute("DELETE FROM ddb_ttl WHERE tid = ?", (spec.tid,))
            changed = spec.with_changes(ttl_attribute=attribute if enabled else None)
            if enabled:
                _fill(db, changed)
            self.catalog.save(db, changed)
        return {"TimeToLiveSpecification": {"Enabled": enabled, "AttributeName": attribute}}

    def describe_time_to_live(self, params: Params) -> Params:
        with self.store.read() as db:
            spec = self.catalog.get(db, params.get("TableName"))
        if spec.ttl_attribute is None:
            return {"TimeToLiveDescription": {"TimeToLiveStatus": "DISABLED"}}
        return {
            "TimeToLiveDescription": {
                "TimeToLiveStatus": "ENABLED",
                "AttributeName": spec.ttl_attribute,
            }
        }

    def expire(self, now: float | None = None, *, batch: int = 100, limit: int = 1000) -> int:
        """Delete up to ``limit`` expired items, ``batch`` per transaction (other callers
        go in between); trim stream records and tokens past their retention. Returns how
        many items were deleted: call again while it returns ``limit``."""
        moment = self.clock() if now is None else now
        with self.store.read() as db:
            names = [r[0] for r in db.execute("SELECT name FROM ddb_tables ORDER BY tid")]
        deleted = 0
        for name in names:
            while deleted < limit:
                size = min(batch, limit - deleted)
                done = self._expire_batch(name, moment, size)
                deleted += done
                if done < size:
                    break
        with self.store.write() as db:
            trim_streams(db, moment)
            trim_tokens(db, moment, batch=10_000)
        return deleted

    def _expire_batch(self, name: str, now: float, batch: int) -> int:
        with self.store.write() as db:
            spec = self.catalog.find(db, name)
            if spec is None or spec.ttl_attribute is None:
                return 0
            rows = db.execute(
                "SELECT h, pk, sk FROM ddb_ttl WHERE tid = ? AND expires BETWEEN ? AND ? "
                "ORDER BY expires LIMIT ?",
                (spec.tid, now - FIVE_YEARS, now, batch),
            ).fetchall()
            writer = storage.Writer(db, now)
            for h, pk, sk in rows:
                at = (h, pk, sk)
                old = storage.read(db, spec, at)
                if old is None:  # cannot happen while writes keep ddb_ttl; never loop on it
                    db.execute(
                        "DELETE FROM ddb_ttl WHERE tid = ? AND h = ? AND pk = ? AND sk = ?",
                        (spec.tid, *at),
                    )
                writer.change(spec, at, old, None, by_ttl=True)
            writer.flush()
        return len(rows)


def _fill(db: sqlite3.Connection, spec: TableSpec) -> None:
    """Index the expiry of every item already in the table (once, when TTL is enabled)."""
    rows = db.execute("SELECT h, pk, sk, item FROM ddb_items WHERE tid = ?", (spec.tid,))
    entries = []
    for h, pk, sk, text in rows:
        expires = storage.expiry(spec, json.loads(text))
        if expires is not None:
            entries.append((spec.tid, expires, h, pk, sk))
    db.executemany("INSERT OR REPLACE INTO ddb_ttl VALUES (?, ?, ?, ?, ?)", entries)
