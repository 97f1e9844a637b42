"""UpdateExpression: SET, REMOVE, ADD and DELETE clauses, each at most once, in any order."""

from __future__ import annotations

from functools import lru_cache

from infra.local.dataplane.dynamodb.expressions import update_nodes as u
from infra.local.dataplane.dynamodb.expressions.nodes import Literal, Path
from infra.local.dataplane.dynamodb.expressions.parsed import CACHE_SIZE, Parsed
from infra.local.dataplane.dynamodb.expressions.reader import Reader
from infra.local.dataplane.dynamodb.expressions.tokens import invalid

KIND = "UpdateExpression"
CLAUSES = ("SET", "REMOVE", "ADD", "DELETE")


@lru_cache(maxsize=CACHE_SIZE)
def parse_update(text: str) -> Parsed[u.Update]:
    reader = UpdateReader(KIND, text)
    seen: set[str] = set()
    while reader.token.kind != "eof":
        clause = reader.token.keyword
        if clause not in CLAUSES:
            raise reader.error()
        if clause in seen:
            raise invalid(
                KIND, f'The "{clause}" section can only be used once in an update expression;'
            )
        seen.add(clause)
        reader.next()
        reader.action(clause)
        while reader.is_op(","):
            reader.next()
            reader.action(clause)
    update = u.Update(
        tuple(reader.sets), tuple(reader.removes), tuple(reader.adds), tuple(reader.deletes)
    )
    return Parsed(KIND, update, frozenset(reader.names), frozenset(reader.values))


class UpdateReader(Reader):
    def __init__(self, kind: str, text: str) -> None:
        super().__init__(kind, text)
        self.sets: list[tuple[Path, u.SetValue]] = []
        self.removes: list[Path] = []
        self.adds: list[tuple[Path, Literal]] = []
        self.deletes: list[tuple[Path, Literal]] = []

    def action(self, clause: str) -> None:
        path = self.path()
        if clause == "REMOVE":
            self.removes.append(path)
        elif clause == "ADD":
            self.adds.append((path, self.literal()))
        elif clause == "DELETE":
            self.deletes.append((path, self.literal()))
        else:
            self.expect_op("=")
            self.sets.append((path, self.set_value()))

    def set_value(self) -> u.SetValue:
        left = self.operand()
        if self.is_op("+", "-"):
            subtract = self.next().text == "-"
            return u.Arithmetic(subtract, left, self.operand())
        return left

    def operand(self) -> u.SetValue:
        if self.token.kind == "value":
            return u.Given(self.literal())
        if not self.is_call():
            return u.Read(self.path())
        name = self.next().text
        self.expect_op("(")
        if name == "if_not_exists":
            path = self.path()
            self.expect_op(",")
            default = self.operand()
            self.expect_op(")")
            return u.IfNotExists(path, default)
        if name == "list_append":
            first = self.operand()
            self.expect_op(",")
            second = self.operand()
            self.expect_op(")")
            return u.ListAppend(first, second)
        raise invalid(KIND, f"Invalid function name; function: {name}")
