"""Schemathesis hooks for the contract fuzz (``SCHEMATHESIS_HOOKS=tests.contract.hooks``).

The fuzz expects a schema-valid request to be accepted or refused by a business rule (404 not
yours, 409 its status, 422 an unknown SKU, 400 a cursor this API never gave out): see
``schemathesis.toml``. This check keeps that allowance narrow: a schema-valid request refused
as *invalid* (``validation_failed``, ``invalid_request``, ``malformed_json``) means the schema
and the validation disagree, which is what the fuzz is for.
"""

from __future__ import annotations

from typing import Any

import schemathesis

SCHEMA_REFUSALS = frozenset({"validation_failed", "invalid_request", "malformed_json"})


@schemathesis.check
def valid_input_is_not_refused_as_invalid(ctx: Any, response: Any, case: Any) -> None:
    meta = getattr(case, "meta", None)
    if meta is None or not meta.generation.mode.is_positive or response.status_code >= 500:
        return
    if response.status_code in (400, 422):
        code = (response.json() or {}).get("error")
        if code in SCHEMA_REFUSALS:
            raise AssertionError(f"a request the schema allows was refused as {code}")
