"""The REST API's request bodies, validated at the edge: camelCase there, domain names inside.

Unknown fields are refused (``extra="forbid"``), so a client cannot slip in a price or a status.
Free text is stripped and may not hold control or invisible formatting characters (bidi
overrides, zero-width spaces): the pattern says so in the OpenAPI document too.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)
from pydantic.alias_generators import to_camel

from domain.commands import CancelOrder, ItemRequest, PlaceOrder, RefundOrder
from domain.money import Money
from domain.values import Address
from handlers.api_countries import ISO_3166_ALPHA_2

# No C0/C1 controls, soft hyphen, bidi marks and overrides, zero-width or invisible characters.
VISIBLE = r"^[^\x00-\x1F\x7F-\x9F\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\uFEFF]*$"


def text(max_length: int, min_length: int = 1) -> StringConstraints:
    """Stripped free text, visible characters only."""
    return StringConstraints(
        strip_whitespace=True, min_length=min_length, max_length=max_length, pattern=VISIBLE
    )


_COUNTRIES = frozenset(ISO_3166_ALPHA_2)


def _a_country(code: str) -> str:
    if code not in _COUNTRIES:
        raise ValueError("must be an ISO 3166-1 alpha-2 country code")
    return code


Country = Annotated[
    str,
    AfterValidator(_a_country),
    Field(description="ISO 3166-1 alpha-2", json_schema_extra={"enum": list(ISO_3166_ALPHA_2)}),
]
Sku = Annotated[str, Field(pattern=r"^[A-Z0-9][A-Z0-9-]{1,31}$", examples=["BOOK-001"])]
RequestKey = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[\x21-\x7E]+$")]
"""Idempotency-Key: 1..64 printable ASCII characters (a UUID fits)."""
DEFAULT_CURRENCY = "EUR"
"""The catalog's one currency; a refund in another currency is refused by the domain."""


def json_object(body: str) -> dict[str, Any] | None:
    """The resolver's body parser: one JSON object, no duplicate keys, no NaN, bounded depth.
    ``null`` is no body (the schema allows it where a body is optional: cancel).

    Powertools would otherwise take the first element of a top-level array as the body.
    Anything else is a ``JSONDecodeError``, which the API answers as 400 ``malformed_json``.
    """
    try:
        value = json.loads(body, object_pairs_hook=_unique_keys, parse_constant=_no_constant)
    except RecursionError:
        raise json.JSONDecodeError("nested too deeply", body, 0) from None
    if value is None:
        return None
    if not isinstance(value, dict):
        raise json.JSONDecodeError("expected a JSON object", body, 0)
    return value


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):
        raise json.JSONDecodeError("duplicate key", "", 0)
    return found


def _no_constant(name: str) -> Any:
    raise json.JSONDecodeError(f"{name} is not JSON", "", 0)


class EdgeModel(BaseModel):
    # defer_build: each body is compiled when its route first needs it, so a cold start does
    # not compile the bodies of the other routes (docs/performance.md).
    model_config = ConfigDict(
        alias_generator=to_camel, extra="forbid", frozen=True, defer_build=True
    )


def _whole_number(value: Any) -> Any:
    """JSON has numbers, not integers: 3.0 is 3 (JSON Schema agrees); "3", 2.5 and true are not."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


Quantity = Annotated[int, Field(strict=True, ge=1, le=100), BeforeValidator(_whole_number)]


class ItemIn(EdgeModel):
    sku: Sku
    quantity: Quantity


class AddressIn(EdgeModel):
    name: Annotated[str, text(100)]
    line1: Annotated[str, text(100)]
    line2: Annotated[str, text(100, min_length=0)] = ""
    city: Annotated[str, text(60)]
    postal_code: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9 -]{1,10}[A-Za-z0-9]$")]
    country: Country

    def to_domain(self) -> Address:
        return Address(
            name=self.name,
            line1=self.line1,
            line2=self.line2,
            city=self.city,
            postal_code=self.postal_code,
            country=self.country,
        )


class PlaceOrderIn(EdgeModel):
    items: list[ItemIn] = Field(min_length=1, max_length=50)
    shipping_address: AddressIn
    payment_token: Annotated[str, Field(pattern=r"^(tok|pm)_[A-Za-z0-9_]{1,60}$")]

    def idempotency_payload(self) -> dict[str, Any]:
        """The order as the idempotency record compares it: the lines are a multiset, so the
        same items listed in another order are the same request (docs/api.md)."""
        payload: dict[str, Any] = self.model_dump(mode="json", by_alias=True)
        payload["items"] = sorted(payload["items"], key=lambda i: (i["sku"], i["quantity"]))
        return payload

    def to_command(self, customer_id: str, request_key: str) -> PlaceOrder:
        return PlaceOrder(
            customer_id=customer_id,
            request_key=request_key,
            items=tuple(ItemRequest(item.sku, item.quantity) for item in self.items),
            shipping_address=self.shipping_address.to_domain(),
            payment_token=self.payment_token,
        )


class CancelOrderIn(EdgeModel):
    reason: Annotated[str, text(200)] = "cancelled by customer"

    def to_command(self, order_id: str, customer_id: str) -> CancelOrder:
        return CancelOrder(order_id=order_id, customer_id=customer_id, reason=self.reason)


class RefundIn(EdgeModel):
    amount: (
        Annotated[str, Field(pattern=r"^(0|[1-9][0-9]{0,6})(\.[0-9]{1,2})?$", examples=["12.50"])]
        | None
    ) = None
    """A decimal string, never a float; omitted refunds whatever is still refundable."""
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = DEFAULT_CURRENCY
    reason: Annotated[str, text(200)]

    def to_command(self, order_id: str, customer_id: str, refund_id: str) -> RefundOrder:
        amount = None if self.amount is None else Money(Decimal(self.amount), self.currency)
        return RefundOrder(
            order_id=order_id,
            customer_id=customer_id,
            refund_id=refund_id,
            amount=amount,
            reason=self.reason,
        )
