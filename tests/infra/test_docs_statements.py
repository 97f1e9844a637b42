"""Where a doc states a number or a name, it is checked here against the code it describes."""

from __future__ import annotations

import ast
import inspect
import re
import shlex
from pathlib import Path

from infra.local.moto_patches import PATCHES
from infra.sam_translate import load_template

REPO = Path(__file__).resolve().parents[2]


def _doc(name: str) -> str:
    return (REPO / name).read_text(encoding="utf-8")


def test_workflow_md_lists_every_moto_patch() -> None:
    text = _doc("docs/workflow.md")
    count = re.search(r"(\d+) patches in `infra/local/moto_patches.py`", text)
    assert count is not None and int(count.group(1)) == len(PATCHES)
    section = text[count.start() :]
    listed = re.findall(r"^\s*(\d+)\. `([^`]+)`", section, re.MULTILINE)
    assert [int(n) for n, _ in listed[: len(PATCHES)]] == list(range(1, len(PATCHES) + 1))
    for patch, (_, shown) in zip(PATCHES, listed, strict=False):
        assert patch.name.endswith(shown), (patch.name, shown)
    local_only = [p for p in PATCHES if p.local_stack]
    assert PATCHES[-len(local_only) :] == tuple(local_only)
    assert re.search(r"the last\s+one \(`apply\(local_stack=True\)`\)", text)
    assert len(local_only) == 1


def _functions(predicate: str) -> set[str]:
    """Names of the domain's functions whose body contains ``predicate`` (unparsed source)."""
    found = set()
    for path in (REPO / "domain").glob("order*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and any(
                predicate in ast.unparse(n) for n in node.body
            ):
                found.add(node.name)
    return found


def test_the_version_bumps_outside_change_are_the_ones_the_docs_name() -> None:
    assert _functions("self.version += 1") == {"_change", "_silent_change"}
    others = _functions("self._silent_change(")
    assert others == {"await_carrier", "reserve_refund"}
    for doc in ("docs/architecture.md", "docs/data-model.md"):
        assert all(f"`{name}`" in _doc(doc) or f"Order.{name}" in _doc(doc) for name in others)
    assert "consecutive" not in _doc("docs/data-model.md")


def test_no_use_case_takes_the_id_generator_as_architecture_md_says() -> None:
    services = "\n".join(p.read_text() for p in (REPO / "domain" / "services").glob("*.py"))
    assert "IdGenerator" not in services and "ids=" not in services
    assert "no use case takes it today" in _doc("docs/architecture.md")


def test_the_demo_the_bench_and_the_tests_drive_orders_through_the_composition_root() -> None:
    for path in ("infra/demo.py", "infra/bench/world.py", "tests/domain/support.py"):
        source = _doc(path)
        assert "in_memory(" in source, path
        assert "domain.services" not in source, f"{path} calls the use cases behind the root"
    assert "in_memory(" in _doc("tests/workflow/support.py")
    assert "def use_app(" in _doc("infra/wiring.py")
    assert "use_app(world.app)" in _doc("tests/support/wiring.py")


def test_the_readme_aws_cli_example_has_a_region_credentials_and_a_real_arn() -> None:
    block = re.search(r"```sh\n(AWS_ENDPOINT_URL=.*?)```", _doc("README.md"), re.DOTALL)
    assert block is not None
    words = shlex.split(block.group(1).replace("\\\n", " "))
    env = dict(w.split("=", 1) for w in words if "=" in w and not w.startswith("--"))
    assert {"AWS_ENDPOINT_URL", "AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID"} <= set(env)
    machine = load_template()["Resources"]["OrderSagaStateMachine"]["Properties"]["Name"]
    arn = words[words.index("--state-machine-arn") + 1]
    assert arn.endswith(machine["Fn::Sub"].replace("${Stage}", "local"))
    assert "and `node_modules` on first use" not in _doc("README.md")


def test_deploy_md_tears_down_with_a_stack_name_and_lists_every_parameter() -> None:
    text = _doc("docs/deploy.md")
    assert "sam delete --stack-name orderflow-dev" in text
    assert "--config-env default" not in text.split("## Tear down", 1)[1]
    for name in load_template()["Parameters"]:
        assert f"`{name}`" in text, name
    assert "AWS_DEFAULT_REGION" in text
    assert "AWS_REGION` alone" in text


def test_local_stack_md_names_every_flag_and_the_defaults_it_states() -> None:
    from infra.local.__main__ import parser
    from infra.local.dataplane.events.schedules import FIRST_AFTER_SECONDS
    from infra.local.dataplane.functions.async_queue import RETRY_DELAYS
    from infra.local.sandbox.environment import BACKGROUND_NICENESS
    from infra.local.sandbox.pool import FunctionPool
    from infra.local.sandbox.process import LOG_LIMIT_BYTES
    from infra.local.stack import CONSOLE_PORT, REPO, Options

    text = _doc("docs/local-stack.md")
    usage = text.split("```", 2)[1]
    flags = {a for action in parser()._actions for a in action.option_strings} - {"-h", "--help"}
    assert flags == set(re.findall(r"--[a-z-]+", usage))
    defaults = Options()
    assert f"--api-port {defaults.api_port}" in usage and f"--aws-port {defaults.aws_port}" in usage
    assert f"--console-port {CONSOLE_PORT}" in usage
    for folder in (defaults.state_dir, defaults.log_dir):
        assert f"{folder.relative_to(REPO)}" in usage
    assert LOG_LIMIT_BYTES == 20 * 1024 * 1024 and "rotated at 20 MB" in text
    assert RETRY_DELAYS == (1.0, 2.0) and "retries after 1 s and 2 s" in text
    assert FIRST_AFTER_SECONDS == 2.0 and "two seconds after the stack starts" in text
    assert f"niced ({BACKGROUND_NICENESS})" in text
    idle = inspect.signature(FunctionPool.__init__).parameters["idle_seconds"].default
    assert idle == 600 and "let go after 10 minutes" in text
