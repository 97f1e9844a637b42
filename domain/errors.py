"""Domain errors. Class names are contracts: the workflow's Retry and Catch match on them.

``transient`` marks errors worth retrying as they are (a provider outage, a lost race);
every other error is a business outcome the caller must handle.
"""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error the domain raises on purpose."""

    transient = False

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidOrder(DomainError):
    """The order as asked for breaks a rule (no lines, bad quantity, duplicate SKU)."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


class UnknownSku(DomainError):
    def __init__(self, sku: str) -> None:
        super().__init__(f"SKU {sku!r} is not in the catalog")
        self.sku = sku


class OutOfStock(DomainError):
    def __init__(self, sku: str) -> None:
        super().__init__(f"SKU {sku!r} is out of stock")
        self.sku = sku


class OrderNotFound(DomainError):
    def __init__(self, order_id: str) -> None:
        super().__init__(f"order {order_id} was not found")
        self.order_id = order_id


class OrderAlreadyExists(DomainError):
    """Raised by repositories when an order id is taken."""

    def __init__(self, order_id: str) -> None:
        super().__init__(f"order {order_id} already exists")
        self.order_id = order_id


class UnknownShipment(DomainError):
    """A carrier update names a parcel this order does not have (stale or forged)."""


class InvalidCursor(DomainError):
    """A page cursor this service did not give out, or one that was altered."""

    def __init__(self) -> None:
        super().__init__("the page cursor is not valid")


class IdempotencyKeyReused(DomainError):
    """The same idempotency key came back asking for something else."""

    def __init__(self) -> None:
        super().__init__("this Idempotency-Key was already used for a different request")


class InvalidTransition(DomainError):
    def __init__(self, current: str, target: str) -> None:
        super().__init__(f"an order that is {current} cannot become {target}")
        self.current = current
        self.target = target


class ConcurrencyConflict(DomainError):
    """Someone else changed the order since it was read; read again and retry."""

    transient = True

    def __init__(self, order_id: str) -> None:
        super().__init__(f"order {order_id} was changed concurrently")
        self.order_id = order_id


class CancellationRequested(DomainError):
    """The customer cancelled the order; the workflow compensates what was done."""

    def __init__(self, order_id: str) -> None:
        super().__init__(f"order {order_id} was cancelled")
        self.order_id = order_id


class PaymentDeclined(DomainError):
    def __init__(self, reason: str) -> None:
        super().__init__(f"payment declined: {reason}")
        self.reason = reason


class PaymentProviderUnavailable(DomainError):
    transient = True


class PaymentCaptureFailed(DomainError):
    """The provider refused to capture an authorization (expired, voided elsewhere)."""


class RefundNotAllowed(DomainError):
    def __init__(self, message: str, field: str = "amount") -> None:
        super().__init__(message)
        self.field = field


class AddressNotServiceable(DomainError):
    """The carrier cannot deliver to the shipping address."""


class CarrierUnavailable(DomainError):
    transient = True


class ShipmentFailed(DomainError):
    """The carrier reported that the parcel will not arrive."""


class UnknownPayment(DomainError):
    """The provider's news names a payment no order has (another system's, or forged)."""


class PaymentNewsTooEarly(DomainError):
    """The provider's news cannot be told apart from our own step still in flight (a refund
    claimed, a capture not recorded yet): retry once that step is recorded."""

    transient = True
