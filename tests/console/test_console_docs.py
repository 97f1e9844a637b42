"""docs/operations.md says what the console does with the numbers and names the code uses."""

from __future__ import annotations

import re
from pathlib import Path

from infra.bench.console import TARGET_P50_MS
from infra.local.stack import Options
from infra.ops.console import command
from infra.ops.console.pages import dead_letters, executions
from infra.ops.console.server import LOCAL_STACK_PORT
from infra.ops.executions import STATUSES

REPO = Path(__file__).resolve().parents[2]
RAW = (REPO / "docs" / "operations.md").read_text()
DOC = " ".join(RAW.split())
TEMPLATES = REPO / "infra" / "ops" / "console" / "templates"
PICTURES = ("console-executions.png", "console-execution.png", "console-dead-letters.png")


def _every(template: str) -> float:
    found = re.search(r'data-live-every="(\d+)"', (TEMPLATES / template).read_text())
    assert found, template
    return int(found[1]) / 1000


def test_ports_and_flags_are_the_ones_the_code_uses() -> None:
    assert Options().console_port == LOCAL_STACK_PORT
    assert f"console  http://127.0.0.1:{LOCAL_STACK_PORT}" in RAW
    assert f"default port {command.DEFAULT_PORT}" in DOC
    for flag in ("--console-port N", "--no-console", "--allow-writes", "--read-only"):
        assert flag in DOC


def test_sizes_and_intervals_are_the_ones_the_code_uses() -> None:
    assert f"pages of {executions.PAGE}" in DOC
    assert f"newest {executions.SEARCHED:,}" in DOC
    assert f"up to {dead_letters.LISTED} messages" in DOC
    assert f"every {_every('executions.html'):g} s" in DOC
    assert f"every {_every('execution.html'):g} s" in DOC
    assert f"p50 under {TARGET_P50_MS:g} ms" in DOC
    statuses = ", ".join(s.lower().replace("_", " ") for s in STATUSES)
    assert f"by status ({statuses})" in DOC


def test_the_pictures_are_there_and_small() -> None:
    for name in PICTURES:
        assert f"(images/{name})" in DOC
        picture = REPO / "docs" / "images" / name
        assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert picture.stat().st_size < 200_000, name
