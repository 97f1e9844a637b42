"""Scheduled rules fire: a Scheduled Event to each target, at start-up and then once a period."""

from __future__ import annotations

import json
from typing import Any

import pytest

from infra.local.dataplane.events import Events
from infra.local.dataplane.events.delivery import LocalDelivery
from infra.local.dataplane.events.schedules import Scheduler, period
from infra.local.dataplane.store import Store


@pytest.mark.parametrize(
    ("expression", "seconds"),
    [("rate(5 minutes)", 300), ("rate(1 minute)", 60), ("rate(2 hours)", 7200),
     ("rate(1 day)", 86400), ("cron(0 12 * * ? *)", None)],
)  # fmt: skip
def test_rate_expressions_give_their_period(expression: str, seconds: int | None) -> None:
    assert period(expression) == seconds


def _events() -> tuple[Events, LocalDelivery, list[float]]:
    store = Store(None)
    now = [1_800_000_000.0]
    delivery = LocalDelivery(store)
    events = Events(store, clock=lambda: now[0], deliver=delivery)
    events.call("PutRule", {"Name": "reconcile", "ScheduleExpression": "rate(5 minutes)"})
    arn = "arn:aws:lambda:us-east-1:123456789012:function:reconciler"
    events.call("PutTargets", {"Rule": "reconcile", "Targets": [{"Id": "fn", "Arn": arn}]})
    return events, delivery, now


def test_a_fired_rule_hands_its_targets_a_scheduled_event() -> None:
    events, delivery, _ = _events()
    Scheduler(events, clock=lambda: 1_800_000_000.0).fire("default", "reconcile")
    (delivered,) = list(delivery.delivered)
    event: dict[str, Any] = json.loads(delivered.body)
    assert delivered.kind == "function"
    assert (event["source"], event["detail-type"], event["detail"]) == (
        "aws.events",
        "Scheduled Event",
        {},
    )
    assert event["resources"] == ["arn:aws:events:us-east-1:123456789012:rule/reconcile"]


def test_it_fires_at_start_then_once_a_period_and_not_when_disabled() -> None:
    events, delivery, now = _events()
    scheduler = Scheduler(events, first_after=0.0, clock=lambda: now[0])
    started = now[0]
    scheduler._tick(started)
    scheduler._tick(started)  # not due again yet
    now[0] += 299
    scheduler._tick(started)
    assert len(delivery.delivered) == 1
    now[0] += 2
    scheduler._tick(started)
    assert len(delivery.delivered) == 2
    events.call("DisableRule", {"Name": "reconcile"})
    now[0] += 301
    scheduler._tick(started)
    assert len(delivery.delivered) == 2
