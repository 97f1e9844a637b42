"""End-to-end fixtures: one local stack per session (a real ``python -m infra.local``), or the
deployed stack named by ORDERFLOW_AWS_STACK.

Every scenario runs against ``target``: locally always (marker ``e2e``, loopback only), and
against AWS when asked (marker ``aws``: ``ORDERFLOW_AWS_STACK=<stack> make test-aws``).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from tests.e2e.targets import AWS_STACK_ENV, Target, aws_stack, local_stack

VISIBILITY_SCALE = "0.005"
"""The template's 180 s visibility timeout becomes ~1 s after a failure (local-only flag)."""


HERE = Path(__file__).resolve().parent
_running = ExitStack()


@pytest.fixture(scope="session")
def local_process(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Target, subprocess.Popen[bytes]]]:
    workdir = tmp_path_factory.mktemp("local-stack")
    yield _running.enter_context(_stopped_cleanly(workdir))
    _running.close()


@contextmanager
def _stopped_cleanly(workdir: Path) -> Iterator[tuple[Target, subprocess.Popen[bytes]]]:
    with local_stack(workdir, "--sqs-visibility-scale", VISIBILITY_SCALE) as started:
        yield started
    assert started[1].returncode == 0, "the local stack did not stop cleanly on SIGTERM"


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    """Stop the local stack once no e2e test is left, rather than at the end of the whole run
    (an idle stack still polls, and the rest of the suite has timing-sensitive tests)."""
    items = item.session.items
    rest = items[items.index(nextitem) :] if nextitem in items else []
    if not any(HERE in Path(str(other.path)).parents for other in rest):
        _running.close()


@pytest.fixture(scope="session")
def deployed() -> Target:
    if not os.environ.get(AWS_STACK_ENV):
        pytest.skip(
            f"against AWS only when asked: deploy with `sam deploy`, then run "
            f"`{AWS_STACK_ENV}=<stack name> make test-aws` with AWS credentials"
        )
    return aws_stack()


@pytest.fixture(
    params=[
        pytest.param("local", marks=pytest.mark.e2e),
        pytest.param("aws", marks=[pytest.mark.aws, pytest.mark.enable_socket]),
    ]
)
def target(request: pytest.FixtureRequest) -> Target:
    if request.param == "aws":
        found: Target = request.getfixturevalue("deployed")
        return found
    started: tuple[Target, subprocess.Popen[bytes]] = request.getfixturevalue("local_process")
    return started[0]


@pytest.fixture
def local(local_process: tuple[Target, subprocess.Popen[bytes]]) -> Target:
    """For the few checks that only make sense locally (the stack's own promises)."""
    return local_process[0]
