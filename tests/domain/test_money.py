"""Money: exact Decimal amounts in one currency."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.money import Money
from domain.values import OrderLine, Payment, Shipment, ShipmentStatus
from tests.domain.support import eur


def test_amounts_are_exact_cents() -> None:
    assert eur("0.10") + eur("0.20") == eur("0.30")
    assert eur("19.99").times(3) == eur("59.97")
    assert eur("10") - eur("0.01") == eur("9.99")
    assert eur("2.675").amount == Decimal("2.68")  # half-even, to the cent
    assert eur("2.665").amount == Decimal("2.66")
    assert str(eur("5")) == "5.00 EUR"


def test_floats_are_refused() -> None:
    with pytest.raises(TypeError, match="Decimal"):
        Money(1.5, "EUR")  # type: ignore[arg-type]


@pytest.mark.parametrize("amount", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_amounts_are_refused(amount: str) -> None:
    with pytest.raises(ValueError, match="finite"):
        Money(Decimal(amount), "EUR")


@pytest.mark.parametrize("currency", ["eur", "EURO", "E1R", ""])
def test_currency_must_be_an_iso_code(currency: str) -> None:
    with pytest.raises(ValueError, match="ISO 4217"):
        Money.of("1", currency)


def test_currencies_do_not_mix() -> None:
    usd = Money.of("1", "USD")
    with pytest.raises(ValueError, match="cannot combine"):
        eur("1") + usd
    with pytest.raises(ValueError):
        eur("1") - usd
    with pytest.raises(ValueError):
        _ = eur("1") < usd
    with pytest.raises(ValueError):
        _ = eur("1") <= usd


def test_comparisons_and_sign() -> None:
    assert eur("1.00") < eur("1.01") and eur("1.00") <= eur("1.00")
    assert eur("0.01").is_positive
    assert not Money.zero("EUR").is_positive and not eur("-1").is_positive


def test_value_objects() -> None:
    line = OrderLine("BOOK-001", 3, eur("12.50"))
    assert line.total == eur("37.50")
    payment = Payment.pending(eur("10"))
    assert payment.refundable == Money.zero("EUR")
    assert Shipment(ShipmentStatus.DISPATCHED, "SimShip", "T").is_active
    assert not Shipment(ShipmentStatus.CANCELLED, "SimShip", "T").is_active
