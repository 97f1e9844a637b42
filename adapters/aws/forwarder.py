"""Putting an upstream event on the application bus as it came (the Stripe webhook endpoint).

PutEvents can refuse the entry inside a 200 response: that is raised, never taken as sent, so
the sender (Stripe) is answered with an error and delivers again.
"""

from __future__ import annotations

from typing import Any

from adapters.aws import clients


class ForwardFailed(RuntimeError):
    """EventBridge did not accept the entry; ``code`` is its error code."""

    def __init__(self, code: str) -> None:
        super().__init__(f"the event was not put on the bus: {code}")
        self.code = code


class EventBridgeForwarder:
    def __init__(self, bus_name: str, client: Any = None) -> None:
        self._bus = bus_name
        self._client = client

    def put(self, source: str, detail_type: str, detail: str) -> str:
        """Put one entry (``detail``: a JSON object, as text); returns its EventBridge id."""
        if self._client is None:
            self._client = clients.client("events")
        answer = self._client.put_events(
            Entries=[
                {
                    "EventBusName": self._bus,
                    "Source": source,
                    "DetailType": detail_type,
                    "Detail": detail,
                }
            ]
        )
        (entry,) = answer["Entries"]
        if answer.get("FailedEntryCount", 0) or "EventId" not in entry:
            raise ForwardFailed(str(entry.get("ErrorCode", "unknown")))
        return str(entry["EventId"])
