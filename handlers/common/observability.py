"""Powertools Logger, Tracer and Metrics, configured once for every entry point.

The service name, log level and metrics namespace come from the function's environment
(POWERTOOLS_SERVICE_NAME, POWERTOOLS_LOG_LEVEL, POWERTOOLS_METRICS_NAMESPACE).
The tracer does not patch every library at import (cold start); boto3 calls are traced
explicitly where clients are made.
"""

from __future__ import annotations

import warnings

from aws_lambda_powertools import Logger, Metrics, Tracer

# A read-only request records no business metric; that is expected, not worth a warning each time.
warnings.filterwarnings("ignore", message="No application metrics to publish")

logger = Logger()
tracer = Tracer(auto_patch=False)
metrics = Metrics()
