"""The simulated payment provider as deployed reads the system clock (adapters.clock.SystemClock):
its holds lapse after the lifetime the domain models, moved here with freezegun."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time

from adapters.payments import SimulatedPaymentProvider
from domain.errors import PaymentCaptureFailed
from domain.order_payment import AUTHORIZATION_LIFETIME
from domain.status import PaymentStatus
from tests.domain.support import eur

AUTHORIZED_AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
UNTOUCHED = ["aws_lambda_powertools", "pydantic", "boto3", "botocore", "moto", "hypothesis"]
"""Modules freezegun must not scan: some import lazily when their attributes are read, and a
model built while the clock is frozen keeps freezegun's datetime class for good."""


@pytest.mark.parametrize(
    ("later", "held"),
    [(AUTHORIZATION_LIFETIME - timedelta(seconds=1), True), (AUTHORIZATION_LIFETIME, False)],
    ids=["just before", "at the lifetime"],
)
def test_a_hold_lapses_after_the_authorizations_lifetime(later: timedelta, held: bool) -> None:
    provider = SimulatedPaymentProvider()  # the deployed default: the system clock
    with freeze_time(AUTHORIZED_AT, ignore=UNTOUCHED) as clock:
        reference = provider.authorize("o-1:authorize", eur("10.00"), "tok_visa")
        found = provider.find_authorization("o-1:authorize")
        assert found is not None
        assert found.valid_until == AUTHORIZED_AT + AUTHORIZATION_LIFETIME
        clock.tick(later)

        assert provider.holds() == ([reference] if held else [])
        if held:
            provider.capture("o-1:capture", reference, eur("10.00"))
            assert provider.holds() == []
        else:
            with pytest.raises(PaymentCaptureFailed, match="expired"):
                provider.capture("o-1:capture", reference, eur("10.00"))
            lapsed = provider.find_authorization("o-1:authorize")
            assert lapsed is not None and lapsed.status is PaymentStatus.VOIDED
