"""Scan: a whole table or index in hash order, as pages; parallel Scan splits the 32-bit
hash of the partition key into TotalSegments equal ranges."""

from __future__ import annotations

from infra.local.dataplane.dynamodb import capacity, keys, sources
from infra.local.dataplane.dynamodb.base import Base, refuse_legacy
from infra.local.dataplane.dynamodb.expressions.request import Expressions
from infra.local.dataplane.dynamodb.paging import read_page, view
from infra.local.dataplane.dynamodb.query import index_of, page_limit
from infra.local.dataplane.dynamodb.start_keys import last_key, parse_start
from infra.local.dataplane.errors import validation
from infra.local.dataplane.service import Params

MAX_SEGMENTS = 1_000_000


def segment_hashes(params: Params) -> tuple[int, int]:
    segment, total = params.get("Segment"), params.get("TotalSegments")
    if segment is None and total is None:
        return 0, keys.HASH_SPACE - 1
    if total is None:
        raise validation(
            "The TotalSegments parameter is required but was not present in the request when "
            "Segment parameter is present"
        )
    if segment is None:
        raise validation(
            "The Segment parameter is required but was not present in the request when "
            "parameter TotalSegments is present"
        )
    if not 1 <= total <= MAX_SEGMENTS:
        raise validation(
            f"1 validation error detected: Value '{total}' at 'totalSegments' failed to satisfy "
            f"constraint: Member must have value less than or equal to {MAX_SEGMENTS}"
        )
    if not 0 <= segment < total:
        raise validation(
            "The Segment parameter is zero-based and must be less than parameter TotalSegments"
        )
    return segment * keys.HASH_SPACE // total, (segment + 1) * keys.HASH_SPACE // total - 1


class ScanOperations(Base):
    def scan(self, params: Params) -> Params:
        refuse_legacy(params)
        chosen, limit = capacity.mode(params), page_limit(params)
        hashes = segment_hashes(params)
        found = Expressions(params)
        if "KeyConditionExpression" in found.parsed:
            raise validation("KeyConditionExpression is a Query parameter, not a Scan one")
        with self.store.read() as db:
            spec = self.catalog.get(db, params.get("TableName"))
            index = index_of(spec, params)
            shown = view(params, spec, index, found)
            start = parse_start(params.get("ExclusiveStartKey"), spec, index)
            if start is None:
                after = None
            elif index is None:
                after = start[1]
            else:
                after = (*(start[2] or ()), start[1][1], start[1][2])
            if after is not None and not hashes[0] <= after[0] <= hashes[1]:
                raise validation(
                    "The provided Exclusive start key does not map to the provided Segment and "
                    "TotalSegments values."
                )
            if index is None:
                statement = sources.table_scan(spec.tid, hashes, after, limit)
            else:
                statement = sources.index_scan(spec.tid, index.name, hashes, after, limit)
            out, size = read_page(db, statement, shown, limit, last_key(spec, index))
        units = capacity.read_units(size, bool(params.get("ConsistentRead")))
        index_name = index.name if index and not index.local else None
        return capacity.add_to(
            out, capacity.consumed(chosen, spec.name, units, write=False, index=index_name)
        )
