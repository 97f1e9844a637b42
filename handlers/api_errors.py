"""The one map from exceptions to HTTP answers, in one shape:
``{"error": code, "message": text, "details": [{"field", "issue"}]}``.

Nothing internal leaves: no stack trace, class name or file path; unexpected errors are logged
and answered with a generic 500. Request validation errors have their own handler, so the
catch-all can never turn them into 500s (powertools #3841).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import content_types
from aws_lambda_powertools.event_handler.api_gateway import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
    ResponseValidationError,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyPersistenceLayerError,
    IdempotencyValidationError,
)

from domain import errors as de
from handlers.api_models import VISIBLE
from handlers.common.observability import logger

RETRY_AFTER = {"Retry-After": "1"}

_DOMAIN: dict[type[de.DomainError], tuple[HTTPStatus, str]] = {
    de.OrderNotFound: (HTTPStatus.NOT_FOUND, "order_not_found"),
    de.InvalidTransition: (HTTPStatus.CONFLICT, "invalid_transition"),
    de.ConcurrencyConflict: (HTTPStatus.CONFLICT, "concurrency_conflict"),
    de.InvalidOrder: (HTTPStatus.UNPROCESSABLE_ENTITY, "invalid_order"),
    de.UnknownSku: (HTTPStatus.UNPROCESSABLE_ENTITY, "unknown_sku"),
    de.OutOfStock: (HTTPStatus.UNPROCESSABLE_ENTITY, "out_of_stock"),
    de.RefundNotAllowed: (HTTPStatus.UNPROCESSABLE_ENTITY, "refund_not_allowed"),
    de.IdempotencyKeyReused: (HTTPStatus.UNPROCESSABLE_ENTITY, "idempotency_key_reused"),
}
_ISSUES = {  # pydantic messages that would name a Python class, or say too little
    "missing": "is required",
    "extra_forbidden": "is not allowed",
    "model_type": "must be a JSON object",
    "model_attributes_type": "must be a JSON object",
    "json_invalid": "is not one valid JSON object",
    "string_unicode": "must be valid Unicode text",
}


class ApiError(Exception):
    """An HTTP answer raised from a route, for errors the domain does not know (a bad cursor)."""

    def __init__(self, status: HTTPStatus, code: str, message: str, field: str = "") -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field


def body(code: str, message: str, details: Iterable[tuple[str, str]] = ()) -> dict[str, Any]:
    return {
        "error": code,
        "message": message,
        "details": [{"field": field, "issue": issue} for field, issue in details],
    }


def answer(
    status: HTTPStatus,
    code: str,
    message: str,
    details: Iterable[tuple[str, str]] = (),
    headers: Mapping[str, str] | None = None,
) -> Response[dict[str, Any]]:
    return Response(
        status_code=status.value,
        content_type=content_types.APPLICATION_JSON,
        body=body(code, message, details),
        headers=dict(headers or {}),
    )


def register(app: APIGatewayRestResolver) -> None:
    @app.exception_handler(RequestValidationError)
    def invalid_request(error: RequestValidationError) -> Response[dict[str, Any]]:
        problems = list(error.errors())
        details = [(_field(p["loc"]), _issue(p)) for p in problems]
        if any(p["type"] == "json_invalid" for p in problems):
            return answer(
                HTTPStatus.BAD_REQUEST,
                "malformed_json",
                "the body must be one valid JSON object",
                [("body", _ISSUES["json_invalid"])],
            )
        if any(p["loc"][0] != "body" for p in problems):
            return answer(
                HTTPStatus.BAD_REQUEST,
                "invalid_request",
                "a header, path or query parameter is missing or invalid",
                details,
            )
        return answer(
            HTTPStatus.UNPROCESSABLE_ENTITY, "validation_failed", "the body is invalid", details
        )

    @app.exception_handler(RequestUnsupportedContentType)
    def unsupported_media(_: RequestUnsupportedContentType) -> Response[dict[str, Any]]:
        return answer(
            HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", "send application/json"
        )

    @app.exception_handler(NotFoundError)
    def no_route(_: NotFoundError) -> Response[dict[str, Any]]:
        return answer(HTTPStatus.NOT_FOUND, "not_found", "no such resource")

    @app.exception_handler(ApiError)
    def api_error(error: ApiError) -> Response[dict[str, Any]]:
        details = [(error.field, error.message)] if error.field else []
        return answer(error.status, error.code, error.message, details)

    @app.exception_handler(de.DomainError)
    def domain_error(error: de.DomainError) -> Response[dict[str, Any]]:
        found = next((_DOMAIN[c] for c in type(error).__mro__ if c in _DOMAIN), None)
        if found is None and error.transient:
            return answer(
                HTTPStatus.SERVICE_UNAVAILABLE,
                "temporarily_unavailable",
                "try again shortly",
                headers=RETRY_AFTER,
            )
        status, code = found or (HTTPStatus.UNPROCESSABLE_ENTITY, "request_refused")
        field = getattr(error, "field", "") or (
            "items" if isinstance(error, de.UnknownSku | de.OutOfStock) else ""
        )
        headers = RETRY_AFTER if isinstance(error, de.ConcurrencyConflict) else None
        return answer(
            status, code, error.message, [(field, error.message)] if field else [], headers
        )

    @app.exception_handler(IdempotencyAlreadyInProgressError)
    def in_progress(_: IdempotencyAlreadyInProgressError) -> Response[dict[str, Any]]:
        return answer(
            HTTPStatus.CONFLICT,
            "request_in_progress",
            "the same request is being processed; retry shortly",
            headers=RETRY_AFTER,
        )

    @app.exception_handler(IdempotencyPersistenceLayerError)
    def store_unavailable(_: IdempotencyPersistenceLayerError) -> Response[dict[str, Any]]:
        logger.exception("idempotency store failed")
        return answer(
            HTTPStatus.SERVICE_UNAVAILABLE,
            "temporarily_unavailable",
            "try again shortly",
            headers=RETRY_AFTER,
        )

    @app.exception_handler(IdempotencyValidationError)
    def key_reused(_: IdempotencyValidationError) -> Response[dict[str, Any]]:
        return domain_error(de.IdempotencyKeyReused())

    @app.exception_handler(ResponseValidationError)
    def bad_answer(error: ResponseValidationError) -> Response[dict[str, Any]]:
        # Where and what only: the message would quote the answer (personal data).
        problems = [(_field(p["loc"]), p["type"]) for p in error.errors()]
        logger.error("answer does not match its model", extra={"problems": problems})
        return unexpected(error, logged=True)

    @app.exception_handler(Exception)
    def unexpected(_: Exception, logged: bool = False) -> Response[dict[str, Any]]:
        if not logged:
            logger.exception("request failed")
        return answer(
            HTTPStatus.INTERNAL_SERVER_ERROR, "internal_error", "something went wrong on our side"
        )


def _issue(problem: Mapping[str, Any]) -> str:
    if (problem.get("ctx") or {}).get("pattern") == VISIBLE:
        return "must not contain control or invisible characters"
    return _ISSUES.get(problem["type"]) or str(problem.get("msg") or "is invalid")


def _field(loc: Iterable[Any]) -> str:
    where, *path = list(loc)
    if where == "header":
        return "-".join(part.capitalize() for part in str(path[0]).split("-"))
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}" if out else str(part)
    return out or str(where)
