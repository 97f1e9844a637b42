"""How the composition root builds each port on AWS: one function per port, given the app
(its settings, and the ports built before). Imports are inside, so a function pays only for
the adapters it uses."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from handlers.common.bootstrap import App


class IdempotencyTableNotSet(RuntimeError):
    """The function deduplicates requests but was deployed without IDEMPOTENCY_TABLE."""


class StripeKeyNotSet(RuntimeError):
    """The stack pays with Stripe, but its secret holds no Stripe secret key yet."""


def _orders(app: App) -> Any:
    from adapters.aws.dynamodb_orders import DynamoOrderRepository

    return DynamoOrderRepository(app.settings.orders_table)


def _catalog(app: App) -> Any:
    from adapters.catalog import SeededCatalog

    return SeededCatalog()


def _payments(app: App) -> Any:
    if app.settings.payment_provider == "stripe":
        return _stripe(app)
    from adapters.aws.provider_store import DynamoResultStore
    from adapters.payments import SimulatedPaymentProvider

    return SimulatedPaymentProvider(
        results=DynamoResultStore(app.settings.orders_table, "payments")
    )


def _stripe(app: App) -> Any:
    from adapters.aws.secrets import read_secret
    from adapters.stripe_payments import StripePaymentGateway

    settings = app.settings
    key = read_secret(settings.stripe_secret_arn)
    if not key.startswith(("sk_", "rk_")):  # the template's placeholder, or a publishable key
        raise StripeKeyNotSet(
            f"the secret {settings.stripe_secret_arn} holds no Stripe secret key (sk_... or "
            "rk_...): put it with `aws secretsmanager put-secret-value` (docs/deploy.md)"
        )
    return StripePaymentGateway(
        key,
        api_base=settings.stripe_api_base or None,
        search_api=settings.stripe_search_api,
    )


def _carrier(app: App) -> Any:
    from adapters.aws.provider_store import DynamoResultStore
    from adapters.carrier import SimulatedCarrier

    return SimulatedCarrier(results=DynamoResultStore(app.settings.orders_table, "carrier"))


def _workflow(app: App) -> Any:
    from adapters.aws.stepfunctions import StepFunctionsWorkflow

    return StepFunctionsWorkflow(app.settings.state_machine_arn)


def _workflow_runs(app: App) -> Any:
    from adapters.aws.stepfunctions import StepFunctionsRuns

    return StepFunctionsRuns(app.settings.state_machine_arn)


def _open_orders(app: App) -> Any:
    from adapters.aws.open_orders import DynamoOpenOrders

    return DynamoOpenOrders(app.settings.orders_table)


def _publisher(app: App) -> Any:
    from adapters.aws.eventbridge import EventBridgePublisher

    return EventBridgePublisher(app.settings.event_bus_name)


def _clock(app: App) -> Any:
    from adapters.clock import SystemClock

    return SystemClock()


def _ids(app: App) -> Any:
    from adapters.ids import UuidIds

    return UuidIds()


def _idempotency_store(app: App) -> Any:
    """Powertools' records in a table of their own (docs/data-model.md), keyed the Powertools
    default way, ``id`` only, so records spread over DynamoDB's partitions."""
    table = app.settings.idempotency_table
    if not table:
        raise IdempotencyTableNotSet(
            "the idempotency store needs the IDEMPOTENCY_TABLE environment variable "
            "(the template sets it on the functions that deduplicate requests)"
        )
    # Imported on first use: the DynamoDB layer imports boto3 (handlers.common.lazy_packages).
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    from adapters.aws.clients import client

    return DynamoDBPersistenceLayer(
        table_name=table,
        key_attr="id",  # partition key only: one partition per request, no static_pk_value
        expiry_attr="expiration",  # the table's TTL attribute
        boto3_client=client("dynamodb"),  # the process's one client, shared
    )


def _stripe_webhooks(app: App) -> Any:
    from adapters.aws.secrets import read_secret
    from adapters.stripe_webhooks import StripeWebhookVerifier

    return StripeWebhookVerifier(read_secret(app.settings.stripe_webhook_secret_arn))


def _forwarder(app: App) -> Any:
    from adapters.aws.forwarder import EventBridgeForwarder

    return EventBridgeForwarder(app.settings.event_bus_name)


BUILDERS = {
    "orders": _orders,
    "customer_orders": lambda app: app.orders,  # the DynamoDB repository does both
    "catalog": _catalog,
    "payments": _payments,
    "carrier": _carrier,
    "workflow": _workflow,
    "publisher": _publisher,
    "clock": _clock,
    "ids": _ids,
    "idempotency_store": _idempotency_store,
    "open_orders": _open_orders,
    "workflow_runs": _workflow_runs,
    "stripe_webhooks": _stripe_webhooks,
    "forwarder": _forwarder,
}
