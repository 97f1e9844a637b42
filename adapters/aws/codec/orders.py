"""Order aggregate <-> DynamoDB item (plain Python; see ``values.to_attribute_values``).

Nested maps rather than one JSON blob, so the item stays readable in the console; money as
strings. Pending events are not part of the item: they go to the outbox.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from adapters.aws import keys
from adapters.aws.codec.values import iso, money_from, money_to, parse_iso
from domain.order import Order
from domain.status import TERMINAL, OrderStatus
from domain.values import (
    Address,
    Dispute,
    OrderLine,
    Payment,
    PaymentStatus,
    Refund,
    Shipment,
    ShipmentStatus,
)


def order_to_item(order: Order) -> dict[str, Any]:
    created = iso(order.created_at)
    item: dict[str, Any] = {
        "PK": keys.order_pk(order.order_id),
        "SK": keys.ORDER_SK,
        "GSI1PK": keys.customer_pk(order.customer_id),
        "GSI1SK": keys.customer_sk(created, order.order_id),
        "orderId": order.order_id,
        "customerId": order.customer_id,
        "status": order.status.value,
        "version": order.version,
        "createdAt": created,
        "updatedAt": iso(order.updated_at),
        "lines": [
            {"sku": ln.sku, "quantity": ln.quantity, "unitPrice": money_to(ln.unit_price)}
            for ln in order.lines
        ],
        "shippingAddress": _address_to(order.shipping_address),
        "paymentToken": order.payment_token,
        "payment": {
            "status": order.payment.status.value,
            "amount": money_to(order.payment.amount),
            "captured": money_to(order.payment.captured),
            "refunded": money_to(order.payment.refunded),
            "reference": order.payment.reference,
        },
        "refunds": [_refund_to(r) for r in order.refunds],
        "waitToken": order.wait_token,
        "reason": order.reason,
    }
    if order.status not in TERMINAL:  # GSI2 is sparse: it holds the open orders only
        item["GSI2PK"] = keys.open_pk(order.order_id)
        item["GSI2SK"] = keys.open_sk(item["updatedAt"], order.order_id)
    if order.payment.valid_until is not None:
        item["payment"]["validUntil"] = iso(order.payment.valid_until)
    if order.pending_refund is not None:
        item["pendingRefund"] = _refund_to(order.pending_refund)
    if order.dispute is not None:
        item["dispute"] = _dispute_to(order.dispute)
    if order.shipment is not None:
        item["shipment"] = {
            "status": order.shipment.status.value,
            "carrier": order.shipment.carrier,
            "trackingNumber": order.shipment.tracking_number,
        }
    return item


def order_from_item(item: Mapping[str, Any]) -> Order:
    version = int(item["version"])
    payment = item["payment"]
    shipment = item.get("shipment")
    return Order(
        order_id=item["orderId"],
        customer_id=item["customerId"],
        lines=tuple(
            OrderLine(ln["sku"], int(ln["quantity"]), money_from(ln["unitPrice"]))
            for ln in item["lines"]
        ),
        shipping_address=_address_from(item["shippingAddress"]),
        payment_token=item["paymentToken"],
        status=OrderStatus(item["status"]),
        version=version,
        created_at=parse_iso(item["createdAt"]),
        updated_at=parse_iso(item["updatedAt"]),
        payment=Payment(
            status=PaymentStatus(payment["status"]),
            amount=money_from(payment["amount"]),
            captured=money_from(payment["captured"]),
            refunded=money_from(payment["refunded"]),
            reference=payment["reference"],
            valid_until=parse_iso(payment["validUntil"]) if "validUntil" in payment else None,
        ),
        shipment=None
        if shipment is None
        else Shipment(
            ShipmentStatus(shipment["status"]), shipment["carrier"], shipment["trackingNumber"]
        ),
        refunds=tuple(_refund_from(r) for r in item.get("refunds", ())),
        pending_refund=_refund_from(item["pendingRefund"]) if "pendingRefund" in item else None,
        dispute=_dispute_from(item["dispute"]) if "dispute" in item else None,
        wait_token=item.get("waitToken", ""),
        reason=item.get("reason", ""),
        loaded_version=version,
    )


def _refund_to(refund: Refund) -> dict[str, Any]:
    return {
        "refundId": refund.refund_id,
        "amount": money_to(refund.amount),
        "reason": refund.reason,
        "providerReference": refund.provider_reference,
        "createdAt": iso(refund.created_at),
    }


def _refund_from(item: Mapping[str, Any]) -> Refund:
    return Refund(
        refund_id=item["refundId"],
        amount=money_from(item["amount"]),
        reason=item["reason"],
        provider_reference=item["providerReference"],
        created_at=parse_iso(item["createdAt"]),
    )


def _dispute_to(dispute: Dispute) -> dict[str, Any]:
    return {
        "disputeId": dispute.dispute_id,
        "status": dispute.status,
        "reason": dispute.reason,
        "amount": money_to(dispute.amount),
        "updatedAt": iso(dispute.updated_at),
    }


def _dispute_from(item: Mapping[str, Any]) -> Dispute:
    return Dispute(
        dispute_id=item["disputeId"],
        status=item["status"],
        reason=item["reason"],
        amount=money_from(item["amount"]),
        updated_at=parse_iso(item["updatedAt"]),
    )


def _address_to(address: Address) -> dict[str, str]:
    return {
        "name": address.name,
        "line1": address.line1,
        "line2": address.line2,
        "city": address.city,
        "postalCode": address.postal_code,
        "country": address.country,
    }


def _address_from(value: Mapping[str, Any]) -> Address:
    return Address(
        name=value["name"],
        line1=value["line1"],
        line2=value.get("line2", ""),
        city=value["city"],
        postal_code=value["postalCode"],
        country=value["country"],
    )
