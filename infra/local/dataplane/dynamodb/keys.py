"""Primary and index keys, encoded so that SQLite's BLOB order is DynamoDB's key order.

S sorts by its UTF-8 bytes, B by its bytes, N numerically (numbers.sort_bytes). A row's
location is (h, pk, sk): ``h`` is a 32-bit hash of the partition key, which gives Scan its
order and parallel Scan its segments without a second index; a table without a sort key
stores ``sk = b""``.
"""

from __future__ import annotations

import zlib

from infra.local.dataplane.dynamodb import numbers
from infra.local.dataplane.dynamodb.spec import Index, Key, TableSpec
from infra.local.dataplane.dynamodb.values import Item, Value, decode_binary, invalid
from infra.local.dataplane.errors import validation

Location = tuple[int, bytes, bytes]
"""(hash of the partition key, partition key, sort key) as stored."""
MAX_PARTITION_KEY = 2048
MAX_SORT_KEY = 1024
HASH_SPACE = 1 << 32


def scalar_bytes(kind: str, value: Value) -> bytes:
    raw = value[kind]
    if kind == "S":
        return str(raw).encode("utf-8")
    if kind == "N":
        return numbers.sort_bytes(numbers.parse(raw))
    return decode_binary(raw)


def partition_hash(pk: bytes) -> int:
    return zlib.crc32(pk)


def _encode(key: Key, value: Value, index: Index | None = None) -> bytes:
    if key.type not in value:
        actual = next(iter(value), "?")
        if index is not None:
            raise invalid(
                f"Type mismatch for Index Key {key.name} Expected: {key.type} Actual: {actual} "
                f"IndexName: {index.name}"
            )
        raise invalid(f"Type mismatch for key {key.name} expected: {key.type} actual: {actual}")
    if value[key.type] == "" and key.type in "SB":
        what = "string" if key.type == "S" else "binary"
        if index is not None:
            raise validation(
                "One or more parameter values are not valid. A value specified for a secondary "
                f"index key is not supported. The AttributeValue for a key attribute cannot "
                f"contain an empty {what} value. IndexName: {index.name}, IndexKey: {key.name}"
            )
        raise validation(
            "One or more parameter values are not valid. The AttributeValue for a key "
            f"attribute cannot contain an empty {what} value. Key: {key.name}"
        )
    return scalar_bytes(key.type, value)


def locate(spec: TableSpec, item: Item) -> Location:
    """Where ``item`` (a whole item, PutItem's) lives; refuses a missing or mistyped key."""
    for key in spec.keys:
        if key.name not in item:
            raise invalid(f"Missing the key {key.name} in the item")
    return _location(spec, item)


def locate_key(spec: TableSpec, key: Item) -> Location:
    """Where the item of a request's ``Key`` lives: exactly the key attributes, typed."""
    if len(key) != len(spec.keys) or any(
        k.name not in key or k.type not in key[k.name] for k in spec.keys
    ):
        raise validation("The provided key element does not match the schema")
    return _location(spec, key)


def _location(spec: TableSpec, item: Item) -> Location:
    pk = _encode(spec.hash, item[spec.hash.name])
    if len(pk) > MAX_PARTITION_KEY:
        raise invalid(
            f"Size of hashkey has exceeded the maximum size limit of {MAX_PARTITION_KEY} bytes"
        )
    sk = b"" if spec.range is None else _encode(spec.range, item[spec.range.name])
    if len(sk) > MAX_SORT_KEY:
        raise invalid(
            f"Aggregated size of all range keys has exceeded the size limit of {MAX_SORT_KEY} bytes"
        )
    return partition_hash(pk), pk, sk


def key_of(spec: TableSpec, item: Item) -> Item:
    return {k.name: item[k.name] for k in spec.keys}


IndexLocation = tuple[int, bytes, bytes]


def index_location(index: Index, item: Item) -> IndexLocation | None:
    """Where ``item`` sits in ``index``, or None when it lacks a key of the index (then the
    index does not hold it: a sparse index). A mistyped or empty key is refused."""
    hash_value = item.get(index.hash.name)
    range_value = item.get(index.range.name) if index.range else None
    if hash_value is None or (index.range is not None and range_value is None):
        return None
    ipk = _encode(index.hash, hash_value, index)
    isk = b"" if index.range is None or range_value is None else _encode(index.range, range_value)
    return partition_hash(ipk), ipk, isk


def check_index_keys(spec: TableSpec, item: Item) -> None:
    """An index key attribute an item carries must have the type the table defines for it,
    and must not be empty, even where the item is not in that index (DynamoDB refuses it)."""
    for index in spec.indexes:
        for key in index.keys:
            if key.name in item and key.name not in spec.key_names:
                _encode(key, item[key.name], index)
