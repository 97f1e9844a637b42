"""DynamoResultStore: first writer wins across processes, so the simulated providers never move
money or book a parcel twice for one idempotency key."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from adapters.aws import clients
from adapters.aws.provider_store import DynamoResultStore
from adapters.carrier import SimulatedCarrier
from adapters.payments import SimulatedPaymentProvider
from domain.errors import PaymentCaptureFailed


def test_setdefault_keeps_the_first_value(table: str) -> None:
    store = DynamoResultStore(table, "payments")
    assert store.setdefault("k", "first") == "first"
    assert store.setdefault("k", "second") == "first"
    assert store["k"] == "first"
    assert "k" in store and "other" not in store


def test_first_writer_wins_across_store_instances_and_threads(table: str) -> None:
    """Each thread is a separate 'process': its own store (and client object)."""
    import boto3

    start = threading.Barrier(8)
    answers: list[str] = []

    def write(i: int) -> None:
        store = DynamoResultStore(table, "payments", client=boto3.client("dynamodb"))
        start.wait()
        answers.append(store.setdefault("shared", f"writer-{i}"))

    threads = [threading.Thread(target=write, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(answers) == 8 and len(set(answers)) == 1
    assert DynamoResultStore(table, "payments")["shared"] == answers[0]


def test_it_is_a_mutable_mapping_over_one_namespace(table: str) -> None:
    payments, carrier = DynamoResultStore(table, "payments"), DynamoResultStore(table, "carrier")
    payments["a"] = "1"
    payments.setdefault("b", "2")
    carrier["a"] = "other namespace"
    assert sorted(payments) == ["a", "b"] and len(payments) == 2
    assert dict(payments.items()) == {"a": "1", "b": "2"}
    payments["a"] = "overwritten"
    assert payments["a"] == "overwritten"
    del payments["a"]
    with pytest.raises(KeyError):
        payments["a"]
    with pytest.raises(KeyError):
        del payments["a"]
    assert carrier["a"] == "other namespace"
    item = clients.client("dynamodb").get_item(
        TableName=table, Key={"PK": {"S": "PROVIDER#payments#b"}, "SK": {"S": "RESULT"}}
    )["Item"]
    assert item["value"] == {"S": "2"}


def test_a_namespace_cannot_spill_into_another() -> None:
    with pytest.raises(ValueError):
        DynamoResultStore("t", "pay#ments")


def test_payments_across_processes_charge_once(table: str, samples: Any) -> None:
    first = SimulatedPaymentProvider(results=DynamoResultStore(table, "payments"))
    second = SimulatedPaymentProvider(results=DynamoResultStore(table, "payments"))
    amount = samples.eur("28.10")
    reference = first.authorize("o-1:authorize", amount, "tok_visa")
    assert second.authorize("o-1:authorize", amount, "tok_visa") == reference
    first.capture("o-1:capture", reference, amount)
    second.capture("o-1:capture", reference, amount)
    refund = second.refund("o-1:refund:r-1", reference, samples.eur("5.00"))
    assert first.refund("o-1:refund:r-1", reference, samples.eur("5.00")) == refund
    ledger = first.ledger + second.ledger
    assert sorted(e.kind for e in ledger) == ["authorize", "capture", "refund"]


def test_a_card_remembered_by_one_process_is_refused_capture_by_another(
    table: str, samples: Any
) -> None:
    first = SimulatedPaymentProvider(results=DynamoResultStore(table, "payments"))
    second = SimulatedPaymentProvider(results=DynamoResultStore(table, "payments"))
    reference = first.authorize("o-2:authorize", samples.eur("1.00"), "tok_nocapture_1")
    with pytest.raises(PaymentCaptureFailed):
        second.capture("o-2:capture", reference, samples.eur("1.00"))


def test_the_carrier_across_processes_books_one_parcel(table: str, samples: Any) -> None:
    first = SimulatedCarrier(results=DynamoResultStore(table, "carrier"))
    second = SimulatedCarrier(results=DynamoResultStore(table, "carrier"))
    order = samples.new_order()
    booking = first.book("o-1:book", "o-1", order.shipping_address, order.lines)
    assert second.book("o-1:book", "o-1", order.shipping_address, order.lines) == booking
    second.cancel("o-1:cancel", booking.tracking_number)
    assert first.is_cancelled(booking.tracking_number)
    assert first.booked() == [booking.tracking_number]


class _RacingStore(DynamoResultStore):
    """Lets two providers both see a key as absent before either writes it."""

    def __init__(self, *args: Any, barrier: threading.Barrier) -> None:
        super().__init__(*args)
        self._barrier = barrier

    def __contains__(self, key: object) -> bool:
        seen = super().__contains__(key)
        self._barrier.wait()
        return seen


def test_two_processes_racing_on_one_key_record_one_charge(table: str, samples: Any) -> None:
    barrier = threading.Barrier(2)
    providers = [
        SimulatedPaymentProvider(results=_RacingStore(table, "payments", barrier=barrier))
        for _ in range(2)
    ]
    threads = [
        threading.Thread(target=p.authorize, args=("o-3:authorize", samples.eur("1"), "tok_visa"))
        for p in providers
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(providers[0].ledger) + len(providers[1].ledger) == 1
