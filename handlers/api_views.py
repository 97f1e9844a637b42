"""What the REST API answers: an order as the customer sees it (never the payment token)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from domain.money import Money
from domain.order import Order
from domain.ports import OrderPage


class View(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class MoneyOut(View):
    amount: str
    """A decimal string such as "12.50": exact, never a float."""
    currency: str

    @classmethod
    def of(cls, money: Money) -> MoneyOut:
        return cls(amount=str(money.amount), currency=money.currency)


class LineOut(View):
    sku: str
    quantity: int
    unit_price: MoneyOut


class AddressOut(View):
    name: str
    line1: str
    line2: str
    city: str
    postal_code: str
    country: str


class PaymentOut(View):
    status: str
    captured: MoneyOut
    refunded: MoneyOut


class ShipmentOut(View):
    status: str
    carrier: str
    tracking_number: str


class RefundOut(View):
    refund_id: str
    amount: MoneyOut
    reason: str
    created_at: datetime


class OrderOut(View):
    order_id: str
    status: str
    version: int
    created_at: datetime
    updated_at: datetime
    items: list[LineOut]
    total: MoneyOut
    shipping_address: AddressOut
    payment: PaymentOut
    shipment: ShipmentOut | None
    refunds: list[RefundOut]
    reason: str

    @classmethod
    def of(cls, order: Order) -> OrderOut:
        shipment = order.shipment
        address = order.shipping_address
        return cls(
            order_id=order.order_id,
            status=order.status.value,
            version=order.version,
            created_at=order.created_at,
            updated_at=order.updated_at,
            items=[
                LineOut(sku=ln.sku, quantity=ln.quantity, unit_price=MoneyOut.of(ln.unit_price))
                for ln in order.lines
            ],
            total=MoneyOut.of(order.total),
            shipping_address=AddressOut(
                name=address.name,
                line1=address.line1,
                line2=address.line2,
                city=address.city,
                postal_code=address.postal_code,
                country=address.country,
            ),
            payment=PaymentOut(
                status=order.payment.status.value,
                captured=MoneyOut.of(order.payment.captured),
                refunded=MoneyOut.of(order.payment.refunded),
            ),
            shipment=None
            if shipment is None
            else ShipmentOut(
                status=shipment.status.value,
                carrier=shipment.carrier,
                tracking_number=shipment.tracking_number,
            ),
            refunds=[
                RefundOut(
                    refund_id=r.refund_id,
                    amount=MoneyOut.of(r.amount),
                    reason=r.reason,
                    created_at=r.created_at,
                )
                for r in order.refunds
            ],
            reason=order.reason,
        )


class OrderSummaryOut(View):
    model_config = ConfigDict(defer_build=True)  # GET /orders only: compiled on first use

    order_id: str
    status: str
    total: MoneyOut
    created_at: datetime


class OrderListOut(View):
    model_config = ConfigDict(defer_build=True)

    orders: list[OrderSummaryOut]
    next_cursor: str | None
    """Opaque: pass it back as ``cursor`` for the next page; null on the last page."""

    @classmethod
    def of(cls, page: OrderPage) -> OrderListOut:
        return cls(
            orders=[
                OrderSummaryOut(
                    order_id=o.order_id,
                    status=o.status.value,
                    total=MoneyOut.of(o.total),
                    created_at=o.created_at,
                )
                for o in page.orders
            ],
            next_cursor=page.cursor,
        )


class ErrorDetail(BaseModel):
    model_config = ConfigDict(defer_build=True)  # documentation only (handlers.api_openapi)

    field: str
    issue: str


class ErrorOut(BaseModel):
    """Every error the API answers has this shape."""

    model_config = ConfigDict(defer_build=True)

    error: str
    message: str
    details: list[ErrorDetail] = []


def to_json(view: View) -> dict[str, Any]:
    return view.model_dump(mode="json", by_alias=True)
