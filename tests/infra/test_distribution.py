"""The installed package (``pip install .``: the orderflow-ops command) declares what it ships:
every third-party module a shipped module imports belongs to a declared dependency, the runtime
ones for the core and the operator CLI, the ``console`` extra for the operator console, the
``local`` extra for the local stack (which serves the console too)."""

from __future__ import annotations

import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

from setuptools import find_packages

from infra.package import LAMBDA_RUNTIME_MODULES, runtime_imports

REPO = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
FIRST_PARTY = {"domain", "adapters", "handlers", "infra"}
WITH_LOCAL_EXTRA = ("infra/local/", "infra/sam_translate.py")
WITH_CONSOLE_EXTRA = ("infra/ops/console/",)


_REQUIREMENT = re.compile(r"^([A-Za-z0-9._-]+)(?:\[([^\]]*)\])?")


def _names(requirements: list[str]) -> set[str]:
    """Distribution names, with what each requested extra adds (``[tracer]``: aws-xray-sdk)."""
    names = set()
    for requirement in requirements:
        name, extras = _REQUIREMENT.match(requirement).groups()  # type: ignore[union-attr]
        names.add(_normal(name))
        for extra in filter(None, (extras or "").split(",")):
            for added in importlib.metadata.requires(name) or []:
                if re.search(rf"extra == [\"']{extra.strip()}[\"']", added):
                    names.add(_normal(_REQUIREMENT.match(added).group(1)))  # type: ignore[union-attr]
    return names


def _normal(name: str) -> str:
    return name.lower().replace("_", "-")


def _modules_of(requirements: list[str]) -> set[str]:
    names = _names(requirements)
    found = importlib.metadata.packages_distributions()
    return {m for m, dists in found.items() if any(_normal(d) in names for d in dists)}


def _shipped() -> list[Path]:
    find = PROJECT["tool"]["setuptools"]["packages"]["find"]
    packages = find_packages(str(REPO), include=find["include"], exclude=find.get("exclude", []))
    return sorted(p for pkg in packages for p in (REPO / pkg.replace(".", "/")).glob("*.py"))


def test_the_benchmarks_do_not_ship_and_the_cli_does() -> None:
    shipped = {p.relative_to(REPO).as_posix() for p in _shipped()}
    assert "infra/ops/cli.py" in shipped and "handlers/api.py" in shipped
    assert not any(p.startswith("infra/bench/") for p in shipped)
    assert PROJECT["project"]["scripts"]["orderflow-ops"] == "infra.ops.cli:run"


def test_every_shipped_import_is_declared() -> None:
    extras = PROJECT["project"]["optional-dependencies"]
    core = _modules_of(PROJECT["project"]["dependencies"])
    local = core | _modules_of(extras["local"])
    console = core | _modules_of(extras["console"])
    assert {"boto3", "botocore", "pydantic", "aws_lambda_powertools"} <= core
    assert "jinja2" in console  # starlette's templates import it: the console's pages need it
    assert console <= local  # the local stack serves the console
    problems = []
    for source in _shipped():
        where = source.relative_to(REPO).as_posix()
        declared = core
        if where.startswith(WITH_LOCAL_EXTRA):
            declared = local
        elif where.startswith(WITH_CONSOLE_EXTRA):
            declared = console
        for module in runtime_imports(source):
            top = module.partition(".")[0]
            if top in sys.stdlib_module_names or top in LAMBDA_RUNTIME_MODULES | FIRST_PARTY:
                continue
            if top not in declared:
                problems.append(f"{where} imports {module}")
    assert not problems, "\n".join(problems)
