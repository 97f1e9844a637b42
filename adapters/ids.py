"""Identifier generators for the domain's IdGenerator port."""

from __future__ import annotations

import itertools
import uuid


class UuidIds:
    def new_id(self) -> str:
        return str(uuid.uuid4())


class SequentialIds:
    """Predictable ids for tests and demos: ``prefix-1``, ``prefix-2``, ..."""

    def __init__(self, prefix: str = "id") -> None:
        self._prefix = prefix
        self._counter = itertools.count(1)

    def new_id(self) -> str:
        return f"{self._prefix}-{next(self._counter)}"
