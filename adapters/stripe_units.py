"""Stripe's minor units (docs.stripe.com/currencies), without the SDK: the Stripe adapter and
the Stripe event consumer (which must not import the SDK) both count in them."""

from __future__ import annotations

from decimal import Decimal

from domain.money import Money

# Stripe's minor units (docs.stripe.com/currencies): zero-decimal and three-decimal currencies;
# every other one, ISK, HUF and TWD included, is sent in hundredths.
_ZERO_DECIMAL = "BIF CLP DJF GNF JPY KMF KRW MGA PYG RWF UGX VND VUV XAF XOF XPF"
_THREE_DECIMAL = "BHD JOD KWD OMR TND"
_EXPONENT = {c: 0 for c in _ZERO_DECIMAL.split()} | {c: 3 for c in _THREE_DECIMAL.split()}


def minor_units(money: Money) -> int:
    units = money.amount.scaleb(_EXPONENT.get(money.currency, 2))
    if units != units.to_integral_value():
        raise ValueError(f"{money} has no exact amount in {money.currency}'s minor units")
    return int(units)


def from_minor_units(units: int, currency: str) -> Money:
    return Money(Decimal(units).scaleb(-_EXPONENT.get(currency.upper(), 2)), currency.upper())
