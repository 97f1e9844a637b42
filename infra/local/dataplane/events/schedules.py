"""Scheduled rules fire: each enabled rule with ``rate(...)`` hands its targets a
``Scheduled Event`` (source ``aws.events``) once a period, as EventBridge does.

Local choices, said so: a rule also fires once shortly after the stack starts (``first_after``
seconds), so a job that repairs what a crash left runs at once instead of minutes later;
``cron(...)`` schedules fire at start-up only (their calendar is not emulated). The schedule's
clock is the stack's; fired events are delivered in one transaction each, like
any accepted event.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from infra.local.dataplane.events import targets
from infra.local.dataplane.events.transform import Context, compact

if TYPE_CHECKING:
    from infra.local.dataplane.events.service import Events

log = logging.getLogger("localstack")
_RATE = re.compile(r"rate\((\d+) (minute|minutes|hour|hours|day|days)\)")
_UNIT = {"minute": 60, "hour": 3600, "day": 86400}
FIRST_AFTER_SECONDS = 2.0
"""A scheduled rule's first firing, this long after the stack started."""


def period(expression: str) -> float | None:
    """Seconds between two firings of ``rate(...)``; None for anything else (``cron``)."""
    found = _RATE.fullmatch(expression.strip())
    if found is None:
        return None
    return int(found.group(1)) * _UNIT[found.group(2).rstrip("s")]


class Scheduler:
    def __init__(
        self,
        events: Events,
        *,
        first_after: float = FIRST_AFTER_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._events, self._first_after, self._clock = events, first_after, clock
        self._due: dict[tuple[str, str], float] = {}
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="eventbridge-scheduler", daemon=True)
        self.fired = 0

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(5)

    def _run(self) -> None:
        started = self._clock()
        while not self._stopping.wait(0.5):
            try:
                self._tick(started)
            except Exception:  # the next tick tries again
                log.exception("scheduled rules could not fire")

    def _tick(self, started: float) -> None:
        now = self._clock()
        with self._events.store.read() as db:
            rules = db.execute(
                "SELECT bus, name, schedule FROM events_rules "
                "WHERE schedule IS NOT NULL AND state = 'ENABLED'"
            ).fetchall()
        for bus, name, schedule in rules:
            due = self._due.setdefault((bus, name), started + self._first_after)
            if now < due:
                continue
            every = period(schedule)
            self._due[(bus, name)] = now + every if every else float("inf")
            self.fire(bus, name)

    def fire(self, bus: str, rule: str) -> None:
        events = self._events
        arn = events.arns.rule(bus, rule)
        now = self._clock()
        event: dict[str, Any] = {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": events.account,
            "time": datetime.fromtimestamp(now, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": events.region,
            "resources": [arn],
            "detail": {},
        }
        with events.store.write() as db:
            found = db.execute(
                "SELECT target FROM events_targets WHERE bus = ? AND rule = ? ORDER BY id",
                (bus, rule),
            ).fetchall()
            context = Context(rule, arn, now, compact(event))
            for (target,) in found:
                events._deliver(db, context, targets.compiled(json.loads(target)), event, 0)
        self.fired += 1
