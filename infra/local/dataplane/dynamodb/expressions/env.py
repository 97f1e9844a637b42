"""What a parsed expression is evaluated with: the request's names and values."""

from __future__ import annotations

from dataclasses import dataclass

from infra.local.dataplane.dynamodb.expressions.paths import Parts
from infra.local.dataplane.dynamodb.values import Value


@dataclass(slots=True)
class Env:
    kind: str
    """The expression's name in errors: ConditionExpression, FilterExpression, ..."""
    names: dict[str, str]
    values: dict[str, Value]

    def resolve(self, parts: Parts) -> Parts:
        names = self.names
        return tuple(names[p] if isinstance(p, str) and p[0] == "#" else p for p in parts)

    def for_kind(self, kind: str) -> Env:
        return Env(kind, self.names, self.values)


def describe(value: Value) -> str:
    """A value as DynamoDB's messages show it: ``AttributeValue: {N:5}``."""
    [(kind, raw)] = value.items()
    return f"AttributeValue: {{{kind}:{raw}}}"
