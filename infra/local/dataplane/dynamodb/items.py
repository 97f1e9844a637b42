"""PutItem, GetItem, UpdateItem, DeleteItem: each one transaction, its condition checked on
the item as stored at that moment (atomic under concurrent callers)."""

from __future__ import annotations

from typing import Any

from infra.local.dataplane.dynamodb import capacity, keys, storage
from infra.local.dataplane.dynamodb.base import Base, choice, refuse_legacy
from infra.local.dataplane.dynamodb.expressions.projection import project, tree
from infra.local.dataplane.dynamodb.expressions.request import Expressions
from infra.local.dataplane.dynamodb.values import canonical_item
from infra.local.dataplane.dynamodb.writes import Plan, plan
from infra.local.dataplane.service import Params

_UPDATE_RETURNS = ("NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW")


class ItemOperations(Base):
    def put_item(self, params: Params) -> Params:
        return self._write("Put", params, ("NONE", "ALL_OLD"))

    def delete_item(self, params: Params) -> Params:
        return self._write("Delete", params, ("NONE", "ALL_OLD"))

    def update_item(self, params: Params) -> Params:
        return self._write("Update", params, _UPDATE_RETURNS)

    def _write(self, kind: str, params: Params, returns: tuple[str, ...]) -> Params:
        refuse_legacy(params)
        wanted = choice(params, "ReturnValues", returns)
        choice(params, "ReturnValuesOnConditionCheckFailure", ("NONE", "ALL_OLD"))
        chosen = capacity.mode(params)
        with self.store.write() as db:
            found = plan(db, self.catalog, kind, params)
            old = storage.read(db, found.spec, found.at)
            new = found.outcome(old)
            writer = storage.Writer(db, self.clock())
            writer.change(found.spec, found.at, old, new)
            writer.flush()
        out: Params = {}
        attributes = _returned(wanted, found, old, new)
        if attributes:
            out["Attributes"] = attributes
        size = max(old[1] if old else 0, new[1] if new else 0)
        units = capacity.write_units(size)
        return capacity.add_to(out, capacity.consumed(chosen, found.spec.name, units, write=True))

    def get_item(self, params: Params) -> Params:
        refuse_legacy(params)
        chosen = capacity.mode(params)
        expressions = Expressions(params)
        wanted = expressions.projection()
        with self.store.read() as db:
            spec = self.catalog.get(db, params.get("TableName"))
            key = canonical_item(params.get("Key"))[0]
            found = storage.read(db, spec, keys.locate_key(spec, key))
        out: Params = {}
        if found is not None:
            out["Item"] = found[0] if wanted is None else project(found[0], wanted)
        units = capacity.read_units(found[1] if found else 0, bool(params.get("ConsistentRead")))
        return capacity.add_to(out, capacity.consumed(chosen, spec.name, units, write=False))


def _returned(
    wanted: str, found: Plan, old: storage.Stored | None, new: storage.Stored | None
) -> dict[str, Any] | None:
    if wanted == "ALL_OLD":
        return old[0] if old else None
    if wanted == "ALL_NEW":
        return new[0] if new else None
    if wanted in ("UPDATED_OLD", "UPDATED_NEW"):
        source = old if wanted == "UPDATED_OLD" else new
        if source is None or not found.update_paths:
            return None
        return project(source[0], tree(found.update_paths)) or None
    return None
