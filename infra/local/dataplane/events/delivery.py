"""Where EventBridge hands a matched event: the delivery port, and a default for tests and
standalone use.

Every method is called INSIDE the store transaction that accepts the event (PutEvents), so
an event answered with an EventId is either delivered durably with it or not accepted at
all. An implementation writes through the same Store, never blocks, and defers anything
slow to ``store.after_commit``. A delivery the target refuses raises ``DeliveryFailed``, with
none of its writes left behind (make them in a nested ``store.write()``: a savepoint, undone
by the exception); the event then goes to the target's dead-letter queue, if it has one.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from infra.local.dataplane.errors import AwsError
from infra.local.dataplane.store import Store

if TYPE_CHECKING:
    from infra.local.dataplane.sqs import Sqs


class DeliveryFailed(Exception):
    """The target refused the event (it does not exist, the message is too large, ...)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.message = code, message


class Delivery(Protocol):
    def to_queue(
        self,
        queue_arn: str,
        body: str,
        *,
        message_group_id: str | None = None,
        deduplication_id: str | None = None,
        attributes: Mapping[str, str] | None = None,
    ) -> None:
        """SendMessage (``attributes`` as String message attributes: a DLQ's error details)."""

    def to_function(self, function_arn: str, payload: str) -> None:
        """An asynchronous Invoke (InvocationType Event), queued durably in the transaction."""

    def to_state_machine(self, state_machine_arn: str, input_json: str, event_id: str) -> None:
        """StartExecution, recorded in the transaction and started after commit."""


@dataclass(frozen=True)
class Delivered:
    kind: str
    """``queue``, ``function`` or ``state_machine``."""
    arn: str
    body: str
    extra: Mapping[str, str] = field(default_factory=dict)


RECORDED = 1000
"""How many function and state machine deliveries ``LocalDelivery`` remembers (the latest)."""


class LocalDelivery:
    """Queues go to an in-process Sqs (when given one); function and state machine
    deliveries (and queue ones without an Sqs) are remembered in memory, once committed."""

    def __init__(self, store: Store, sqs: Sqs | None = None) -> None:
        self._store = store
        self._sqs = sqs
        self.delivered: deque[Delivered] = deque(maxlen=RECORDED)

    def to_queue(
        self,
        queue_arn: str,
        body: str,
        *,
        message_group_id: str | None = None,
        deduplication_id: str | None = None,
        attributes: Mapping[str, str] | None = None,
    ) -> None:
        if self._sqs is None:
            self._record(Delivered("queue", queue_arn, body, dict(attributes or {})))
            return
        params: dict[str, object] = {
            "QueueUrl": self._sqs.url_of_arn(queue_arn),
            "MessageBody": body,
        }
        if message_group_id is not None:
            params["MessageGroupId"] = message_group_id
            params["MessageDeduplicationId"] = deduplication_id
        if attributes:
            params["MessageAttributes"] = {
                k: {"DataType": "String", "StringValue": v} for k, v in attributes.items()
            }
        try:
            self._sqs.call("SendMessage", params)
        except AwsError as refused:
            raise DeliveryFailed(refused.query_code or refused.code, refused.message) from refused

    def to_function(self, function_arn: str, payload: str) -> None:
        self._record(Delivered("function", function_arn, payload))

    def to_state_machine(self, state_machine_arn: str, input_json: str, event_id: str) -> None:
        self._record(
            Delivered("state_machine", state_machine_arn, input_json, {"eventId": event_id})
        )

    def _record(self, delivered: Delivered) -> None:
        self._store.after_commit(lambda: self.delivered.append(delivered))
