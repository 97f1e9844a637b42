"""Applying a parsed UpdateExpression to an item: SET, then REMOVE, ADD, DELETE.

Overlapping paths and key attributes are refused before anything changes; list elements
named by REMOVE go highest index first, so each index means the element as it was.
"""

from __future__ import annotations

from infra.local.dataplane.dynamodb import numbers
from infra.local.dataplane.dynamodb.expressions import paths
from infra.local.dataplane.dynamodb.expressions.env import Env
from infra.local.dataplane.dynamodb.expressions.tokens import invalid
from infra.local.dataplane.dynamodb.expressions.update_nodes import Update, wrong_type
from infra.local.dataplane.dynamodb.values import Item, Value, canonical_set
from infra.local.dataplane.errors import validation

KIND = "UpdateExpression"
_TYPE_NAMES = {
    "S": "STRING",
    "B": "BINARY",
    "BOOL": "BOOLEAN",
    "NULL": "NULL",
    "M": "MAP",
    "L": "LIST",
}
_SETS = ("SS", "NS", "BS")


def targets(update: Update, env: Env, keys: frozenset[str]) -> list[paths.Parts]:
    """The paths the update writes, checked: no two overlap, no key attribute among them."""
    found = [p.resolved(env) for p in update.targets]
    for i, one in enumerate(found):
        if one[0] in keys:
            raise validation(
                f"One or more parameter values were invalid: Cannot update attribute {one[0]}. "
                "This attribute is part of the key"
            )
        for two in found[i + 1 :]:
            if paths.overlap(one, two):
                raise invalid(
                    KIND,
                    "Two document paths overlap with each other; must remove or rewrite one of "
                    f"these paths; path one: {paths.display(one)}, path two: {paths.display(two)}",
                )
    return found


def apply(update: Update, item: Item, env: Env) -> Item:
    computed = [(p.resolved(env), v.compute(item, env)) for p, v in update.sets]
    new = item
    for path, value in computed:
        new = paths.put(new, path, value)
    removes = sorted((p.resolved(env) for p in update.removes), key=_highest_first, reverse=True)
    for path in removes:
        new = paths.remove(new, path)
    for target, literal in update.adds:
        path, given = target.resolved(env), env.values[literal.ref]
        new = paths.put(new, path, _add(paths.get(new, path), given))
    for target, literal in update.deletes:
        path, given = target.resolved(env), env.values[literal.ref]
        rest = _delete(paths.get(new, path), given)
        new = paths.remove(new, path) if rest is None else paths.put(new, path, rest)
    return new


def _highest_first(parts: paths.Parts) -> tuple[tuple[int, str | int], ...]:
    return tuple((1, p) if isinstance(p, int) else (0, p) for p in parts)


def _operand_type(operator: str, value: Value) -> None:
    kind = next(iter(value))
    allowed = ("N", *_SETS) if operator == "ADD" else _SETS
    if kind not in allowed:
        raise invalid(
            KIND,
            "Incorrect operand type for operator or function; operator: "
            f"{operator}, operand type: {_TYPE_NAMES.get(kind, kind)}",
        )


def _add(current: Value | None, given: Value) -> Value:
    _operand_type("ADD", given)
    if current is None:
        return given
    kind = next(iter(given))
    if kind not in current:
        raise wrong_type()
    if kind == "N":
        total = numbers.add(numbers.parse(current["N"]), numbers.parse(given["N"]))
        return {"N": numbers.text(total)}
    return canonical_set(kind, sorted(set(current[kind]) | set(given[kind])))[0]


def _delete(current: Value | None, given: Value) -> Value | None:
    """What is left of the set, or None when nothing is (DynamoDB removes an emptied set)."""
    _operand_type("DELETE", given)
    if current is None:
        return None
    kind = next(iter(given))
    if kind not in current:
        raise wrong_type()
    left = set(current[kind]) - set(given[kind])
    return canonical_set(kind, sorted(left))[0] if left else None
