"""Packages whose ``__init__`` runs only when a name it defines is asked for.

Importing ``aws_lambda_powertools.event_handler.api_gateway`` first runs the package's
``__init__``, which imports every resolver (AppSync's pulls in asyncio, Bedrock's, VPC
Lattice's ...); ``utilities.idempotency``'s imports its DynamoDB layer and with it boto3. A
function needs one resolver, and boto3 only when it first stores a record. Registered here, such
a package is importable module by module. ``from package import Name`` still works: a name
the ``__init__`` re-exports from one of its modules (``from .api_gateway import Response``, as
Powertools' own modules ask for it) comes from that module alone; any other name runs the
``__init__``, once, as usual.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import sys
from types import ModuleType
from typing import Any

PACKAGES = (
    "aws_lambda_powertools.event_handler",
    "aws_lambda_powertools.utilities.idempotency",
)


def register(name: str) -> None:
    """Put ``name`` in ``sys.modules`` without running its ``__init__`` (if not imported yet)."""
    if name in sys.modules:
        return
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None or spec.submodule_search_locations is None:
        raise ModuleNotFoundError(f"{name} is not a package")
    package = importlib.util.module_from_spec(spec)
    loader = spec.loader
    exported = _reexports(name, spec.origin)

    def __getattr__(attr: str) -> Any:  # the module-level hook, PEP 562
        if attr.startswith("__") and attr != "__all__":  # __all__: a star import, run __init__
            raise AttributeError(attr)
        if attr in exported:
            return getattr(importlib.import_module(exported[attr]), attr)
        if importlib.util.find_spec(f"{name}.{attr}") is not None:
            return importlib.import_module(f"{name}.{attr}")  # a module: its siblings stay out
        del package.__dict__["__getattr__"]
        loader.exec_module(package)  # a name of the __init__: run it, now, once
        return getattr(package, attr)

    package.__getattr__ = __getattr__  # type: ignore[method-assign]
    sys.modules[name] = package
    parent, _, child = name.rpartition(".")
    setattr(importlib.import_module(parent), child, package)


def _reexports(package: str, init_file: str | None) -> dict[str, str]:
    """Name -> module, for each ``from <module> import <name>`` at the top of ``__init__``."""
    if not init_file:
        return {}
    with open(init_file, encoding="utf-8") as source:
        tree = ast.parse(source.read())
    found: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module:
            module = node.module if node.level == 0 else f"{package}.{node.module}"
            found.update({a.asname or a.name: module for a in node.names if a.name != "*"})
    return found


def is_lazy(module: ModuleType) -> bool:
    return "__getattr__" in module.__dict__ and getattr(module, "__spec__", None) is not None


def register_all() -> None:
    for name in PACKAGES:
        register(name)
