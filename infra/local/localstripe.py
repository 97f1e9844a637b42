"""localstripe, a stateful fake Stripe server, run by the project on a loopback port.

The local stack starts it when the Stripe provider is chosen (``--payments stripe``), and the
Stripe adapter's tests start it the same way. It runs as a subprocess of ours (``python -m
infra.local.localstripe --port N [--state-file F]``) rather than as its own ``localstripe``
command, which binds every interface (``::``) and pickles its whole store to
/tmp/localstripe.pickle after every write (one file for every instance on the machine). Ours
binds 127.0.0.1 and keeps its store in memory or, with ``--state-file``, in a file of the
stack's state directory (written whole, then renamed over the old one, after each change:
a local-sized store). The launcher relies on two localstripe internals, checked when it
starts: ``localstripe.server.app`` (the aiohttp application) and ``localstripe.resources.store``
(whose disk methods it replaces).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import pickle
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from base64 import b64encode
from dataclasses import dataclass, field
from pathlib import Path

API_KEY = "sk_test_orderflow"
"""localstripe accepts any key that starts with ``sk_`` and has more than 5 characters."""
START_TIMEOUT = 30.0
STOP_TIMEOUT = 5.0
REPO = Path(__file__).resolve().parents[2]


class LocalStripeFailed(RuntimeError):
    """localstripe exited or did not answer in time; the message ends with its log."""


@dataclass
class LocalStripe:
    """One localstripe process: ``start()`` waits until it answers, ``stop()`` ends it."""

    log_file: Path
    port: int = 0
    """0: a free port."""
    state_file: Path | None = None
    """None: its store is in memory only."""
    _process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> LocalStripe:
        if not self.port:
            self.port = _free_port()
        command = [sys.executable, "-m", "infra.local.localstripe", "--port", str(self.port)]
        if self.state_file is not None:
            command += ["--state-file", str(self.state_file)]
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        with self.log_file.open("ab") as log:
            self._process = subprocess.Popen(  # noqa: S603  # our own module, by path
                command, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def flush(self) -> None:
        """Forget every object (localstripe's ``DELETE /_config/data``)."""
        request = urllib.request.Request(f"{self.url}/_config/data", method="DELETE")  # noqa: S310
        with urllib.request.urlopen(request, timeout=10):  # noqa: S310  # our loopback URL
            pass

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def _wait_ready(self) -> None:
        assert self._process is not None  # noqa: S101  # set by start
        request = urllib.request.Request(  # noqa: S310  # our loopback URL
            f"{self.url}/v1/payment_intents?limit=1",
            headers={"Authorization": "Basic " + b64encode(f"{API_KEY}:".encode()).decode()},
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise LocalStripeFailed(
                    f"localstripe exited with {self._process.returncode}:\n{self._log_tail()}"
                )
            try:
                with urllib.request.urlopen(request, timeout=1) as answer:  # noqa: S310
                    if answer.status == 200:
                        return
            except urllib.error.HTTPError as refused:
                raise LocalStripeFailed(f"localstripe answered {refused.code}") from refused
            except OSError:
                time.sleep(0.05)
        raise LocalStripeFailed(
            f"localstripe did not answer on {self.url} in {START_TIMEOUT} s:\n{self._log_tail()}"
        )

    def _log_tail(self) -> str:
        with contextlib.suppress(OSError):
            return self.log_file.read_text(errors="replace")[-3000:]
        return "(no log)"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve(port: int, state_file: Path | None = None) -> None:
    """localstripe on 127.0.0.1 only; its store in memory, or kept in ``state_file``."""
    from aiohttp import web
    from localstripe import resources, server

    assert isinstance(server.app, web.Application), "localstripe.server.app moved"  # noqa: S101
    store = resources.store
    assert callable(store.dump_to_disk), "localstripe.resources.store moved"  # noqa: S101
    if state_file is None:
        store.dump_to_disk = lambda: None
    else:
        if state_file.exists():
            with state_file.open("rb") as kept:
                store.update(pickle.load(kept))  # noqa: S301  # our own state directory

        def dump() -> None:
            fresh = state_file.with_suffix(".tmp")
            with fresh.open("wb") as out:
                pickle.dump(dict(store), out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(fresh, state_file)

        store.dump_to_disk = dump
    web.run_app(server.app, host="127.0.0.1", port=port, print=None)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=serve.__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--state-file", type=Path, default=None)
    ns = parser.parse_args()
    serve(ns.port, ns.state_file)
