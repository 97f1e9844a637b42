"""Archives: every event on the archive's bus that matches its pattern (every event, without
one) is stored as it was delivered, kept ``RetentionDays`` (0: forever) and counted
(EventCount, SizeBytes: the events' JSON bytes). Replayed events are not archived again.
Unlike EventBridge, no managed rule (``Events-Archive-<name>``) appears in ListRules."""

from __future__ import annotations

import re
import sqlite3
from typing import Any

from infra.local.dataplane.events import pattern
from infra.local.dataplane.events.archive_store import DAY, trim
from infra.local.dataplane.events.base import page
from infra.local.dataplane.events.errors import already_exists, not_found, validation
from infra.local.dataplane.events.ingest import Ingest
from infra.local.dataplane.events.names import bus_name, checked_name, resource_name

COLUMNS = "name, bus, pattern, description, retention_days, created, event_count, size_bytes"
_NAME = re.compile(r"[.\-_A-Za-z0-9]{1,48}")


class ArchiveOperations(Ingest):
    def create_archive(self, params: dict[str, Any]) -> dict[str, Any]:
        name = checked_name(params.get("ArchiveName"), "archiveName", _NAME)
        source = str(params.get("EventSourceArn") or "")
        bus = resource_name(source, "event-bus")
        if bus is None:
            raise validation("Parameter EventSourceArn is not valid: it must be an event bus ARN.")
        retention = _retention(params)
        text = params.get("EventPattern")
        if text:
            pattern.compiled(str(text))
        with self.store.write() as db:
            self.require_bus(db, bus)
            if db.execute("SELECT 1 FROM events_archives WHERE name = ?", (name,)).fetchone():
                raise already_exists(f"Archive {name} already exists.")
            now = self.clock()
            db.execute(
                "INSERT INTO events_archives (name, bus, pattern, description, retention_days, "
                "created) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (name, bus, text or None, params.get("Description"), retention or 0, now),
            )
            self.changed(db, bus)
        return {"ArchiveArn": self.arns.archive(name), "State": "ENABLED", "CreationTime": now}

    def update_archive(self, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.write() as db:
            row = self.archive_row(db, params.get("ArchiveName"))
            text = params.get("EventPattern", row[2])
            if text:
                pattern.compiled(str(text))
            retention = _retention(params)
            db.execute(
                "UPDATE events_archives SET pattern = ?, description = ?, retention_days = ? "
                "WHERE name = ?",
                (
                    text or None,
                    params.get("Description", row[3]),
                    row[4] if retention is None else retention,
                    row[0],
                ),
            )
            self.changed(db, row[1])
        return {"ArchiveArn": self.arns.archive(row[0]), "State": "ENABLED", "CreationTime": row[5]}

    def describe_archive(self, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.write() as db:
            row = self.archive_row(db, params.get("ArchiveName"))
            if row[4]:
                trim(db, row[0], self.clock() - row[4] * DAY)
                row = self.archive_row(db, row[0])
        described = self._described(row)
        described["ArchiveArn"] = self.arns.archive(row[0])
        for key, value in (("Description", row[3]), ("EventPattern", row[2])):
            if value:
                described[key] = value
        return described

    def list_archives(self, params: dict[str, Any]) -> dict[str, Any]:
        prefix = str(params.get("NamePrefix") or "")
        source = params.get("EventSourceArn")
        state = params.get("State")
        with self.store.read() as db:
            rows = db.execute(f"SELECT {COLUMNS} FROM events_archives").fetchall()  # noqa: S608
        wanted = [
            r
            for r in rows
            if r[0].startswith(prefix)
            and (source is None or bus_name(source) == r[1])
            and state in (None, "ENABLED")
        ]
        chosen, token = page(params, wanted, lambda r: r[0])
        return {
            "Archives": [self._described(r) for r in chosen],
            **({"NextToken": token} if token else {}),
        }

    def delete_archive(self, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.write() as db:
            row = self.archive_row(db, params.get("ArchiveName"))
            db.execute("DELETE FROM events_archived WHERE archive = ?", (row[0],))
            db.execute("DELETE FROM events_archives WHERE name = ?", (row[0],))
            self.changed(db, row[1])
        return {}

    def archive_row(self, db: sqlite3.Connection, name: object) -> tuple[Any, ...]:
        row = db.execute(
            f"SELECT {COLUMNS} FROM events_archives WHERE name = ?",  # noqa: S608
            (checked_name(name, "archiveName", _NAME),),
        ).fetchone()
        if row is None:
            raise not_found(f"Archive {name} does not exist.")
        return tuple(row)

    def _described(self, row: tuple[Any, ...]) -> dict[str, Any]:
        name, bus, _, _, retention, created, count, size = row
        return {
            "ArchiveName": name,
            "EventSourceArn": self.arns.bus(bus),
            "State": "ENABLED",
            "RetentionDays": retention,
            "SizeBytes": size,
            "EventCount": count,
            "CreationTime": created,
        }


def _retention(params: dict[str, Any]) -> int | None:
    days = params.get("RetentionDays")
    if days is not None and (isinstance(days, bool) or not isinstance(days, int) or days < 0):
        raise validation("Parameter RetentionDays is not valid: it must be 0 or more.")
    return days
