"""The event pattern language through TestEventPattern: every matcher, the structure rules
(AND, $or, nesting, arrays, array consistency), and the patterns EventBridge refuses.

Expected results follow EventBridge's documentation (and Event Ruler, its engine). Where
moto agrees, the same case is also checked against moto's EventPattern; where it does not,
the case says why (moto flattens objects by dotted key and so misses arrays of objects,
takes booleans for numbers, and counts an empty array as a present field).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from events_world import World, event
from moto.events.models import EventPattern

DETAIL = {
    "state": "running",
    "count": 5,
    "ratio": 0.5,
    "flag": True,
    "nothing": None,
    "empty": "",
    "text": "5",
    "tags": ["red", "green"],
    "ip": "10.0.0.33",
    "ip6": "2001:db8::1",
    "path": "dir/sub/file.txt",
    "name": "Order-Placed",
    "nested": {"level": {"deep": "yes"}},
    "items": [{"sku": "a", "qty": 1}, {"sku": "b", "qty": 2}],
    "none": [],
}

# (id, pattern, matches, moto agrees)
CASES: list[tuple[str, dict[str, Any], bool, bool]] = [
    ("exact string", {"detail": {"state": ["running"]}}, True, True),
    ("exact string, other", {"detail": {"state": ["stopped"]}}, False, True),
    ("one of several", {"detail": {"state": ["stopped", "running"]}}, True, True),
    (
        "top-level field",
        {"source": ["orderflow.orders"], "detail-type": ["OrderPlaced"]},
        True,
        True,
    ),
    (
        "all fields must match",
        {"source": ["orderflow.orders"], "detail-type": ["Other"]},
        False,
        True,
    ),
    ("number", {"detail": {"count": [5]}}, True, True),
    ("number as float", {"detail": {"count": [5.0]}}, True, True),
    ("a string is not a number", {"detail": {"text": [5]}}, False, True),
    ("a number is not a string", {"detail": {"count": ["5"]}}, False, True),
    ("boolean", {"detail": {"flag": [True]}}, True, True),
    ("true is not 1", {"detail": {"count": [True]}}, False, True),
    ("null", {"detail": {"nothing": [None]}}, True, True),
    ("null is not an empty string", {"detail": {"nothing": [""]}}, False, True),
    ("empty string", {"detail": {"empty": [""]}}, True, True),
    ("null does not match a missing field", {"detail": {"absent": [None]}}, False, True),
    ("array: any element", {"detail": {"tags": ["green"]}}, True, True),
    ("array: no element", {"detail": {"tags": ["blue"]}}, False, True),
    ("empty array matches no value", {"detail": {"none": [None]}}, False, True),
    ("nested object", {"detail": {"nested": {"level": {"deep": ["yes"]}}}}, True, True),
    ("nested object, missing", {"detail": {"nested": {"other": {"deep": ["yes"]}}}}, False, True),
    (
        "array of objects: one element",
        {"detail": {"items": {"sku": ["b"]}}},
        True,
        False,
    ),  # moto skips arrays of objects
    (
        "array consistency: same element",
        {"detail": {"items": {"sku": ["b"], "qty": [2]}}},
        True,
        False,
    ),
    (
        "array consistency: two elements",
        {"detail": {"items": {"sku": ["a"], "qty": [2]}}},
        False,
        True,
    ),
    ("prefix", {"detail": {"state": [{"prefix": "run"}]}}, True, True),
    ("prefix, no", {"detail": {"state": [{"prefix": "stop"}]}}, False, True),
    ("prefix only on strings", {"detail": {"count": [{"prefix": "5"}]}}, False, True),
    (
        "prefix ignoring case",
        {"detail": {"name": [{"prefix": {"equals-ignore-case": "order-"}}]}},
        True,
        True,
    ),
    ("suffix", {"detail": {"path": [{"suffix": ".txt"}]}}, True, True),
    (
        "suffix ignoring case",
        {"detail": {"path": [{"suffix": {"equals-ignore-case": ".TXT"}}]}},
        True,
        True,
    ),
    (
        "equals-ignore-case",
        {"detail": {"name": [{"equals-ignore-case": "order-placed"}]}},
        True,
        True,
    ),
    (
        "equals-ignore-case, no",
        {"detail": {"name": [{"equals-ignore-case": "order"}]}},
        False,
        True,
    ),
    ("wildcard", {"detail": {"path": [{"wildcard": "dir/*/file.*"}]}}, True, True),
    ("wildcard, no", {"detail": {"path": [{"wildcard": "dir/*.csv"}]}}, False, True),
    ("wildcard escaped star", {"detail": {"path": [{"wildcard": "dir\\*"}]}}, False, True),
    ("anything-but string", {"detail": {"state": [{"anything-but": "stopped"}]}}, True, True),
    ("anything-but string, no", {"detail": {"state": [{"anything-but": "running"}]}}, False, True),
    (
        "anything-but list",
        {"detail": {"state": [{"anything-but": ["stopped", "running"]}]}},
        False,
        True,
    ),
    ("anything-but number", {"detail": {"count": [{"anything-but": [1, 2, 3]}]}}, True, True),
    ("anything-but number, no", {"detail": {"count": [{"anything-but": 5}]}}, False, True),
    ("anything-but on null", {"detail": {"nothing": [{"anything-but": "x"}]}}, True, True),
    (
        "anything-but on a missing field",
        {"detail": {"absent": [{"anything-but": "x"}]}},
        False,
        True,
    ),
    (
        "anything-but prefix",
        {"detail": {"state": [{"anything-but": {"prefix": "stop"}}]}},
        True,
        True,
    ),
    (
        "anything-but prefix, no",
        {"detail": {"state": [{"anything-but": {"prefix": "run"}}]}},
        False,
        True,
    ),
    (
        "anything-but prefix list",
        {"detail": {"state": [{"anything-but": {"prefix": ["x", "ru"]}}]}},
        False,
        True,
    ),
    (
        "anything-but prefix on a number",
        {"detail": {"count": [{"anything-but": {"prefix": "5"}}]}},
        True,
        True,
    ),
    (
        "anything-but suffix",
        {"detail": {"path": [{"anything-but": {"suffix": ".csv"}}]}},
        True,
        True,
    ),
    (
        "anything-but equals-ignore-case",
        {"detail": {"state": [{"anything-but": {"equals-ignore-case": ["RUNNING"]}}]}},
        False,
        True,
    ),
    (
        "anything-but wildcard",
        {"detail": {"path": [{"anything-but": {"wildcard": "*.txt"}}]}},
        False,
        True,
    ),
    (
        "anything-but: any array element",
        {"detail": {"tags": [{"anything-but": "red"}]}},
        True,
        True,
    ),
    ("numeric equal", {"detail": {"count": [{"numeric": ["=", 5]}]}}, True, True),
    ("numeric range", {"detail": {"count": [{"numeric": [">", 0, "<=", 5]}]}}, True, True),
    (
        "numeric range, outside",
        {"detail": {"count": [{"numeric": [">", 5, "<", 10]}]}},
        False,
        True,
    ),
    ("numeric float", {"detail": {"ratio": [{"numeric": [">=", 0.5]}]}}, True, True),
    ("numeric only on numbers", {"detail": {"text": [{"numeric": ["=", 5]}]}}, False, True),
    (
        "numeric: booleans are not numbers",
        {"detail": {"flag": [{"numeric": ["=", 1]}]}},
        False,
        False,
    ),
    ("exists", {"detail": {"state": [{"exists": True}]}}, True, True),
    ("exists, missing", {"detail": {"absent": [{"exists": True}]}}, False, True),
    ("exists false, missing", {"detail": {"absent": [{"exists": False}]}}, True, True),
    ("exists false, present", {"detail": {"state": [{"exists": False}]}}, False, True),
    ("exists on null", {"detail": {"nothing": [{"exists": True}]}}, True, True),
    (
        "exists on an empty array",
        {"detail": {"none": [{"exists": True}]}},
        False,
        False,
    ),  # moto: present
    ("exists only on leaves", {"detail": {"nested": [{"exists": True}]}}, False, True),
    (
        "exists false below a missing object",
        {"detail": {"gone": {"deeper": [{"exists": False}]}}},
        True,
        True,
    ),
    ("cidr", {"detail": {"ip": [{"cidr": "10.0.0.0/24"}]}}, True, True),
    ("cidr, outside", {"detail": {"ip": [{"cidr": "10.0.1.0/24"}]}}, False, True),
    ("cidr ipv6", {"detail": {"ip6": [{"cidr": "2001:db8::/32"}]}}, True, True),
    ("cidr on a number", {"detail": {"count": [{"cidr": "10.0.0.0/8"}]}}, False, True),
    ("several conditions are OR", {"detail": {"state": ["x", {"prefix": "ru"}]}}, True, True),
    (
        "$or",
        {
            "source": ["orderflow.orders"],
            "$or": [{"detail": {"state": ["x"]}}, {"detail": {"count": [5]}}],
        },
        True,
        True,
    ),
    ("$or, none", {"$or": [{"detail": {"state": ["x"]}}, {"detail": {"count": [6]}}]}, False, True),
    ("$or nested", {"detail": {"$or": [{"state": ["x"]}, {"flag": [True]}]}}, True, True),
    (
        "$or with exists",
        {
            "detail": {
                "$or": [{"absent": [{"exists": True}]}, {"nested": {"level": {"deep": ["yes"]}}}]
            }
        },
        True,
        True,
    ),
]


def outcome(world: World, pattern: dict[str, Any], **fields: Any) -> bool:
    answer = world.events.test_event_pattern(
        EventPattern=json.dumps(pattern), Event=json.dumps(event(detail=DETAIL, **fields))
    )
    return bool(answer["Result"])


@pytest.mark.parametrize(
    ("pattern", "expected"), [(c[1], c[2]) for c in CASES], ids=[c[0] for c in CASES]
)
def test_pattern_matching(world: World, pattern: dict[str, Any], expected: bool) -> None:
    assert outcome(world, pattern) is expected


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [(c[1], c[2]) for c in CASES if c[3]],
    ids=[c[0] for c in CASES if c[3]],
)
def test_moto_agrees_where_it_is_right(pattern: dict[str, Any], expected: bool) -> None:
    assert EventPattern.load(json.dumps(pattern)).matches_event(event(detail=DETAIL)) is expected


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("not json", "not valid JSON"),
        ("[1]", "not an object"),
        ({"source": "orderflow.orders"}, "must be an object or an array"),
        ({"source": []}, "Empty arrays"),
        ({"source": [[1]]}, "Match value"),
        ({"source": [{"regex": "x"}]}, "Unrecognized match type"),
        ({"source": [{"prefix": "a", "suffix": "b"}]}, "exactly one"),
        ({"source": [{"prefix": 1}]}, "prefix"),
        ({"source": [{"equals-ignore-case": ["a", "b"]}]}, "equals-ignore-case"),
        ({"source": [{"equals-ignore-case": {"prefix": "a"}}]}, "equals-ignore-case"),
        ({"source": [{"wildcard": "a**b"}]}, "Consecutive"),
        ({"source": [{"wildcard": "a\\b"}]}, "backslash"),
        ({"n": [{"numeric": [">", 0, ">", 0]}]}, "numeric range"),
        ({"n": [{"numeric": [">", 5, "<", 1]}]}, "Bottom must be less than top"),
        ({"n": [{"numeric": ["~", 5]}]}, "numeric range operator"),
        ({"n": [{"numeric": ["=", "5"]}]}, "numeric range operator"),
        ({"n": [{"exists": "yes"}]}, "exists"),
        ({"ip": [{"cidr": "10.0.0.300/8"}]}, "IP address"),
        ({"s": [{"anything-but": {"prefix": ""}}]}, "non-empty"),
        ({"s": [{"anything-but": {"prefix": {"equals-ignore-case": "a"}}}]}, "non-empty"),
        ({"s": [{"anything-but": ["a", 1]}]}, "all-strings or all-numbers"),
        ({"s": [{"anything-but": [None]}]}, "all-strings or all-numbers"),
        ({"s": [{"anything-but": {"numeric": [">", 1]}}]}, "Unsupported anything-but"),
        ({"s": ["x" * 4100]}, "longer than 4096"),
    ],
)
def test_patterns_eventbridge_refuses(world: World, pattern: Any, reason: str) -> None:
    text = pattern if isinstance(pattern, str) else json.dumps(pattern)
    with pytest.raises(world.events.exceptions.InvalidEventPatternException, match=reason):
        world.events.test_event_pattern(EventPattern=text, Event=json.dumps(event()))
    with pytest.raises(world.events.exceptions.InvalidEventPatternException):
        world.events.put_rule(Name="r", EventPattern=text)


def test_or_with_fewer_than_two_alternatives_is_a_field_name(world: World) -> None:
    assert outcome(world, {"$or": {"detail": {"state": ["running"]}}}) is False
    assert outcome(world, {"detail": {"$or": [{"exists": False}]}}) is True  # a field "$or"


def test_an_event_must_carry_the_envelope_fields(world: World) -> None:
    incomplete = {"source": "s", "detail-type": "d", "detail": {}}
    with pytest.raises(world.events.exceptions.ClientError, match="required field"):
        world.events.test_event_pattern(
            EventPattern='{"source": ["s"]}', Event=json.dumps(incomplete)
        )


def test_a_pattern_compiles_once_per_text(world: World) -> None:
    from infra.local.dataplane.events import pattern

    pattern.compiled.cache_clear()
    for _ in range(3):
        outcome(world, {"detail": {"state": ["running"]}})
    info = pattern.compiled.cache_info()
    assert (info.misses, info.hits) == (1, 2)
    assert info.maxsize == pattern.CACHE_SIZE
