"""Stream records as DynamoDB Streams shapes them, written with the change they describe.

What is stored is the record without the parts known only when it is read (sequence number,
event id, region); streams.py completes it. Images follow the stream's view type. The record
is assembled from the JSON of the images the write has serialised already (the item row's).
"""

from __future__ import annotations

import json
import math

from infra.local.dataplane.dynamodb.values import Item, canonical_item

SERVICE_IDENTITY = {"PrincipalId": "dynamodb.amazonaws.com", "Type": "Service"}
"""The userIdentity of a deletion made by TTL (AWS marks those, and only those). GetRecords
spells its members as the API model does (``PrincipalId``, ``Type``); a Lambda event built
from the record spells them ``principalId`` and ``type``."""
_IDENTITY = json.dumps(SERVICE_IDENTITY, separators=(",", ":"))
_OLD = frozenset({"OLD_IMAGE", "NEW_AND_OLD_IMAGES"})
_NEW = frozenset({"NEW_IMAGE", "NEW_AND_OLD_IMAGES"})
Image = tuple[str, int]
"""An image as its JSON text and its size in bytes."""
SEQUENCE_BITS = 40


def record_id(tid: int, seq: int) -> int:
    """The key of a table's record in ``ddb_stream``: table first, then sequence number."""
    return tid << SEQUENCE_BITS | seq


def record_ids(tid: int) -> tuple[int, int]:
    """The first and last key a table's records can have."""
    return record_id(tid, 0), record_id(tid, (1 << SEQUENCE_BITS) - 1)


def stored_record(
    view: str,
    keys: Item,
    old: Image | None,
    new: Image | None,
    now: float,
    *,
    by_ttl: bool = False,
) -> str:
    event = "INSERT" if old is None else "REMOVE" if new is None else "MODIFY"
    size = canonical_item(keys)[1]
    parts = [
        f'{{"eventName":"{event}","dynamodb":{{"ApproximateCreationDateTime":{math.floor(now)}',
        ',"Keys":',
        json.dumps(keys, separators=(",", ":")),
    ]
    if new is not None and view in _NEW:
        parts += [',"NewImage":', new[0]]
        size += new[1]
    if old is not None and view in _OLD:
        parts += [',"OldImage":', old[0]]
        size += old[1]
    parts.append(f',"SizeBytes":{size},"StreamViewType":"{view}"}}')
    if by_ttl:
        parts += [',"userIdentity":', _IDENTITY]
    parts.append("}")
    return "".join(parts)
