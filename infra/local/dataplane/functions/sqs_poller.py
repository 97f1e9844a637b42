"""An SQS event source mapping: receive, filter, invoke, delete the successes."""

from __future__ import annotations

import json
import time
from typing import Any

from infra.local.dataplane.functions.pollers import Invoke, Mapping, Poller, Service


class SqsPoller(Poller):
    """One of the mapping's pollers (there are as many as its concurrency allows)."""

    def __init__(
        self,
        mapping: Mapping,
        invoke: Invoke,
        sqs: Service,
        region: str,
        number: int = 0,
        visibility_scale: float = 1.0,
    ) -> None:
        super().__init__(mapping, invoke, f"esm-{mapping.function}-{number}")
        self._sqs, self.region = sqs, region
        name = mapping.source_arn.split(":")[5]
        self._url = sqs.call("GetQueueUrl", {"QueueName": name})["QueueUrl"]
        attributes = sqs.call(
            "GetQueueAttributes", {"QueueUrl": self._url, "AttributeNames": ["VisibilityTimeout"]}
        )["Attributes"]
        timeout = int(attributes["VisibilityTimeout"])
        self._retry_after = round(timeout * visibility_scale) if visibility_scale != 1 else None

    def poll(self) -> None:
        messages = self._gather()
        if not messages:
            return
        if self.stopping.is_set():  # disabled or deleted while it waited: hand them back
            for message in messages:
                self._sqs.call(
                    "ChangeMessageVisibility",
                    {
                        "QueueUrl": self._url,
                        "ReceiptHandle": message["ReceiptHandle"],
                        "VisibilityTimeout": 0,
                    },
                )
            return
        records = [self._record(m) for m in messages]
        chosen = [r for r in records if self.mapping.accepts(_sqs_view(r))]
        failed = self.deliver(chosen, [r["messageId"] for r in chosen]) if chosen else set()
        done = [r for r in records if r["messageId"] not in failed]
        for start in range(0, len(done), 10):
            entries = [
                {"Id": str(i), "ReceiptHandle": r["receiptHandle"]}
                for i, r in enumerate(done[start : start + 10])
            ]
            self._sqs.call("DeleteMessageBatch", {"QueueUrl": self._url, "Entries": entries})
        if self._retry_after is not None:
            for record in records:
                if record["messageId"] in failed:
                    self._sqs.call(
                        "ChangeMessageVisibility",
                        {
                            "QueueUrl": self._url,
                            "ReceiptHandle": record["receiptHandle"],
                            "VisibilityTimeout": self._retry_after,
                        },
                    )

    def _gather(self) -> list[dict[str, Any]]:
        """Long-poll until a message arrives, then fill the batch for up to the window."""
        batch: list[dict[str, Any]] = []
        deadline: float | None = None
        while not self.stopping.is_set() and len(batch) < self.mapping.batch_size:
            remaining = 1.0 if deadline is None else deadline - time.monotonic()
            if remaining <= 0:
                break
            got = self._sqs.call(
                "ReceiveMessage",
                {
                    "QueueUrl": self._url,
                    "WaitTimeSeconds": max(0, min(1, int(remaining))),
                    "MessageSystemAttributeNames": ["All"],
                    "MessageAttributeNames": ["All"],
                    "MaxNumberOfMessages": min(10, self.mapping.batch_size - len(batch)),
                },
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
                "binaryValue": a.get("BinaryValue"),
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
