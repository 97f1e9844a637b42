"""The simulated carrier (SimShip) as an upstream system of the local stack, and the step log.

The carrier hears of bookings like any consumer of the bus (a local-only subscription to
``ShipmentRequested`` from ``orderflow.orders``) and answers, like the real carrier would, with
its own events put on the bus (source ``simship.carrier``, through PutEvents):
``ShipmentDispatched`` after ``dispatch_after`` seconds, then ``ShipmentDelivered`` after
``deliver_after`` seconds, or ``ShipmentDeliveryFailed`` when the parcel goes to the city
``Lostville``; for ``Silentville`` it says nothing at all (send the carrier's events yourself, or
watch the workflow's heartbeat timeout). The carrier knows where a parcel goes from its booking;
having no database of its own, the simulation reads the city from the order.

Both run inside the stack and talk to its services in-process: they are local additions,
not part of the template.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

log = logging.getLogger("localstack")

SOURCE = "simship.carrier"
LOST_CITY = "Lostville"
LOST_REASON = "recipient unknown at the address"
SILENT_CITY = "Silentville"
Handle = Callable[[dict[str, Any]], None]


class Bus(Protocol):
    """The stack's EventBridge, in-process."""

    def call(self, operation: str, params: dict[str, Any]) -> dict[str, Any]: ...

    def subscribe(self, bus: str, event_pattern: str, callback: Handle) -> Any: ...


class StepLog:
    """One line per order step, from the domain events on the bus (ids only)."""

    def __init__(self, events: Bus, bus: str, handle: Handle) -> None:
        self._events, self._bus, self._handle = events, bus, handle

    def start(self) -> None:
        pattern = json.dumps({"source": ["orderflow.orders"]})
        self._events.subscribe(self._bus, pattern, lambda event: self._handle(event))

    def stop(self) -> None:
        self._handle = lambda _: None


DDL = """
CREATE TABLE IF NOT EXISTS carrier_parcels (
    tracking TEXT NOT NULL, kind TEXT NOT NULL, due REAL NOT NULL, detail TEXT NOT NULL,
    PRIMARY KEY (tracking, kind));
CREATE INDEX IF NOT EXISTS carrier_parcels_due ON carrier_parcels (due);
"""
QUEUE = "local-only-carrier-sim"


class CarrierSimulator:
    """Hears bookings through a rule and queue of its own (durable, as a real subscriber's
    would be) and keeps what it will say, and when, in a table of its own: a restarted stack
    finds every parcel the carrier still has to report on."""

    def __init__(
        self,
        engine: Any,
        bus: str,
        *,
        dispatch_after: float,
        deliver_after: float,
        city_of: Callable[[str], str | None],
    ) -> None:
        self._engine, self._bus, self._city_of = engine, bus, city_of
        self._events, self._sqs, self._store = engine.events, engine.sqs, engine.store
        self._delays = (dispatch_after, max(deliver_after, dispatch_after))
        self._wake = threading.Condition()
        self._stopping = threading.Event()
        self._threads = [
            threading.Thread(target=self._listen, name="carrier-sim-bookings", daemon=True),
            threading.Thread(target=self._answer, name="carrier-sim", daemon=True),
        ]
        self._url = ""

    def start(self) -> None:
        self._store.schema(DDL)
        self._url = self._sqs.call("CreateQueue", {"QueueName": QUEUE})["QueueUrl"]
        arn = self._sqs.call(
            "GetQueueAttributes", {"QueueUrl": self._url, "AttributeNames": ["QueueArn"]}
        )["Attributes"]["QueueArn"]
        pattern = {"source": ["orderflow.orders"], "detail-type": ["ShipmentRequested"]}
        self._events.call(
            "PutRule",
            {"Name": QUEUE, "EventBusName": self._bus, "EventPattern": json.dumps(pattern)},
        )
        self._events.call(
            "PutTargets",
            {"Rule": QUEUE, "EventBusName": self._bus, "Targets": [{"Id": "carrier", "Arn": arn}]},
        )
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stopping.set()
        with self._wake:
            self._wake.notify_all()
        for thread in self._threads:
            thread.join(5)

    def _listen(self) -> None:
        while not self._stopping.is_set():
            try:
                got = self._sqs.call(
                    "ReceiveMessage",
                    {"QueueUrl": self._url, "WaitTimeSeconds": 1, "MaxNumberOfMessages": 10},
                ).get("Messages", [])
            except Exception:  # the stack is stopping, or hiccuped
                self._stopping.wait(0.5)
                continue
            for message in got:
                try:
                    self._plan(json.loads(message["Body"]))
                except Exception:  # stays on the queue: seen again after its visibility timeout
                    log.exception("carrier: could not plan a booking; retrying")
                    continue
                self._sqs.call(
                    "DeleteMessage",
                    {"QueueUrl": self._url, "ReceiptHandle": message["ReceiptHandle"]},
                )

    def _plan(self, event: dict[str, Any]) -> None:
        order_id, tracking = event["detail"]["orderId"], event["detail"]["trackingNumber"]
        city = self._city_of(order_id)
        if city == SILENT_CITY:
            return
        parcel = {"orderId": order_id, "trackingNumber": tracking}
        final = (
            ("ShipmentDeliveryFailed", {**parcel, "reason": LOST_REASON})
            if city == LOST_CITY
            else ("ShipmentDelivered", parcel)
        )
        now = time.time()
        with self._store.write() as db:  # a duplicate booking changes nothing: answered once
            for delay, (kind, detail) in zip(
                self._delays, (("ShipmentDispatched", parcel), final), strict=True
            ):
                db.execute(
                    "INSERT OR IGNORE INTO carrier_parcels VALUES (?, ?, ?, ?)",
                    (tracking, kind, now + delay, json.dumps(detail)),
                )
        with self._wake:
            self._wake.notify()

    def _answer(self) -> None:
        while not self._stopping.is_set():
            with self._store.read() as db:
                row = db.execute(
                    "SELECT tracking, kind, due, detail FROM carrier_parcels ORDER BY due LIMIT 1"
                ).fetchone()
            wait = 1.0 if row is None else row[2] - time.time()
            if wait > 0:
                with self._wake:
                    self._wake.wait(min(wait, 1.0))
                continue
            tracking, kind, _, detail = row
            if self._publish(kind, json.loads(detail)):
                with self._store.write() as db:
                    db.execute(
                        "DELETE FROM carrier_parcels WHERE tracking = ? AND kind = ?",
                        (tracking, kind),
                    )

    def _publish(self, detail_type: str, detail: dict[str, str]) -> bool:
        body = {**detail, "eventId": f"{detail['trackingNumber']}:{detail_type}"}
        entry = {
            "EventBusName": self._bus,
            "Source": SOURCE,
            "DetailType": detail_type,
            "Detail": json.dumps(body),
        }
        for attempt in range(5):
            try:
                answer = self._events.call("PutEvents", {"Entries": [entry]})
                if answer["FailedEntryCount"] == 0:
                    return True
            except Exception:  # the bus hiccuped; try again like a real sender
                log.debug("carrier put_events failed", exc_info=True)
            if self._stopping.wait(0.2 * 2**attempt):
                return False
        log.error("carrier: %s for order %s could not be sent", detail_type, detail["orderId"])
        return True  # given up: a real carrier would not say it twice either
