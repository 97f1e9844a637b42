"""Condition nodes: comparisons, BETWEEN, IN and the boolean operators (functions.py has
the functions)."""

from __future__ import annotations

from dataclasses import dataclass

from infra.local.dataplane.dynamodb.expressions.env import Env, describe
from infra.local.dataplane.dynamodb.expressions.nodes import (
    Condition,
    Operand,
    check_orderable,
    order,
)
from infra.local.dataplane.dynamodb.expressions.tokens import invalid
from infra.local.dataplane.dynamodb.values import Item

_TESTS = {
    "<": lambda c: c < 0,
    "<=": lambda c: c <= 0,
    ">": lambda c: c > 0,
    ">=": lambda c: c >= 0,
}


@dataclass(frozen=True, slots=True)
class Compare(Condition):
    operator: str
    left: Operand
    right: Operand

    def test(self, item: Item, env: Env) -> bool:
        a, b = self.left.value(item, env), self.right.value(item, env)
        if self.operator == "=":
            return a is not None and a == b
        if self.operator == "<>":
            return a is None or b is None or a != b
        check_orderable(self.left, a, self.operator, env)
        check_orderable(self.right, b, self.operator, env)
        if a is None or b is None:
            return False
        compared = order(a, b)
        return compared is not None and _TESTS[self.operator](compared)


@dataclass(frozen=True, slots=True)
class Between(Condition):
    subject: Operand
    low: Operand
    high: Operand

    def test(self, item: Item, env: Env) -> bool:
        x = self.subject.value(item, env)
        low, high = self.low.value(item, env), self.high.value(item, env)
        for operand, value in ((self.subject, x), (self.low, low), (self.high, high)):
            check_orderable(operand, value, "BETWEEN", env)
        if low is not None and high is not None and (order(low, high) or 0) > 0:
            raise invalid(
                env.kind,
                "The BETWEEN operator requires upper bound to be greater than or equal to lower "
                f"bound; lower bound operand: {describe(low)}, upper bound operand: "
                f"{describe(high)}",
            )
        if x is None or low is None or high is None:
            return False
        above, below = order(x, low), order(x, high)
        return above is not None and below is not None and above >= 0 and below <= 0


@dataclass(frozen=True, slots=True)
class In(Condition):
    subject: Operand
    options: tuple[Operand, ...]

    def test(self, item: Item, env: Env) -> bool:
        x = self.subject.value(item, env)
        return x is not None and any(x == o.value(item, env) for o in self.options)


@dataclass(frozen=True, slots=True)
class And(Condition):
    left: Condition
    right: Condition

    def test(self, item: Item, env: Env) -> bool:
        return self.left.test(item, env) and self.right.test(item, env)


@dataclass(frozen=True, slots=True)
class Or(Condition):
    left: Condition
    right: Condition

    def test(self, item: Item, env: Env) -> bool:
        return self.left.test(item, env) or self.right.test(item, env)


@dataclass(frozen=True, slots=True)
class Not(Condition):
    inner: Condition

    def test(self, item: Item, env: Env) -> bool:
        return not self.inner.test(item, env)
