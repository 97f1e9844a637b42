"""cfn-lint over the template: no errors and no warnings (informational findings are allowed).

cfn-lint is also what ``sam validate --lint`` runs; with the offline translation tested in
test_template_translation.py this covers ``sam validate`` (test_sam_validate.py runs the real
CLI when one is installed).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from cfnlint.api import ManualArgs, lint_file


def test_cfn_lint_finds_no_errors_or_warnings(
    template_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")  # the SAM transform inside cfn-lint
    matches = lint_file(template_path, config=ManualArgs(regions=["us-east-1"]))
    findings = [
        f"{m.rule.id} {m.message} ({m.filename}:{m.linenumber})"
        for m in matches
        if m.rule.id[0] in "EW"
    ]
    assert not findings, "\n".join(findings)


def test_cfn_lint_catches_a_broken_template(
    tmp_path: Path, template_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check above is live: the same call reports an invalid property as an error."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    broken = template_path.read_text(encoding="utf-8").replace(
        "      SqsManagedSseEnabled: true\n",
        "      SqsManagedSseEnabled: true\n      Bogus: 1\n",
        1,
    )
    copy = tmp_path / "template.yaml"
    copy.write_text(broken, encoding="utf-8")
    matches = lint_file(copy, config=ManualArgs(regions=["us-east-1"]))
    assert any(m.rule.id == "E3002" and "Bogus" in m.message for m in matches)
