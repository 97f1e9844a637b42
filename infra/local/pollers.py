"""Event source mappings, delivered like the Lambda service does (at least once, in batches).

- SQS: batches of ``BatchSize`` gathered for up to ``MaximumBatchingWindowInSeconds``; with
  ``ReportBatchItemFailures`` only the successes are deleted, the failures come back after the
  visibility timeout and reach the DLQ after ``maxReceiveCount`` (moto's redrive). A function
  error fails the whole batch. Messages that match no filter are deleted unseen.
- DynamoDB Streams: ``infra/local/streams.py``.

Functions are invoked through the Lambda API of the local endpoint, as the service would.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

from moto.events.models import EventPattern

log = logging.getLogger("localstack")


@dataclass(frozen=True)
class Mapping:
    function: str
    source_arn: str
    batch_size: int
    window: float
    report_failures: bool
    filters: tuple[EventPattern, ...]
    starting_position: str
    max_retries: int
    enabled: bool
    on_failure: str
    """A stream mapping's DestinationConfig.OnFailure queue ARN (empty: none)."""

    @classmethod
    def of(cls, props: dict[str, Any]) -> Mapping:
        """From an ``AWS::Lambda::EventSourceMapping``'s resolved properties."""
        sqs = props["EventSourceArn"].startswith("arn:aws:sqs:")
        patterns = ((props.get("FilterCriteria") or {}).get("Filters")) or []
        return cls(
            function=str(props["FunctionName"]).split(":function:")[-1].split(":")[0],
            source_arn=props["EventSourceArn"],
            batch_size=int(props.get("BatchSize") or (10 if sqs else 100)),
            window=float(props.get("MaximumBatchingWindowInSeconds") or 0),
            report_failures="ReportBatchItemFailures" in (props.get("FunctionResponseTypes") or ()),
            filters=tuple(
                EventPattern.load(
                    f["Pattern"] if isinstance(f["Pattern"], str) else json.dumps(f["Pattern"])
                )
                for f in patterns
            ),
            starting_position=props.get("StartingPosition", "TRIM_HORIZON"),
            max_retries=int(props.get("MaximumRetryAttempts", -1)),
            enabled=bool(props.get("Enabled", True)),
            on_failure=str(
                ((props.get("DestinationConfig") or {}).get("OnFailure") or {}).get(
                    "Destination", ""
                )
            ),
        )

    def accepts(self, view: dict[str, Any]) -> bool:
        event: Any = view  # moto types events as its EventBridge envelope; any mapping works
        return not self.filters or any(f.matches_event(event) for f in self.filters)


class Poller(threading.Thread):
    def __init__(self, mapping: Mapping, session: Any, endpoint: str, region: str) -> None:
        super().__init__(name=f"esm-{mapping.function}", daemon=True)
        from botocore.config import Config

        self.mapping, self.region, self.stopping = mapping, region, threading.Event()
        once = Config(
            retries={"total_max_attempts": 1}, read_timeout=900, account_id_endpoint_mode="disabled"
        )
        self._client = lambda service: session.client(service, endpoint_url=endpoint, config=once)
        self._lambda = self._client("lambda")

    def stop(self) -> None:
        self.stopping.set()

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                self.poll()
            except Exception:  # keep polling, as the service does; the error is in the log
                log.exception("poller for %s failed, retrying", self.mapping.function)
                self.stopping.wait(1.0)

    def poll(self) -> None:
        raise NotImplementedError

    def invoke(self, records: list[dict[str, Any]], ids: list[str]) -> set[str]:
        """Invoke with ``records``; return the ids that failed (all of them on an error)."""
        reply = self._lambda.invoke(
            FunctionName=self.mapping.function, Payload=json.dumps({"Records": records}).encode()
        )
        body = reply["Payload"].read()
        if reply.get("FunctionError"):
            log.warning("%s failed a batch of %d", self.mapping.function, len(ids))
            return set(ids)
        if not self.mapping.report_failures or not body.strip():
            return set()
        try:
            answer = json.loads(body)
            failures = (answer or {}).get("batchItemFailures") or []
            failed = {f["itemIdentifier"] for f in failures}
        except (ValueError, TypeError, KeyError, AttributeError):
            return set(ids)  # an invalid response fails the whole batch
        return failed if failed <= set(ids) else set(ids)


