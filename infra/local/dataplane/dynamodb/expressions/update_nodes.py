"""The values a SET action computes: paths, literals, ``+``/``-``, if_not_exists, list_append.

Every operand is evaluated against the item as it was before the update (DynamoDB's rule), so
``SET a = b, b = a`` swaps.
"""

from __future__ import annotations

from dataclasses import dataclass

from infra.local.dataplane.dynamodb import numbers
from infra.local.dataplane.dynamodb.expressions.env import Env
from infra.local.dataplane.dynamodb.expressions.nodes import Literal, Path
from infra.local.dataplane.dynamodb.values import Item, Value
from infra.local.dataplane.errors import AwsError, validation


def wrong_type() -> AwsError:
    return validation("An operand in the update expression has an incorrect data type")


class SetValue:
    def compute(self, item: Item, env: Env) -> Value:
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class Read(SetValue):
    path: Path

    def compute(self, item: Item, env: Env) -> Value:
        found = self.path.value(item, env)
        if found is None:
            raise validation(
                "The provided expression refers to an attribute that does not exist in the item"
            )
        return found


@dataclass(frozen=True, slots=True)
class Given(SetValue):
    literal: Literal

    def compute(self, item: Item, env: Env) -> Value:
        return env.values[self.literal.ref]


@dataclass(frozen=True, slots=True)
class IfNotExists(SetValue):
    path: Path
    default: SetValue

    def compute(self, item: Item, env: Env) -> Value:
        found = self.path.value(item, env)
        return found if found is not None else self.default.compute(item, env)


@dataclass(frozen=True, slots=True)
class ListAppend(SetValue):
    first: SetValue
    second: SetValue

    def compute(self, item: Item, env: Env) -> Value:
        a, b = self.first.compute(item, env), self.second.compute(item, env)
        for value in (a, b):
            if "L" not in value:
                raise validation(
                    "Invalid UpdateExpression: Incorrect operand type for operator or function; "
                    f"operator or function: list_append, operand type: {next(iter(value))}"
                )
        return {"L": [*a["L"], *b["L"]]}


@dataclass(frozen=True, slots=True)
class Arithmetic(SetValue):
    subtract: bool
    left: SetValue
    right: SetValue

    def compute(self, item: Item, env: Env) -> Value:
        a, b = self.left.compute(item, env), self.right.compute(item, env)
        if "N" not in a or "N" not in b:
            raise wrong_type()
        result = numbers.add(numbers.parse(a["N"]), numbers.parse(b["N"]), self.subtract)
        return {"N": numbers.text(result)}


@dataclass(frozen=True, slots=True)
class Update:
    sets: tuple[tuple[Path, SetValue], ...]
    removes: tuple[Path, ...]
    adds: tuple[tuple[Path, Literal], ...]
    deletes: tuple[tuple[Path, Literal], ...]

    @property
    def targets(self) -> tuple[Path, ...]:
        return (
            *(p for p, _ in self.sets),
            *self.removes,
            *(p for p, _ in self.adds),
            *(p for p, _ in self.deletes),
        )
