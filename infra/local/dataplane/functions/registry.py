"""Functions and their settings as CreateFunction stored them: the one registry everyone reads."""

from __future__ import annotations

import base64
import hashlib
import json
import sqlite3
from datetime import UTC, datetime
from typing import Any

from infra.local.dataplane.errors import AwsError
from infra.local.sandbox.environment import FunctionConfig

DDL = """
CREATE TABLE IF NOT EXISTS fn_functions (name TEXT PRIMARY KEY, config TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS fn_invoke_configs (name TEXT PRIMARY KEY, config TEXT NOT NULL);
"""
RESERVED_VARIABLES = frozenset(
    {
        "_HANDLER",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AWS_EXECUTION_ENV",
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_LOG_GROUP_NAME",
        "AWS_LAMBDA_LOG_STREAM_NAME",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "LAMBDA_TASK_ROOT",
        "LAMBDA_RUNTIME_DIR",
    }
)
"""Lambda refuses these in a function's Environment (it sets them itself)."""


def function_name(name_or_arn: str) -> tuple[str, str | None]:
    """``name``, ``name:qualifier``, a partial or a full ARN -> (name, qualifier)."""
    if name_or_arn.startswith("arn:"):
        parts = name_or_arn.split(":")
        return parts[6], (parts[7] if len(parts) > 7 else None)
    if ":function:" in name_or_arn or name_or_arn.count(":") >= 2:
        parts = name_or_arn.split(":")
        return parts[2], (parts[3] if len(parts) > 3 else None)
    name, _, qualifier = name_or_arn.partition(":")
    return name, qualifier or None


def not_found(name: str, region: str, account: str) -> AwsError:
    arn = f"arn:aws:lambda:{region}:{account}:function:{name}"
    return AwsError("ResourceNotFoundException", f"Function not found: {arn}", 404)


def configuration(params: dict[str, Any], region: str, account: str) -> dict[str, Any]:
    """GetFunctionConfiguration's answer for a CreateFunction request."""
    name = params.get("FunctionName") or ""
    if not name or len(name) > 64:
        raise AwsError("ValidationException", "FunctionName must be 1 to 64 characters")
    if not params.get("Handler") or not params.get("Role"):
        raise AwsError("InvalidParameterValueException", "Handler and Role are required")
    variables = dict((params.get("Environment") or {}).get("Variables") or {})
    reserved = sorted(RESERVED_VARIABLES & set(variables))
    if reserved:
        raise AwsError(
            "InvalidParameterValueException",
            f"Lambda was unable to configure your environment variables because the "
            f"environment variables you have provided contains reserved keys: {reserved}",
        )
    code = params.get("Code") or {}
    blob = base64.b64decode(code["ZipFile"]) if "ZipFile" in code else json.dumps(code).encode()
    return {
        "FunctionName": name,
        "FunctionArn": f"arn:aws:lambda:{region}:{account}:function:{name}",
        "Runtime": params.get("Runtime", "python3.13"),
        "Role": params["Role"],
        "Handler": params["Handler"],
        "CodeSize": len(blob),
        "CodeSha256": base64.b64encode(hashlib.sha256(blob).digest()).decode(),
        "Description": params.get("Description", ""),
        "Timeout": int(params.get("Timeout", 3)),
        "MemorySize": int(params.get("MemorySize", 128)),
        "LastModified": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
        "Version": "$LATEST",
        "Environment": {"Variables": variables},
        "TracingConfig": params.get("TracingConfig") or {"Mode": "PassThrough"},
        "DeadLetterConfig": params.get("DeadLetterConfig") or {},
        "Architectures": params.get("Architectures") or ["x86_64"],
        "PackageType": "Zip",
        "State": "Active",
        "LastUpdateStatus": "Successful",
        "EphemeralStorage": {"Size": 512},
    }


class Registry:
    def __init__(self, region: str, account: str) -> None:
        self.region, self.account = region, account

    def get(self, db: sqlite3.Connection, name_or_arn: str) -> dict[str, Any]:
        name, _ = function_name(name_or_arn)
        row = db.execute("SELECT config FROM fn_functions WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise not_found(name, self.region, self.account)
        found: dict[str, Any] = json.loads(row[0])
        return found

    def put(self, db: sqlite3.Connection, config: dict[str, Any]) -> None:
        db.execute(
            "INSERT OR REPLACE INTO fn_functions (name, config) VALUES (?, ?)",
            (config["FunctionName"], json.dumps(config)),
        )

    def all(self, db: sqlite3.Connection) -> list[dict[str, Any]]:
        rows = db.execute("SELECT config FROM fn_functions ORDER BY name").fetchall()
        return [json.loads(r[0]) for r in rows]

    def invoke_config(self, db: sqlite3.Connection, name: str) -> dict[str, Any]:
        row = db.execute("SELECT config FROM fn_invoke_configs WHERE name = ?", (name,)).fetchone()
        found: dict[str, Any] = json.loads(row[0]) if row else {}
        return found

    def put_invoke_config(self, db: sqlite3.Connection, name: str, config: dict[str, Any]) -> None:
        db.execute(
            "INSERT OR REPLACE INTO fn_invoke_configs (name, config) VALUES (?, ?)",
            (name, json.dumps(config)),
        )


def runnable(config: dict[str, Any]) -> FunctionConfig:
    """What a sandbox needs of a stored configuration."""
    return FunctionConfig(
        name=config["FunctionName"],
        arn=config["FunctionArn"],
        handler=config["Handler"],
        runtime=config.get("Runtime", "python3.13"),
        timeout_seconds=float(config.get("Timeout", 3)),
        memory_mb=int(config.get("MemorySize", 128)),
        environment=dict((config.get("Environment") or {}).get("Variables") or {}),
        reserved_concurrency=config.get("ReservedConcurrentExecutions"),
    )
