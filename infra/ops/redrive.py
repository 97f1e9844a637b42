"""``dlq redrive``: DLQ messages back to where they failed.

With a source queue (its RedrivePolicy names the DLQ): on AWS a StartMessageMoveTask; locally
(moto has none) each message is received, sent to the source queue and deleted. Without one, a
DLQ whose messages are EventBridge events (a rule target's or a Lambda's DLQ) is redriven by
putting the events on the bus again. Anything else (a stream's failure records) stays put, and
the command says so and exits 1.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial
from typing import Any

from infra.ops.dlq import PEEK_VISIBILITY, parse_json, receive, selected
from infra.ops.errors import FAILED
from infra.ops.queues import DeadLetterQueue, queue_arn, queue_depth
from infra.ops.render import Output
from infra.ops.target import Target

EMULATED_MOVE = (
    "emulated: moto has no StartMessageMoveTask, so each message was received, "
    "sent to the source queue and deleted (new message ids, receive counts restart)"
)


def redrive_command(target: Target, wanted: str | None, dry_run: bool = False) -> Output:
    data, lines = [], []
    for dlq in selected(target, wanted):
        result, text = _plan(target, dlq) if dry_run else _redrive(target, dlq)
        if result.get("left"):
            text += (
                f"; left {result['left']} in place: not EventBridge events, or refused "
                "(stream failure records point at the table, see docs/operations.md)"
            )
        data.append({"queue": dlq.label, **result})
        lines.append(f"{dlq.label}: {text}")
    failed = any(d.get("left") for d in data)
    return Output(data, lines or ["no dead-letter queues"], FAILED if failed else 0)


WOULD = {
    "move-task": "would-move",
    "moved": "would-move",
    "re-put": "would-re-put",
    "skipped": "would-skip",
}
"""``--dry-run``'s action for each of ``_action``'s."""


def _plan(target: Target, dlq: DeadLetterQueue) -> tuple[dict[str, Any], str]:
    """``--dry-run``: what ``_redrive`` would do (``plan``, which the console's confirmation
    shows too), from the queue's depth alone: nothing is received or sent."""
    depth, text = plan(target, dlq)
    action = WOULD[_action(target, dlq)] if depth else "none"
    result = {"action": action, "approximateCount": depth, "dryRun": True}
    return result, f"dry run: would {text}" if depth else "dry run: empty"


def plan(target: Target, dlq: DeadLetterQueue) -> tuple[int, str]:
    """(approximate depth, what a redrive of ``dlq`` would do now), said before doing it: a
    verb phrase after "will" (the console) or "would" (``--dry-run``)."""
    depth = queue_depth(target.client("sqs"), dlq.url)
    action = _action(target, dlq)
    if depth == 0:
        return 0, "nothing: the queue is empty"
    if action == "move-task":
        text = (
            f"start an SQS message move task: SQS moves the ~{depth} messages back to "
            f"{dlq.source_label} in the background, where they are processed again"
        )
    elif action == "moved":
        text = (
            f"move the ~{depth} messages back to {dlq.source_label}, where they are processed "
            "again (emulated: moto has no StartMessageMoveTask, so each message is received, "
            "sent to the source queue and deleted)"
        )
    elif action == "re-put":
        text = (
            f"put the events of the ~{depth} messages on bus {target.config.bus_name} again "
            "and delete each once accepted; messages that are not EventBridge events stay"
        )
    else:
        text = f"leave the ~{depth} messages in place: no source queue, and no bus to put events on"
    return depth, text


def _action(target: Target, dlq: DeadLetterQueue) -> str:
    if dlq.source_url:
        return "moved" if target.local else "move-task"
    return "re-put" if target.config.bus_name else "skipped"


def _redrive(target: Target, dlq: DeadLetterQueue) -> tuple[dict[str, Any], str]:
    sqs = target.client("sqs")
    depth = queue_depth(sqs, dlq.url)
    action = _action(target, dlq)
    if depth == 0:
        return {"action": "none", "left": 0}, "empty, nothing to redrive"
    if action == "move-task" and dlq.source_url:
        task = sqs.start_message_move_task(
            SourceArn=queue_arn(sqs, dlq.url), DestinationArn=queue_arn(sqs, dlq.source_url)
        )
        text = (
            f"started a message move task ({depth} messages) to {dlq.source_label}; "
            "SQS moves them in the background (aws sqs list-message-move-tasks)"
        )
        return {
            "action": "move-task-started",
            "taskHandle": task["TaskHandle"],
            "approximateCount": depth,
            "left": 0,
        }, text
    if action == "moved" and dlq.source_url:
        moved, left = _move(sqs, dlq.url, partial(_send, sqs, dlq.source_url), depth)
        text = f"moved {moved} messages to {dlq.source_label} ({EMULATED_MOVE})"
        return {"action": "moved", "moved": moved, "left": left, "emulated": True}, text
    bus = target.config.bus_name
    if action == "re-put" and bus:
        moved, left = _move(sqs, dlq.url, partial(_put_event, target, bus), depth)
        text = f"put {moved} events on bus {bus} again (no source queue feeds this DLQ)"
        return {"action": "re-put", "bus": bus, "moved": moved, "left": left}, text
    return {"action": "skipped", "left": depth}, "no source queue, and no bus to put events on"


def _move(
    sqs: Any, url: str, deliver: Callable[[dict[str, Any]], bool], depth: int
) -> tuple[int, int]:
    """Deliver then delete, at most ``depth`` messages (one failing again and coming back
    meanwhile waits for the next redrive). Undeliverable ones stay hidden until the end, so
    they are not received twice, then are made visible again."""
    moved, kept = 0, list[str]()
    while moved + len(kept) < depth:
        batch = receive(sqs, url, min(10, depth - moved - len(kept)), PEEK_VISIBILITY)
        if not batch:
            break
        for message in batch:
            if deliver(message):
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
                moved += 1
            else:
                kept.append(message["ReceiptHandle"])
    for handle in kept:
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=0)
    return moved, len(kept)


def _send(sqs: Any, url: str, message: dict[str, Any]) -> bool:
    params: dict[str, Any] = {"QueueUrl": url, "MessageBody": message["Body"]}
    attributes = {
        k: {f: v[f] for f in ("DataType", "StringValue", "BinaryValue") if f in v}
        for k, v in (message.get("MessageAttributes") or {}).items()
    }
    if attributes:
        params["MessageAttributes"] = attributes
    system = message.get("Attributes") or {}
    if url.endswith(".fifo"):
        params["MessageGroupId"] = system.get("MessageGroupId", "redrive")
        params["MessageDeduplicationId"] = system.get(
            "MessageDeduplicationId", message["MessageId"]
        )
    sqs.send_message(**params)
    return True


def _put_event(target: Target, bus: str, message: dict[str, Any]) -> bool:
    event = parse_json(message["Body"])
    if not (isinstance(event, dict) and {"source", "detail-type", "detail"} <= set(event)):
        return False
    entry = {
        "EventBusName": bus,
        "Source": event["source"],
        "DetailType": event["detail-type"],
        "Detail": json.dumps(event["detail"]),
        "Resources": event.get("resources") or [],
    }
    answer = target.client("events").put_events(Entries=[entry])
    return bool(answer.get("FailedEntryCount", 0) == 0)
