"""``sam validate --lint`` with the real SAM CLI.

aws-sam-cli pins its own boto3 (1.43.x for SAM CLI 1.170), which conflicts with ours, so it
never goes into the project venv: `make test` installs it into `.venv-sam` from the hashed
`requirements/sam.txt` and points SAM_CLI at it. It runs offline with only a region set.
Run pytest by hand without SAM_CLI and this test is skipped, saying so; cfn-lint (what
``--lint`` runs) and the translator are always tested in this directory.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest


def _sam_cli() -> str | None:
    return os.environ.get("SAM_CLI") or shutil.which("sam")


@pytest.mark.skipif(
    _sam_cli() is None,
    reason="no SAM CLI: run `make test` (installs .venv-sam) or set SAM_CLI to a sam binary",
)
def test_sam_validate_lint(template_path: Path) -> None:
    env = {**os.environ, "AWS_DEFAULT_REGION": "us-east-1", "SAM_CLI_TELEMETRY": "0"}
    result = subprocess.run(
        [str(_sam_cli()), "validate", "--lint", "--template-file", str(template_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "is a valid SAM Template" in result.stdout + result.stderr
