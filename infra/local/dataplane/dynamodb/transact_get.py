"""TransactGetItems: up to 100 items read at one moment (under the store's lock)."""

from __future__ import annotations

from infra.local.dataplane.dynamodb import capacity, keys, storage
from infra.local.dataplane.dynamodb.base import Base, refuse_legacy
from infra.local.dataplane.dynamodb.expressions.projection import project
from infra.local.dataplane.dynamodb.expressions.request import Expressions
from infra.local.dataplane.dynamodb.transactions import actions_of, one_each
from infra.local.dataplane.dynamodb.values import canonical_item
from infra.local.dataplane.errors import validation
from infra.local.dataplane.service import Params


class TransactGetOperations(Base):
    def transact_get_items(self, params: Params) -> Params:
        actions = actions_of(params)
        chosen = capacity.mode(params)
        responses: list[Params] = []
        units: dict[str, float] = {}
        with self.store.read() as db:
            located = []
            for action in actions:
                if not isinstance(action, dict) or list(action) != ["Get"]:
                    raise validation("TransactItems of TransactGetItems can only contain Get")
                body = action["Get"]
                refuse_legacy(body)
                spec = self.catalog.get(db, body.get("TableName"))
                wanted = Expressions(body).projection()
                at = keys.locate_key(spec, canonical_item(body.get("Key"))[0])
                located.append((spec, at, wanted))
            one_each([(spec.tid, at) for spec, at, _ in located])
            for spec, at, wanted in located:
                stored = storage.read(db, spec, at)
                if stored is None:
                    responses.append({})
                else:
                    responses.append(
                        {"Item": stored[0] if wanted is None else project(stored[0], wanted)}
                    )
                read = capacity.read_units(stored[1] if stored else 0, True, True)
                units[spec.name] = units.get(spec.name, 0) + read
        out: Params = {"Responses": responses}
        if chosen != "NONE":
            out["ConsumedCapacity"] = [
                capacity.consumed(chosen, t, u, write=False) for t, u in units.items()
            ]
        return out
