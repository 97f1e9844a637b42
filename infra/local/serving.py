"""An ASGI application served by uvicorn on a socket of ours, in a thread of its own."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any


class ServerThread:
    def __init__(self, app: Any, sock: socket.socket, name: str) -> None:
        import uvicorn

        config = uvicorn.Config(
            app,
            log_level="warning",
            access_log=False,
            lifespan="off",
            http="auto",
            proxy_headers=False,  # loopback: no proxy in front to trust
        )
        self.server = uvicorn.Server(config)
        self._sock = sock
        self._thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [sock]}, name=name, daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._sock.getsockname()[1])

    def start(self, timeout: float = 10.0) -> None:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started and time.monotonic() < deadline:
            if not self._thread.is_alive():
                raise RuntimeError(f"{self._thread.name} server did not start")
            time.sleep(0.005)

    def stop(self, timeout: float = 10.0) -> None:
        self.server.should_exit = True
        self._thread.join(timeout)
