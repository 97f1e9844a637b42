"""``order <order-id>``: the order item, its outbox events in order, and its executions; the
action an operator must take, if any (a silent carrier, an open dispute).

The single table (adapters/aws/keys.py): the order at ``ORDER#<id>`` / ``ORDER``, its outbox
events at ``ORDER#<id>`` / ``EVENT#<version, 10 digits>``. The key attribute names are read
from the table. Address and payment token are redacted; a task token is only said to be held.
"""

from __future__ import annotations

from typing import Any

from boto3.dynamodb.types import TypeDeserializer

from adapters.aws.codec import from_attribute_values, order_from_item
from domain.attention import operator_action
from infra.ops.errors import NotFound
from infra.ops.execution import execution_summary
from infra.ops.redact import plain, preview, redact
from infra.ops.render import Output
from infra.ops.target import Target

_DESERIALIZER = TypeDeserializer()
SHOWN = {  # the fields the story names; the others are listed as they are
    "orderId",
    "customerId",
    "status",
    "version",
    "createdAt",
    "updatedAt",
    "lines",
    "payment",
    "shipment",
    "refunds",
    "waitToken",
    "reason",
    "dispute",
}
INDEXES = {"GSI1PK", "GSI1SK", "expiration"}
_ENVELOPE = {"orderId", "version", "occurredAt", "eventId"}


def order_command(target: Target, order_id: str) -> Output:
    ddb, table = target.client("dynamodb"), target.config.table_name
    pk, sk = _key_names(ddb, table)
    key = {pk: {"S": f"ORDER#{order_id}"}, sk: {"S": "ORDER"}}
    raw = ddb.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")
    item = _plain(raw) if raw else None
    events = [_plain(i) for i in _query(ddb, table, pk, sk, order_id)]
    try:
        executions, execution_lines = execution_summary(target, order_id)
    except NotFound:
        executions, execution_lines = [], ["  none"]
    if item is None and not events and not executions:
        raise NotFound(f"no order {order_id}: no item, no events, no execution ({table})")
    shown = {k: v for k, v in (item or {}).items() if k not in (pk, sk)}
    action = _operator_action(raw)
    lines = [*_order_lines(order_id, shown), *_action_lines(action)]
    lines.append(f"Outbox events ({len(events)})")
    lines += [_event_line(e, sk) for e in events] or ["  none"]
    lines += ["Workflow executions", *execution_lines]
    data = {
        "order": _safe(shown) if item else None,
        "events": [_safe({k: v for k, v in e.items() if k != pk}) for e in events],
        "executions": executions,
        "action": action,
    }
    return Output(data, lines)


def _operator_action(raw: dict[str, Any] | None) -> str | None:
    """What an operator must do for this order, as the domain says (domain/attention.py)."""
    if not raw:
        return None
    if raw.get("status", {}).get("S") != "NEEDS_ATTENTION" and "dispute" not in raw:
        return None
    return operator_action(order_from_item(from_attribute_values(raw)))


def _action_lines(action: str | None) -> list[str]:
    return [f"  ACTION    {action}"] if action else []


def order_status(target: Target, order_id: str) -> str | None:
    """The order item's status, or None when there is no item."""
    ddb, table = target.client("dynamodb"), target.config.table_name
    pk, sk = _key_names(ddb, table)
    key = {pk: {"S": f"ORDER#{order_id}"}, sk: {"S": "ORDER"}}
    item = ddb.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item") or {}
    status = item.get("status", {}).get("S")
    return str(status) if status else None


def _key_names(ddb: Any, table: str) -> tuple[str, str]:
    schema = ddb.describe_table(TableName=table)["Table"]["KeySchema"]
    names = {k["KeyType"]: k["AttributeName"] for k in schema}
    return names["HASH"], names["RANGE"]


def _query(ddb: Any, table: str, pk: str, sk: str, order_id: str) -> list[dict[str, Any]]:
    pages = ddb.get_paginator("query").paginate(
        TableName=table,
        KeyConditionExpression="#pk = :pk AND begins_with(#sk, :events)",
        ExpressionAttributeNames={"#pk": pk, "#sk": sk},
        ExpressionAttributeValues={":pk": {"S": f"ORDER#{order_id}"}, ":events": {"S": "EVENT#"}},
        ConsistentRead=True,
    )
    return [item for page in pages for item in page["Items"]]


def _plain(item: dict[str, Any]) -> dict[str, Any]:
    return {name: plain(_DESERIALIZER.deserialize(value)) for name, value in item.items()}


def _safe(item: dict[str, Any]) -> dict[str, Any]:
    safe: dict[str, Any] = redact(item)
    if safe.get("waitToken"):
        safe["waitToken"] = "<task token held>"
    return safe


def _money(value: Any) -> str:
    if isinstance(value, dict) and {"amount", "currency"} <= set(value):
        return f"{value['amount']} {value['currency']}"
    return str(value)


def _order_lines(order_id: str, o: dict[str, Any]) -> list[str]:
    if not o:
        return [f"Order {order_id}: no order item (events or executions only)"]
    pay, ship = o.get("payment") or {}, o.get("shipment")
    lines = [
        f"Order {order_id}  {o.get('status')}  version {o.get('version')}",
        f"  customer  {o.get('customerId')}",
        f"  created   {o.get('createdAt')}   updated {o.get('updatedAt')}",
        "  lines     "
        + "; ".join(
            f"{ln.get('quantity')} x {ln.get('sku')} @ {_money(ln.get('unitPrice'))}"
            for ln in o.get("lines") or []
        ),
        f"  payment   {pay.get('status')}  {_money(pay.get('amount'))}  ref {pay.get('reference')}"
        f"  captured {_money(pay.get('captured'))}  refunded {_money(pay.get('refunded'))}",
        "  shipment  "
        + (
            f"{ship.get('status')}  {ship.get('carrier')}  tracking {ship.get('trackingNumber')}"
            if ship
            else "none"
        ),
        "  refunds   "
        + (
            "; ".join(
                f"{r.get('refundId')} {_money(r.get('amount'))} {r.get('createdAt')}"
                for r in o.get("refunds") or []
            )
            or "none"
        ),
        "  workflow  "
        + ("task token stored (see the executions below)" if o.get("waitToken") else "-"),
    ]
    if o.get("reason"):
        lines.append(f"  reason    {o['reason']}")
    if dispute := o.get("dispute"):  # Stripe's charge.dispute.* (docs/operations.md)
        lines.append(
            f"  dispute   {dispute.get('disputeId')}  {dispute.get('status')}  "
            f"{dispute.get('reason')}  {_money(dispute.get('amount'))}  "
            f"updated {dispute.get('updatedAt')}"
        )
    others = {k: v for k, v in o.items() if k not in SHOWN | INDEXES}
    if others:
        lines.append(f"  other     {preview(others, 300)}")
    return lines


def _event_line(event: dict[str, Any], sk: str) -> str:
    version = str(event.get(sk, "")).removeprefix("EVENT#").lstrip("0") or "0"
    detail = {k: v for k, v in (event.get("detail") or {}).items() if k not in _ENVELOPE}
    kind = event.get("eventType") or event.get("type") or "?"
    return f"  v{version:<3} {event.get('occurredAt', '')}  {kind:<20} {preview(detail, 100)}"
