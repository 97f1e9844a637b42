"""TransactWriteItems (TransactGetItems: transact_get.py).

A write transaction checks every action, reads every item, evaluates every condition, and
writes only if all pass, in one SQLite transaction under the store's lock: atomic and
isolated from concurrent callers. A transaction that loses a race with another therefore
sees the winner's write and fails its condition (``ConditionalCheckFailed``); DynamoDB may
instead answer ``TransactionConflict``. Both are cancellations the caller already handles.
"""

from __future__ import annotations

from typing import Any

from infra.local.dataplane.dynamodb import capacity, keys, storage, tokens
from infra.local.dataplane.dynamodb.base import Base, choice, refuse_legacy
from infra.local.dataplane.dynamodb.writes import Plan, plan
from infra.local.dataplane.errors import AwsError, validation
from infra.local.dataplane.service import Params

MAX_ACTIONS = 100
MAX_BYTES = 4 * 1024 * 1024
"""DynamoDB's limit on the items a transaction writes, together."""
KINDS = ("ConditionCheck", "Put", "Delete", "Update")


def actions_of(params: Params) -> list[dict[str, Any]]:
    actions = params.get("TransactItems")
    if not isinstance(actions, list) or not actions:
        raise validation(
            "1 validation error detected: Value null at 'transactItems' failed to satisfy "
            "constraint: Member must have length greater than or equal to 1"
        )
    if len(actions) > MAX_ACTIONS:
        raise validation(
            "1 validation error detected: Value at 'transactItems' failed to satisfy "
            f"constraint: Member must have length less than or equal to {MAX_ACTIONS}"
        )
    return actions


def one_each(located: list[tuple[int, keys.Location]]) -> None:
    if len(set(located)) != len(located):
        raise validation("Transaction request cannot include multiple operations on one item")


def _reason(error: AwsError) -> dict[str, Any]:
    if error.code != "ConditionalCheckFailedException":
        return {"Code": "ValidationError", "Message": error.message}
    reason = {"Code": "ConditionalCheckFailed", "Message": error.message}
    if "Item" in error.fields:
        reason["Item"] = error.fields["Item"]
    return reason


class TransactionOperations(Base):
    def transact_write_items(self, params: Params) -> Params:
        actions = actions_of(params)
        token, chosen = tokens.token_of(params), capacity.mode(params)
        now = self.clock()
        with self.store.write() as db:
            plans = [self._plan(db, action) for action in actions]
            one_each([(p.spec.tid, p.at) for p in plans])
            request = tokens.digest(params)
            if token is not None and tokens.seen_before(db, token, request, now):
                return self._written(chosen, plans, replay=True)
            olds = [storage.read(db, p.spec, p.at) for p in plans]
            news, reasons = [], []
            for found, old in zip(plans, olds, strict=True):
                try:
                    news.append(found.outcome(old))
                    reasons.append({"Code": "None"})
                except AwsError as failed:
                    news.append(old)
                    reasons.append(_reason(failed))
            if any(r["Code"] != "None" for r in reasons):
                codes = ", ".join(r["Code"] for r in reasons)
                raise AwsError(
                    "TransactionCanceledException",
                    f"Transaction cancelled, please refer cancellation reasons for specific "
                    f"reasons [{codes}]",
                    CancellationReasons=reasons,
                )
            written = sum(
                n.size for p, n in zip(plans, news, strict=True) if n and p.kind != "ConditionCheck"
            )
            if written > MAX_BYTES:
                raise validation(
                    "Transaction request cannot be larger than 4 MB: its items total "
                    f"{written} bytes"
                )
            writer = storage.Writer(db, now)
            for found, old, new in zip(plans, olds, news, strict=True):
                writer.change(found.spec, found.at, old, new)
            writer.flush()
            if token is not None:
                tokens.remember(db, token, request, now)
        return self._written(chosen, plans, replay=False)

    def _plan(self, db: Any, action: Any) -> Plan:
        if not isinstance(action, dict) or len(action) != 1 or next(iter(action)) not in KINDS:
            raise validation("TransactItems can only contain one of Check, Put, Update or Delete")
        [(kind, body)] = action.items()
        refuse_legacy(body)
        choice(body, "ReturnValuesOnConditionCheckFailure", ("NONE", "ALL_OLD"))
        return plan(db, self.catalog, kind, body)

    def _written(self, chosen: str, plans: list[Plan], *, replay: bool) -> Params:
        if chosen == "NONE":
            return {}
        units: dict[str, float] = {}
        for found in plans:
            size = found.new[1] if found.new else 1
            unit = (
                capacity.read_units(size, True, True)
                if replay
                else capacity.write_units(size, True)
            )
            units[found.spec.name] = units.get(found.spec.name, 0) + unit
        return {
            "ConsumedCapacity": [
                capacity.consumed(chosen, t, u, write=not replay) for t, u in units.items()
            ]
        }
