"""ClientRequestToken of TransactWriteItems: the same token with the same request within 10
minutes is the same transaction (it succeeds, writing nothing again); with another request it
is refused. Only committed transactions leave their token (a cancelled one wrote nothing)."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from typing import Any

from infra.local.dataplane.dynamodb.retention import TOKEN_LIFETIME, bucket, trim_tokens
from infra.local.dataplane.errors import AwsError, validation

IGNORED = frozenset({"ClientRequestToken", "ReturnConsumedCapacity"})
"""Parameters that may differ between a request and its retry (DynamoDB's rule for
ReturnConsumedCapacity)."""


def token_of(params: dict[str, Any]) -> str | None:
    token = params.get("ClientRequestToken")
    if token is not None and (not isinstance(token, str) or not 1 <= len(token) <= 36):
        raise validation(
            "1 validation error detected: Value at 'clientRequestToken' failed to satisfy "
            "constraint: Member must have length between 1 and 36"
        )
    return token


def digest(params: dict[str, Any]) -> str:
    kept = {k: v for k, v in params.items() if k not in IGNORED}
    return hashlib.sha256(json.dumps(kept, sort_keys=True).encode()).hexdigest()


def seen_before(db: sqlite3.Connection, token: str, request: str, now: float) -> bool:
    """True when this token committed this request within its lifetime; raises when it
    committed another one."""
    row = db.execute(
        "SELECT digest, created FROM ddb_tokens WHERE bucket IN (?, ?) AND token = ? "
        "ORDER BY created DESC LIMIT 1",
        (bucket(now) - 1, bucket(now), token),
    ).fetchone()
    if row is None or row[1] < now - TOKEN_LIFETIME:
        return False
    if row[0] != request:
        raise AwsError(
            "IdempotentParameterMismatchException",
            "The request uses the same client token as a previous, but non-identical request.",
        )
    return True


def remember(db: sqlite3.Connection, token: str, request: str, now: float) -> None:
    db.execute(
        "INSERT OR REPLACE INTO ddb_tokens VALUES (?, ?, ?, ?)", (bucket(now), token, request, now)
    )
    trim_tokens(db, now, batch=8)  # a few expired ones per transaction: the table stays small
