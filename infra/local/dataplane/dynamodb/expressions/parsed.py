"""A parsed expression with the ``#names`` and ``:values`` it refers to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

Tree = TypeVar("Tree")
CACHE_SIZE = 2048
"""Parsed expressions kept per kind: a stack runs a few dozen distinct expressions."""


@dataclass(frozen=True, slots=True)
class Parsed(Generic[Tree]):
    kind: str
    tree: Tree
    names: frozenset[str]
    values: frozenset[str]
