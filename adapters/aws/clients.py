"""boto3 clients, made once per process and only when first needed (Lambda cold start).

Every client gets the same botocore ``Config``: short timeouts so a stuck call fails inside the
function's timeout, and the ``standard`` retry mode (bounded, with jitter). boto3 reads
``AWS_ENDPOINT_URL`` (and ``AWS_ENDPOINT_URL_<SERVICE>``) itself, so the same code talks to
the local stack.
"""

from __future__ import annotations

import os
import threading
from typing import Any

import boto3
from botocore.config import Config

_ACCOUNT_ENDPOINT_SERVICES = frozenset({"dynamodb", "dynamodbstreams"})
"""Services that botocore may send to account-based endpoints (``<account>.ddb...``, or
``<account>.streams-ddb...`` for every stream ARN). moto does not know those hosts; AWS still
serves the regional endpoint, so turning the mode off costs only an optional routing
optimisation. An explicit AWS_ACCOUNT_ID_ENDPOINT_MODE in the environment still wins."""

_BASE = Config(
    connect_timeout=2,
    read_timeout=5,
    retries={"mode": "standard", "max_attempts": 3},
    tcp_keepalive=True,
    user_agent_extra="orderflow",
)

_clients: dict[str, Any] = {}
_lock = threading.Lock()


def client(service_name: str) -> Any:
    """The process's one client for ``service_name`` (boto3 clients are thread-safe)."""
    found = _clients.get(service_name)
    if found is not None:
        return found
    with _lock:  # boto3's default session is not thread-safe while it creates clients
        if service_name not in _clients:
            if not _clients:
                _trace_aws_calls()
            _clients[service_name] = boto3.client(service_name, config=config_for(service_name))
        return _clients[service_name]


def config_for(service_name: str) -> Config:
    if (
        service_name in _ACCOUNT_ENDPOINT_SERVICES
        and "AWS_ACCOUNT_ID_ENDPOINT_MODE" not in os.environ
    ):
        return _BASE.merge(Config(account_id_endpoint_mode="disabled"))
    return _BASE


def close_connections() -> None:
    """Close every client's pooled connections (kept clients open new ones when next used):
    after a SnapStart restore the sockets of the snapshot are gone."""
    with _lock:
        for made in _clients.values():
            made.close()


def clear_cache() -> None:
    """Forget every client (tests that change the environment or the mock between cases)."""
    with _lock:
        _clients.clear()


def _trace_aws_calls() -> None:
    """In Lambda, make each AWS call an X-Ray subsegment unless tracing is off.

    Powertools' ``Tracer`` decides (POWERTOOLS_TRACE_DISABLED, SAM local) and the handler's
    tracer has already imported the X-Ray SDK there, so this costs a patch (~10 ms), not an
    import. Outside Lambda nothing is imported.
    """
    if not os.environ.get("LAMBDA_TASK_ROOT"):
        return
    try:
        from aws_lambda_powertools import Tracer
    except ImportError:  # a tool running without the Lambda runtime's dependencies
        return

    Tracer(auto_patch=False).patch(["botocore"])
