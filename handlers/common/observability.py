"""Powertools Logger, Tracer and Metrics, configured once for every entry point.

The service name, log level and metrics namespace come from the function's environment
(POWERTOOLS_SERVICE_NAME, POWERTOOLS_LOG_LEVEL, POWERTOOLS_METRICS_NAMESPACE).
The tracer does not patch every library at import (cold start); boto3 calls are traced
explicitly where clients are made. The X-Ray SDK is imported on the first traced call, not at
init (``lazy_xray``); with POWERTOOLS_TRACE_DISABLED=true the tracer records nothing and the
SDK is never imported (``no_tracing``; docs/performance.md).
"""

from __future__ import annotations

import os
import warnings

from aws_lambda_powertools import Logger, Metrics, Tracer

# A read-only request records no business metric; that is expected, not worth a warning each time.
warnings.filterwarnings("ignore", message="No application metrics to publish")

_TRUE = {"1", "true", "t", "yes", "y", "on"}  # what Powertools reads as true


def tracing_switched_off() -> bool:
    return os.environ.get("POWERTOOLS_TRACE_DISABLED", "").strip().lower() in _TRUE


def _tracer() -> Tracer:
    # Powertools keeps the first provider for every later Tracer (adapters.aws.clients' too).
    if not tracing_switched_off():
        from handlers.common.lazy_xray import LazyXray

        return Tracer(auto_patch=False, provider=LazyXray())
    from handlers.common.no_tracing import NoTracing

    return Tracer(auto_patch=False, provider=NoTracing())


logger = Logger()
tracer = _tracer()
metrics = Metrics()
