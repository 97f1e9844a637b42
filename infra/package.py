"""Build the Lambda artifact: ``python -m infra.package`` -> build/orderflow-lambda.zip.

One zip serves every function (infra/template.yaml, Globals.Function.CodeUri). It holds
- the runtime dependencies, installed by pip from the hashed pins in requirements/runtime.txt
  as arm64 / CPython 3.13 wheels (``--platform manylinux2014_aarch64 --only-binary=:all:``),
  whatever machine builds it: no Docker, no ``sam build``;
- boto3/botocore too, although the Lambda runtime has its own: the code relies on botocore
  features of the pinned version (``account_id_endpoint_mode``), the tests ran against it,
  and a runtime copy would be silently mixed with the urllib3/dateutil/jmespath we ship
  (our /var/task comes first on sys.path). The price: ~24 MiB unzipped, ~17 MiB of the
  ~24 MiB zip (botocore's service data is gzipped already, so zipping gains little);
- our packages ``domain``, ``adapters`` (without ``adapters/memory``: test fakes) and
  ``handlers``; ``infra`` never ships;
- with a CPython 3.13 at hand, bytecode compiled ahead (``unchecked-hash`` .pyc): /var/task
  is read-only, so otherwise every cold start compiles every imported module again.

Offline: ``--find-links DIR --no-index`` installs from a wheelhouse (fill one with
``pip download`` and the same platform flags). Sizes are printed and written to
build/package-report.json. The zip is reproducible (sorted entries, fixed timestamps), so an
unchanged build does not make ``sam deploy`` update the functions.
"""

from __future__ import annotations

import argparse
import ast
import glob
import hashlib
import json
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
FIRST_PARTY = ("domain", "adapters", "handlers")
EXCLUDED = ("adapters/memory",)
"""In-memory fakes for tests and the demo; production code must not import them."""
PLATFORMS = ("manylinux2014_aarch64",)
PYTHON_VERSION = "3.13"
ZIP_NAME = "orderflow-lambda.zip"
LAMBDA_RUNTIME_MODULES = frozenset({"__future__", "snapshot_restore_py"})
"""Provided by the Python itself or by Lambda's Python runtime (SnapStart's hooks), not shipped."""
LAMBDA_TASK_ROOT = "/var/task"
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
UNZIPPED_LIMIT = 250 * 1024 * 1024
"""Lambda's limit for a function's unzipped code (layers included)."""
DIRECT_UPLOAD_LIMIT = 50 * 1024 * 1024
"""Zipped size Lambda accepts without S3; SAM uploads through S3 anyway."""


@dataclass
class Report:
    zip_path: str
    zip_bytes: int
    unzipped_bytes: int
    files: int
    zip_sha256: str
    requirements_sha256: str
    bytecode: bool
    bytecode_python: str | None
    platforms: list[str]
    python_version: str
    largest: dict[str, int] = field(default_factory=dict)
    """Top-level entries of the package by unzipped size, largest first."""
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        lines = [
            f"{self.zip_path}: {_mib(self.zip_bytes)} zipped, {_mib(self.unzipped_bytes)} "
            f"unzipped, {self.files} files (limit {_mib(UNZIPPED_LIMIT)} unzipped)",
            f"bytecode: {'yes, ' + str(self.bytecode_python) if self.bytecode else 'no'}",
            "largest: " + ", ".join(f"{k} {_mib(v)}" for k, v in list(self.largest.items())[:8]),
        ]
        lines += [f"warning: {w}" for w in self.warnings]
        return "\n".join(lines)


class PackagingError(RuntimeError):
    pass


