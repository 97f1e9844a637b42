"""The SQL behind Query and Scan: a range of the table's primary key or of an index's, in
key order, continuing after an ExclusiveStartKey. Rows are (item JSON, size).

Every statement is a range scan of a primary key (checked with EXPLAIN QUERY PLAN in the
tests): a page costs what it returns, whatever the table holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from infra.local.dataplane.dynamodb.expressions.key_condition import KeyRange

_JOIN = (
    "SELECT i.item, i.size FROM ddb_index x JOIN ddb_items i ON i.tid = x.tid AND i.h = x.h "
    "AND i.pk = x.pk AND i.sk = x.sk WHERE x.tid = ? AND x.idx = ?"
)


@dataclass
class Source:
    sql: str
    args: list[Any] = field(default_factory=list)

    def where(self, clause: str, *args: Any) -> None:
        self.sql += f" AND {clause}"
        self.args.extend(args)

    def finish(self, order: str, limit: int | None) -> tuple[str, list[Any]]:
        sql = f"{self.sql} ORDER BY {order}"
        if limit is not None:
            return f"{sql} LIMIT ?", [*self.args, limit]
        return sql, self.args


def _range(
    source: Source,
    columns: tuple[str, ...],
    low: tuple[bytes | int, bool] | None,
    high: tuple[bytes | int, bool] | None,
    start: tuple[Any, ...] | None,
    forward: bool,
) -> None:
    """Bounds on the first column, and the continuation after ``start`` as one row-value
    constraint in place of the bound it passes (SQLite seeks on one of the two only)."""
    if start is not None:
        bound = low if forward else high
        ahead = bound is None or (start[0] > bound[0] if forward else start[0] < bound[0])
        if ahead or (bound is not None and start[0] == bound[0] and bound[1]):
            marks = ", ".join("?" * len(columns))
            source.where(f"({', '.join(columns)}) {'>' if forward else '<'} ({marks})", *start)
            if forward:
                low = None
            else:
                high = None
    if low is not None:
        source.where(f"{columns[0]} {'>=' if low[1] else '>'} ?", low[0])
    if high is not None:
        source.where(f"{columns[0]} {'<=' if high[1] else '<'} ?", high[0])


def _key_bounds(keys: KeyRange) -> tuple[Any, Any]:
    low = None if keys.low is None else (keys.low, keys.low_inclusive)
    high = None if keys.high is None else (keys.high, keys.high_inclusive)
    return low, high


def _order(columns: tuple[str, ...], forward: bool) -> str:
    return ", ".join(f"{c} {'ASC' if forward else 'DESC'}" for c in columns)


def table_query(
    tid: int,
    h: int,
    pk: bytes,
    keys: KeyRange,
    start: tuple[Any, ...] | None,
    forward: bool,
    limit: int | None,
) -> tuple[str, list[Any]]:
    source = Source(
        "SELECT item, size FROM ddb_items WHERE tid = ? AND h = ? AND pk = ?", [tid, h, pk]
    )
    _range(source, ("sk",), *_key_bounds(keys), start, forward)
    return source.finish(_order(("sk",), forward), limit)


def index_query(
    tid: int,
    index: str,
    ih: int,
    ipk: bytes,
    keys: KeyRange,
    start: tuple[Any, ...] | None,
    forward: bool,
    limit: int | None,
) -> tuple[str, list[Any]]:
    source = Source(_JOIN, [tid, index])
    source.where("x.ih = ? AND x.ipk = ?", ih, ipk)
    columns = ("x.isk", "x.pk", "x.sk")
    _range(source, columns, *_key_bounds(keys), start, forward)
    return source.finish(_order(columns, forward), limit)


def table_scan(
    tid: int, hashes: tuple[int, int], start: tuple[Any, ...] | None, limit: int | None
) -> tuple[str, list[Any]]:
    source = Source("SELECT item, size FROM ddb_items WHERE tid = ?", [tid])
    columns = ("h", "pk", "sk")
    _range(source, columns, (hashes[0], True), (hashes[1], True), start, True)
    return source.finish(_order(columns, True), limit)


def index_scan(
    tid: int, index: str, hashes: tuple[int, int], start: tuple[Any, ...] | None, limit: int | None
) -> tuple[str, list[Any]]:
    source = Source(_JOIN, [tid, index])
    columns = ("x.ih", "x.ipk", "x.isk", "x.pk", "x.sk")
    _range(source, columns, (hashes[0], True), (hashes[1], True), start, True)
    return source.finish(_order(columns, True), limit)
