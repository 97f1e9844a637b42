"""Writes the REST API's OpenAPI document, generated from the resolver: ``docs/openapi.json``.

Run ``python -m handlers.api_openapi`` after changing a route or a model; a test fails while
the committed document is stale. Powertools documents its own validation error shapes (422
``HTTPValidationError``, 500 ``ResponseValidationError``); ``handlers.api_errors`` answers
every error with one shape instead, so those are replaced by the error codes we really send
(``handlers.api_error_codes``), API Gateway's own answers (401, 403, 429, 502, 504) included.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer, Server
from pydantic.json_schema import models_json_schema

from handlers.api import app
from handlers.api_error_codes import WITHOUT_BODY, codes_for, statuses
from handlers.api_views import ErrorOut

DOCUMENT = Path(__file__).resolve().parent.parent / "docs" / "openapi.json"
DESCRIPTION = (
    "Customers place and follow their orders. Every call needs a Cognito token; a customer "
    "sees only their own orders. Errors have one shape (docs/api.md)."
)
_ERRORS = {
    str(status): "; ".join(f"{e.code}: {e.when}" for e in codes_for(status))
    for status in statuses()
}
"""Status -> its error codes, from the one list (handlers.api_error_codes)."""
_WITHOUT_BODY = {str(status) for status in WITHOUT_BODY}


def render() -> str:
    document = json.loads(
        app.get_openapi_json_schema(
            title="OrderFlow API",
            version="1.0.0",
            description=DESCRIPTION,
            servers=[Server(url="/")],
            security_schemes={"cognito": HTTPBearer(bearerFormat="JWT")},
            security=[{"cognito": []}],
        )
    )
    schemas = document["components"]["schemas"]
    for name in ("HTTPValidationError", "ValidationError", "ResponseValidationError"):
        schemas.pop(name, None)
    _, definitions = models_json_schema(
        [(ErrorOut, "serialization")], ref_template="#/components/schemas/{model}"
    )
    schemas.update(definitions["$defs"])
    for operations in document["paths"].values():
        for method, operation in operations.items():
            operation["responses"] = _with_errors(method, operation["responses"])
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _with_errors(method: str, responses: dict[str, Any]) -> dict[str, Any]:
    kept = {code: r for code, r in responses.items() if code.startswith("2")}
    for code, codes in _ERRORS.items():
        if method == "get" and code in _WITHOUT_BODY:
            continue
        kept[code] = {
            "description": codes,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}},
        }
    return kept


if __name__ == "__main__":
    DOCUMENT.write_text(render(), encoding="utf-8")
    print(DOCUMENT)
