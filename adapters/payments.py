"""A simulated payment provider, deterministic by payment token (docs/providers.md).

| token                      | authorize                       | capture             |
|----------------------------|---------------------------------|---------------------|
| ``tok_decline*``           | declined ``card_declined``      | -                   |
| ``tok_insufficient*``      | declined ``insufficient_funds`` | -                   |
| ``tok_flaky*``             | unavailable once per key, then approved | approved    |
| ``tok_unavailable*``       | always unavailable              | -                   |
| ``tok_nocapture*``         | approved                        | refused             |
| anything else              | approved                        | approved            |

Every call is keyed by its idempotency key: a repeated key returns the first result and
moves no money again. ``results`` holds those answers: a dict in one process, a DynamoDB
table (``adapters.aws.provider_store``) when many Lambda processes share the provider.
``ledger`` records the money this process moved, for the invariant tests.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections.abc import MutableMapping
from dataclasses import dataclass, field

from domain.errors import PaymentCaptureFailed, PaymentDeclined, PaymentProviderUnavailable
from domain.money import Money


@dataclass(frozen=True)
class LedgerEntry:
    kind: str  # authorize | capture | void | refund
    key: str
    reference: str
    amount: Money | None


@dataclass
class SimulatedPaymentProvider:
    transient_failures_per_key: int = 1
    """How many times a ``tok_flaky`` authorization fails before it succeeds."""
    outage: bool = False
    """When set, every call fails as unavailable (for fault tests)."""
    results: MutableMapping[str, str] = field(default_factory=dict)
    ledger: list[LedgerEntry] = field(default_factory=list)
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
            self.results.setdefault(f"token:{reference}", payment_token[:16])
            return self._record("authorize", key, reference, amount)

    def capture(self, key: str, reference: str, amount: Money) -> None:
        with self._lock:
            if key in self.results:
                return
            self._fail_if_unavailable(key, "")
            if self.results.get(f"token:{reference}", "").startswith("tok_nocapture"):
                raise PaymentCaptureFailed("the authorization can no longer be captured")
            self._record("capture", key, reference, amount)

    def void(self, key: str, reference: str) -> None:
        with self._lock:
            if key in self.results:
                return
            self._fail_if_unavailable(key, "")
            self._record("void", key, reference, None)

    def refund(self, key: str, reference: str, amount: Money) -> str:
        with self._lock:
            if key in self.results:
                return self._answer(key)
            self._fail_if_unavailable(key, "")
            return self._record("refund", key, _reference("refund", key), amount)

    def entries(self, kind: str, reference_or_key_prefix: str) -> list[LedgerEntry]:
        return [
            e
            for e in self.ledger
            if e.kind == kind
            and (
                e.reference == reference_or_key_prefix or e.key.startswith(reference_or_key_prefix)
            )
        ]

    def _fail_if_unavailable(self, key: str, token: str) -> None:
        if self.outage or token.startswith("tok_unavailable"):
            raise PaymentProviderUnavailable("the payment provider is unavailable")
        if token.startswith("tok_flaky"):
            seen = self._attempts.get(key, 0)
            self._attempts[key] = seen + 1
            if seen < self.transient_failures_per_key:
                raise PaymentProviderUnavailable("the payment provider timed out")

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
