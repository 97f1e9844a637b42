"""DynamoDB's reserved words: a bare attribute name that is one of them must be a #name."""

from __future__ import annotations

from pathlib import Path

from infra.local.dataplane.dynamodb.expressions.tokens import invalid

WORDS = frozenset(Path(__file__).with_name("reserved_words.txt").read_text().split())


def check(kind: str, name: str) -> None:
    if name.upper() in WORDS:
        raise invalid(kind, f"Attribute name is a reserved keyword; reserved keyword: {name}")
