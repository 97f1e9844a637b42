"""``dlq list``: each dead-letter queue's messages, with why they are there and which order.

Listing receives each message (then makes it visible again at once), which adds one to its
receive count.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from infra.ops.errors import NotFound
from infra.ops.queues import DeadLetterQueue, dead_letter_queues
from infra.ops.redact import preview
from infra.ops.render import Output, iso, stamp, table
from infra.ops.target import Target

PEEK_VISIBILITY = 30
_ORDER_KEY = re.compile(r"ORDER#([A-Za-z0-9-]+)")


def selected(target: Target, wanted: str | None) -> list[DeadLetterQueue]:
    queues = dead_letter_queues(target)
    if wanted is None:
        return queues
    chosen = [q for q in queues if q.matches(wanted)]
    if not chosen:
        names = ", ".join(q.label for q in queues) or "none"
        raise NotFound(f"no dead-letter queue {wanted!r} (known: {names})")
    return chosen


def list_command(target: Target, wanted: str | None, limit: int) -> Output:
    sqs, data, lines = target.client("sqs"), [], []
    for dlq in selected(target, wanted):
        attributes = sqs.get_queue_attributes(QueueUrl=dlq.url, AttributeNames=["All"])
        depth = int(attributes["Attributes"].get("ApproximateNumberOfMessages", 0))
        messages = [_described(m, dlq) for m in peek(sqs, dlq.url, limit)]
        data.append(
            {
                "queue": dlq.label,
                "url": dlq.url,
                "source": dlq.source_label,
                "approximateDepth": depth,
                "messages": messages,
            }
        )
        source = (
            f"source {dlq.source_label} (maxReceiveCount {dlq.max_receive_count})"
            if dlq.source_label
            else "no source queue"
        )
        lines.append(f"{dlq.label}  {dlq.name}  ~{depth} messages  {source}")
        rows = [
            [
                m["messageId"][:8],
                stamp(_parse(m["sentAt"])),
                str(m["receiveCount"]),
                m["orderId"] or "-",
                m["reason"],
                m["firstBytes"],
            ]
            for m in messages
        ]
        headers = ["MESSAGE", "SENT (UTC)", "RECEIVES", "ORDER", "REASON", "FIRST BYTES"]
        lines += ["  " + row for row in table(headers, rows)] if rows else ["  empty"]
        lines.append("")
    if any(d["messages"] for d in data):
        lines.append("(listing received each message once: its receive count went up by one)")
    return Output(data, lines)


def peek(sqs: Any, url: str, limit: int) -> list[dict[str, Any]]:
    """Up to ``limit`` messages, left in the queue and visible again."""
    seen: dict[str, dict[str, Any]] = {}
    while len(seen) < limit:
        batch = receive(sqs, url, min(10, limit - len(seen)), PEEK_VISIBILITY)
        if not batch:
            break
        seen.update({m["MessageId"]: m for m in batch})
    messages = list(seen.values())
    for start in range(0, len(messages), 10):
        entries = [
            {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": 0}
            for i, m in enumerate(messages[start : start + 10])
        ]
        sqs.change_message_visibility_batch(QueueUrl=url, Entries=entries)
    return messages


def receive(sqs: Any, url: str, count: int, visibility: int) -> list[dict[str, Any]]:
    answer = sqs.receive_message(
        QueueUrl=url,
        MaxNumberOfMessages=count,
        WaitTimeSeconds=0,
        VisibilityTimeout=visibility,
        MessageAttributeNames=["All"],
        MessageSystemAttributeNames=["All"],
    )
    messages: list[dict[str, Any]] = answer.get("Messages", [])
    return messages


def _described(message: dict[str, Any], dlq: DeadLetterQueue) -> dict[str, Any]:
    system = message.get("Attributes") or {}
    sent = datetime.fromtimestamp(int(system.get("SentTimestamp", 0)) / 1000, UTC)
    return {
        "messageId": message["MessageId"],
        "sentAt": iso(sent),
        "receiveCount": int(system.get("ApproximateReceiveCount", 0)),
        "orderId": _order_id(message["Body"]),
        "reason": reason(message, dlq),
        "firstBytes": preview(message["Body"], 60),
    }


def reason(message: dict[str, Any], dlq: DeadLetterQueue) -> str:
    attributes = {
        k: v.get("StringValue", "") for k, v in (message.get("MessageAttributes") or {}).items()
    }
    if "ERROR_CODE" in attributes:  # EventBridge could not deliver to its target
        rule = attributes.get("RULE_ARN", "").rsplit("/", 1)[-1]
        error = f"{attributes['ERROR_CODE']} {attributes.get('ERROR_MESSAGE', '')}"
        return f"EventBridge rule {rule}: {error}".strip()
    if "ErrorCode" in attributes:  # a Lambda asynchronous invocation's DLQ
        error = f"{attributes['ErrorCode']} {attributes.get('ErrorMessage', '')}"
        return f"Lambda async invoke failed: {error}".strip()
    body = parse_json(message["Body"])
    if isinstance(body, dict) and "DDBStreamBatchInfo" in body:
        info, context = body["DDBStreamBatchInfo"], body.get("requestContext") or {}
        return (
            f"stream batch {context.get('condition', 'failed')}: {info.get('batchSize')} records, "
            f"sequence {info.get('startSequenceNumber')}..{info.get('endSequenceNumber')}"
        )
    if dlq.source_label:
        received = (message.get("Attributes") or {}).get("ApproximateReceiveCount", "?")
        return (
            f"{received} receives (this listing's included); {dlq.source_label} "
            f"dead-letters after {dlq.max_receive_count}"
        )
    return "unknown (no error attributes)"


def _order_id(body: str) -> str | None:
    found = _find_key(parse_json(body), ("orderId", "order_id"))
    if found:
        return found
    match = _ORDER_KEY.search(body)
    return match.group(1) if match else None


def _find_key(value: Any, keys: tuple[str, ...]) -> str | None:
    if isinstance(value, dict):
        for key in keys:
            if isinstance(value.get(key), str):
                return str(value[key])
        value = list(value.values())
    if isinstance(value, list):
        return next((found for v in value if (found := _find_key(v, keys))), None)
    return None


def parse_json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _parse(moment: str | None) -> datetime | None:
    return datetime.fromisoformat(moment) if moment else None
