"""The checks CreateTable applies to names, key schemas, projections and throughput."""

from __future__ import annotations

import re
from typing import Any

from infra.local.dataplane.dynamodb.spec import Key
from infra.local.dataplane.dynamodb.values import invalid
from infra.local.dataplane.errors import validation

NAME = re.compile(r"[a-zA-Z0-9_.-]{3,255}")


def check_name(value: object, field: str = "tableName") -> str:
    if not isinstance(value, str) or not NAME.fullmatch(value):
        raise validation(
            f"1 validation error detected: Value '{value}' at '{field}' failed to satisfy "
            "constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+ and "
            "have length between 3 and 255"
        )
    return value


def key_schema(raw: object, types: dict[str, str], where: str) -> tuple[Key, Key | None]:
    if not isinstance(raw, list) or not 1 <= len(raw) <= 2:
        raise validation(f"{where}: a KeySchema has one HASH and at most one RANGE element")
    kinds = [e.get("KeyType") for e in raw]
    if kinds not in (["HASH"], ["HASH", "RANGE"]):
        raise validation(f"Invalid KeySchema: {where} needs a HASH key first, then a RANGE key")
    found = []
    for element in raw:
        name = element.get("AttributeName")
        if name not in types:
            raise invalid(
                "Some index key attributes are not defined in AttributeDefinitions. "
                f"Keys: [{name}], AttributeDefinitions: [{', '.join(types)}]"
            )
        found.append(Key(name, types[name]))
    return found[0], found[1] if len(found) > 1 else None


def projection(raw: Any, name: str) -> tuple[str, tuple[str, ...]]:
    kind = (raw or {}).get("ProjectionType", "ALL")
    extra = tuple((raw or {}).get("NonKeyAttributes") or ())
    if kind not in ("ALL", "KEYS_ONLY", "INCLUDE"):
        raise validation(f"Unknown ProjectionType {kind} for index: {name}")
    if kind != "INCLUDE" and extra:
        raise invalid(f"ProjectionType is {kind}, but NonKeyAttributes is specified")
    if kind == "INCLUDE" and not extra:
        raise invalid(f"NonKeyAttributes must be specified for ProjectionType INCLUDE: {name}")
    return kind, extra


def throughput(raw: Any, billing: str, what: str) -> dict[str, int] | None:
    if billing == "PAY_PER_REQUEST":
        if raw:
            raise invalid(
                "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when "
                "BillingMode is PAY_PER_REQUEST"
            )
        return None
    if not raw or "ReadCapacityUnits" not in raw or "WriteCapacityUnits" not in raw:
        raise invalid(
            f"ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode "
            f"is PROVISIONED ({what})"
        )
    return {k: int(raw[k]) for k in ("ReadCapacityUnits", "WriteCapacityUnits")}
