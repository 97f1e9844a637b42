"""Relay the transactional outbox to the event bus: the table's stream -> PutEvents.

Only INSERTs of outbox items (``SK`` starting ``EVENT#``) are relayed; orders, provider
results and TTL removals are ignored. Each wave is one ``relay_events`` call (the publisher
sends chunks of 10 and resends only rejected entries); what was still not sent is reported per
record, never counted as sent.

Per-order order: events go out in waves holding at most one event per order (first events,
then second events, ...), and once a record of an order fails (undecodable, or not sent) the
later records of that order in the batch are failed too without being sent, so no event
overtakes an earlier one of its order on the bus. Lambda then retries the shard from the lowest
failed sequence number, so records after it are delivered again, of every order: consumers
deduplicate on ``eventId``. After the mapping's retry limit the batch goes to its on-failure
destination.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from adapters.aws.codec import event_from_outbox_image, is_outbox_image
from adapters.aws.eventbridge import PublishFailed
from domain.events import DomainEvent
from handlers.common import init_phase
from handlers.common.observability import logger, metrics, tracer
from handlers.common.root import FunctionRoot

root = FunctionRoot()
processor = BatchProcessor(
    event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False
)


class NotRelayed(Exception):
    """The record's event was not published in this invocation; Lambda retries it."""


class Relay:
    """One invocation: publish the batch's outbox events, then answer record by record."""

    def __init__(self) -> None:
        self.failed: dict[str, str] = {}
        """Sequence number -> why its event was not published."""
        self._broken: set[str] = set()
        """Orders (their PK) with a failed record: their later records are held back."""

    def run(self, records: Sequence[Mapping[str, Any]]) -> None:
        waves: list[list[tuple[str, str, DomainEvent | str]]] = []
        position: dict[str, int] = {}
        for record in records:
            change = record.get("dynamodb") or {}
            image = change.get("NewImage") or {}
            if record.get("eventName") != "INSERT" or not is_outbox_image(image):
                continue
            sequence, order = change["SequenceNumber"], str((image.get("PK") or {}).get("S"))
            try:
                event: DomainEvent | str = event_from_outbox_image(image)
            except (ValueError, TypeError, KeyError) as error:
                event = f"undecodable ({type(error).__name__})"
            n = position[order] = position.get(order, -1) + 1
            while len(waves) <= n:
                waves.append([])
            waves[n].append((sequence, order, event))
        for wave in waves:
            self._publish(wave)

    def _publish(self, wave: list[tuple[str, str, DomainEvent | str]]) -> None:
        """One event per order: PutEvents may accept an order's later event while rejecting
        its earlier one if both travel in one request."""
        sendable: list[tuple[str, str, DomainEvent]] = []
        for sequence, order, event in wave:
            if isinstance(event, str):
                self._fail(sequence, order, event)
            elif order in self._broken:
                self._fail(sequence, order, "held back behind an earlier failure")
            else:
                sendable.append((sequence, order, event))
        if not sendable:
            return
        try:
            root.app.relay_events([event for _, _, event in sendable])
            not_sent: Mapping[str, str] = {}
        except PublishFailed as partial:
            not_sent = partial.errors
        except Exception:  # the port promises all or an error: nothing can count as sent
            logger.exception("publishing failed; these records will be retried")
            not_sent = {event.event_id: "PublishError" for _, _, event in sendable}
        for sequence, order, event in sendable:
            if event.event_id in not_sent:
                self._fail(sequence, order, not_sent[event.event_id])
        if relayed := sum(event.event_id not in not_sent for _, _, event in sendable):
            metrics.add_metric(name="EventsRelayed", unit="Count", value=relayed)

    def _fail(self, sequence: str, order: str, why: str) -> None:
        self.failed[sequence] = why
        self._broken.add(order)

    def check(self, record: DynamoDBRecord) -> None:
        """The processor's record handler: raise for a record whose event was not sent."""
        sequence = record.dynamodb.sequence_number if record.dynamodb else None
        if sequence in self.failed:
            raise NotRelayed(self.failed[sequence])


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    relay = Relay()
    relay.run(event.get("Records") or [])
    if relay.failed:
        logger.warning(
            "outbox records not relayed; they will be retried",
            extra={"failed": sorted(set(relay.failed.values())), "count": len(relay.failed)},
        )
    return dict(
        process_partial_response(
            event=event, record_handler=relay.check, processor=processor, context=context
        )
    )


init_phase.release()  # the last statement: the init phase is over (collections resume)
