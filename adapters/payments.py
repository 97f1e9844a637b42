"""A simulated payment provider, deterministic by payment token (docs/providers.md).

| token                      | authorize                               | capture      |
|----------------------------|-----------------------------------------|--------------|
| ``tok_decline*``           | declined ``card_declined``              | -            |
| ``tok_insufficient*``      | declined ``insufficient_funds``         | -            |
| ``tok_flaky*``             | unavailable once per key, then approved | approved     |
| ``tok_lost*``              | approved, but the answer is lost once   | approved     |
| ``tok_unavailable*``       | always unavailable                      | -            |
| ``tok_nocapture*``         | approved                                | refused      |
| anything else              | approved                                | approved     |

An authorization holds ``AUTHORIZATION_LIFETIME`` by the provider's own clock; a capture after
that is refused and the hold is gone. Every call is keyed by its idempotency key: a repeated key
returns the first result and moves no money again, and ``find_authorization`` tells by key what
became of an authorization whose answer the caller never got. ``results`` holds the answers: a
dict in one process, a DynamoDB table (``adapters.aws.provider_store``) shared by Lambda
processes. ``ledger`` records the money this process moved, for the invariant tests.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections.abc import MutableMapping
from dataclasses import dataclass, field
from datetime import datetime

from adapters.clock import SystemClock
from domain.errors import PaymentCaptureFailed, PaymentDeclined, PaymentProviderUnavailable
from domain.money import Money
from domain.order_payment import AUTHORIZATION_LIFETIME, order_id_of_key
from domain.ports import Authorization, Clock
from domain.status import PaymentStatus


@dataclass(frozen=True)
class LedgerEntry:
    kind: str  # authorize | capture | void | refund
    key: str
    reference: str
    amount: Money | None


@dataclass
class SimulatedPaymentProvider:
    transient_failures_per_key: int = 1
    """How many times a ``tok_flaky`` authorization fails, or a ``tok_lost`` answer is lost."""
    outage: bool = False
    """When set, every call fails as unavailable (for fault tests)."""
    lose_answers: bool = False
    """When set, every call that moves money does so and then fails as unavailable: the
    provider did it, the caller never heard (for fault tests)."""
    results: MutableMapping[str, str] = field(default_factory=dict)
    ledger: list[LedgerEntry] = field(default_factory=list)
    clock: Clock = field(default_factory=SystemClock)
    _attempts: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def authorize(self, key: str, amount: Money, payment_token: str) -> str:
        with self._lock:
            if key in self.results:
                return self._answer(key)
            self._fail_if_unavailable(key, payment_token)
            if payment_token.startswith("tok_decline"):
                raise PaymentDeclined("card_declined")
            if payment_token.startswith("tok_insufficient"):
                raise PaymentDeclined("insufficient_funds")
            reference = _reference("auth", key)
            until = self.clock.now() + AUTHORIZATION_LIFETIME
            self.results.setdefault(f"token:{reference}", payment_token[:16])
            self.results.setdefault(f"auth:{reference}", f"{key} {amount.amount} {amount.currency}")
            self.results.setdefault(f"until:{reference}", until.isoformat())
            answer = self._record("authorize", key, reference, amount)
            self._lose_answer(key, payment_token)
            return answer

    def find_authorization(self, key: str) -> Authorization | None:
        with self._lock:
            if self.outage:
                raise PaymentProviderUnavailable("the payment provider is unavailable")
            if key not in self.results:
                return None
            reference = self._answer(key)
            _, amount, currency = self.results[f"auth:{reference}"].split(" ")
            return Authorization(
                reference=reference,
                status=self._status(reference),
                amount=Money.of(amount, currency),
                valid_until=self._until(reference),
            )

    def capture(self, key: str, reference: str, amount: Money) -> None:
        with self._lock:
            if key in self.results:
                return
            self._fail_if_unavailable(key, "")
            if self.results.get(f"token:{reference}", "").startswith("tok_nocapture"):
                raise PaymentCaptureFailed("the authorization can no longer be captured")
            if self._status(reference) is not PaymentStatus.AUTHORIZED:
                raise PaymentCaptureFailed("the authorization expired or was voided")
            self.results.setdefault(f"captured:{reference}", key)
            self._record("capture", key, reference, amount)
            self._lose_answer(key, "")

    def void(self, key: str, reference: str) -> None:
        with self._lock:
            if key in self.results:
                return
            self._fail_if_unavailable(key, "")
            if f"captured:{reference}" in self.results:
                return  # nothing held any more: a captured payment is refunded, not voided
            self.results.setdefault(f"voided:{reference}", key)
            self._record("void", key, reference, None)
            self._lose_answer(key, "")

    def refund(self, key: str, reference: str, amount: Money) -> str:
        with self._lock:
            if key in self.results:
                return self._answer(key)
            self._fail_if_unavailable(key, "")
            answer = self._record("refund", key, _reference("refund", key), amount)
            self._lose_answer(key, "")
            return answer

    # ----- for the invariant tests ------------------------------------------------------
    def order_of(self, reference: str) -> str | None:
        with self._lock:
            made = self.results.get(f"auth:{reference}")
        return order_id_of_key(made.split(" ")[0]) if made else None

    def entries(self, kind: str, reference_or_key_prefix: str) -> list[LedgerEntry]:
        return [
            e
            for e in self.ledger
            if e.kind == kind
            and (
                e.reference == reference_or_key_prefix or e.key.startswith(reference_or_key_prefix)
            )
        ]

    def holds(self, key_prefix: str = "") -> list[str]:
        """References of authorizations still holding money (not captured, voided or expired)."""
        return [
            e.reference
            for e in self.ledger
            if e.kind == "authorize"
            and e.key.startswith(key_prefix)
            and self._status(e.reference) is PaymentStatus.AUTHORIZED
        ]

    # ----- internals ---------------------------------------------------------------------
    def _status(self, reference: str) -> PaymentStatus:
        if f"captured:{reference}" in self.results:
            return PaymentStatus.CAPTURED
        if f"voided:{reference}" in self.results or self.clock.now() >= self._until(reference):
            return PaymentStatus.VOIDED
        return PaymentStatus.AUTHORIZED

    def _until(self, reference: str) -> datetime:
        return datetime.fromisoformat(self.results[f"until:{reference}"])

    def _fail_if_unavailable(self, key: str, token: str) -> None:
        if self.outage or token.startswith("tok_unavailable"):
            raise PaymentProviderUnavailable("the payment provider is unavailable")
        if token.startswith("tok_flaky") and self._first_attempts(key):
            raise PaymentProviderUnavailable("the payment provider timed out")

    def _lose_answer(self, key: str, token: str) -> None:
        """Done at the provider; the caller hears a timeout."""
        if self.lose_answers or (token.startswith("tok_lost") and self._first_attempts(key)):
            raise PaymentProviderUnavailable("the payment provider's answer was lost")

    def _first_attempts(self, key: str) -> bool:
        seen = self._attempts.get(key, 0)
        self._attempts[key] = seen + 1
        return seen < self.transient_failures_per_key

    def _record(self, kind: str, key: str, reference: str, amount: Money | None) -> str:
        # The stored answer carries a nonce, so that of two processes racing on one key only
        # the one whose write won records the money as moved (setdefault is atomic in the store).
        mine = f"{reference} {secrets.token_hex(4)}"
        if self.results.setdefault(key, mine) == mine:
            self.ledger.append(LedgerEntry(kind, key, reference, amount))
        return self._answer(key)

    def _answer(self, key: str) -> str:
        return self.results[key].split(" ")[0]


def _reference(prefix: str, key: str) -> str:
    return f"{prefix}_{hashlib.sha256(key.encode()).hexdigest()[:16]}"
