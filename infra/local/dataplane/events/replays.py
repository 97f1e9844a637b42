"""Replays: an archive's events of a time window put on its bus again, each with
``replay-name``, to every rule (or the ``FilterArns`` rules) whose pattern matches.

Emulation: the replay runs inside StartReplay's transaction and is COMPLETED when the call
answers (EventBridge replays in the background, at about the original rate), so
CancelReplay always finds it finished (IllegalStatusException).
"""

from __future__ import annotations

import json
from typing import Any

from infra.local.dataplane.errors import AwsError
from infra.local.dataplane.events.archives import ArchiveOperations
from infra.local.dataplane.events.base import page
from infra.local.dataplane.events.errors import already_exists, not_found, validation
from infra.local.dataplane.events.names import checked_name, resource_name

COLUMNS = (
    "name, archive_arn, description, destination, start_time, end_time, state, reason, "
    "replay_start, replay_end, last_replayed"
)


class ReplayOperations(ArchiveOperations):
    def start_replay(self, params: dict[str, Any]) -> dict[str, Any]:
        name = checked_name(params.get("ReplayName"), "replayName")
        archive_arn = str(params.get("EventSourceArn") or "")
        start, end = params.get("EventStartTime"), params.get("EventEndTime")
        destination = params.get("Destination") or {}
        if not isinstance(start, int | float) or not isinstance(end, int | float):
            raise validation("Parameters EventStartTime and EventEndTime are required.")
        if start >= end:
            raise validation(
                "Parameter EventEndTime is not valid. Reason: EventStartTime must be before "
                "EventEndTime."
            )
        with self.store.write() as db:
            now = self.clock()
            if end > now:
                raise validation(
                    "Parameter EventEndTime is not valid. Reason: EventEndTime cannot be in the "
                    "future."
                )
            archive = self.archive_row(db, resource_name(archive_arn, "archive") or archive_arn)
            if resource_name(str(destination.get("Arn")), "event-bus") != archive[1]:
                raise validation(
                    "Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not "
                    "permitted."
                )
            if db.execute("SELECT 1 FROM events_replays WHERE name = ?", (name,)).fetchone():
                raise already_exists(f"Replay {name} already exists.")
            last = self._replay(
                db, name, archive[0], archive[1], float(start), float(end), destination, now
            )
            db.execute(
                f"INSERT INTO events_replays ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",  # noqa: S608
                (
                    name,
                    self.arns.archive(archive[0]),
                    params.get("Description"),
                    json.dumps(destination),
                    start,
                    end,
                    "COMPLETED",
                    None,
                    now,
                    now,
                    last,
                ),
            )
        return {"ReplayArn": self.arns.replay(name), "State": "COMPLETED", "ReplayStartTime": now}

    def _replay(
        self,
        db: Any,
        name: str,
        archive: str,
        bus: str,
        start: float,
        end: float,
        destination: dict[str, Any],
        now: float,
    ) -> float | None:
        routes = self.routing.of(db, bus)
        only = destination.get("FilterArns") or None
        last = None
        rows = db.execute(
            "SELECT envelope, event_time FROM events_archived WHERE archive = ? "
            "AND event_time >= ? AND event_time < ? ORDER BY event_time, id",
            (archive, start, end),
        ).fetchall()
        for text, moment in rows:
            if routes is not None:
                self.ingest(
                    db,
                    routes,
                    {**json.loads(text), "replay-name": name},
                    now,
                    replay=True,
                    only_rules=only,
                )
            last = moment
        return last

    def describe_replay(self, params: dict[str, Any]) -> dict[str, Any]:
        row = self._row(params.get("ReplayName"))
        found = self._summary(row)
        found["ReplayArn"] = self.arns.replay(row[0])
        found["Destination"] = json.loads(row[3])
        if row[2]:
            found["Description"] = row[2]
        return found

    def list_replays(self, params: dict[str, Any]) -> dict[str, Any]:
        prefix = str(params.get("NamePrefix") or "")
        with self.store.read() as db:
            rows = db.execute(f"SELECT {COLUMNS} FROM events_replays").fetchall()  # noqa: S608
        wanted = [
            r
            for r in rows
            if r[0].startswith(prefix)
            and params.get("State") in (None, r[6])
            and params.get("EventSourceArn") in (None, r[1])
        ]
        chosen, token = page(params, wanted, lambda r: r[0])
        return {
            "Replays": [self._summary(r) for r in chosen],
            **({"NextToken": token} if token else {}),
        }

    def cancel_replay(self, params: dict[str, Any]) -> dict[str, Any]:
        row = self._row(params.get("ReplayName"))
        raise AwsError(
            "IllegalStatusException",
            f"Replay {row[0]} is not in a valid state for this operation ({row[6]}).",
        )

    def _row(self, name: object) -> tuple[Any, ...]:
        with self.store.read() as db:
            row = db.execute(
                f"SELECT {COLUMNS} FROM events_replays WHERE name = ?",  # noqa: S608
                (checked_name(name, "replayName"),),
            ).fetchone()
        if row is None:
            raise not_found(f"Replay {name} does not exist.")
        return tuple(row)

    def _summary(self, row: tuple[Any, ...]) -> dict[str, Any]:
        found: dict[str, Any] = {
            "ReplayName": row[0],
            "EventSourceArn": row[1],
            "State": row[6],
            "EventStartTime": row[4],
            "EventEndTime": row[5],
            "ReplayStartTime": row[8],
            "ReplayEndTime": row[9],
        }
        if row[10] is not None:
            found["EventLastReplayedTime"] = row[10]
        return found
