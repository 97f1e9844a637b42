"""The MD5 digests SQS returns, computed as SQS documents them (SDKs recompute and compare).

Message attributes: for each name in sorted order, the length-prefixed (4 bytes, big endian)
UTF-8 name and data type, a transport byte (1 string, 2 binary), the length-prefixed value.
"""

from __future__ import annotations

import base64
import hashlib
import struct
from collections.abc import Mapping
from typing import Any


def md5_text(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def md5_attributes(attributes: Mapping[str, Mapping[str, Any]]) -> str | None:
    if not attributes:
        return None
    digest = hashlib.md5(usedforsecurity=False)
    for name in sorted(attributes):
        value = attributes[name]
        digest.update(_prefixed(name.encode()))
        digest.update(_prefixed(str(value["DataType"]).encode()))
        if "StringValue" in value:
            digest.update(b"\x01" + _prefixed(str(value["StringValue"]).encode()))
        else:
            digest.update(b"\x02" + _prefixed(binary(value["BinaryValue"])))
    return digest.hexdigest()


def binary(value: Any) -> bytes:
    """A BinaryValue as the JSON protocol carries it: base64 text."""
    if isinstance(value, bytes):
        return value
    return base64.b64decode(str(value), validate=True)


def _prefixed(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data
