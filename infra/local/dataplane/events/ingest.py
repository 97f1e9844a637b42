"""An accepted event meets its bus, inside the accepting transaction: each matching enabled
rule's targets get it through the delivery port, each matching archive stores it, and the
matching local subscriptions hear of it once the transaction commits.

A target that refuses the event sends it to the target's dead-letter queue (the raw event
as the body, EventBridge's error attributes); without one, the refusal is logged and the
event is dropped for that target, as EventBridge drops it once its retries are spent.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Collection
from functools import partial
from typing import Any

from infra.local.dataplane.events import archive_store
from infra.local.dataplane.events.base import EventsBase
from infra.local.dataplane.events.delivery import DeliveryFailed
from infra.local.dataplane.events.names import bus_name
from infra.local.dataplane.events.routing import BusRoutes
from infra.local.dataplane.events.targets import Target
from infra.local.dataplane.events.transform import Context, compact

log = logging.getLogger("localstack")
MAX_BUS_HOPS = 5
"""An event forwarded bus to bus more often than this is dropped (a loop of rules)."""


class Ingest(EventsBase):
    def ingest(
        self,
        db: sqlite3.Connection,
        bus: BusRoutes,
        event: dict[str, Any],
        now: float,
        *,
        replay: bool = False,
        only_rules: Collection[str] | None = None,
        hops: int = 0,
    ) -> None:
        matched = [
            route
            for route in bus.routes
            if (only_rules is None or route.rule_arn in only_rules) and route.matches(event)
        ]
        text = compact(event) if matched or (bus.archives and not replay) else ""
        for route in matched:
            context = Context(route.rule, route.rule_arn, now, text)
            for target in route.targets:
                self._deliver(db, context, target, event, hops)
        if not replay:
            archive_store.keep(db, bus, event, text, now)
        for callback in self.subscriptions.matching(bus.bus, event):
            self.store.after_commit(partial(callback, event))

    def _deliver(
        self,
        db: sqlite3.Connection,
        context: Context,
        target: Target,
        event: dict[str, Any],
        hops: int,
    ) -> None:
        try:
            self._hand_over(db, context, target, event, hops)
        except DeliveryFailed as refused:  # the port left nothing behind (delivery.py)
            self._dead_letter(context, target, event, refused)

    def _hand_over(
        self,
        db: sqlite3.Connection,
        context: Context,
        target: Target,
        event: dict[str, Any],
        hops: int,
    ) -> None:
        if target.kind == "bus":
            self._forward(db, target, event, context.ingested, hops)
            return
        body = target.shape(event, context)
        if target.kind == "queue":
            self.deliver.to_queue(
                target.arn,
                body,
                message_group_id=target.group,
                deduplication_id=event["id"] if target.group else None,
            )
        elif target.kind == "function":
            self.deliver.to_function(target.arn, body)
        else:
            self.deliver.to_state_machine(target.arn, body, event["id"])

    def _forward(
        self, db: sqlite3.Connection, target: Target, event: dict[str, Any], now: float, hops: int
    ) -> None:
        other = self.routing.of(db, bus_name(target.arn))
        if other is None:
            raise DeliveryFailed(
                "ResourceNotFoundException", f"Event bus {target.arn} does not exist."
            )
        if hops >= MAX_BUS_HOPS:
            log.warning("event %s dropped: forwarded bus to bus %d times", event["id"], hops)
            return
        self.ingest(db, other, event, now, hops=hops + 1)

    def _dead_letter(
        self, context: Context, target: Target, event: dict[str, Any], refused: DeliveryFailed
    ) -> None:
        if target.dead_letter_arn is None:
            log.warning(
                "rule %s could not deliver event %s to %s (%s), and the target has no DLQ",
                context.rule_name,
                event["id"],
                target.arn,
                refused,
            )
            return
        attributes = {
            "RULE_ARN": context.rule_arn,
            "TARGET_ARN": target.arn,
            "ERROR_CODE": refused.code,
            "ERROR_MESSAGE": refused.message or refused.code,
            "EXHAUSTED_RETRY_CONDITION": "MaximumRetryAttemptsExhausted",
            "RETRY_ATTEMPTS": "0",
        }
        try:
            self.deliver.to_queue(target.dead_letter_arn, context.event_json, attributes=attributes)
        except DeliveryFailed as lost:
            log.warning(
                "event %s lost: its DLQ %s refused it (%s)",
                event["id"],
                target.dead_letter_arn,
                lost,
            )
