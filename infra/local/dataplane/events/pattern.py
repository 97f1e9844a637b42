"""Event patterns, compiled once into a function of the event (bounded cache by pattern text,
so a PutRule with a new pattern compiles the new text and the old one ages out).

Structure as EventBridge (Event Ruler) matches it: every field of the pattern must match
(AND), ``$or`` (a list of two or more sub-patterns) matches when one does; a nested object
matches the event's object at that key, or any object of an array there, always within one
element (array-consistent, as ``rulesForJSONEvent``); a field that is absent or not an object
counts as an empty object, so ``{"exists": false}`` below it matches.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from infra.local.dataplane.events.conditions import OPERATORS, Leaf, leaf
from infra.local.dataplane.events.errors import bad_pattern

Matcher = Callable[[dict[str, Any]], bool]
MAX_PATTERN_CHARS = 4096
CACHE_SIZE = 1024


def parse(text: object) -> dict[str, Any]:
    if not isinstance(text, str) or not text:
        raise bad_pattern("Event pattern must be a JSON object.")
    if len(text) > MAX_PATTERN_CHARS:
        raise bad_pattern(f"Event pattern is longer than {MAX_PATTERN_CHARS} characters.")
    try:
        pattern = json.loads(text)
    except ValueError:
        raise bad_pattern("Filter is not valid JSON") from None
    if not isinstance(pattern, dict):
        raise bad_pattern("Filter is not an object")
    return pattern


@lru_cache(maxsize=CACHE_SIZE)
def compiled(text: str) -> Matcher:
    """The matcher of a pattern text; InvalidEventPatternException for a bad one."""
    return _object(parse(text))


def _object(pattern: dict[str, Any]) -> Matcher:
    checks: list[Matcher] = []
    for key, spec in pattern.items():
        if key == "$or" and _is_or(spec):
            checks.append(_any([_object(p) for p in spec]))
        elif isinstance(spec, dict):
            checks.append(_nested(key, _object(spec)))
        elif isinstance(spec, list):
            checks.append(_field(key, leaf(spec)))
        else:
            raise bad_pattern(f"'{key}' must be an object or an array")
    if len(checks) == 1:
        return checks[0]

    def every(node: dict[str, Any]) -> bool:
        return all(check(node) for check in checks)

    return every


def _is_or(spec: Any) -> bool:
    return (
        isinstance(spec, list)
        and len(spec) >= 2
        and all(isinstance(p, dict) and not OPERATORS.intersection(p) for p in spec)
    )


def _any(alternatives: list[Matcher]) -> Matcher:
    return lambda node: any(alternative(node) for alternative in alternatives)


def _field(key: str, matches: Leaf) -> Matcher:
    return lambda node: matches(_leaf_values(node.get(key, _ABSENT)))


def _nested(key: str, inner: Matcher) -> Matcher:
    def nested(node: dict[str, Any]) -> bool:
        value = node.get(key)
        if isinstance(value, dict):
            return inner(value)
        if isinstance(value, list):
            objects = [v for v in _flat(value) if isinstance(v, dict)]
            if objects:
                return any(inner(obj) for obj in objects)
        return inner({})

    return nested


_ABSENT = object()


def _leaf_values(value: Any) -> list[Any] | None:
    if value is _ABSENT or isinstance(value, dict):
        return None
    if isinstance(value, list):
        return [v for v in _flat(value) if not isinstance(v, dict)]
    return [value]


def _flat(values: list[Any]) -> list[Any]:
    flat: list[Any] = []
    for value in values:
        if isinstance(value, list):
            flat.extend(_flat(value))
        else:
            flat.append(value)
    return flat
