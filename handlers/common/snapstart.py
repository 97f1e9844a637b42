"""Lambda SnapStart (the template's ``ApiSnapStart``): do the first request's work in init, so the
snapshot holds it, and repair after a restore what a snapshot cannot keep.

Lambda runs init once when it publishes a version (``AWS_LAMBDA_INITIALIZATION_TYPE`` is then
``snap-start``), snapshots the memory and restores that snapshot on every cold start. So with
SnapStart, ``prime`` runs in init: the AWS clients, the idempotency store and the pydantic models
a first request would build. After a restore:
- the random generator is reseeded: every environment restored from one snapshot would
  otherwise draw the same numbers (botocore's retry jitter; our ids come from ``uuid4``, i.e.
  ``os.urandom``, which is fine);
- pooled connections opened before the snapshot are closed: their sockets are gone.
Credentials need nothing: in a SnapStart init Lambda provides them through the container
credentials endpoint, which botocore refreshes by itself.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable


def enabled() -> bool:
    return os.environ.get("AWS_LAMBDA_INITIALIZATION_TYPE") == "snap-start"


def after_restore() -> None:
    from adapters.aws import clients

    random.seed()
    clients.close_connections()


def prepare(prime: Callable[[], None]) -> bool:
    """In a SnapStart init: run ``prime`` now and register the restore hook. True if it did."""
    if not enabled():
        return False
    from snapshot_restore_py import register_after_restore  # the Lambda runtime's module

    prime()
    register_after_restore(after_restore)
    return True
