"""moto's Python values (datetimes, enums, TypedDicts) as the JSON the API sends."""

from __future__ import annotations

import datetime
import enum
from typing import Any


def to_wire(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return value.timestamp()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict):
        return {k: to_wire(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [to_wire(v) for v in value]
    return value
