"""Checks before the resolver reads anything: the body's size (413), the caller (401), that a
body is JSON (415) and UTF-8 text (400): the resolver would fail on what it cannot decode.

The size is measured on the raw body, before any parsing, so an oversized body costs nothing.
API Gateway's authorizer already refuses requests without a valid token; a missing identity
here is defence in depth, answered the same way.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import content_types

from handlers.api_errors import body

MAX_BODY_BYTES = 64 * 1024


def before_routing(event: Mapping[str, Any]) -> dict[str, Any] | None:
    """413 and 401 before anything reads the body; None lets the request through."""
    if _body_bytes(event) > MAX_BODY_BYTES:
        return _proxy(
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
            "payload_too_large",
            f"the body must be at most {MAX_BODY_BYTES} bytes",
        )
    if customer_of(event) is None:
        return _proxy(HTTPStatus.UNAUTHORIZED, "unauthorized", "a valid token is required")
    if event.get("body") and not _json_media(event):
        return _proxy(
            HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", "send application/json"
        )
    if not _utf8(event):
        return _proxy(
            HTTPStatus.BAD_REQUEST, "malformed_json", "the body must be one JSON object in UTF-8"
        )
    return None


def customer_of(event: Mapping[str, Any]) -> str | None:
    """The caller, from the REST API authorizer's claims; never from the body."""
    claims = _map(_map(_map(event.get("requestContext")).get("authorizer")).get("claims"))
    sub = claims.get("sub")
    return sub if isinstance(sub, str) and 0 < len(sub) <= 128 and sub.isprintable() else None


def origin_of(event: Mapping[str, Any]) -> str | None:
    """The request's Origin header (sent by browsers), whatever its case."""
    headers = _map(event.get("headers"))
    found = next((v for k, v in headers.items() if str(k).lower() == "origin"), None)
    return found if isinstance(found, str) else None


def _map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _body_bytes(event: Mapping[str, Any]) -> int:
    raw = event.get("body") or ""
    if not isinstance(raw, str):
        return 0
    if event.get("isBase64Encoded"):
        try:
            return len(base64.b64decode(raw, validate=True))
        except (binascii.Error, ValueError):
            return len(raw)
    return len(raw.encode("utf-8", "surrogatepass"))


def _json_media(event: Mapping[str, Any]) -> bool:
    """No Content-Type (read as JSON) or ``application/json``, as the resolver's validation
    takes them; it would try to parse some other types itself (multipart without a boundary
    fails with a 500)."""
    headers = _map(event.get("headers"))
    declared = next((v for k, v in headers.items() if str(k).lower() == "content-type"), None)
    if not isinstance(declared, str) or not declared.strip():
        return True
    media = declared.split(";", 1)[0].strip().lower()
    return media == "application/json"


def _utf8(event: Mapping[str, Any]) -> bool:
    """API Gateway hands a body that is not UTF-8 over in base64: the resolver would fail on it."""
    raw = event.get("body")
    if not isinstance(raw, str) or not raw:
        return True
    try:
        if event.get("isBase64Encoded"):
            base64.b64decode(raw, validate=True).decode("utf-8")
        else:
            raw.encode("utf-8")
    except (binascii.Error, ValueError):  # UnicodeError is a ValueError
        return False
    return True


def _proxy(status: HTTPStatus, code: str, message: str) -> dict[str, Any]:
    return {
        "statusCode": status.value,
        "headers": {"Content-Type": content_types.APPLICATION_JSON},
        "body": json.dumps(body(code, message)),
        "isBase64Encoded": False,
    }
