"""What a target receives: the event (compact JSON), a fixed ``Input``, the part an
``InputPath`` selects, or an ``InputTransformer``'s template filled in.

Template rules (EventBridge's): a placeholder inside a JSON string is replaced by the value
as string content (a string without its quotes, anything else as its JSON, escaped), outside
a string by the value's JSON; a path that selects nothing gives ``""`` inside a string and
``null`` outside; ``<aws.events.event>`` (the event without ``detail``) and
``<aws.events.event.json>`` are inserted as raw JSON wherever they stand. A template that is
not JSON (``"<a> is <b>"`` with its quotes, or bare text) is delivered as the text it makes.
Each template is compiled once (cached by its text).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from infra.local.dataplane.events import jsonpath
from infra.local.dataplane.events.errors import validation

_PLACEHOLDER = re.compile(r"<([A-Za-z0-9_.\-]+)>")
PREDEFINED = (
    "aws.events.rule-arn",
    "aws.events.rule-name",
    "aws.events.event.ingestion-time",
    "aws.events.event",
    "aws.events.event.json",
)
RAW = {"aws.events.event", "aws.events.event.json"}
_KEY = re.compile(r"[A-Za-z0-9_\-]{1,256}")


@dataclass(frozen=True)
class Context:
    rule_name: str
    rule_arn: str
    ingested: float
    event_json: str
    """The event as compact JSON, made once per event for all its targets and archives."""


Shape = Callable[[dict[str, Any], Context], str]


def compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def iso(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def shape(target: Mapping[str, Any]) -> Shape:
    """How a target's input is made from an event (checked: PutTargets refuses bad ones)."""
    if target.get("Input") is not None:
        fixed = str(target["Input"])
        try:
            json.loads(fixed)
        except ValueError:
            raise validation(
                f"Input for target {target.get('Id')} is not valid JSON text."
            ) from None
        return lambda event, context: fixed
    if target.get("InputPath") is not None:
        path = jsonpath.compiled(str(target["InputPath"]))
        return lambda event, context: _json_or_null(path(event))
    transformer = target.get("InputTransformer")
    if transformer is not None:
        paths = transformer.get("InputPathsMap") or {}
        template = transformer.get("InputTemplate")
        if not isinstance(template, str) or not template:
            raise validation("InputTransformer needs an InputTemplate.")
        return _template(template, tuple(sorted(paths.items())))
    return lambda event, context: context.event_json


def _json_or_null(value: Any) -> str:
    return "null" if value is jsonpath.MISSING else compact(value)


@lru_cache(maxsize=1024)
def _template(template: str, paths: tuple[tuple[str, str], ...]) -> Shape:
    for key, _ in paths:
        if not _KEY.fullmatch(key) or key.lower().startswith("aws"):
            raise validation(f"InputPathsMap key {key!r} is not allowed.")
    if len(paths) > 100:
        raise validation("InputPathsMap takes at most 100 variables.")
    selectors = {key: jsonpath.compiled(path) for key, path in paths}
    pieces = _pieces(template, set(selectors) | set(PREDEFINED))

    def fill(event: dict[str, Any], context: Context) -> str:
        values = {key: select(event) for key, select in selectors.items()}
        out = []
        for piece in pieces:
            if isinstance(piece, str):
                out.append(piece)
            else:
                name, quoted = piece
                value = values[name] if name in values else _predefined(name, event, context)
                out.append(_rendered(name, value, quoted))
        return "".join(out)

    return fill


def _pieces(template: str, names: set[str]) -> list[str | tuple[str, bool]]:
    """The template as literal text and (placeholder, inside a JSON string) pairs."""
    pieces: list[str | tuple[str, bool]] = []
    position = 0
    for found in _PLACEHOLDER.finditer(template):
        if found.group(1) not in names:
            continue
        pieces.append(template[position : found.start()])
        pieces.append((found.group(1), _inside_string(template, found.start())))
        position = found.end()
    pieces.append(template[position:])
    return pieces


def _inside_string(template: str, index: int) -> bool:
    inside, escaped = False, False
    for char in template[:index]:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == '"':
            inside = not inside
    return inside


def _predefined(name: str, event: dict[str, Any], context: Context) -> Any:
    if name == "aws.events.rule-arn":
        return context.rule_arn
    if name == "aws.events.rule-name":
        return context.rule_name
    if name == "aws.events.event.ingestion-time":
        return iso(context.ingested)
    if name == "aws.events.event":
        return {k: v for k, v in event.items() if k != "detail"}
    return event


def _rendered(name: str, value: Any, quoted: bool) -> str:
    if name in RAW:
        return compact(value)  # the event without detail, or (event.json) the whole event
    if quoted:
        if value is jsonpath.MISSING:
            return ""
        text = value if isinstance(value, str) else compact(value)
        return json.dumps(text, ensure_ascii=False)[1:-1]
    return _json_or_null(value)
