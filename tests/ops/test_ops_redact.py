"""Redaction: personal data by key at any depth, in JSON strings too; tokens shortened."""

from __future__ import annotations

import json
from decimal import Decimal

from infra.ops.redact import REDACTED, plain, preview, redact, truncate


def test_personal_keys_are_redacted_at_any_depth_and_spelling() -> None:
    value = {
        "orderId": "o-1",
        "shipping_address": {"name": "Ada", "line1": "1 St"},
        "nested": [{"customer": {"Email": "a@b.c", "phone-number": "123"}}],
        "payment": {"paymentToken": "tok_1", "status": "AUTHORIZED"},
        "carrier": "simship",
        "lines": [],
    }
    assert redact(value) == {
        "orderId": "o-1",
        "shipping_address": REDACTED,
        "nested": [{"customer": {"Email": REDACTED, "phone-number": REDACTED}}],
        "payment": {"paymentToken": REDACTED, "status": "AUTHORIZED"},
        "carrier": "simship",
        "lines": [],
    }


def test_json_inside_strings_is_redacted_too() -> None:
    text = json.dumps({"MessageBody": json.dumps({"shippingAddress": {"city": "London"}})})
    assert redact(text) == {"MessageBody": {"shippingAddress": REDACTED}}
    assert redact("{not json") == "{not json"


def test_task_tokens_show_their_end_only() -> None:
    assert redact({"taskToken": "A" * 40 + "tail42"}) == {"taskToken": "<token ...tail42>"}
    assert redact({"TaskToken": "short"}) == {"TaskToken": "<token>"}


def test_empty_personal_fields_stay_visibly_empty() -> None:
    assert redact({"line2": "", "name": None}) == {"line2": "", "name": None}


def test_preview_is_compact_redacted_and_cut() -> None:
    shown = preview({"name": "Ada", "items": list(range(100))}, 40)
    assert shown.startswith('{"name":"<redacted>","items":[0,1,2')
    assert shown.endswith("chars)") and "Ada" not in shown
    assert truncate("short", 10) == "short"


def test_plain_makes_dynamodb_numbers_json_ready() -> None:
    assert plain({"v": Decimal("3"), "p": Decimal("1.50"), "s": {Decimal("1")}}) == {
        "v": 3,
        "p": "1.50",
        "s": [1],
    }
