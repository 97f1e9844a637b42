"""Per bus, what an event meets: its enabled rules (compiled pattern, compiled targets) and
its archives. Read from the tables once per bus version and kept (configuration only: the
cache holds one entry per bus, replaced when the bus's version token changes)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass

from infra.local.dataplane.events import pattern, targets
from infra.local.dataplane.events.names import Arns


@dataclass(frozen=True)
class Route:
    rule: str
    rule_arn: str
    matches: pattern.Matcher
    targets: tuple[targets.Target, ...]


@dataclass(frozen=True)
class ArchiveRoute:
    name: str
    matches: pattern.Matcher | None
    retention_days: int


@dataclass(frozen=True)
class BusRoutes:
    bus: str
    version: str
    routes: tuple[Route, ...]
    archives: tuple[ArchiveRoute, ...]


class Routing:
    def __init__(self, arns: Arns) -> None:
        self._arns = arns
        self._cache: dict[str, BusRoutes] = {}

    def of(self, db: sqlite3.Connection, bus: str) -> BusRoutes | None:
        """The bus's routes, or None if there is no such bus (call under the store's lock)."""
        row = db.execute("SELECT version FROM events_buses WHERE name = ?", (bus,)).fetchone()
        if row is None:
            self._cache.pop(bus, None)
            return None
        cached = self._cache.get(bus)
        if cached is not None and cached.version == row[0]:
            return cached
        loaded = self._load(db, bus, str(row[0]))
        self._cache[bus] = loaded
        return loaded

    def _load(self, db: sqlite3.Connection, bus: str, version: str) -> BusRoutes:
        by_rule: dict[str, list[targets.Target]] = {}
        for rule, target in db.execute(
            "SELECT rule, target FROM events_targets WHERE bus = ? ORDER BY rule, id", (bus,)
        ):
            by_rule.setdefault(rule, []).append(targets.compiled(json.loads(target)))
        routes = tuple(
            Route(
                name,
                self._arns.rule(bus, name),
                pattern.compiled(text),
                tuple(by_rule.get(name, ())),
            )
            for name, text in db.execute(
                "SELECT name, pattern FROM events_rules WHERE bus = ? AND state != 'DISABLED' "
                "AND pattern IS NOT NULL ORDER BY name",
                (bus,),
            )
        )
        archives = tuple(
            ArchiveRoute(name, pattern.compiled(text) if text else None, int(days))
            for name, text, days in db.execute(
                "SELECT name, pattern, retention_days FROM events_archives WHERE bus = ? "
                "ORDER BY name",
                (bus,),
            )
        )
        return BusRoutes(bus, version, routes, archives)
