"""What every group of EventBridge operations shares: store, clock, names, the delivery
port, the routing cache and the local subscriptions."""

from __future__ import annotations

import base64
import json
import sqlite3
import time
import uuid
from collections.abc import Callable
from typing import Any

from infra.local.dataplane.events.delivery import Delivery, LocalDelivery
from infra.local.dataplane.events.errors import not_found, validation
from infra.local.dataplane.events.names import DEFAULT_BUS, Arns
from infra.local.dataplane.events.routing import Routing
from infra.local.dataplane.events.schema import DDL
from infra.local.dataplane.events.subscriptions import Subscriptions
from infra.local.dataplane.service import JsonService
from infra.local.dataplane.store import Store


class EventsBase(JsonService):
    NAME = "events"
    TARGET_PREFIX = "AWSEvents"
    JSON_VERSION = "1.1"

    def __init__(
        self,
        store: Store,
        *,
        clock: Callable[[], float] = time.time,
        region: str = "us-east-1",
        account: str = "123456789012",
        deliver: Delivery | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.arns = Arns(region, account)
        self.account = account
        self.region = region
        self.deliver: Delivery = deliver if deliver is not None else LocalDelivery(store)
        self.routing = Routing(self.arns)
        self.subscriptions = Subscriptions()
        store.schema(DDL)
        with store.write() as db:
            now = clock()
            db.execute(
                "INSERT OR IGNORE INTO events_buses (name, created, modified, version) "
                "VALUES (?, ?, ?, ?)",
                (DEFAULT_BUS, now, now, uuid.uuid4().hex),
            )

    def require_bus(self, db: sqlite3.Connection, name: str) -> None:
        if not db.execute("SELECT 1 FROM events_buses WHERE name = ?", (name,)).fetchone():
            raise not_found(f"Event bus {name} does not exist.")

    def changed(self, db: sqlite3.Connection, bus: str) -> None:
        """Rules, targets or archives of ``bus`` changed: its routing is read afresh."""
        db.execute("UPDATE events_buses SET version = ? WHERE name = ?", (uuid.uuid4().hex, bus))


def page(
    params: dict[str, Any], items: list[Any], key: Callable[[Any], str]
) -> tuple[list[Any], str | None]:
    """One page of ``items`` (sorted by ``key``) after ``NextToken``, up to ``Limit`` (1-100)."""
    limit = params.get("Limit")
    if limit is not None and (not isinstance(limit, int) or not 1 <= limit <= 100):
        raise validation("Parameter Limit is not valid: it must be between 1 and 100.")
    token = params.get("NextToken")
    after = ""
    if token:
        try:
            after = str(json.loads(base64.urlsafe_b64decode(str(token)))["after"])
        except (ValueError, KeyError, TypeError):
            raise validation("The NextToken provided is not valid.") from None
    rest = [item for item in sorted(items, key=key) if key(item) > after]
    size = limit or 100
    chunk = rest[:size]
    if len(rest) <= size:
        return chunk, None
    return chunk, base64.urlsafe_b64encode(json.dumps({"after": key(chunk[-1])}).encode()).decode()