class SqsPoller(Poller):
    def __init__(
        self,
        mapping: Mapping,
        session: Any,
        endpoint: str,
        region: str,
        visibility_scale: float = 1.0,
    ) -> None:
        super().__init__(mapping, session, endpoint, region)
        self._sqs = self._client("sqs")
        name = mapping.source_arn.split(":")[5]
        self._url = self._sqs.get_queue_url(QueueName=name)["QueueUrl"]
        attributes = self._sqs.get_queue_attributes(
            QueueUrl=self._url, AttributeNames=["VisibilityTimeout"]
        )
        self._retry_after = (
            round(int(attributes["Attributes"]["VisibilityTimeout"]) * visibility_scale)
            if visibility_scale != 1
            else None
        )

    def poll(self) -> None:
        messages = self._gather()
        if not messages:
            return
        records = [self._record(m) for m in messages]
        chosen = [r for r in records if self.mapping.accepts(_sqs_view(r))]
        failed = self.invoke(chosen, [r["messageId"] for r in chosen]) if chosen else set()
        for record in records:
            if record["messageId"] not in failed:
                self._sqs.delete_message(QueueUrl=self._url, ReceiptHandle=record["receiptHandle"])
            elif self._retry_after is not None:
                self._sqs.change_message_visibility(
                    QueueUrl=self._url,
                    ReceiptHandle=record["receiptHandle"],
                    VisibilityTimeout=self._retry_after,
                )

    def _gather(self) -> list[dict[str, Any]]:
        """Long-poll until a message arrives, then fill the batch for up to the window."""
        batch: list[dict[str, Any]] = []
        deadline: float | None = None
        while not self.stopping.is_set() and len(batch) < self.mapping.batch_size:
            remaining = 1.0 if deadline is None else deadline - time.monotonic()
            if remaining <= 0:
                break
            got = self._sqs.receive_message(
                QueueUrl=self._url,
                WaitTimeSeconds=min(1, int(remaining)),
                AttributeNames=["All"],
                MessageSystemAttributeNames=["All"],
                MessageAttributeNames=["All"],
                MaxNumberOfMessages=min(10, self.mapping.batch_size - len(batch)),
            ).get("Messages", [])
            if got and deadline is None:
                deadline = time.monotonic() + self.mapping.window
            elif not got and deadline is not None:
                self.stopping.wait(min(remaining, 0.05))
            batch += got
        return batch

    def _record(self, message: dict[str, Any]) -> dict[str, Any]:
        attributes = {
            name: {
                "stringValue": a.get("StringValue"),
                "binaryValue": _b64(a.get("BinaryValue")),
                "stringListValues": [],
                "binaryListValues": [],
                "dataType": a["DataType"],
            }
            for name, a in (message.get("MessageAttributes") or {}).items()
        }
        return {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": message.get("Attributes", {}),
            "messageAttributes": attributes,
            "md5OfBody": message.get("MD5OfBody"),
            "eventSource": "aws:sqs",
            "eventSourceARN": self.mapping.source_arn,
            "awsRegion": self.region,
        }


def _sqs_view(record: dict[str, Any]) -> dict[str, Any]:
    """What SQS filter patterns see: the record with a JSON body parsed."""
    try:
        return {**record, "body": json.loads(record["body"])}
    except ValueError:
        return record


def _b64(value: bytes | None) -> str | None:
    return base64.b64encode(value).decode() if value is not None else None


def pollers_for(
    mappings: list[dict[str, Any]],
    session: Any,
    endpoint: str,
    region: str,
    visibility_scale: float = 1.0,
) -> list[Poller]:
    """One poller per enabled mapping (SQS or DynamoDB stream) of the template."""
    out: list[Poller] = []
    for props in mappings:
        mapping = Mapping.of(props)
        if not mapping.enabled:
            continue
        if mapping.source_arn.startswith("arn:aws:sqs:"):
            out.append(SqsPoller(mapping, session, endpoint, region, visibility_scale))
        elif ":dynamodb:" in mapping.source_arn:
            from infra.local.streams import StreamPoller

            out.append(StreamPoller(mapping, session, endpoint, region))
    return out
