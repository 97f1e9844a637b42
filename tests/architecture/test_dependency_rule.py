"""The dependency rule: infra > handlers > adapters > domain, and the domain stays pure.

The contracts themselves live in pyproject.toml ([tool.importlinter]); `make test` also runs
`lint-imports`. These tests keep the rule inside the pytest run, prove that the configured
contracts really fail on a violation, and add a stricter stdlib-only check for domain/.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

from importlinter.cli import EXIT_STATUS_SUCCESS

REPO_ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = REPO_ROOT / "pyproject.toml"
ROOT_PACKAGES = ("domain", "adapters", "handlers", "infra")
# What the "domain is pure" contract must forbid at the very least.
REQUIRED_FORBIDDEN = {
    "adapters",
    "handlers",
    "infra",
    "boto3",
    "botocore",
    "aws_lambda_powertools",
    "pydantic",
    "moto",
}


def _importlinter_config() -> dict[str, Any]:
    with PYPROJECT.open("rb") as f:
        config: dict[str, Any] = tomllib.load(f)["tool"]["importlinter"]
    return config


def _contract(contract_type: str) -> dict[str, Any]:
    contracts = [c for c in _importlinter_config()["contracts"] if c["type"] == contract_type]
    assert len(contracts) == 1, f"expected exactly one {contract_type!r} contract"
    contract: dict[str, Any] = contracts[0]
    return contract


def test_configured_contracts_are_the_agreed_ones() -> None:
    config = _importlinter_config()
    assert set(config["root_packages"]) == set(ROOT_PACKAGES)
    assert config.get("include_external_packages") is True
    forbidden = _contract("forbidden")
    assert forbidden["source_modules"] == ["domain"]
    assert set(forbidden["forbidden_modules"]) >= REQUIRED_FORBIDDEN
    assert forbidden.get("allow_indirect_imports", False) is False
    assert _contract("layers")["layers"] == ["infra", "handlers", "adapters", "domain"]


def test_import_contracts_hold() -> None:
    # In a separate interpreter: import-linter configures logging with dictConfig, which
    # would silence every logger already created in this test process.
    result = _lint_imports(cwd=REPO_ROOT, env=dict(os.environ))
    report = result.stdout + result.stderr
    assert result.returncode == EXIT_STATUS_SUCCESS, f"import-linter contracts broken:\n{report}"
    assert "0 broken" in report


def _lint_imports(cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from importlinter.cli import lint_imports_command; "
            "sys.exit(lint_imports_command())",
            "--config",
            str(PYPROJECT),
            "--no-cache",
        ],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_contracts_catch_violations(tmp_path: Path) -> None:
    """Run the real contracts against a throwaway code base that breaks each of them."""
    forbidden = sorted(_contract("forbidden")["forbidden_modules"])
    for package in ROOT_PACKAGES:
        _write(tmp_path / package / "__init__.py", "")
    # The domain imports every forbidden module directly ...
    _write(
        tmp_path / "domain" / "leaky.py",
        "".join(f"import {module}  # noqa: F401\n" for module in forbidden),
    )
    # ... and an adapter reaches up a layer.
    _write(tmp_path / "adapters" / "upward.py", "import handlers  # noqa: F401\n")

    # A separate interpreter whose sys.path starts at tmp_path, so the fake packages (and not
    # the real ones this process may already have imported) are the ones analysed.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = _lint_imports(cwd=tmp_path, env=env)
    report = result.stdout + result.stderr
    assert result.returncode != 0, report
    assert "2 broken" in report, report
    for module in forbidden:
        assert f"domain is not allowed to import {module}" in report, report
    assert "adapters is not allowed to import handlers" in report, report


def _top_level_imports(source: Path) -> set[str]:
    tree = ast.parse(source.read_text(encoding="utf-8"), filename=str(source))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.partition(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.partition(".")[0])
    return names


def test_domain_imports_only_stdlib_and_itself() -> None:
    sources = sorted((REPO_ROOT / "domain").rglob("*.py"))
    assert sources, "no domain/**/*.py found"
    offenders = {
        str(source.relative_to(REPO_ROOT)): sorted(bad)
        for source in sources
        if (
            bad := {
                name
                for name in _top_level_imports(source)
                if name != "domain" and name not in sys.stdlib_module_names
            }
        )
    }
    assert not offenders, f"domain/ must import only the stdlib and domain: {offenders}"
