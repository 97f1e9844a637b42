"""A simulated carrier, deterministic by address (docs/providers.md).

- country ``AQ``, or a postal code starting ``000``: ``AddressNotServiceable``;
- city ``Flakyville``: unavailable once per key, then booked;
- anything else: booked, tracking number derived from the idempotency key.

A repeated key returns the first booking: one parcel per order whatever the retries, and
``find_booking`` tells by key about a booking whose answer the caller never got.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import MutableMapping, Sequence
from dataclasses import dataclass, field

from domain.errors import AddressNotServiceable, CarrierUnavailable
from domain.values import Address, Booking, OrderLine

CARRIER_NAME = "SimShip"


@dataclass
class SimulatedCarrier:
    transient_failures_per_key: int = 1
    outage: bool = False
    lose_answers: bool = False
    """When set, a booking is made and then fails as unavailable (the answer was lost)."""
    results: MutableMapping[str, str] = field(default_factory=dict)
    """Idempotency key -> tracking number, and ``cancelled:<tracking>`` for parcels called off.
    A dict in one process; a DynamoDB table when Lambda processes share the carrier."""
    _attempts: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def book(
        self, key: str, order_id: str, address: Address, lines: Sequence[OrderLine]
    ) -> Booking:
        with self._lock:
            if key in self.results:
                return Booking(CARRIER_NAME, self.results[key])
            if self.outage:
                raise CarrierUnavailable("the carrier is unavailable")
            if address.country == "AQ" or address.postal_code.startswith("000"):
                raise AddressNotServiceable("the carrier does not deliver to this address")
            if address.city == "Flakyville":
                seen = self._attempts.get(key, 0)
                self._attempts[key] = seen + 1
                if seen < self.transient_failures_per_key:
                    raise CarrierUnavailable("the carrier timed out")
            tracking = "TRK" + hashlib.sha256(key.encode()).hexdigest()[:12].upper()
            booking = Booking(CARRIER_NAME, self.results.setdefault(key, tracking))
            if self.lose_answers:
                raise CarrierUnavailable("the carrier's answer was lost")
            return booking

    def find_booking(self, key: str) -> Booking | None:
        with self._lock:
            if self.outage:
                raise CarrierUnavailable("the carrier is unavailable")
            tracking = self.results.get(key)
            return None if tracking is None else Booking(CARRIER_NAME, tracking)

    def cancel(self, key: str, tracking_number: str) -> None:
        with self._lock:
            if self.outage:
                raise CarrierUnavailable("the carrier is unavailable")
            self.results.setdefault(f"cancelled:{tracking_number}", key)

    def booked(self) -> list[str]:
        """Tracking numbers of every parcel booked (for the invariant tests)."""
        return [v for k, v in self.results.items() if not k.startswith("cancelled:")]

    def is_cancelled(self, tracking_number: str) -> bool:
        return f"cancelled:{tracking_number}" in self.results
