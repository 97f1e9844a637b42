"""The customers' REST API (API Gateway REST, Lambda proxy): parse, one use case, answer.

POST /orders is idempotent on (customer, Idempotency-Key) through Powertools: the record is
keyed on those two only and validated on the parsed order, so the same key with the same
order replays the first answer, and with another order is refused (422).
"""

from __future__ import annotations

import os
from http import HTTPStatus
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import content_types
from aws_lambda_powertools.event_handler.api_gateway import (
    APIGatewayRestResolver,
    CORSConfig,
    Response,
)
from aws_lambda_powertools.event_handler.openapi.params import Header, Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.idempotency.config import IdempotencyConfig
from aws_lambda_powertools.utilities.idempotency.idempotency import idempotent_function
from aws_lambda_powertools.utilities.typing import LambdaContext

from domain.errors import InvalidCursor
from handlers import api_errors, api_guard
from handlers.api_models import CancelOrderIn, PlaceOrderIn, RefundIn, RequestKey, json_object
from handlers.api_views import OrderListOut, OrderOut, to_json
from handlers.common import init_phase, snapstart
from handlers.common.observability import logger, metrics, tracer
from handlers.common.root import FunctionRoot

root = FunctionRoot()
"""The API function's composition root."""


def cors(origin: str | None) -> CORSConfig | None:
    """The one browser origin allowed to script the API (the template's CorsAllowOrigin).

    Unset, the API sends no CORS headers at all, so browsers keep other origins out. API Gateway
    answers the preflights (OPTIONS) itself; these are the headers of the real answers.
    """
    if not origin:
        return None
    return CORSConfig(
        allow_origin=origin,
        allow_headers=["Authorization", "Content-Type", "Idempotency-Key"],
        expose_headers=["Location"],
        max_age=600,
    )


CORS = cors(os.environ.get("CORS_ALLOW_ORIGIN"))
app = APIGatewayRestResolver(
    cors=CORS,
    enable_validation=True,
    json_body_deserializer=json_object,  # type: ignore[arg-type]  # None: no body, as Powertools reads it
    response_validation_error_http_code=HTTPStatus.INTERNAL_SERVER_ERROR,
)
api_errors.register(app)

OrderId = Annotated[str, Path(pattern=r"^[A-Za-z0-9-]{1,64}$")]
IdempotencyKey = Annotated[RequestKey, Header(alias="Idempotency-Key")]


def _customer() -> str:
    customer = api_guard.customer_of(app.current_event.raw_event)
    if customer is None:  # before_routing answers 401 first; this keeps the routes safe alone
        raise api_errors.ApiError(
            HTTPStatus.UNAUTHORIZED, "unauthorized", "a valid token is required"
        )
    return customer


def _located(status: int, order: dict[str, Any]) -> Response[OrderOut]:
    logger.append_keys(order_id=order["orderId"])
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=order,  # type: ignore[arg-type]  # a dict, validated as OrderOut
        headers={"Location": f"/orders/{order['orderId']}"},
    )


@app.post("/orders", summary="Place an order", responses={201: {"description": "Placed"}})
def post_order(order: PlaceOrderIn, idempotency_key: IdempotencyKey) -> Response[OrderOut]:
    request = {
        "customerId": _customer(),
        "requestKey": idempotency_key,
        "order": order.idempotency_payload(),
    }
    config = _idempotency_config()
    config.register_lambda_context(app.lambda_context)
    place = idempotent_function(
        _place,
        data_keyword_argument="request",
        config=config,
        persistence_store=root.app.idempotency_store,
    )
    return _located(HTTPStatus.CREATED.value, place(request=request, order=order))


def _place(request: dict[str, Any], order: PlaceOrderIn) -> dict[str, Any]:
    """Runs once per (customer, key); the answer is stored and replayed for repeats."""
    placed = root.app.place_order(order.to_command(request["customerId"], request["requestKey"]))
    metrics.add_metric(name="OrdersPlaced", unit="Count", value=1)
    return to_json(OrderOut.of(placed))


def _idempotency_config() -> IdempotencyConfig:
    return IdempotencyConfig(
        event_key_jmespath="[customerId, requestKey]",
        payload_validation_jmespath="order",
        raise_on_no_idempotency_key=True,
        expires_after_seconds=root.app.settings.idempotency_ttl_seconds,
    )


@app.get("/orders/<orderId>", summary="Read one of your orders")
def get_order(orderId: OrderId) -> OrderOut:  # the path's name
    logger.append_keys(order_id=orderId)
    return OrderOut.of(root.app.owned_order(orderId, _customer()))


@app.get("/orders", summary="List your orders, newest first")
def get_orders(
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(min_length=1, max_length=512)] = None,
) -> OrderListOut:
    try:
        page = root.app.list_orders(_customer(), limit, cursor)
    except InvalidCursor as bad:
        raise api_errors.ApiError(
            HTTPStatus.BAD_REQUEST,
            "invalid_cursor",
            "the cursor is not one this API gave out",
            "cursor",
        ) from bad
    return OrderListOut.of(page)


@app.post("/orders/<orderId>/cancel", summary="Cancel an order that has not left")
def post_cancel(orderId: OrderId, body: CancelOrderIn | None = None) -> OrderOut:
    logger.append_keys(order_id=orderId)
    command = (body or CancelOrderIn()).to_command(orderId, _customer())
    cancelled = root.app.cancel_order(command)
    metrics.add_metric(name="OrdersCancelled", unit="Count", value=1)
    return OrderOut.of(cancelled)


@app.post(
    "/orders/<orderId>/refunds",
    summary="Refund some or all of a completed order",
    responses={201: {"description": "Refunded (or the same refund again)"}},
)
def post_refund(
    orderId: OrderId, refund: RefundIn, idempotency_key: IdempotencyKey
) -> Response[OrderOut]:
    logger.append_keys(order_id=orderId)
    command = refund.to_command(orderId, _customer(), refund_id=idempotency_key)
    refunded = root.app.refund_order(command)
    metrics.add_metric(name="RefundsIssued", unit="Count", value=1)
    return _located(HTTPStatus.CREATED.value, to_json(OrderOut.of(refunded)))


@logger.inject_lambda_context(
    correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True
)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    refused = api_guard.before_routing(event)
    if refused is None:
        return app.resolve(event, context)
    origin = api_guard.origin_of(event)
    if CORS is not None and origin:  # as the resolver does for its own answers
        allowed = CORS.allowed_origin(origin)
        refused["headers"].update(CORS.to_dict(allowed))
    return refused


def _prime() -> None:
    """What a first request builds, built in init instead (SnapStart only: the snapshot keeps
    it; without SnapStart this would only move the cost to init, where every cold start pays)."""
    app = root.app
    app.orders, app.catalog, app.workflow, app.payments  # noqa: B018  # their clients, once
    app.idempotency_store  # noqa: B018
    _idempotency_config()
    for model in (PlaceOrderIn, CancelOrderIn, RefundIn, OrderListOut):
        model.model_rebuild(force=True)
    app.get_openapi_schema()  # the routes' validation models
    getattr(tracer.provider, "recorder", None)  # the X-Ray SDK (handlers.common.lazy_xray)


snapstart.prepare(_prime)
init_phase.release()  # the last statement: the init phase is over (collections resume)
