"""Rules: patterns checked and compiled when put, schedules checked and stored.

Emulated: rules with an EventPattern on any bus. ScheduleExpression (rate/cron) is checked
and stored, on the default bus only as on EventBridge; the local stack does not fire
scheduled rules. PutRule replaces a rule whole (arguments left out are cleared), as on AWS.
"""

from __future__ import annotations

import re
import sqlite3
from typing import Any

from infra.local.dataplane.events import pattern
from infra.local.dataplane.events.base import EventsBase, page
from infra.local.dataplane.events.errors import not_found, validation
from infra.local.dataplane.events.names import DEFAULT_BUS, bus_name, checked_name

STATES = ("ENABLED", "DISABLED", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS")
_RATE = re.compile(r"rate\((\d+) (minute|minutes|hour|hours|day|days)\)")
_CRON = re.compile(r"cron\((\S+ ){5}\S+\)")
COLUMNS = "name, pattern, schedule, state, description, role_arn"


class RuleOperations(EventsBase):
    def put_rule(self, params: dict[str, Any]) -> dict[str, Any]:
        name = checked_name(params.get("Name"), "name")
        bus = bus_name(params.get("EventBusName"))
        text, schedule = params.get("EventPattern"), params.get("ScheduleExpression")
        if not text and not schedule:
            raise validation("Parameter(s) EventPattern or ScheduleExpression must be specified.")
        if text:
            pattern.compiled(str(text))
        if schedule:
            _check_schedule(str(schedule), bus)
        state = params.get("State") or "ENABLED"
        if state not in STATES:
            raise validation(f"Parameter State is not valid: {state}.")
        with self.store.write() as db:
            self.require_bus(db, bus)
            db.execute(
                "INSERT OR REPLACE INTO events_rules (bus, name, pattern, schedule, state, "
                "description, role_arn) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    bus,
                    name,
                    text or None,
                    schedule or None,
                    state,
                    params.get("Description"),
                    params.get("RoleArn"),
                ),
            )
            self.changed(db, bus)
        return {"RuleArn": self.arns.rule(bus, name)}

    def describe_rule(self, params: dict[str, Any]) -> dict[str, Any]:
        bus = bus_name(params.get("EventBusName"))
        with self.store.read() as db:
            row = self.rule_row(db, bus, params.get("Name"))
        return {**self._rule(bus, row), "CreatedBy": self.account}

    def list_rules(self, params: dict[str, Any]) -> dict[str, Any]:
        bus = bus_name(params.get("EventBusName"))
        prefix = str(params.get("NamePrefix") or "")
        with self.store.read() as db:
            self.require_bus(db, bus)
            rows = db.execute(
                f"SELECT {COLUMNS} FROM events_rules WHERE bus = ?",  # noqa: S608
                (bus,),
            ).fetchall()
        chosen, token = page(params, [r for r in rows if r[0].startswith(prefix)], lambda r: r[0])
        answer: dict[str, Any] = {"Rules": [self._rule(bus, r) for r in chosen]}
        return {**answer, **({"NextToken": token} if token else {})}

    def delete_rule(self, params: dict[str, Any]) -> dict[str, Any]:
        name = checked_name(params.get("Name"), "name")
        bus = bus_name(params.get("EventBusName"))
        with self.store.write() as db:
            if db.execute(
                "SELECT 1 FROM events_targets WHERE bus = ? AND rule = ? LIMIT 1", (bus, name)
            ).fetchone():
                raise validation("Rule can't be deleted since it has targets.")
            db.execute("DELETE FROM events_rules WHERE bus = ? AND name = ?", (bus, name))
            self.changed(db, bus)
        return {}

    def enable_rule(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._set_state(params, "ENABLED")

    def disable_rule(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._set_state(params, "DISABLED")

    def _set_state(self, params: dict[str, Any], state: str) -> dict[str, Any]:
        bus = bus_name(params.get("EventBusName"))
        with self.store.write() as db:
            row = self.rule_row(db, bus, params.get("Name"))
            db.execute(
                "UPDATE events_rules SET state = ? WHERE bus = ? AND name = ?", (state, bus, row[0])
            )
            self.changed(db, bus)
        return {}

    def rule_row(self, db: sqlite3.Connection, bus: str, name: object) -> tuple[Any, ...]:
        checked_name(name, "name")
        row = db.execute(
            f"SELECT {COLUMNS} FROM events_rules WHERE bus = ? AND name = ?",  # noqa: S608
            (bus, name),
        ).fetchone()
        if row is None:
            raise not_found(f"Rule {name} does not exist on EventBus {bus}.")
        return tuple(row)

    def _rule(self, bus: str, row: tuple[Any, ...]) -> dict[str, Any]:
        name, text, schedule, state, description, role = row
        rule: dict[str, Any] = {
            "Name": name,
            "Arn": self.arns.rule(bus, name),
            "State": state,
            "EventBusName": bus,
        }
        for key, value in (
            ("EventPattern", text),
            ("ScheduleExpression", schedule),
            ("Description", description),
            ("RoleArn", role),
        ):
            if value:
                rule[key] = value
        return rule


def _check_schedule(expression: str, bus: str) -> None:
    rate = _RATE.fullmatch(expression)
    valid = bool(_CRON.fullmatch(expression)) or (
        rate is not None
        and int(rate.group(1)) > 0
        and (rate.group(1) == "1") == (not rate.group(2).endswith("s"))
    )
    if not valid:
        raise validation("Parameter ScheduleExpression is not valid.")
    if bus != DEFAULT_BUS:
        raise validation("ScheduleExpression is supported only on the default event bus.")
