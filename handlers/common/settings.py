"""The environment as a model: a function with missing configuration fails at once, by name.

Read by the function's root when it first builds its app (``handlers.common.root``), and
held by that app: nothing caches it per process.
"""

from __future__ import annotations

import os
from typing import Literal

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
    payment_provider: Literal["simulated", "stripe"] = "simulated"
    """Who moves the money (PAYMENT_PROVIDER; the template's PaymentProvider parameter)."""
    stripe_secret_arn: str = ""
    """The Secrets Manager secret holding the Stripe secret key (STRIPE_SECRET_ARN): its name,
    never its value. Only the functions that pay need it."""
    stripe_api_base: str = ""
    """Another Stripe-compatible server (STRIPE_API_BASE; localstripe locally); empty: Stripe."""
    stripe_search_api: bool = True
    """Look a payment up by our key with Stripe's Search API (STRIPE_SEARCH_API); localstripe
    has none, so the local stack turns it off and the adapter lists instead."""
    stripe_webhook_secret_arn: str = ""
    """The Secrets Manager secret holding the Stripe webhook endpoint's signing secret
    (STRIPE_WEBHOOK_SECRET_ARN, a ``whsec_...``): its name, never its value. Only the webhook
    endpoint needs it."""

    @classmethod
    def from_environ(cls) -> Settings:
        names = {name: name.upper() for name in cls.model_fields}
        return cls.model_validate(
            {field: os.environ[var] for field, var in names.items() if var in os.environ}
        )