def build(
    output: Path,
    requirements: Path,
    *,
    platforms: Sequence[str] = PLATFORMS,
    find_links: Sequence[str] = (),
    no_index: bool = False,
    python313: str | None = None,
    bytecode: bool = True,
) -> Report:
    staging = output / "lambda"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    _pip_install(staging, requirements, platforms, find_links, no_index)
    shutil.rmtree(staging / "bin", ignore_errors=True)  # console scripts: not used in Lambda
    for package in FIRST_PARTY:
        _copy_package(REPO_ROOT / package, staging / package)
    problems = unresolved_imports(staging)
    if problems:
        raise PackagingError("packaged code imports what the package lacks: " + "; ".join(problems))
    warnings: list[str] = []
    interpreter = _find_python313(python313) if bytecode else None
    if bytecode and interpreter is None:
        warnings.append(
            "no CPython 3.13 found (--python313): shipped without bytecode, so every "
            "cold start compiles the imported modules"
        )
    if interpreter is not None:
        warnings += _compile(interpreter, staging)
    zip_path = output / ZIP_NAME
    files, unzipped = _zip(staging, zip_path)
    report = Report(
        zip_path=str(
            zip_path.relative_to(REPO_ROOT) if zip_path.is_relative_to(REPO_ROOT) else zip_path
        ),
        zip_bytes=zip_path.stat().st_size,
        unzipped_bytes=unzipped,
        files=files,
        zip_sha256=_sha256(zip_path),
        requirements_sha256=_sha256(requirements),
        bytecode=interpreter is not None,
        bytecode_python=interpreter,
        platforms=list(platforms),
        python_version=PYTHON_VERSION,
        largest=_largest(staging),
        warnings=warnings,
    )
    if unzipped > UNZIPPED_LIMIT:
        raise PackagingError(f"unzipped size {_mib(unzipped)} exceeds Lambda's 250 MB limit")
    if report.zip_bytes > DIRECT_UPLOAD_LIMIT:
        report.warnings.append("zip above 50 MB: fine through S3 (sam deploy), not direct")
    (output / "package-report.json").write_text(
        json.dumps(asdict(report), indent=2) + "\n", encoding="utf-8"
    )
    return report


# ------------------------------------------------------------------ steps
def _pip_install(
    target: Path,
    requirements: Path,
    platforms: Sequence[str],
    find_links: Sequence[str],
    no_index: bool,
) -> None:
    command = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--disable-pip-version-check",
        "--quiet",
        "--target",
        str(target),
        "--implementation",
        "cp",
        "--python-version",
        PYTHON_VERSION,
        "--only-binary=:all:",
        "--require-hashes",
        "--no-compile",
        "-r",
        str(requirements),
    ]
    for platform in platforms:
        command += ["--platform", platform]
    for location in find_links:
        command += ["--find-links", location]
    if no_index:
        command.append("--no-index")
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise PackagingError(f"pip install failed ({result.returncode}):\n{result.stderr[-4000:]}")


def _copy_package(source: Path, destination: Path) -> None:
    if not (source / "__init__.py").is_file():
        raise PackagingError(f"{source} is not a package")

    def ignore(directory: str, names: list[str]) -> set[str]:
        relative = Path(directory).relative_to(REPO_ROOT).as_posix()
        skipped = {n for n in names if n == "__pycache__" or n.endswith((".pyc", ".pyo"))}
        return skipped | {n for n in names if f"{relative}/{n}" in EXCLUDED}

    shutil.copytree(source, destination, ignore=ignore)


def unresolved_imports(root: Path, available: Callable[[str], bool] | None = None) -> list[str]:
    """Imports in our packaged modules that neither the stdlib nor the package provides.

    Catches a handler importing test fakes (adapters.memory), infra, or a library missing from
    requirements/runtime.in, before the function fails at its first cold start in AWS.
    ``available(module)`` says whether a third-party module ships (default: it was installed
    under ``root``). Imports under ``if TYPE_CHECKING:`` are ignored.
    """

    def installed(module: str) -> bool:
        return _exists(root, module.partition(".")[0])

    third_party = available or installed
    problems: list[str] = []
    for package in FIRST_PARTY:
        for source in sorted((root / package).rglob("*.py")):
            if any(source.relative_to(root).as_posix().startswith(f"{e}/") for e in EXCLUDED):
                continue
            for module in runtime_imports(source):
                top = module.partition(".")[0]
                if top in sys.stdlib_module_names or top in LAMBDA_RUNTIME_MODULES:
                    continue
                if top in FIRST_PARTY:
                    ok = not _is_excluded(module) and _exists(root, *module.split("."))
                else:
                    ok = third_party(module)
                if not ok:
                    problems.append(f"{source.relative_to(root).as_posix()} imports {module}")
    return problems


def runtime_imports(source: Path) -> Iterator[str]:
    """Absolute imports of a module, except those under ``if TYPE_CHECKING:``."""
    tree = ast.parse(source.read_text(encoding="utf-8"), filename=str(source))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(child) for stmt in node.body for child in ast.walk(stmt))
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module


def _is_excluded(module: str) -> bool:
    path = module.replace(".", "/")
    return any(path == e or path.startswith(f"{e}/") for e in EXCLUDED)


