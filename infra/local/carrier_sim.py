"""The simulated carrier (SimShip) as an upstream system of the local stack.

It subscribes to the bus like any other consumer (a local-only rule on ``ShipmentRequested``
from ``orderflow.orders``, delivering to its own queue) and answers, like the real carrier
would, with its own events on the bus (source ``simship.carrier``) sent with PutEvents:
``ShipmentDispatched`` after ``dispatch_after`` seconds, then ``ShipmentDelivered`` after
``deliver_after`` seconds, or ``ShipmentDeliveryFailed`` when the parcel goes to the city
``Lostville``; for the city ``Silentville`` it says nothing at all (send the carrier's events
yourself, or watch the workflow's heartbeat timeout). The carrier knows where a parcel goes from
its booking; having no database of its own, the simulation reads the city from the order.
"""

from __future__ import annotations

import heapq
import itertools
import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

log = logging.getLogger("localstack")

SOURCE = "simship.carrier"
LOST_CITY = "Lostville"
LOST_REASON = "recipient unknown at the address"
SILENT_CITY = "Silentville"


class BusSubscription(threading.Thread):
    """A local-only rule on ``bus`` feeding its own queue, read by this thread."""

    def __init__(
        self,
        session: Any,
        endpoint: str,
        bus: str,
        name: str,
        pattern: dict[str, Any],
        handle: Callable[[dict[str, Any]], None],
    ) -> None:
        super().__init__(name=name, daemon=True)
        self.stopping = threading.Event()
        self._sqs = session.client("sqs", endpoint_url=endpoint)
        events = session.client("events", endpoint_url=endpoint)
        self._url = self._sqs.create_queue(QueueName=name)["QueueUrl"]
        arn = self._sqs.get_queue_attributes(QueueUrl=self._url, AttributeNames=["QueueArn"])
        events.put_rule(Name=name, EventBusName=bus, EventPattern=json.dumps(pattern))
        events.put_targets(
            Rule=name,
            EventBusName=bus,
            Targets=[{"Id": "local", "Arn": arn["Attributes"]["QueueArn"]}],
        )
        self._handle = handle

    def stop(self) -> None:
        self.stopping.set()

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                reply = self._sqs.receive_message(
                    QueueUrl=self._url,
                    WaitTimeSeconds=1,
                    MaxNumberOfMessages=10,
                    VisibilityTimeout=2,
                )
            except Exception:  # the endpoint is going away (shutdown) or hiccuped
                self.stopping.wait(0.5)
                continue
            for message in reply.get("Messages", []):
                try:
                    self._handle(json.loads(message["Body"]))
                except Exception:  # left on the queue: seen again after the visibility timeout
                    log.exception("%s could not handle an event; retrying", self.name)
                    continue
                self._sqs.delete_message(QueueUrl=self._url, ReceiptHandle=message["ReceiptHandle"])


class CarrierSimulator:
    def __init__(
        self,
        session: Any,
        endpoint: str,
        bus: str,
        *,
        dispatch_after: float,
        deliver_after: float,
        city_of: Callable[[str], str | None],
    ) -> None:
        self._events = session.client("events", endpoint_url=endpoint)
        self._bus, self._city_of = bus, city_of
        self._delays = (dispatch_after, max(deliver_after, dispatch_after))
        self._due: list[tuple[float, int, str, dict[str, str]]] = []
        self._seen: set[str] = set()
        self._count = itertools.count()
        self._wake = threading.Condition()
        self._stopping = threading.Event()
        self._subscription = BusSubscription(
            session,
            endpoint,
            bus,
            "local-only-carrier-sim",
            {"source": ["orderflow.orders"], "detail-type": ["ShipmentRequested"]},
            self._booked,
        )
        self._clock = threading.Thread(target=self._run, name="carrier-sim", daemon=True)

    def start(self) -> None:
        self._subscription.start()
        self._clock.start()

    def stop(self) -> None:
        self._subscription.stop()
        self._stopping.set()
        with self._wake:
            self._wake.notify()
        self._subscription.join(5)
        self._clock.join(5)

    def _booked(self, event: dict[str, Any]) -> None:
        order_id, tracking = event["detail"]["orderId"], event["detail"]["trackingNumber"]
        if tracking in self._seen:
            return  # a duplicate delivery of the booking: the carrier answers once
        city = self._city_of(order_id)
        self._seen.add(tracking)
        if city == SILENT_CITY:
            return
        lost = city == LOST_CITY
        parcel = {"orderId": order_id, "trackingNumber": tracking}
        final = (
            ("ShipmentDeliveryFailed", {**parcel, "reason": LOST_REASON})
            if lost
            else ("ShipmentDelivered", parcel)
        )
        now = time.monotonic()
        with self._wake:
            heapq.heappush(
                self._due, (now + self._delays[0], next(self._count), "ShipmentDispatched", parcel)
            )
            heapq.heappush(self._due, (now + self._delays[1], next(self._count), *final))
            self._wake.notify()

    def _run(self) -> None:
        while not self._stopping.is_set():
            with self._wake:
                wait = self._due[0][0] - time.monotonic() if self._due else 1.0
                if wait > 0:
                    self._wake.wait(min(wait, 1.0))
                    continue
                _, _, detail_type, detail = heapq.heappop(self._due)
            self._publish(detail_type, detail)

    def _publish(self, detail_type: str, detail: dict[str, str]) -> None:
        body = {**detail, "eventId": f"{detail['trackingNumber']}:{detail_type}"}
        entry = {
            "EventBusName": self._bus,
            "Source": SOURCE,
            "DetailType": detail_type,
            "Detail": json.dumps(body),
        }
        for attempt in range(5):
            try:
                if self._events.put_events(Entries=[entry])["FailedEntryCount"] == 0:
                    return
            except Exception:  # the endpoint hiccuped; try again like a real sender
                log.debug("carrier put_events failed", exc_info=True)
            self._stopping.wait(0.2 * 2**attempt)
        log.error("carrier: %s for order %s could not be sent", detail_type, detail["orderId"])
