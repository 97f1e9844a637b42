"""The EventBridge service: every operation group on one class, and the local-only
subscription the stack's own parts use."""

from __future__ import annotations

from infra.local.dataplane.events.buses import BusOperations
from infra.local.dataplane.events.names import bus_name
from infra.local.dataplane.events.publish import PublishOperations
from infra.local.dataplane.events.replays import ReplayOperations
from infra.local.dataplane.events.rule_targets import TargetOperations
from infra.local.dataplane.events.subscriptions import Callback, Subscription


class Events(BusOperations, TargetOperations, PublishOperations, ReplayOperations):
    OPERATIONS = frozenset(
        {
            "CreateEventBus",
            "DescribeEventBus",
            "ListEventBuses",
            "DeleteEventBus",
            "PutRule",
            "DescribeRule",
            "ListRules",
            "DeleteRule",
            "EnableRule",
            "DisableRule",
            "PutTargets",
            "RemoveTargets",
            "ListTargetsByRule",
            "TestEventPattern",
            "PutEvents",
            "CreateArchive",
            "UpdateArchive",
            "DescribeArchive",
            "ListArchives",
            "DeleteArchive",
            "StartReplay",
            "DescribeReplay",
            "ListReplays",
            "CancelReplay",
        }
    )

    def subscribe(self, bus: str, event_pattern: str, callback: Callback) -> Subscription:
        """LOCAL ONLY (no AWS API): ``callback(event)`` after the commit of each event on
        ``bus`` that matches ``event_pattern``, on the committing thread (it must not block).
        ``Subscription.cancel()`` ends it; a restart forgets it."""
        return self.subscriptions.add(bus_name(bus), event_pattern, callback)
