"""One Lambda instance of the API in its own process (for the concurrency test): its own
composition root, clients and Powertools state, sharing only the table, as real instances do.

Forked from the test process (already imported, so ten instances start in well under a second);
everything per-process that the parent may have built is dropped first.
"""

from __future__ import annotations

import os
from typing import Any

from adapters.aws import clients
from handlers import api
from tests.handlers.fakes import FakeLambdaContext


def serve_once(env: dict[str, str], event: dict[str, Any], barrier: Any, results: Any) -> None:
    os.environ.update(env)
    clients.clear_cache()  # a boto3 client must not cross a fork
    api.root.use(None)  # built again, from this environment, on the first request
    barrier.wait(timeout=60)
    try:
        response = api.handler(event, FakeLambdaContext())
        results.put(
            (response["statusCode"], response.get("multiValueHeaders") or {}, response.get("body"))
        )
    except Exception as error:  # reported to the test, which fails on it
        results.put((-1, {}, repr(error)))
