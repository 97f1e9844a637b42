"""docs/performance.md states the benchmark's parts, sizes, limits and targets: checked here
against the code that has them."""

from __future__ import annotations

import re
from pathlib import Path

from infra.bench import e2e, stackrun
from infra.bench.__main__ import FULL, PARTS, parse

REPO = Path(__file__).resolve().parents[2]
DOC = (REPO / "docs" / "performance.md").read_text(encoding="utf-8")
REPRODUCE = DOC[DOC.index("## Reproduce") : DOC.index("## What the numbers mean")]


def test_the_parts_table_lists_every_part_with_modules_that_exist() -> None:
    rows = re.findall(r"^\| (\w+) \| (.+?) \|", REPRODUCE, re.MULTILINE)
    listed = {part: modules for part, modules in rows if part != "Part"}
    assert list(listed) == list(PARTS)
    for part, modules in listed.items():
        names = re.findall(r"`([^`]+)`", modules)
        assert names, part
        folder = REPO / "infra" / "bench"
        for name in names:
            path = REPO / name if "/" in name else folder / name
            assert path.is_file(), (part, name)


def test_the_stated_defaults_are_the_options_defaults() -> None:
    stated = dict(re.findall(r"`--([a-z-]+) N`\s+\(default (\d+)\)", REPRODUCE))
    assert int(stated.pop("concurrency")) == parse([]).concurrency
    assert {k.replace("-", "_"): int(v) for k, v in stated.items()} == FULL


def test_the_stated_memory_limit_is_the_runs_limit() -> None:
    limit = re.search(r"pass(?:es)? (\d+) GiB", REPRODUCE)
    assert limit is not None
    assert int(limit.group(1)) * 1024 == stackrun.MEMORY_LIMIT_MIB


def test_the_end_to_end_targets_are_the_benchmarks() -> None:
    heading = re.search(r"^### Local end-to-end \(targets: (.+)\)$", DOC, re.MULTILINE)
    assert heading is not None
    numbers = [float(n) for n in re.findall(r"(?<![\w.])(\d+(?:\.\d+)?)\b", heading.group(1))]
    targets = e2e.TARGETS
    assert numbers == [
        targets["orders_per_s"],
        targets["post_p50_ms"],
        targets["post_p99_ms"],
        targets["rss_mib_after"],
    ]
    section = DOC[heading.end() : DOC.index("### Dispatch, crash, restore, peer")]
    assert f"{targets['post_p50_growth']}x" in section
    assert f"{targets['rss_growth']}x" in section
