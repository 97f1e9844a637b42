"""The environment a sandbox starts with: Lambda's, the function's, and a local endpoint.

Nothing of the stack's own process leaks in: a function sees the variables the template gives
it, the ones Lambda sets for every function, short-lived-looking credentials and an endpoint
that reach only the local stack, and ``PYTHONPATH`` with the deployed packages only.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

RESERVED_PASSTHROUGH = ("PATH", "LANG", "HOME", "TMPDIR", "SYSTEMROOT")
"""The few variables of the host that a process needs to start at all."""


@dataclass(frozen=True)
class FunctionConfig:
    """What the stack needs to run one function (from its CreateFunction request)."""

    name: str
    arn: str
    handler: str
    runtime: str = "python3.13"
    timeout_seconds: float = 3.0
    memory_mb: int = 128
    environment: Mapping[str, str] = field(default_factory=dict)
    reserved_concurrency: int | None = None
    """ReservedConcurrentExecutions: the most sandboxes it may have; beyond, a 429 throttle."""
    version: str = "$LATEST"


@dataclass(frozen=True)
class Surroundings:
    """What is the same for every sandbox of the stack."""

    endpoint: str
    region: str
    task_root: Path
    """A folder holding the deployed packages only (``LAMBDA_TASK_ROOT``)."""
    log_level: str | None = "WARN"
    """``AWS_LAMBDA_LOG_LEVEL`` (Lambda's log level control; None: the function's own)."""
    metrics: bool = False
    """Whether Powertools prints its metrics (EMF) to the log."""
    log_dir: Path | None = None
    """Where each function's output goes (``<function>.log``, as its CloudWatch log group);
    None: the stack's own stdout and stderr."""
    foreground: frozenset[str] = frozenset()
    """Functions a client waits on (behind the API): their sandboxes run at normal priority,
    every other function's at ``BACKGROUND_NICENESS``. On AWS each function has CPUs of its
    own; on one machine this keeps a backlog of saga work from slowing customers' requests
    (the queues absorb it, as they are there to)."""


BACKGROUND_NICENESS = 10


def sandbox_environment(fn: FunctionConfig, where: Surroundings) -> dict[str, str]:
    host = {k: v for k in RESERVED_PASSTHROUGH if (v := os.environ.get(k)) is not None}
    lambda_own = {
        "AWS_LAMBDA_FUNCTION_NAME": fn.name,
        "AWS_LAMBDA_FUNCTION_VERSION": fn.version,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(fn.memory_mb),
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{fn.name}",
        "AWS_LAMBDA_LOG_STREAM_NAME": f"local/[{fn.version}]sandbox",
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        "AWS_EXECUTION_ENV": f"AWS_Lambda_{fn.runtime}",
        "AWS_REGION": where.region,
        "AWS_DEFAULT_REGION": where.region,
        "LAMBDA_TASK_ROOT": str(where.task_root),
        "PYTHONPATH": str(where.task_root),
        "_HANDLER": fn.handler,
        "TZ": ":UTC",
        "AWS_ACCESS_KEY_ID": "ASIALOCALSTACKKEY",
        "AWS_SECRET_ACCESS_KEY": "local-stack-secret",  # the local endpoint's
        "AWS_SESSION_TOKEN": "local-stack-session",
    }
    local = {
        "AWS_ENDPOINT_URL": where.endpoint,
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
        "POWERTOOLS_TRACE_DISABLED": "true",  # no X-Ray daemon to send to
    }
    if where.log_level:
        local["AWS_LAMBDA_LOG_LEVEL"] = where.log_level
        # Powertools warns at every cold start that its level is below the one asked for:
        # the point of asking. (Python's -W syntax: a prefix of the message.)
        local["PYTHONWARNINGS"] = "ignore:Current log level"
    if not where.metrics:
        local["POWERTOOLS_METRICS_DISABLED"] = "true"
    return {**host, **lambda_own, **local, **fn.environment}


def task_root(repo: Path, folder: Path, packages: tuple[str, ...]) -> Path:
    """``folder`` holding links to the deployed ``packages`` of ``repo`` (what the zip ships)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in packages:
        link = folder / name
        if not link.is_symlink():
            link.symlink_to(repo / name, target_is_directory=True)
    return folder
