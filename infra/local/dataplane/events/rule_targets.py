"""PutTargets, RemoveTargets and ListTargetsByRule: a rule has at most five targets; each is
checked and compiled when put (``targets.py``), stored as given."""

from __future__ import annotations

import json
from typing import Any

from infra.local.dataplane.errors import AwsError
from infra.local.dataplane.events import targets
from infra.local.dataplane.events.base import EventsBase, page
from infra.local.dataplane.events.errors import validation
from infra.local.dataplane.events.names import bus_name
from infra.local.dataplane.events.rules import RuleOperations

MAX_PER_CALL = 10


class TargetOperations(RuleOperations, EventsBase):
    def put_targets(self, params: dict[str, Any]) -> dict[str, Any]:
        bus = bus_name(params.get("EventBusName"))
        given = params.get("Targets")
        if not isinstance(given, list) or not 1 <= len(given) <= MAX_PER_CALL:
            raise validation(f"Parameter Targets must hold 1 to {MAX_PER_CALL} targets.")
        for target in given:
            targets.compiled(target)
        with self.store.write() as db:
            rule = self.rule_row(db, bus, params.get("Rule"))[0]
            existing = {
                r[0]
                for r in db.execute(
                    "SELECT id FROM events_targets WHERE bus = ? AND rule = ?", (bus, rule)
                )
            }
            if len(existing | {t["Id"] for t in given}) > targets.MAX_TARGETS_PER_RULE:
                raise AwsError(
                    "LimitExceededException",
                    f"The requested resource exceeds the maximum number allowed: a rule has at "
                    f"most {targets.MAX_TARGETS_PER_RULE} targets.",
                )
            for target in given:
                db.execute(
                    "INSERT OR REPLACE INTO events_targets (bus, rule, id, target) "
                    "VALUES (?, ?, ?, ?)",
                    (bus, rule, target["Id"], json.dumps(target)),
                )
            self.changed(db, bus)
        return {"FailedEntryCount": 0, "FailedEntries": []}

    def remove_targets(self, params: dict[str, Any]) -> dict[str, Any]:
        bus = bus_name(params.get("EventBusName"))
        ids = params.get("Ids")
        if not isinstance(ids, list) or not ids:
            raise validation("Parameter Ids must hold at least one target id.")
        with self.store.write() as db:
            rule = self.rule_row(db, bus, params.get("Rule"))[0]
            db.executemany(
                "DELETE FROM events_targets WHERE bus = ? AND rule = ? AND id = ?",
                [(bus, rule, target_id) for target_id in ids],
            )
            self.changed(db, bus)
        return {"FailedEntryCount": 0, "FailedEntries": []}

    def list_targets_by_rule(self, params: dict[str, Any]) -> dict[str, Any]:
        bus = bus_name(params.get("EventBusName"))
        with self.store.read() as db:
            rule = self.rule_row(db, bus, params.get("Rule"))[0]
            stored = [
                json.loads(r[0])
                for r in db.execute(
                    "SELECT target FROM events_targets WHERE bus = ? AND rule = ?", (bus, rule)
                )
            ]
        chosen, token = page(params, stored, lambda t: str(t["Id"]))
        return {"Targets": chosen, **({"NextToken": token} if token else {})}
