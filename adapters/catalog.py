"""A seeded catalog: the prices customers pay. Clients never send prices."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from domain.money import Money
from domain.ports import CatalogItem

SEED: tuple[CatalogItem, ...] = (
    CatalogItem("BOOK-001", Money.of("12.50", "EUR"), in_stock=True),
    CatalogItem("MUG-002", Money.of("8.00", "EUR"), in_stock=True),
    CatalogItem("TEE-003", Money.of("19.99", "EUR"), in_stock=True),
    CatalogItem("LAMP-004", Money.of("45.00", "EUR"), in_stock=True),
    CatalogItem("POSTER-005", Money.of("5.25", "EUR"), in_stock=True),
    CatalogItem("GONE-999", Money.of("99.00", "EUR"), in_stock=False),
)


class SeededCatalog:
    def __init__(self, items: Sequence[CatalogItem] = SEED) -> None:
        self._items = {item.sku: item for item in items}

    def price_of(self, skus: Sequence[str]) -> Mapping[str, CatalogItem]:
        return {sku: self._items[sku] for sku in skus if sku in self._items}
