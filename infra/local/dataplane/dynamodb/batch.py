"""BatchWriteItem and BatchGetItem. Every request is checked before anything is written;
then the batch is one transaction, so nothing is ever left unprocessed (``UnprocessedItems``
is empty; DynamoDB may return some under load, callers retry them). BatchGetItem stops at
16 MB and returns the rest as ``UnprocessedKeys``, as DynamoDB does.
"""

from __future__ import annotations

from typing import Any

from infra.local.dataplane.dynamodb import capacity, keys, storage
from infra.local.dataplane.dynamodb.base import Base, refuse_legacy
from infra.local.dataplane.dynamodb.expressions.projection import project
from infra.local.dataplane.dynamodb.expressions.request import Expressions
from infra.local.dataplane.dynamodb.values import canonical_item
from infra.local.dataplane.dynamodb.writes import plan
from infra.local.dataplane.errors import validation
from infra.local.dataplane.service import Params

MAX_WRITES, MAX_GETS = 25, 100
MAX_GET_BYTES = 16 * 1024 * 1024


def _requests(params: Params) -> dict[str, Any]:
    requested = params.get("RequestItems")
    if not isinstance(requested, dict) or not requested:
        raise validation(
            "1 validation error detected: Value null at 'requestItems' failed to satisfy "
            "constraint: Member must have length greater than or equal to 1"
        )
    return requested


def _duplicates() -> Exception:
    return validation("Provided list of item keys contains duplicates")


class BatchOperations(Base):
    def batch_write_item(self, params: Params) -> Params:
        requested = _requests(params)
        if sum(len(r) for r in requested.values()) > MAX_WRITES:
            raise validation("Too many items requested for the BatchWriteItem call")
        chosen = capacity.mode(params)
        units: dict[str, float] = {}
        with self.store.write() as db:
            plans, seen = [], set()
            for table, writes in requested.items():
                if not writes:
                    raise validation(
                        f"The batch write request list for a table cannot be null or empty: {table}"
                    )
                for write in writes:
                    if len(write) != 1 or next(iter(write)) not in ("PutRequest", "DeleteRequest"):
                        raise validation(
                            "A write request has exactly one PutRequest or DeleteRequest"
                        )
                    kind = "Put" if "PutRequest" in write else "Delete"
                    body = write["PutRequest" if kind == "Put" else "DeleteRequest"]
                    found = plan(db, self.catalog, kind, {**body, "TableName": table})
                    if (table, found.at) in seen:
                        raise _duplicates()
                    seen.add((table, found.at))
                    plans.append(found)
            writer = storage.Writer(db, self.clock())
            for found in plans:
                old = storage.read(db, found.spec, found.at)
                new = found.outcome(old)
                writer.change(found.spec, found.at, old, new)
                size = max(old[1] if old else 0, new[1] if new else 0)
                units[found.spec.name] = units.get(found.spec.name, 0) + capacity.write_units(size)
            writer.flush()
        out: Params = {"UnprocessedItems": {}}
        if chosen != "NONE":
            out["ConsumedCapacity"] = [
                capacity.consumed(chosen, t, u, write=True) for t, u in units.items()
            ]
        return out

    def batch_get_item(self, params: Params) -> Params:
        requested = _requests(params)
        if sum(len(r.get("Keys") or ()) for r in requested.values()) > MAX_GETS:
            raise validation("Too many items requested for the BatchGetItem call")
        chosen = capacity.mode(params)
        responses: dict[str, list[Any]] = {}
        unprocessed: dict[str, Any] = {}
        units: dict[str, float] = {}
        total = 0
        with self.store.read() as db:
            for table, request in requested.items():
                refuse_legacy(request)
                spec = self.catalog.get(db, table)
                wanted = Expressions(request).projection()
                located = []
                for raw in request.get("Keys") or ():
                    key = canonical_item(raw)[0]
                    located.append((raw, keys.locate_key(spec, key)))
                if len({at for _, at in located}) != len(located):
                    raise _duplicates()
                found = responses.setdefault(table, [])
                for raw, at in located:
                    if total >= MAX_GET_BYTES:
                        rest = unprocessed.setdefault(table, {**request, "Keys": []})
                        rest["Keys"].append(raw)
                        continue
                    stored = storage.read(db, spec, at)
                    if stored is not None:
                        total += stored[1]
                        found.append(stored[0] if wanted is None else project(stored[0], wanted))
                    consistent = bool(request.get("ConsistentRead"))
                    units[table] = units.get(table, 0) + capacity.read_units(
                        stored[1] if stored else 0, consistent
                    )
        out: Params = {"Responses": responses, "UnprocessedKeys": unprocessed}
        if chosen != "NONE":
            out["ConsumedCapacity"] = [
                capacity.consumed(chosen, t, u, write=False) for t, u in units.items()
            ]
        return out
