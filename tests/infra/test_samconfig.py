"""infra/samconfig.toml only sets parameters the template has, with values it accepts."""

from __future__ import annotations

import re
import shlex
import tomllib
from typing import Any

import pytest

from infra.sam_translate import TEMPLATE

SAMCONFIG = TEMPLATE.parent / "samconfig.toml"


def _environments() -> dict[str, Any]:
    with SAMCONFIG.open("rb") as stream:
        config = tomllib.load(stream)
    assert config.pop("version") == 0.1
    return config


@pytest.mark.parametrize("env", sorted(_environments()))
def test_deploy_parameters_fit_the_template(env: str, sam: dict[str, Any]) -> None:
    deploy = _environments()[env]["deploy"]["parameters"]
    assert deploy["stack_name"] == f"orderflow-{'prod' if env == 'prod' else 'dev'}"
    assert deploy["capabilities"] == "CAPABILITY_IAM"
    overrides = dict(pair.split("=", 1) for pair in shlex.split(deploy["parameter_overrides"]))
    assert deploy["stack_name"] == f"orderflow-{overrides['Stage']}"
    for name, value in overrides.items():
        parameter = sam["Parameters"].get(name)
        assert parameter is not None, f"{env}: {name} is not a template parameter"
        if "AllowedPattern" in parameter:
            assert re.fullmatch(parameter["AllowedPattern"], value), f"{env}: {name}={value}"
        if "AllowedValues" in parameter:
            assert value in [str(v) for v in parameter["AllowedValues"]], f"{env}: {name}"
        if "MinValue" in parameter:
            assert float(value) >= parameter["MinValue"], f"{env}: {name}"


def test_every_parameter_has_a_default(sam: dict[str, Any]) -> None:
    """Deployable with no overrides, and the local stack resolves parameters to defaults."""
    for name, parameter in sam["Parameters"].items():
        assert "Default" in parameter, name
