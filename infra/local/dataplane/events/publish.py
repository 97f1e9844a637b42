"""PutEvents and TestEventPattern.

PutEvents accepts each valid entry and hands it to its bus's rules in ONE transaction with
its acceptance: an entry answered with an EventId has been delivered (durably, through the
delivery port) or the whole call fails and nothing was accepted.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from infra.local.dataplane.errors import AwsError
from infra.local.dataplane.events import envelope, pattern
from infra.local.dataplane.events.errors import validation
from infra.local.dataplane.events.ingest import Ingest
from infra.local.dataplane.events.names import bus_name

REQUIRED_EVENT_FIELDS = ("id", "account", "source", "time", "region", "detail-type")


class PublishOperations(Ingest):
    def put_events(self, params: dict[str, Any]) -> dict[str, Any]:
        entries = envelope.checked_request(params.get("Entries"))
        results: list[dict[str, str]] = []
        with self.store.write() as db:
            now = self.clock()
            for entry in entries:
                refused = (
                    envelope.refusal(entry) if isinstance(entry, dict) else ("InvalidArgument", "")
                )
                bus = None
                if refused is None:
                    try:
                        name = bus_name(entry.get("EventBusName"))
                    except AwsError as bad:
                        refused = ("InvalidArgument", bad.message)
                    else:
                        bus = self.routing.of(db, name)
                        if bus is None:
                            refused = (
                                "ResourceNotFoundException",
                                f"Event bus {name} does not exist.",
                            )
                if refused is not None or bus is None:
                    code, message = refused or ("InvalidArgument", "")
                    results.append({"ErrorCode": code, "ErrorMessage": message})
                    continue
                event_id = str(uuid.uuid4())
                self.ingest(db, bus, envelope.envelope(entry, event_id, now, self.arns), now)
                results.append({"EventId": event_id})
        failed = sum("ErrorCode" in r for r in results)
        return {"FailedEntryCount": failed, "Entries": results}

    def test_event_pattern(self, params: dict[str, Any]) -> dict[str, Any]:
        matches = pattern.compiled(str(params.get("EventPattern") or ""))
        try:
            event = json.loads(str(params.get("Event")))
        except ValueError:
            event = None
        if not isinstance(event, dict):
            raise validation("Parameter Event is not valid.")
        absent = [f for f in REQUIRED_EVENT_FIELDS if f not in event]
        if absent:
            raise validation(
                "Parameter Event is not valid. Reason: Provided Event doesn't have required "
                f"field(s): {', '.join(absent)}"
            )
        return {"Result": matches(event)}
