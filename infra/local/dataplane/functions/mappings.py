"""Event source mappings as Lambda stores them; the pollers (``pollers.py``) deliver them.

A stream mapping's position (the last sequence number handed to the function) is kept here
too, so a restarted stack goes on where it stopped, as the Lambda service does.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Callable
from typing import Any

from infra.local.dataplane.errors import AwsError

DDL = """
CREATE TABLE IF NOT EXISTS fn_mappings (uuid TEXT PRIMARY KEY, config TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS fn_checkpoints (
    uuid TEXT NOT NULL, shard TEXT NOT NULL, sequence TEXT, PRIMARY KEY (uuid, shard));
"""
SETTINGS = (
    "BatchSize",
    "MaximumBatchingWindowInSeconds",
    "StartingPosition",
    "FilterCriteria",
    "FunctionResponseTypes",
    "MaximumRetryAttempts",
    "BisectBatchOnFunctionError",
    "MaximumRecordAgeInSeconds",
    "DestinationConfig",
    "ScalingConfig",
    "ParallelizationFactor",
)


class Mappings:
    def __init__(
        self, store: Any, *, region: str, account: str, clock: Callable[[], float]
    ) -> None:
        store.schema(DDL)
        self.store, self.clock = store, clock
        self.region, self.account = region, account
        self.listeners: list[Callable[[], None]] = []
        """Told after a mapping was created, changed or deleted (the pollers follow)."""

    def create(
        self, db: sqlite3.Connection, params: dict[str, Any], function_arn: str
    ) -> dict[str, Any]:
        source = str(params.get("EventSourceArn", ""))
        if not source.startswith(("arn:aws:sqs:", "arn:aws:dynamodb:")):
            raise AwsError(
                "InvalidParameterValueException",
                "only SQS queues and DynamoDB streams are emulated as event sources",
            )
        sqs = source.startswith("arn:aws:sqs:")
        if not sqs and "StartingPosition" not in params:
            raise AwsError("InvalidParameterValueException", "StartingPosition is required")
        config: dict[str, Any] = {
            "UUID": str(uuid.uuid4()),
            "BatchSize": int(params.get("BatchSize") or (10 if sqs else 100)),
            "MaximumBatchingWindowInSeconds": int(
                params.get("MaximumBatchingWindowInSeconds") or 0
            ),
            "EventSourceArn": source,
            "FunctionArn": function_arn,
            "LastModified": 0.0,
            "LastProcessingResult": "No records processed",
            "State": "Enabled" if params.get("Enabled", True) else "Disabled",
            "StateTransitionReason": "USER_INITIATED",
            "FunctionResponseTypes": list(params.get("FunctionResponseTypes") or []),
        }
        config.update({k: params[k] for k in SETTINGS if k in params and k not in config})
        self._put(db, config)
        return config

    def get(self, db: sqlite3.Connection, mapping_id: str) -> dict[str, Any]:
        row = db.execute("SELECT config FROM fn_mappings WHERE uuid = ?", (mapping_id,)).fetchone()
        if row is None:
            raise AwsError(
                "ResourceNotFoundException",
                f"The resource you requested does not exist. (Service: Lambda) {mapping_id}",
                404,
            )
        found: dict[str, Any] = json.loads(row[0])
        return found

    def all(self, db: sqlite3.Connection) -> list[dict[str, Any]]:
        return [
            json.loads(r[0]) for r in db.execute("SELECT config FROM fn_mappings ORDER BY rowid")
        ]

    def update(
        self, db: sqlite3.Connection, mapping_id: str, params: dict[str, Any]
    ) -> dict[str, Any]:
        config = self.get(db, mapping_id)
        config.update({k: params[k] for k in SETTINGS if k in params})
        if "Enabled" in params:
            config["State"] = "Enabled" if params["Enabled"] else "Disabled"
        self._put(db, config)
        return config

    def delete(self, db: sqlite3.Connection, mapping_id: str) -> dict[str, Any]:
        config = self.get(db, mapping_id)
        db.execute("DELETE FROM fn_mappings WHERE uuid = ?", (mapping_id,))
        db.execute("DELETE FROM fn_checkpoints WHERE uuid = ?", (mapping_id,))
        self._changed()
        return {**config, "State": "Deleting"}

    def checkpoint(self, mapping_id: str, shard: str) -> tuple[bool, str | None]:
        """(known, sequence): whether this shard was read before, and where it stopped."""
        with self.store.read() as db:
            row = db.execute(
                "SELECT sequence FROM fn_checkpoints WHERE uuid = ? AND shard = ?",
                (mapping_id, shard),
            ).fetchone()
        return (row is not None, row[0] if row else None)

    def save_checkpoint(self, mapping_id: str, shard: str, sequence: str | None) -> None:
        with self.store.write() as db:
            db.execute(
                "INSERT OR REPLACE INTO fn_checkpoints (uuid, shard, sequence) VALUES (?, ?, ?)",
                (mapping_id, shard, sequence),
            )

    def _put(self, db: sqlite3.Connection, config: dict[str, Any]) -> None:
        config["LastModified"] = self.clock()
        db.execute(
            "INSERT OR REPLACE INTO fn_mappings (uuid, config) VALUES (?, ?)",
            (config["UUID"], json.dumps(config)),
        )
        self._changed()

    def _changed(self) -> None:
        for listener in self.listeners:
            self.store.after_commit(listener)
