"""The environment as a model: a function with missing configuration fails at once, by name.

Read by the function's root when it first builds its app (``handlers.common.root``), and
held by that app: nothing caches it per process.
"""

from __future__ import annotations

import os

from pydantic import BaseModel, Field


class Settings(BaseModel):
    orders_table: str = Field(min_length=1)
    event_bus_name: str = Field(min_length=1)
    state_machine_arn: str = ""
    """Only the functions that start or signal the workflow need it."""
    idempotency_table: str = ""
    """The Powertools idempotency table (IDEMPOTENCY_TABLE). Only the functions that
    deduplicate requests through Powertools need it (today the API, for POST /orders); the
    app's ``idempotency_store`` refuses to be built without it."""
    idempotency_ttl_seconds: int = 2 * 24 * 3600
    """Longer than EventBridge's 24 h of retries, so a late redelivery is still recognised."""
    reconcile_quiet_seconds: int = Field(default=300, ge=0)
    """The reconciler looks only at orders unchanged for this long (RECONCILE_QUIET_SECONDS)."""

    @classmethod
    def from_environ(cls) -> Settings:
        names = {name: name.upper() for name in cls.model_fields}
        return cls.model_validate(
            {field: os.environ[var] for field, var in names.items() if var in os.environ}
        )
