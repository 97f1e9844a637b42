"""Secrets Manager on the local store: a secret's name, ARN and current string value.

Enough for what OrderFlow does with secrets: the stack creates each template secret, an
operator (or the stack, for localstripe's key) puts its value, a function reads it through
Powertools Parameters. One version per secret (AWSCURRENT); no rotation, no binary values,
no resource policies: a secret here is as safe as the state directory holding it.
"""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import Callable
from typing import Any, ClassVar

from infra.local.dataplane.errors import AwsError, validation
from infra.local.dataplane.service import JsonService, Params
from infra.local.dataplane.store import Store

DDL = """
CREATE TABLE IF NOT EXISTS secrets (
    name TEXT PRIMARY KEY,
    arn TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL,
    value TEXT,
    version TEXT,
    created REAL NOT NULL,
    changed REAL NOT NULL
);
"""
_COLUMNS = ("name", "arn", "description", "value", "version", "created", "changed")


def _not_found() -> AwsError:
    return AwsError("ResourceNotFoundException", "Secrets Manager can't find the specified secret.")


class SecretsManager(JsonService):
    NAME = "secretsmanager"
    TARGET_PREFIX = "secretsmanager"
    JSON_VERSION = "1.1"
    OPERATIONS: ClassVar[frozenset[str]] = frozenset(
        {"CreateSecret", "PutSecretValue", "GetSecretValue", "DescribeSecret", "ListSecrets"}
    )

    def __init__(
        self,
        store: Store,
        *,
        clock: Callable[[], float] = time.time,
        region: str = "us-east-1",
        account: str = "123456789012",
    ) -> None:
        self.store, self.clock = store, clock
        self._arn_head = f"arn:aws:secretsmanager:{region}:{account}:secret:"
        store.schema(DDL)

    def create_secret(self, params: Params) -> Params:
        name = _name(params.get("Name"))
        value = _value(params)
        now = self.clock()
        # Secrets Manager ends every ARN with six random characters: a secret deleted and made
        # again under its name is another ARN.
        arn = f"{self._arn_head}{name}-{uuid.uuid4().hex[:6]}"
        version = uuid.uuid4().hex if value is not None else None
        with self.store.write() as db:
            if db.execute("SELECT 1 FROM secrets WHERE name = ?", (name,)).fetchone():
                raise AwsError(
                    "ResourceExistsException",
                    f"The operation failed because the secret {name} already exists.",
                )
            db.execute(
                "INSERT INTO secrets (name, arn, description, value, version, created, changed) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (name, arn, str(params.get("Description") or ""), value, version, now, now),
            )
        return _identity(arn, name, version)

    def put_secret_value(self, params: Params) -> Params:
        value = _value(params)
        if value is None:
            raise validation("You must provide either SecretString or SecretBinary.")
        version = uuid.uuid4().hex
        with self.store.write() as db:
            row = _find(db, params.get("SecretId"))
            db.execute(
                "UPDATE secrets SET value = ?, version = ?, changed = ? WHERE name = ?",
                (value, version, self.clock(), row["name"]),
            )
        return {**_identity(row["arn"], row["name"], version), "VersionStages": ["AWSCURRENT"]}

    def get_secret_value(self, params: Params) -> Params:
        with self.store.read() as db:
            row = _find(db, params.get("SecretId"))
        if row["value"] is None:
            raise AwsError(
                "ResourceNotFoundException",
                "Secrets Manager can't find the specified secret value for staging label: "
                "AWSCURRENT",
            )
        return {
            **_identity(row["arn"], row["name"], row["version"]),
            "SecretString": row["value"],
            "VersionStages": ["AWSCURRENT"],
            "CreatedDate": row["changed"],
        }

    def describe_secret(self, params: Params) -> Params:
        with self.store.read() as db:
            return _described(_find(db, params.get("SecretId")))

    def list_secrets(self, params: Params) -> Params:
        with self.store.read() as db:
            rows = db.execute(
                "SELECT name, arn, description, value, version, created, changed "
                "FROM secrets ORDER BY name"
            ).fetchall()
        return {"SecretList": [_described(_row(r)) for r in rows]}


def _name(name: Any) -> str:
    if not isinstance(name, str) or not 1 <= len(name) <= 512:
        raise validation("Name must be a string of 1 to 512 characters.")
    return name


def _value(params: Params) -> str | None:
    if "SecretBinary" in params:
        raise validation("SecretBinary is not emulated by the local stack: use SecretString.")
    value = params.get("SecretString")
    if value is not None and not isinstance(value, str):
        raise validation("SecretString must be a string.")
    return value


def _find(db: sqlite3.Connection, secret_id: Any) -> dict[str, Any]:
    if not isinstance(secret_id, str) or not secret_id:
        raise validation("SecretId must be a secret's name or ARN.")
    found = db.execute(
        "SELECT name, arn, description, value, version, created, changed "
        "FROM secrets WHERE name = ? OR arn = ?",
        (secret_id, secret_id),
    ).fetchone()
    if found is None:
        raise _not_found()
    return _row(found)


def _row(found: tuple[Any, ...]) -> dict[str, Any]:
    return dict(zip(_COLUMNS, found, strict=True))


def _identity(arn: str, name: str, version: str | None) -> Params:
    return {"ARN": arn, "Name": name, **({"VersionId": version} if version else {})}


def _described(row: dict[str, Any]) -> Params:
    described: Params = {
        "ARN": row["arn"],
        "Name": row["name"],
        "CreatedDate": row["created"],
        "LastChangedDate": row["changed"],
    }
    if row["description"]:
        described["Description"] = row["description"]
    if row["version"]:
        described["VersionIdsToStages"] = {row["version"]: ["AWSCURRENT"]}
    return described
