"""The JSONPath EventBridge takes in InputPath and InputPathsMap: ``$``, dot notation (names
with dashes, underscores, slashes), array indices ``[0]`` and wildcards ``*`` / ``[*]``.
A path with a wildcard selects a list; a path that selects nothing is ``MISSING``."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from infra.local.dataplane.events.errors import validation

MISSING: Any = object()
_STEP = re.compile(r"\.([A-Za-z0-9_\-/:@$]+|\*)|\[(\d+|\*)\]|\['([^']*)'\]")
Path = Callable[[Any], Any]


@lru_cache(maxsize=1024)
def compiled(path: str) -> Path:
    if not path.startswith("$"):
        raise validation(f"{path} is not a valid JSONPath: it must start with $.")
    steps: list[str | int] = []
    rest, wild = path[1:], False
    while rest:
        step = _STEP.match(rest)
        if step is None:
            raise validation(f"{path} is not a valid JSONPath for EventBridge.")
        name, index, quoted = step.groups()
        part = name if name is not None else quoted if quoted is not None else index
        if part == "*":
            wild = True
            steps.append("*")
        elif index is not None:
            steps.append(int(index))
        else:
            steps.append(str(part))
        rest = rest[step.end() :]
    return lambda document: _walk(document, steps, wild)


def _walk(document: Any, steps: list[str | int], wild: bool) -> Any:
    found = [document]
    for step in steps:
        found = [child for node in found for child in _children(node, step)]
    if wild:
        return found
    return found[0] if found else MISSING


def _children(node: Any, step: str | int) -> list[Any]:
    if step == "*":
        if isinstance(node, dict):
            return list(node.values())
        return list(node) if isinstance(node, list) else []
    if isinstance(step, int):
        return [node[step]] if isinstance(node, list) and step < len(node) else []
    return [node[step]] if isinstance(node, dict) and step in node else []
