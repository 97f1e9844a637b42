"""Shard iterators: opaque to callers, here a table, a position (the last sequence number
already read) and the time the iterator was handed out; they expire after 15 minutes, as
DynamoDB Streams' do."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass

from infra.local.dataplane.errors import AwsError, validation

LIFETIME = 15 * 60.0


@dataclass(frozen=True)
class Iterator:
    tid: int
    label: str
    after: int
    issued: float

    def encode(self) -> str:
        raw = json.dumps([self.tid, self.label, self.after, self.issued], separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode()

    def moved(self, after: int, now: float) -> Iterator:
        return Iterator(self.tid, self.label, after, now)


def decode(text: object, now: float) -> Iterator:
    try:
        tid, label, after, issued = json.loads(base64.urlsafe_b64decode(str(text).encode()))
        found = Iterator(int(tid), str(label), int(after), float(issued))
    except (binascii.Error, ValueError, TypeError) as bad:
        raise validation("Invalid ShardIterator") from bad
    if now - found.issued > LIFETIME:
        raise AwsError(
            "ExpiredIteratorException",
            "Iterator expired. The iterator was created over 15 minutes ago.",
        )
    return found
