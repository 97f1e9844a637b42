"""``anything-but``: matches a value the inner test refuses, whatever its type (a number
passes ``{"anything-but": {"prefix": "init"}}``, null passes ``{"anything-but": "x"}``, as on
EventBridge); a field that is absent never matches. Its argument: a string or number, a list
of all-strings or all-numbers, or one of prefix/suffix (non-empty strings, or lists of them),
equals-ignore-case and wildcard (a string or a list)."""

from __future__ import annotations

from typing import Any

from infra.local.dataplane.events.errors import bad_pattern
from infra.local.dataplane.events.matchers import Test, affix, is_number, literal, operator_test


def excluded(argument: Any) -> Test:
    """What ``anything-but`` excludes (the returned test is negated by the caller)."""
    if isinstance(argument, list):
        if not argument or not (
            all(isinstance(a, str) for a in argument) or all(is_number(a) for a in argument)
        ):
            raise bad_pattern("Inside anything but list, only all-strings or all-numbers allowed.")
        tests = [literal(a) for a in argument]
        return lambda v: any(t(v) for t in tests)
    if isinstance(argument, str) or is_number(argument):
        return literal(argument)
    if isinstance(argument, dict) and len(argument) == 1:
        ((operator, inner),) = argument.items()
        values = inner if isinstance(inner, list) and inner else [inner]
        if operator in ("prefix", "suffix"):
            if not all(isinstance(v, str) and v for v in values):
                raise bad_pattern(
                    f"Value of {operator} inside anything-but must be a non-empty string."
                )
            tests = [affix(operator, v) for v in values]
        elif operator in ("equals-ignore-case", "wildcard"):
            tests = [operator_test(operator, v) for v in values]
        else:
            raise bad_pattern(f"Unsupported anything-but pattern: {operator}")
        return lambda v: any(t(v) for t in tests)
    raise bad_pattern(
        "Inside anything-but, only a string, a number, a list or a match object is allowed."
    )
