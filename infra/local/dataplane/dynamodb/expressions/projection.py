"""ProjectionExpression: which attributes (or nested parts of them) a read returns."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from infra.local.dataplane.dynamodb.expressions import paths
from infra.local.dataplane.dynamodb.expressions.env import Env
from infra.local.dataplane.dynamodb.expressions.nodes import Path
from infra.local.dataplane.dynamodb.expressions.parsed import CACHE_SIZE, Parsed
from infra.local.dataplane.dynamodb.expressions.reader import Reader
from infra.local.dataplane.dynamodb.expressions.tokens import invalid
from infra.local.dataplane.dynamodb.values import Item, Value

KIND = "ProjectionExpression"
Tree = dict[Any, Any]
"""Path part -> subtree; ``None`` takes the whole value."""


@lru_cache(maxsize=CACHE_SIZE)
def parse_projection(text: str) -> Parsed[tuple[Path, ...]]:
    reader = Reader(KIND, text)
    found = [reader.path()]
    while reader.is_op(","):
        reader.next()
        found.append(reader.path())
    reader.end()
    return Parsed(KIND, tuple(found), frozenset(reader.names), frozenset(reader.values))


def tree(resolved: list[paths.Parts], kind: str = KIND) -> Tree:
    """The paths as a tree; two that overlap are refused, as DynamoDB refuses them."""
    for i, one in enumerate(resolved):
        for two in resolved[i + 1 :]:
            if paths.overlap(one, two):
                raise invalid(
                    kind,
                    "Two document paths overlap with each other; must remove or rewrite one of "
                    f"these paths; path one: {paths.display(one)}, path two: {paths.display(two)}",
                )
    root: Tree = {}
    for parts in resolved:
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = None
    return root


def bind(parsed: Parsed[tuple[Path, ...]], env: Env) -> Tree:
    return tree([p.resolved(env) for p in parsed.tree])


def project(item: Item, wanted: Tree) -> Item:
    out: Item = {}
    for name, sub in wanted.items():
        value = item.get(name)
        if value is not None:
            kept = value if sub is None else _part(value, sub)
            if kept is not None:
                out[name] = kept
    return out


def _part(value: Value, wanted: Tree) -> Value | None:
    if "L" in value and all(isinstance(k, int) for k in wanted):
        elements = value["L"]
        kept = [
            part
            for i in sorted(wanted)
            if i < len(elements)
            and (part := elements[i] if wanted[i] is None else _part(elements[i], wanted[i]))
        ]
        return {"L": kept} if kept else None
    if "M" in value and all(isinstance(k, str) for k in wanted):
        members = project(value["M"], wanted)
        return {"M": members} if members else None
    return None
