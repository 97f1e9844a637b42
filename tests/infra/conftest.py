"""The SAM template, raw and translated to CloudFormation (offline), shared by the infra tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from infra.sam_translate import TEMPLATE, load_template, translate

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def template_path() -> Path:
    return TEMPLATE


@pytest.fixture(scope="session")
def sam() -> dict[str, Any]:
    """The template as written (SAM resources, Globals)."""
    return load_template(TEMPLATE)


@pytest.fixture(scope="session")
def cfn() -> dict[str, Any]:
    """The template as CloudFormation receives it after the SAM transform."""
    return translate(TEMPLATE, allow_missing_definitions=True)
