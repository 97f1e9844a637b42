"""The values side of an event pattern: what may stand in a pattern's arrays, compiled once
into tests on a field's values (checked, with EventBridge's reasons, when a rule is put).

A field's values are its leaf values (an array's elements, flattened; an object is not a
leaf): absent or empty matches only ``{"exists": false}``; otherwise the field matches when
any value passes any test. ``anything-but`` is in ``anything_but.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from infra.local.dataplane.events.anything_but import excluded
from infra.local.dataplane.events.errors import bad_pattern
from infra.local.dataplane.events.matchers import Test, literal, operator_test

Leaf = Callable[[list[Any] | None], bool]
OPERATORS = frozenset(
    {
        "prefix",
        "suffix",
        "equals-ignore-case",
        "wildcard",
        "anything-but",
        "numeric",
        "exists",
        "cidr",
    }
)


def leaf(specs: list[Any]) -> Leaf:
    if not specs:
        raise bad_pattern("Empty arrays are not allowed")
    tests: list[Test] = []
    exists: set[bool] = set()
    for spec in specs:
        if isinstance(spec, dict):
            if len(spec) != 1:
                raise bad_pattern("a match object must hold exactly one match type")
            ((operator, argument),) = spec.items()
            if operator == "exists":
                if not isinstance(argument, bool):
                    raise bad_pattern("exists match pattern must be either true or false.")
                exists.add(argument)
            else:
                tests.append(_test(operator, argument))
        elif isinstance(spec, list):
            raise bad_pattern("Match value must be String, number, true, false, or null")
        else:
            tests.append(literal(spec))

    def matches(values: list[Any] | None) -> bool:
        if not values:
            return False in exists
        if True in exists:
            return True
        return any(test(value) for value in values for test in tests)

    return matches


def _test(operator: str, argument: Any) -> Test:
    if operator == "anything-but":
        inner = excluded(argument)
        return lambda v: not inner(v)
    return operator_test(operator, argument)
