"""Every error code the REST API answers, by status: the one list that handlers/api_openapi.py
documents (docs/openapi.json) and that docs/api.md's error table must match (a test compares
them, and checks that each code is answered by our code or by API Gateway's responses).

Codes marked ``gateway`` come from API Gateway itself (the template's GatewayResponses give its
answers this shape too; the local gateway does the same).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ErrorCode:
    status: int
    code: str
    when: str
    gateway: bool = False


ERROR_CODES: tuple[ErrorCode, ...] = (
    ErrorCode(400, "malformed_json", "the body is not one valid JSON object (or not UTF-8)"),
    ErrorCode(400, "invalid_request", "a header, path or query parameter is missing or invalid"),
    ErrorCode(400, "invalid_cursor", "a cursor this API did not give out"),
    ErrorCode(401, "unauthorized", "no valid token", gateway=True),
    ErrorCode(
        403, "forbidden", "a path no route matches (an encoded / or newline in an id)", gateway=True
    ),
    ErrorCode(404, "order_not_found", "no such order, or another customer's"),
    ErrorCode(404, "not_found", "no such route"),
    ErrorCode(409, "invalid_transition", "the order's status does not allow it"),
    ErrorCode(409, "concurrency_conflict", "the order changed meanwhile (Retry-After)"),
    ErrorCode(409, "request_in_progress", "the same request is still running (Retry-After)"),
    ErrorCode(413, "payload_too_large", "a body over 64 KB"),
    ErrorCode(415, "unsupported_media_type", "a body that is not application/json"),
    ErrorCode(422, "validation_failed", "the body breaks a rule; details name each field"),
    ErrorCode(422, "invalid_order", "the order rules refuse it"),
    ErrorCode(422, "unknown_sku", "an item the catalog does not have"),
    ErrorCode(422, "out_of_stock", "an item the catalog cannot supply"),
    ErrorCode(422, "refund_not_allowed", "more than is refundable, zero, or another currency"),
    ErrorCode(422, "idempotency_key_reused", "the key was used for another order or refund"),
    ErrorCode(422, "request_refused", "another business rule refuses it"),
    ErrorCode(429, "too_many_requests", "over the stage's rate or burst limit", gateway=True),
    ErrorCode(500, "internal_error", "our fault; logged with the request id"),
    ErrorCode(502, "bad_gateway", "the function failed or timed out", gateway=True),
    ErrorCode(503, "temporarily_unavailable", "a provider or store is unavailable (Retry-After)"),
    ErrorCode(504, "gateway_timeout", "over API Gateway's 29 s", gateway=True),
)
WITHOUT_BODY = frozenset({413, 415})
"""Statuses a request without a body (GET) cannot get."""


def statuses() -> list[int]:
    return sorted({e.status for e in ERROR_CODES})


def codes_for(status: int) -> list[ErrorCode]:
    return [e for e in ERROR_CODES if e.status == status]
