"""localstripe, a stateful fake Stripe server, for the Stripe adapter's tests.

``localstripe_url`` (session scoped) runs it as a subprocess on a free 127.0.0.1 port and yields
its base URL. It is started through this module (``python -m tests.support.localstripe --port
N``) rather than its own ``localstripe --port N --from-scratch``, which binds every interface
(``::``) and pickles its whole store to /tmp/localstripe.pickle after every write (one file
for every instance on the machine). The launcher relies on two of its internals, checked when
it starts: ``localstripe.server.app`` (the aiohttp application) and
``localstripe.resources.store`` (whose ``dump_to_disk`` it turns off).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.targets import free_port

REPO = Path(__file__).resolve().parents[2]
API_KEY = "sk_test_orderflow"
"""localstripe accepts any key that starts with ``sk_`` and has more than 5 characters."""
START_TIMEOUT = 30.0
STOP_TIMEOUT = 5.0


@pytest.fixture(scope="session")
def localstripe_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log_file = tmp_path_factory.mktemp("localstripe") / "localstripe.log"
    command = [sys.executable, "-m", "tests.support.localstripe", "--port", str(port)]
    with log_file.open("wb") as log:
        process = subprocess.Popen(command, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_ready(process, url, log_file)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_ready(process: subprocess.Popen[bytes], url: str, log_file: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"localstripe exited with {process.returncode} before answering:\n"
                + log_file.read_text(errors="replace")[-3000:]
            )
        try:
            answer = httpx.get(f"{url}/v1/payment_intents", auth=(API_KEY, ""), timeout=1)
        except httpx.TransportError:
            time.sleep(0.05)
            continue
        if answer.status_code == 200:
            return
        pytest.fail(f"localstripe answered {answer.status_code}: {answer.text[:500]}")
    pytest.fail(
        f"localstripe did not answer on {url} within {START_TIMEOUT} s:\n"
        + log_file.read_text(errors="replace")[-3000:]
    )


def serve(port: int) -> None:
    """localstripe on 127.0.0.1 only, its store in memory only."""
    from aiohttp import web
    from localstripe import resources, server

    assert isinstance(server.app, web.Application), "localstripe.server.app moved"
    assert callable(resources.store.dump_to_disk), "localstripe.resources.store moved"
    resources.store.dump_to_disk = lambda: None
    web.run_app(server.app, host="127.0.0.1", port=port, print=None)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=serve.__doc__)
    parser.add_argument("--port", type=int, required=True)
    serve(parser.parse_args().port)
