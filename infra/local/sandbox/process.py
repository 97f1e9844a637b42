"""One sandbox: a worker process, its two pipes, and Lambda's rules for a single invoke."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from infra.local.sandbox.environment import FunctionConfig

WORKER = Path(__file__).with_name("worker.py")
INIT_LIMIT_SECONDS = 60.0
"""Lambda allows 10 s of init; a local cold start competes with the whole stack for a couple
of cores, so a sandbox gets longer before its start counts as failed."""


@dataclass(frozen=True)
class Outcome:
    payload: bytes
    function_error: str | None
    """None, or ``Unhandled`` when ``payload`` is an error envelope (timeouts included)."""
    duration_ms: float
    max_memory_mb: float
    init_ms: float | None
    """On a sandbox's first invoke (a cold start): from starting its process to the handler
    imported, as Lambda's Init Duration; else None."""
    status: str = "success"
    """``success``, ``error``, ``timeout`` or ``crash`` (the REPORT line's Status)."""


LOG_LIMIT_BYTES = 20 * 1024 * 1024
"""A function's log file is rotated (one ``.1`` kept) past this size."""


def log_file(folder: Path, function: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{function}.log"
    if path.exists() and path.stat().st_size > LOG_LIMIT_BYTES:
        path.replace(path.with_suffix(".log.1"))
    return path


class Sandbox:
    def __init__(
        self,
        fn: FunctionConfig,
        environment: dict[str, str],
        cwd: Path,
        log: Path | None = None,
        niceness: int = 0,
    ) -> None:
        self.fn = fn
        request_read, request_write = os.pipe()
        reply_read, reply_write = os.pipe()
        output = open(log, "ab") if log is not None else None  # noqa: SIM115  # the child's
        try:
            self.process = subprocess.Popen(  # noqa: S603  # our interpreter, our worker
                [sys.executable, str(WORKER), str(request_read), str(reply_write)],
                env=environment,
                cwd=cwd,
                pass_fds=(request_read, reply_write),
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=output,
                start_new_session=True,  # Ctrl-C reaches the stack, which stops them in order
            )
        finally:
            if output is not None:
                output.close()
        if niceness:
            with contextlib.suppress(OSError):  # gone already: its first invoke says so
                os.setpriority(os.PRIO_PROCESS, self.process.pid, niceness)
        os.close(request_read)
        os.close(reply_write)
        self._requests = Connection(request_write, readable=False)
        self._replies = Connection(reply_read, writable=False)
        self._init_ms: float | None = None
        self._spawned = time.perf_counter()
        self.last_used = time.monotonic()
        self.alive = True

    @property
    def pid(self) -> int:
        return self.process.pid

    def invoke(self, request_id: str, event: bytes, invoked_arn: str) -> Outcome:
        """Run one invoke, within the function's Timeout (the init of a cold start apart)."""
        first = self._init_ms is None
        if first and not self._await_init():
            return self._lost(request_id, "init did not finish", "crash")
        timeout = self.fn.timeout_seconds
        began = time.perf_counter()
        header = {
            "requestId": request_id,
            "remainingMs": int(timeout * 1000),
            "invokedFunctionArn": invoked_arn,
        }
        try:
            self._requests.send_bytes(json.dumps(header).encode())
            self._requests.send_bytes(event)
            if not self._replies.poll(timeout):
                self.kill()
                return self._timed_out(request_id, began)
            reply = json.loads(self._replies.recv_bytes())
            payload = self._replies.recv_bytes()
        except (EOFError, OSError):
            return self._lost(request_id, "exited", "crash")
        finally:
            self.last_used = time.monotonic()
        error = reply["functionError"]
        if reply.get("initFailed"):
            self.kill()
        return Outcome(
            payload,
            error,
            reply["durationMs"],
            reply["maxMemoryMb"],
            self._init_ms if first else None,
            "error" if error else "success",
        )

    def _await_init(self) -> bool:
        try:
            if not self._replies.poll(INIT_LIMIT_SECONDS):
                self.kill()
                return False
            self._replies.recv_bytes()  # ready: the handler is imported (or failed to)
            self._init_ms = (time.perf_counter() - self._spawned) * 1000
            return True
        except (EOFError, OSError):
            self.alive = False
            return False

    def _timed_out(self, request_id: str, began: float) -> Outcome:
        seconds = self.fn.timeout_seconds
        envelope = {
            "errorType": "Sandbox.Timedout",
            "errorMessage": f"RequestId: {request_id} Error: Task timed out after "
            f"{seconds:.2f} seconds",
        }
        duration = (time.perf_counter() - began) * 1000
        return Outcome(
            json.dumps(envelope).encode(), "Unhandled", duration, 0.0, self._init_ms, "timeout"
        )

    def _lost(self, request_id: str, what: str, status: str) -> Outcome:
        self.kill()
        code = self.process.returncode
        envelope = {
            "errorType": "Runtime.ExitError",
            "errorMessage": f"RequestId: {request_id} Error: Runtime exited "
            f"({what}, exit status {code})",
        }
        return Outcome(json.dumps(envelope).encode(), "Unhandled", 0.0, 0.0, None, status)

    def kill(self) -> None:
        """End the sandbox now (a timeout, a crash, the stack stopping)."""
        self.alive = False
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self._requests.close()
        self._replies.close()

    def close(self) -> None:
        """Let the sandbox go gently: its worker reads end-of-file and exits."""
        self.alive = False
        self._requests.close()
        try:
            self.process.wait(2)
        except subprocess.TimeoutExpired:
            self.kill()
            return
        self._replies.close()
