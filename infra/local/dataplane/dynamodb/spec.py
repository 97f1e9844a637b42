"""A table's definition as the emulation needs it: keys, indexes, stream, TTL.

Stored as JSON in ``ddb_tables.spec`` and parsed once per process (``Catalog``); the shapes
DescribeTable answers are built from it (describe.py).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from typing import Any


@dataclass(frozen=True)
class Key:
    """A key attribute: its name and its scalar type (S, N or B)."""

    name: str
    type: str


@dataclass(frozen=True)
class Index:
    name: str
    local: bool
    hash: Key
    range: Key | None
    projection: str  # ALL, KEYS_ONLY or INCLUDE
    include: tuple[str, ...] = ()
    throughput: dict[str, int] | None = None

    @property
    def keys(self) -> tuple[Key, ...]:
        return (self.hash,) if self.range is None else (self.hash, self.range)


@dataclass(frozen=True)
class TableSpec:
    tid: int
    name: str
    hash: Key
    range: Key | None
    attributes: tuple[Key, ...]
    created: float
    billing: str
    throughput: dict[str, int] | None = None
    indexes: tuple[Index, ...] = ()
    stream_view: str | None = None
    stream_label: str | None = None
    ttl_attribute: str | None = None
    deletion_protection: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    """Accepted settings echoed by DescribeTable (SSE, table class); nothing reads them."""

    @property
    def keys(self) -> tuple[Key, ...]:
        return (self.hash,) if self.range is None else (self.hash, self.range)

    @property
    def key_names(self) -> frozenset[str]:
        return frozenset(k.name for k in self.keys)

    def index(self, name: str) -> Index | None:
        return next((i for i in self.indexes if i.name == name), None)

    def with_changes(self, **changes: Any) -> TableSpec:
        return replace(self, **changes)

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @staticmethod
    def from_json(text: str) -> TableSpec:
        raw = json.loads(text)
        raw["hash"] = Key(**raw["hash"])
        raw["range"] = Key(**raw["range"]) if raw["range"] else None
        raw["attributes"] = tuple(Key(**a) for a in raw["attributes"])
        raw["indexes"] = tuple(_index(i) for i in raw["indexes"])
        return TableSpec(**raw)


def _index(raw: dict[str, Any]) -> Index:
    raw["hash"] = Key(**raw["hash"])
    raw["range"] = Key(**raw["range"]) if raw["range"] else None
    raw["include"] = tuple(raw["include"])
    return Index(**raw)
