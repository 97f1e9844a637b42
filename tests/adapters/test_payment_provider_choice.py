"""The composition root picks the payment provider by settings, and reads Stripe's key from
Secrets Manager (moto in-process) for a gateway that talks to localstripe on loopback."""

from __future__ import annotations

import pytest

from adapters import payments as simulated
from adapters.aws import clients
from adapters.aws.secrets import SecretNotSet, read_secret
from adapters.stripe_payments import StripePaymentGateway
from domain.money import Money
from handlers.common.adapters_aws import StripeKeyNotSet
from handlers.common.bootstrap import bootstrap
from handlers.common.settings import Settings
from tests.support.localstripe import API_KEY, localstripe_url  # noqa: F401  # the fixture

SECRET = "orderflow-test/stripe-api-key"


def settings(**fields: object) -> Settings:
    return Settings.model_validate({"orders_table": "t", "event_bus_name": "b", **fields})


def put_secret(value: str) -> str:
    made = clients.client("secretsmanager").create_secret(Name=SECRET, SecretString=value)
    return str(made["ARN"])


def test_the_simulated_provider_is_the_default() -> None:
    app = bootstrap(settings())
    assert isinstance(app.payments, simulated.SimulatedPaymentProvider)


def test_stripe_pays_with_the_key_from_the_secret(
    aws: None,
    localstripe_url: str,  # noqa: F811
) -> None:
    arn = put_secret(API_KEY)
    app = bootstrap(
        settings(
            payment_provider="stripe",
            stripe_secret_arn=arn,
            stripe_api_base=localstripe_url,
            stripe_search_api=False,
        )
    )
    gateway = app.payments
    assert isinstance(gateway, StripePaymentGateway)
    reference = gateway.authorize("order-1:authorize", Money.of("12.50", "EUR"), "pm_card_visa")
    assert reference.startswith("pi_")
    found = gateway.find_authorization("order-1:authorize")
    assert found is not None and found.amount == Money.of("12.50", "EUR")


def test_the_template_placeholder_is_refused_by_name(aws: None) -> None:
    arn = put_secret("unset")
    app = bootstrap(settings(payment_provider="stripe", stripe_secret_arn=arn))
    with pytest.raises(StripeKeyNotSet, match="put-secret-value") as refused:
        app.payments  # noqa: B018  # built on first use
    assert "unset" not in str(refused.value)  # the message names the secret, not its value


def test_a_missing_secret_name_or_value_is_loud(aws: None) -> None:
    with pytest.raises(SecretNotSet, match="no secret named"):
        read_secret("")
    clients.client("secretsmanager").create_secret(Name="blank", SecretString=" ")
    with pytest.raises(SecretNotSet, match="holds no string value"):
        read_secret("blank")


def test_the_provider_setting_is_checked() -> None:
    with pytest.raises(ValueError, match="payment_provider"):
        settings(payment_provider="paypal")
