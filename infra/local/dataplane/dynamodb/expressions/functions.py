"""Condition functions: attribute_exists, attribute_not_exists, attribute_type, begins_with,
contains (size is an operand: nodes.py)."""

from __future__ import annotations

from dataclasses import dataclass

from infra.local.dataplane.dynamodb.expressions.env import Env
from infra.local.dataplane.dynamodb.expressions.nodes import Condition, Operand, Path, sortable
from infra.local.dataplane.dynamodb.expressions.tokens import invalid
from infra.local.dataplane.dynamodb.values import TYPES, Item


@dataclass(frozen=True, slots=True)
class Exists(Condition):
    path: Path
    expected: bool

    def test(self, item: Item, env: Env) -> bool:
        return (self.path.value(item, env) is not None) is self.expected


@dataclass(frozen=True, slots=True)
class TypeIs(Condition):
    path: Path
    type: Operand

    def test(self, item: Item, env: Env) -> bool:
        wanted = self.type.value(item, env)
        if wanted is None or "S" not in wanted or wanted["S"] not in TYPES:
            raise invalid(
                env.kind,
                "Invalid attribute type name found in type condition; type: "
                f"{next(iter(wanted.values())) if wanted else None}",
            )
        found = self.path.value(item, env)
        return found is not None and next(iter(found)) == wanted["S"]


@dataclass(frozen=True, slots=True)
class BeginsWith(Condition):
    path: Path
    prefix: Operand

    def test(self, item: Item, env: Env) -> bool:
        found, prefix = self.path.value(item, env), self.prefix.value(item, env)
        if prefix is not None and next(iter(prefix)) not in ("S", "B"):
            raise invalid(
                env.kind,
                "Incorrect operand type for operator or function; operator or function: "
                f"begins_with, operand type: {next(iter(prefix))}",
            )
        if found is None or prefix is None or next(iter(found)) != next(iter(prefix)):
            return False
        whole = sortable(found)[1]
        return whole.startswith(sortable(prefix)[1])  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Contains(Condition):
    path: Path
    operand: Operand

    def test(self, item: Item, env: Env) -> bool:
        found, wanted = self.path.value(item, env), self.operand.value(item, env)
        if found is None or wanted is None:
            return False
        [(kind, raw)] = found.items()
        [(wanted_kind, wanted_raw)] = wanted.items()
        if kind in ("S", "B"):
            if wanted_kind != kind:
                return False
            return sortable(wanted)[1] in sortable(found)[1]  # type: ignore[operator]
        if kind in ("SS", "NS", "BS"):
            return wanted_kind == kind[0] and wanted_raw in raw
        if kind == "L":
            return wanted in raw
        return False
