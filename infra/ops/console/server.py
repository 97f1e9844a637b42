"""The console as a server of its own: ``Console(target, host, port).start()`` serves it from
a thread (``make run`` starts one beside the local stack), ``serve()`` in the foreground
(``python -m infra.ops console``); ``stop()`` ends it and joins its thread."""

from __future__ import annotations

import contextlib
import signal
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import uvicorn

from infra.ops.console.app import create_app
from infra.ops.errors import USAGE, OpsError
from infra.ops.stack import StackConfig
from infra.ops.target import Target, local_target_of

LOCAL_STACK_PORT = 3030
"""The console ``make run`` starts (``python -m infra.local --console-port``)."""
STARTUP_TIMEOUT = 10.0


class PortBusy(OpsError):
    exit_code = USAGE

    def __init__(self, port: int, flag: str) -> None:
        super().__init__(f"port {port} is already in use: pick another one with {flag} <port>")


def bind(host: str, port: int, flag: str = "--port") -> socket.socket:
    """A listening socket. IPPROTO_TCP said aloud: asyncio sets TCP_NODELAY only on sockets
    whose protocol says TCP; with proto 0, Nagle and delayed ACKs add ~40 ms to each
    keep-alive request (uvicorn writes headers and body apart)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise PortBusy(port, flag) from None
    sock.listen(128)
    return sock


class _Server(uvicorn.Server):
    """Ctrl-C or SIGTERM stop the console and ``serve()`` returns (exit 0, as the local stack
    does), where uvicorn would raise the signal again once stopped (a KeyboardInterrupt)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        handled = (signal.SIGINT, signal.SIGTERM)
        before = {sig: signal.signal(sig, self.handle_exit) for sig in handled}
        try:
            yield
        finally:
            for sig, handler in before.items():
                signal.signal(sig, handler)


class Console:
    def __init__(
        self,
        target: Target,
        host: str = "127.0.0.1",
        port: int = LOCAL_STACK_PORT,
        *,
        writes: bool = True,
        where: str | None = None,
        sock: socket.socket | None = None,
    ) -> None:
        self.host, self.writes, self.where = host, writes, where or target.where
        self._socket = sock or bind(host, port)
        app = create_app(target, writes, self.where, host)
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
        self._server = _Server(config)
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        port: int = self._socket.getsockname()[1]
        return port

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> Console:
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, name="console", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not self._server.started and self._thread.is_alive():
            if time.monotonic() > deadline:
                raise RuntimeError(f"the console did not start in {STARTUP_TIMEOUT} s")
            time.sleep(0.01)
        if not self._server.started:
            raise RuntimeError("the console stopped while starting (see its log)")
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(10)
        self._socket.close()

    def serve(self) -> None:
        """In the foreground until Ctrl-C or SIGTERM (uvicorn's own signal handling)."""
        self._server.run(sockets=[self._socket])
        self._socket.close()


def local_console(
    described: dict[str, Any], sock: socket.socket, host: str = "127.0.0.1"
) -> Console:
    """The console of a local stack, from its description (``build/local-stack.json``)."""
    return Console(local_target_of(StackConfig.from_json(described)), host, sock=sock)
