"""Fixtures shared by the local gateway tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def secret() -> bytes:
    return b"test-secret-not-the-checkout-one"
