"""infra/package.py without the network: what it copies, what it zips, what it refuses.

The pip step itself (arm64 wheels from the hashed pins) runs in ``python -m infra.package``;
here the first-party part is checked against the runtime requirements.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import re
import zipfile
from pathlib import Path

import pytest

from infra import package
from infra.package import FIRST_PARTY, REPO_ROOT, unresolved_imports

_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==", re.MULTILINE)


def _runtime_modules() -> set[str]:
    """Top-level modules of the distributions pinned in requirements/runtime.txt."""
    pinned = {
        name.lower().replace("_", "-")
        for name in _PIN.findall((REPO_ROOT / "requirements/runtime.txt").read_text())
    }
    return {
        module
        for module, dists in importlib.metadata.packages_distributions().items()
        if any(d.lower().replace("_", "-") in pinned for d in dists)
    }


def test_packaged_code_imports_only_runtime_dependencies() -> None:
    modules = _runtime_modules()
    assert {"boto3", "pydantic", "aws_lambda_powertools"} <= modules
    problems = unresolved_imports(REPO_ROOT, lambda m: m.partition(".")[0] in modules)
    assert not problems, "\n".join(problems)


def test_test_fakes_are_refused(tmp_path: Path) -> None:
    for name in FIRST_PARTY:
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text("")
    (tmp_path / "adapters" / "memory").mkdir()
    (tmp_path / "adapters" / "memory" / "__init__.py").write_text("")
    (tmp_path / "handlers" / "bad.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "import adapters.memory\n"
        "import infra.sam_translate\n"
        "import moto\n"
        "if TYPE_CHECKING:\n"
        "    import mypy_boto3_dynamodb\n"
    )
    problems = unresolved_imports(tmp_path, lambda module: False)
    assert problems == [
        "handlers/bad.py imports adapters.memory",
        "handlers/bad.py imports infra.sam_translate",
        "handlers/bad.py imports moto",
    ]


def test_copy_leaves_out_fakes_and_caches(tmp_path: Path) -> None:
    for name in FIRST_PARTY:
        package._copy_package(REPO_ROOT / name, tmp_path / name)
    copied = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")}
    assert "handlers/api.py" in copied
    assert "adapters/aws/clients.py" in copied
    assert not any(p.startswith("adapters/memory") for p in copied)
    assert not any("__pycache__" in p or p.endswith(".pyc") for p in copied)


def test_zip_is_reproducible_and_world_readable(tmp_path: Path) -> None:
    staging = tmp_path / "lambda"
    package._copy_package(REPO_ROOT / "domain", staging / "domain")
    first, second = tmp_path / "a.zip", tmp_path / "b.zip"
    files, unzipped = package._zip(staging, first)
    for path in staging.rglob("*.py"):  # a later build touches every file
        path.touch()
    package._zip(staging, second)
    assert (
        hashlib.sha256(first.read_bytes()).digest() == hashlib.sha256(second.read_bytes()).digest()
    )
    with zipfile.ZipFile(first) as archive:
        infos = archive.infolist()
        assert len(infos) == files
        assert sum(i.file_size for i in infos) == unzipped
        assert all((i.external_attr >> 16) & 0o444 == 0o444 for i in infos)
        assert [i.filename for i in infos] == sorted(i.filename for i in infos)


def test_a_wrong_bytecode_interpreter_is_refused() -> None:
    with pytest.raises(package.PackagingError, match=r"not a CPython 3\.13"):
        package._find_python313(str(Path(__file__)))


def test_template_points_at_the_artifact() -> None:
    text = (REPO_ROOT / "infra" / "template.yaml").read_text(encoding="utf-8")
    assert f"CodeUri: ../build/{package.ZIP_NAME}" in text
