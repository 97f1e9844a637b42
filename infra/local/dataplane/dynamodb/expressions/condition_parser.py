"""Conditions by recursive descent, lowest precedence first: OR, AND, NOT, then comparisons,
BETWEEN, IN, functions and parentheses (DynamoDB's precedence rules)."""

from __future__ import annotations

from functools import lru_cache

from infra.local.dataplane.dynamodb.expressions import conditions as c
from infra.local.dataplane.dynamodb.expressions import functions as f
from infra.local.dataplane.dynamodb.expressions.nodes import Condition, Operand, Path, Size
from infra.local.dataplane.dynamodb.expressions.parsed import CACHE_SIZE, Parsed
from infra.local.dataplane.dynamodb.expressions.reader import Reader
from infra.local.dataplane.dynamodb.expressions.tokens import invalid

COMPARATORS = frozenset({"=", "<>", "<", "<=", ">", ">="})
FUNCTIONS = {
    "attribute_exists": 1,
    "attribute_not_exists": 1,
    "attribute_type": 2,
    "begins_with": 2,
    "contains": 2,
}
MAX_IN = 100


@lru_cache(maxsize=CACHE_SIZE)
def parse_condition(kind: str, text: str) -> Parsed[Condition]:
    reader = ConditionReader(kind, text)
    tree = reader.disjunction()
    reader.end()
    return Parsed(kind, tree, frozenset(reader.names), frozenset(reader.values))


class ConditionReader(Reader):
    def disjunction(self) -> Condition:
        left = self.conjunction()
        while self.is_keyword("OR"):
            self.next()
            left = c.Or(left, self.conjunction())
        return left

    def conjunction(self) -> Condition:
        left = self.negation()
        while self.is_keyword("AND"):
            self.next()
            left = c.And(left, self.negation())
        return left

    def negation(self) -> Condition:
        if self.is_keyword("NOT"):
            self.next()
            return c.Not(self.negation())
        return self.primary()

    def primary(self) -> Condition:
        if self.is_op("("):
            self.next()
            inner = self.disjunction()
            self.expect_op(")")
            return inner
        if self.is_call() and self.token.text != "size":
            return self.function()
        subject = self.operand()
        if self.is_keyword("BETWEEN"):
            self.next()
            low = self.operand()
            if not self.is_keyword("AND"):
                raise self.error()
            self.next()
            return c.Between(subject, low, self.operand())
        if self.is_keyword("IN"):
            self.next()
            self.expect_op("(")
            options = [self.operand()]
            while self.is_op(","):
                self.next()
                options.append(self.operand())
            self.expect_op(")")
            if len(options) > MAX_IN:
                raise invalid(self.kind, "The IN operator accepts at most 100 operands")
            return c.In(subject, tuple(options))
        if self.token.kind == "op" and self.token.text in COMPARATORS:
            operator = self.next().text
            return c.Compare(operator, subject, self.operand())
        raise self.error()

    def operand(self) -> Operand:
        if self.token.kind == "value":
            return self.literal()
        if self.is_call():
            if self.token.text != "size":
                raise self._misused_function()
            self.next()
            self.expect_op("(")
            path = self.path()
            self.expect_op(")")
            return Size(path)
        return self.path()

    def function(self) -> Condition:
        name = self.next().text
        if name not in FUNCTIONS:
            raise invalid(self.kind, f"Invalid function name; function: {name}")
        self.expect_op("(")
        arguments = [self.operand()]
        while self.is_op(","):
            self.next()
            arguments.append(self.operand())
        self.expect_op(")")
        if len(arguments) != FUNCTIONS[name]:
            raise invalid(
                self.kind,
                "Incorrect number of operands for operator or function; operator or function: "
                f"{name}, number of operands: {len(arguments)}",
            )
        subject = arguments[0]
        if not isinstance(subject, Path):
            raise invalid(
                self.kind,
                "Operator or function requires a document path; operator or function: " + name,
            )
        if name in ("attribute_exists", "attribute_not_exists"):
            return f.Exists(subject, name == "attribute_exists")
        if name == "attribute_type":
            return f.TypeIs(subject, arguments[1])
        if name == "begins_with":
            return f.BeginsWith(subject, arguments[1])
        return f.Contains(subject, arguments[1])

    def _misused_function(self) -> Exception:
        name = self.token.text
        if name in FUNCTIONS:
            return invalid(
                self.kind,
                "The function is not allowed to be used this way in an expression; function: "
                + name,
            )
        return invalid(self.kind, f"Invalid function name; function: {name}")
