"""Event buses. The ``default`` bus always exists and cannot be deleted; deleting a custom
bus deletes its rules and their targets with it."""

from __future__ import annotations

import re
import uuid
from typing import Any

from infra.local.dataplane.events.base import EventsBase, page
from infra.local.dataplane.events.errors import already_exists, not_found, validation
from infra.local.dataplane.events.names import DEFAULT_BUS, bus_name, checked_name

_BUS_NAME = re.compile(r"[/.\-_A-Za-z0-9]{1,256}")


class BusOperations(EventsBase):
    def create_event_bus(self, params: dict[str, Any]) -> dict[str, Any]:
        name = checked_name(params.get("Name"), "name", _BUS_NAME)
        if params.get("EventSourceName"):
            raise validation(
                "Partner event buses (EventSourceName) are not emulated by the local stack."
            )
        if name.startswith("aws."):
            raise validation("Event bus names starting with 'aws.' are reserved for partner buses.")
        with self.store.write() as db:
            if db.execute("SELECT 1 FROM events_buses WHERE name = ?", (name,)).fetchone():
                raise already_exists(f"Event bus {name} already exists.")
            now = self.clock()
            db.execute(
                "INSERT INTO events_buses (name, description, created, modified, version) "
                "VALUES (?, ?, ?, ?, ?)",
                (name, params.get("Description"), now, now, uuid.uuid4().hex),
            )
        answer = {"EventBusArn": self.arns.bus(name)}
        if params.get("Description"):
            answer["Description"] = params["Description"]
        return answer

    def describe_event_bus(self, params: dict[str, Any]) -> dict[str, Any]:
        name = bus_name(params.get("Name"))
        with self.store.read() as db:
            row = db.execute(
                "SELECT name, description, created, modified FROM events_buses WHERE name = ?",
                (name,),
            ).fetchone()
        if row is None:
            raise not_found(f"Event bus {name} does not exist.")
        return self._bus(row)

    def list_event_buses(self, params: dict[str, Any]) -> dict[str, Any]:
        prefix = str(params.get("NamePrefix") or "")
        with self.store.read() as db:
            rows = db.execute(
                "SELECT name, description, created, modified FROM events_buses"
            ).fetchall()
        chosen, token = page(params, [r for r in rows if r[0].startswith(prefix)], lambda r: r[0])
        answer: dict[str, Any] = {"EventBuses": [self._bus(r) for r in chosen]}
        return {**answer, **({"NextToken": token} if token else {})}

    def delete_event_bus(self, params: dict[str, Any]) -> dict[str, Any]:
        name = checked_name(params.get("Name"), "name", _BUS_NAME)
        if name == DEFAULT_BUS:
            raise validation("Cannot delete event bus default.")
        with self.store.write() as db:
            for table in ("events_targets", "events_rules"):
                db.execute(f"DELETE FROM {table} WHERE bus = ?", (name,))  # noqa: S608
            db.execute("DELETE FROM events_buses WHERE name = ?", (name,))
        return {}

    def _bus(self, row: tuple[Any, ...]) -> dict[str, Any]:
        name, description, created, modified = row
        found: dict[str, Any] = {
            "Name": name,
            "Arn": self.arns.bus(name),
            "CreationTime": created,
            "LastModifiedTime": modified,
        }
        if description:
            found["Description"] = description
        return found
