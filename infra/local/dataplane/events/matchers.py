"""The tests an event pattern's match objects compile to (all but ``anything-but``, which
negates these: ``anything_but.py``). Each refuses a malformed argument with EventBridge's
InvalidEventPatternException; each test takes one leaf value of the event."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from typing import Any

from infra.local.dataplane.events.errors import bad_pattern

Test = Callable[[Any], bool]
_LOWER = {">", ">="}
_UPPER = {"<", "<="}
_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "=": lambda a, b: a == b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def literal(expected: Any) -> Test:
    if isinstance(expected, str):
        return lambda v: isinstance(v, str) and v == expected
    if isinstance(expected, bool) or expected is None:
        return lambda v: v is expected
    if is_number(expected):
        return lambda v: is_number(v) and v == expected
    raise bad_pattern("Match value must be String, number, true, false, or null")


def operator_test(operator: str, argument: Any) -> Test:
    if operator in ("prefix", "suffix"):
        return affix(operator, argument)
    if operator == "equals-ignore-case":
        lowered = _string(argument, operator).lower()
        return lambda v: isinstance(v, str) and v.lower() == lowered
    if operator == "wildcard":
        return _wildcard(_string(argument, operator))
    if operator == "numeric":
        return _numeric(argument)
    if operator == "cidr":
        return _cidr(argument)
    raise bad_pattern(f"Unrecognized match type {operator}")


def _string(argument: Any, operator: str) -> str:
    if not isinstance(argument, str):
        raise bad_pattern(f"{operator} match pattern must be a string.")
    return argument


def affix(operator: str, argument: Any) -> Test:
    ignore_case = isinstance(argument, dict) and list(argument) == ["equals-ignore-case"]
    text = _string(argument["equals-ignore-case"] if ignore_case else argument, operator)
    if ignore_case:
        text = text.lower()
    if operator == "prefix":
        if ignore_case:
            return lambda v: isinstance(v, str) and v.lower().startswith(text)
        return lambda v: isinstance(v, str) and v.startswith(text)
    if ignore_case:
        return lambda v: isinstance(v, str) and v.lower().endswith(text)
    return lambda v: isinstance(v, str) and v.endswith(text)


def _wildcard(pattern: str) -> Test:
    if "**" in pattern:
        raise bad_pattern("Consecutive wildcard characters are not allowed.")
    regex, escaped = "", False
    for char in pattern:
        if escaped:
            if char not in "*\\":
                raise bad_pattern("A backslash may only escape '*' or '\\' in a wildcard pattern.")
            regex += re.escape(char)
            escaped = False
        elif char == "\\":
            escaped = True
        else:
            regex += ".*" if char == "*" else re.escape(char)
    if escaped:
        raise bad_pattern("A wildcard pattern cannot end with a backslash.")
    compiled = re.compile(regex, re.DOTALL)
    return lambda v: isinstance(v, str) and compiled.fullmatch(v) is not None


def _numeric(argument: Any) -> Test:
    if not isinstance(argument, list) or len(argument) not in (2, 4):
        raise bad_pattern("Value of numeric must be an array of one or two comparisons.")
    pairs = list(zip(argument[::2], argument[1::2], strict=True))
    for operator, bound in pairs:
        if operator not in _COMPARE or not is_number(bound):
            raise bad_pattern(f"Unrecognized numeric range operator: {operator}")
    if len(pairs) == 2:
        (low_op, low), (high_op, high) = pairs
        if low_op not in _LOWER or high_op not in _UPPER:
            raise bad_pattern("Bad numeric range: a lower bound (>, >=) then an upper (<, <=).")
        if not low < high:
            raise bad_pattern("Bottom must be less than top")
    checks = [(_COMPARE[op], float(bound)) for op, bound in pairs]
    return lambda v: is_number(v) and all(compare(v, bound) for compare, bound in checks)


def _cidr(argument: Any) -> Test:
    try:
        network = ipaddress.ip_network(_string(argument, "cidr"), strict=False)
    except ValueError:
        raise bad_pattern(f"Nonstandard IP address: {argument}") from None

    def within(value: Any) -> bool:
        if not isinstance(value, str):
            return False
        try:
            return ipaddress.ip_address(value) in network
        except ValueError:
            return False

    return within
