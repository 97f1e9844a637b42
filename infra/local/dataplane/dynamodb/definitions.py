"""CreateTable's request, checked as DynamoDB checks it, turned into a TableSpec."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from infra.local.dataplane.dynamodb.definition_checks import check_name, key_schema, throughput
from infra.local.dataplane.dynamodb.index_definitions import index_definitions
from infra.local.dataplane.dynamodb.spec import Key, TableSpec
from infra.local.dataplane.dynamodb.values import invalid
from infra.local.dataplane.errors import AwsError, validation

VIEWS = ("NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY")


def table_spec(params: dict[str, Any], tid: int, now: float) -> TableSpec:
    name = check_name(params.get("TableName"))
    types: dict[str, str] = {}
    for definition in params.get("AttributeDefinitions") or []:
        kind = definition.get("AttributeType")
        if kind not in ("S", "N", "B"):
            raise validation(
                f"1 validation error detected: Value '{kind}' at 'attributeDefinitions' failed "
                "to satisfy constraint: Member must satisfy enum value set: [B, N, S]"
            )
        types[definition.get("AttributeName")] = kind
    billing = params.get("BillingMode", "PROVISIONED")
    if billing not in ("PROVISIONED", "PAY_PER_REQUEST"):
        raise validation(f"Unknown BillingMode: {billing}")
    table = key_schema(params.get("KeySchema"), types, "table")
    indexes = index_definitions(params, types, table, billing)
    used = {k.name for k in table if k} | {k.name for i in indexes for k in i.keys}
    if set(types) - used:
        raise invalid(
            f"Some AttributeDefinitions are not used. AttributeDefinitions: "
            f"[{', '.join(types)}], keys used: [{', '.join(sorted(used))}]"
        )
    view, label = _stream(params.get("StreamSpecification"), now)
    return TableSpec(
        tid=tid,
        name=name,
        hash=table[0],
        range=table[1],
        attributes=tuple(Key(n, t) for n, t in types.items()),
        created=now,
        billing=billing,
        throughput=throughput(params.get("ProvisionedThroughput"), billing, "table"),
        indexes=tuple(indexes),
        stream_view=view,
        stream_label=label,
        deletion_protection=bool(params.get("DeletionProtectionEnabled", False)),
        extra={k: params[k] for k in ("SSESpecification", "TableClass") if k in params},
    )


def _stream(raw: Any, now: float) -> tuple[str | None, str | None]:
    if not raw or not raw.get("StreamEnabled"):
        if raw and raw.get("StreamViewType"):
            raise invalid("StreamViewType cannot be specified when StreamEnabled is false")
        return None, None
    view = raw.get("StreamViewType")
    if view not in VIEWS:
        raise AwsError("ValidationException", f"StreamViewType must be one of {', '.join(VIEWS)}")
    return view, stream_label(now)


def stream_label(now: float) -> str:
    return datetime.fromtimestamp(now, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
