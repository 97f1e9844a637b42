"""The tree of a condition (ConditionExpression, FilterExpression, KeyConditionExpression)
and how it evaluates against an item.

Comparisons follow DynamoDB: ``=`` needs both sides present and equal (values are canonical,
so dict equality is value equality); ``<>`` is true when either side is missing; ordering
compares N, S or B of one type and is false otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from infra.local.dataplane.dynamodb.expressions import paths
from infra.local.dataplane.dynamodb.expressions.env import Env
from infra.local.dataplane.dynamodb.expressions.tokens import invalid
from infra.local.dataplane.dynamodb.values import Item, Value, decode_binary

ORDERED = frozenset({"N", "S", "B"})


class Operand:
    def value(self, item: Item, env: Env) -> Value | None:
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class Path(Operand):
    parts: paths.Parts
    refs: bool

    def resolved(self, env: Env) -> paths.Parts:
        return env.resolve(self.parts) if self.refs else self.parts

    def value(self, item: Item, env: Env) -> Value | None:
        return paths.get(item, self.resolved(env))


@dataclass(frozen=True, slots=True)
class Literal(Operand):
    ref: str

    def value(self, item: Item, env: Env) -> Value | None:
        return env.values[self.ref]


@dataclass(frozen=True, slots=True)
class Size(Operand):
    path: Path

    def value(self, item: Item, env: Env) -> Value | None:
        found = self.path.value(item, env)
        if found is None:
            return None
        [(kind, raw)] = found.items()
        if kind in ("N", "BOOL", "NULL"):
            raise invalid(
                env.kind,
                f"Incorrect operand type for operator or function; operator or function: size, "
                f"operand type: {kind}",
            )
        length = len(decode_binary(raw)) if kind == "B" else len(raw)
        return {"N": str(length)}


def sortable(value: Value) -> tuple[str, object]:
    [(kind, raw)] = value.items()
    if kind == "N":
        return kind, Decimal(raw)
    return kind, decode_binary(raw) if kind == "B" else raw


def order(a: Value, b: Value) -> int | None:
    """-1, 0 or 1, or None when the two cannot be ordered (other types, not scalars)."""
    kind_a, x = sortable(a) if next(iter(a)) in ORDERED else ("", None)
    kind_b, y = sortable(b) if next(iter(b)) in ORDERED else ("", None)
    if not kind_a or kind_a != kind_b:
        return None
    return (x > y) - (x < y)  # type: ignore[operator]


def check_orderable(operand: Operand, value: Value | None, operator: str, env: Env) -> None:
    """A literal that can never be ordered is the caller's mistake: DynamoDB refuses it."""
    if isinstance(operand, Literal) and value is not None and next(iter(value)) not in ORDERED:
        raise invalid(
            env.kind,
            f"Incorrect operand type for operator or function; operator or function: "
            f"{operator}, operand type: {next(iter(value))}",
        )


class Condition:
    def test(self, item: Item, env: Env) -> bool:
        raise NotImplementedError