def _exists(root: Path, *parts: str) -> bool:
    """A package, a module, or a compiled extension (``name.cpython-313-...so``)."""
    path = root.joinpath(*parts)
    if path.is_dir() or path.with_suffix(".py").is_file():
        return True
    return bool(glob.glob(glob.escape(str(path)) + ".*.so"))


def _find_python313(explicit: str | None) -> str | None:
    """A CPython 3.13 to compile bytecode with (the magic number must match the runtime's)."""
    candidates = (
        [explicit]
        if explicit
        else [
            os.environ.get("PYTHON313"),
            shutil.which("python3.13"),
            *sorted(
                glob.glob(os.path.expanduser("~/.pyenv/versions/3.13*/bin/python3.13")),
                reverse=True,
            ),
        ]
    )
    for candidate in filter(None, candidates):
        try:
            probe = subprocess.run(  # noqa: S603
                [
                    candidate,
                    "-c",
                    "import sys; print(sys.implementation.name, *sys.version_info[:2])",
                ],
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            continue
        if probe.returncode == 0 and probe.stdout.split() == ["cpython", "3", "13"]:
            return candidate
    if explicit:
        raise PackagingError(f"{explicit} is not a CPython 3.13 interpreter")
    return None


def _compile(interpreter: str, staging: Path) -> list[str]:
    # unchecked-hash: the .pyc is used without comparing the source's mtime, which the zip
    # (and Lambda's extraction) does not preserve faithfully anyway.
    result = subprocess.run(  # noqa: S603
        [
            interpreter,
            "-m",
            "compileall",
            "-q",
            "-j",
            "0",
            "--invalidation-mode",
            "unchecked-hash",
            # Paths as Lambda sees them (tracebacks), and the same bytes wherever we build.
            "-s",
            str(staging),
            "-p",
            LAMBDA_TASK_ROOT,
            str(staging),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode == 0:
        return []
    failed = [line for line in result.stdout.splitlines() if line.startswith("***")]
    return [
        f"compileall: {len(failed) or 'some'} file(s) did not compile under 3.13 "
        f"(they would fail on import too): {' '.join(failed)[:500]}"
    ]


def _zip(staging: Path, zip_path: Path) -> tuple[int, int]:
    zip_path.unlink(missing_ok=True)
    files = sorted(p for p in staging.rglob("*") if p.is_file())
    unzipped = 0
    with zipfile.ZipFile(
        zip_path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9
    ) as archive:
        for path in files:
            info = zipfile.ZipInfo(path.relative_to(staging).as_posix(), date_time=FIXED_TIME)
            info.external_attr = 0o100644 << 16  # -rw-r--r--: Lambda runs as another user
            info.compress_type = zipfile.ZIP_DEFLATED
            data = path.read_bytes()
            unzipped += len(data)
            archive.writestr(info, data, compresslevel=9)
    return len(files), unzipped


def _largest(staging: Path) -> dict[str, int]:
    sizes: dict[str, int] = {}
    for path in staging.rglob("*"):
        if path.is_file():
            top = path.relative_to(staging).parts[0]
            sizes[top] = sizes.get(top, 0) + path.stat().st_size
    return dict(sorted(sizes.items(), key=lambda kv: kv[1], reverse=True)[:15])


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _mib(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MiB"


# ------------------------------------------------------------------ CLI
def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m infra.package",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--output", type=Path, default=REPO_ROOT / "build", help="build directory (default: build/)"
    )
    parser.add_argument(
        "--requirements", type=Path, default=REPO_ROOT / "requirements" / "runtime.txt"
    )
    parser.add_argument(
        "--platform",
        action="append",
        dest="platforms",
        help=f"wheel platform tag, repeatable (default: {PLATFORMS[0]})",
    )
    parser.add_argument(
        "--find-links", action="append", default=[], help="a wheelhouse directory (repeatable)"
    )
    parser.add_argument("--no-index", action="store_true", help="do not use any package index")
    parser.add_argument(
        "--python313",
        help="CPython 3.13 used to compile bytecode "
        "(default: $PYTHON313, python3.13 on PATH, or a pyenv 3.13)",
    )
    parser.add_argument("--no-bytecode", action="store_true", help="ship sources only")
    args = parser.parse_args(argv)
    try:
        report = build(
            args.output.resolve(),
            args.requirements.resolve(),
            platforms=args.platforms or PLATFORMS,
            find_links=args.find_links,
            no_index=args.no_index,
            python313=args.python313,
            bytecode=not args.no_bytecode,
        )
    except PackagingError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(report.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
