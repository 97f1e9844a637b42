"""What the operator CLI reports instead of a traceback, with the exit code it ends with."""

from __future__ import annotations

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    ProfileNotFound,
)

OK = 0
FAILED = 1
"""The command ran and found a problem: nothing by that id, nothing to retry, a partial redrive."""
USAGE = 2
"""argparse's own code for bad arguments."""
UNAVAILABLE = 3
"""The stack cannot be found or reached: no local-stack.json, no credentials, no endpoint."""


class OpsError(Exception):
    exit_code = FAILED


class NotFound(OpsError):
    pass


class StackUnavailable(OpsError):
    exit_code = UNAVAILABLE


def explain(error: BaseException, aws: bool) -> tuple[str, int] | None:
    """What an operator is told instead of a traceback, and the exit code; None for an error
    that is a bug (the CLI lets it raise, the console answers a bare 500)."""
    if isinstance(error, OpsError):
        return str(error), error.exit_code
    if isinstance(error, EndpointConnectionError):
        hint = "" if aws else " (is it running? python -m infra.local)"
        return f"cannot reach {error.kwargs.get('endpoint_url')}{hint}", UNAVAILABLE
    if isinstance(error, NoCredentialsError | NoRegionError | ProfileNotFound):
        return f"AWS credentials: {error}", UNAVAILABLE
    if isinstance(error, ClientError):
        detail = error.response.get("Error", {})
        return f"{error.operation_name}: {detail.get('Code')}: {detail.get('Message')}", FAILED
    if isinstance(error, BotoCoreError):
        return str(error), UNAVAILABLE
    return None
