"""HTTP/1.1 for the AWS endpoint: httptools' parser on an asyncio protocol, one write per answer.

Why not uvicorn here (the gateway and the console keep it): a boto3 call is one small request
and one small answer on a kept-alive connection, ~1,000 a second under load, all in the data
plane's one interpreter. Through ASGI each took a task, two socket writes (head, body) and a
few header round trips; the profile had the writes alone at a tenth of the process. This
protocol answers a request with one ``transport.write`` and runs the operation inline (a
request that may wait, a long poll or an invoke, goes to a thread). Requests on one
connection are answered in order.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from http import HTTPStatus
from typing import Any, Protocol

import httptools

log = logging.getLogger("localstack")
Answer = tuple[int, dict[str, str], bytes]


class Request:
    __slots__ = ("body", "headers", "method", "parsed", "path", "query")

    def __init__(self) -> None:
        self.method, self.path, self.query = "", "", ""
        self.headers: dict[str, str] = {}
        self.body = b""
        self.parsed: Any = None
        """What the handler made of the body, kept between ``blocks`` and ``answer``."""


class Handler(Protocol):
    def blocks(self, request: Request) -> bool:
        """Whether answering may wait (then it runs on a worker thread)."""
        ...

    def answer(self, request: Request) -> Answer: ...


class _Connection(asyncio.Protocol):
    def __init__(self, handler: Handler, pool: ThreadPoolExecutor) -> None:
        self._handler, self._pool = handler, pool
        self._parser = httptools.HttpRequestParser(self)
        self._transport: asyncio.Transport | None = None
        self._current = Request()
        self._body: list[bytes] = []
        self._waiting: deque[tuple[Request, bool]] = deque()
        self._busy = False

    # ----- the parser's callbacks ------------------------------------------------------
    def on_url(self, url: bytes) -> None:
        parsed = httptools.parse_url(url)
        self._current.path = parsed.path.decode("latin-1")
        self._current.query = (parsed.query or b"").decode("latin-1")

    def on_header(self, name: bytes, value: bytes) -> None:
        self._current.headers[name.decode("latin-1").lower()] = value.decode("latin-1")

    def on_body(self, body: bytes) -> None:
        self._body.append(body)

    def on_message_complete(self) -> None:
        request, self._current = self._current, Request()
        request.method = self._parser.get_method().decode("ascii")
        request.body, self._body = b"".join(self._body), []
        self._waiting.append((request, self._parser.should_keep_alive()))
        self._next()

    # ----- the transport's -----------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)  # noqa: S101  # a TCP stream
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError:
            self._send(400, {"content-type": "text/plain"}, b"malformed request", False)

    def connection_lost(self, exc: Exception | None) -> None:
        self._transport = None

    # ----- answering -----------------------------------------------------------------
    def _next(self) -> None:
        if self._busy or not self._waiting:
            return
        request, keep_alive = self._waiting.popleft()
        if not self._handler.blocks(request):
            self._send(*self._safely(request), keep_alive)
            self._next()
            return
        self._busy = True
        future = self._pool.submit(self._safely, request)
        loop = asyncio.get_running_loop()
        future.add_done_callback(
            lambda done: loop.call_soon_threadsafe(self._finished, done, keep_alive)
        )

    def _finished(self, done: Future[Answer], keep_alive: bool) -> None:
        self._busy = False
        self._send(*done.result(), keep_alive)
        self._next()

    def _safely(self, request: Request) -> Answer:
        try:
            return self._handler.answer(request)
        except Exception:  # a bug of the emulation: a 500 the client may retry, and the log
            log.exception("%s %s failed in the local data plane", request.method, request.path)
            return 500, {"content-type": "application/json"}, b'{"message":"internal error"}'

    def _send(self, status: int, headers: dict[str, str], body: bytes, keep_alive: bool) -> None:
        if self._transport is None:
            return
        reason = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else ""
        lines = [f"HTTP/1.1 {status} {reason}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        lines.append(f"content-length: {len(body)}")
        if not keep_alive:
            lines.append("connection: close")
        self._transport.write("\r\n".join(lines).encode("latin-1") + b"\r\n\r\n" + body)
        if not keep_alive:
            self._transport.close()


class HttpServer:
    """Serves ``handler`` on ``sock`` from a thread of its own (its own event loop)."""

    def __init__(self, handler: Handler, sock: socket.socket, name: str, workers: int = 64) -> None:
        self._handler, self._sock, self._name = handler, sock, name
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix=f"{name}-worker")
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.AbstractServer | None = None
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    @property
    def port(self) -> int:
        return int(self._sock.getsockname()[1])

    def start(self, timeout: float = 10.0) -> None:
        self._thread.start()
        if not self._started.wait(timeout):
            raise RuntimeError(f"{self._name} server did not start")

    def _run(self) -> None:
        self._loop = asyncio.new_event_loop()
        factory: Callable[[], Any] = lambda: _Connection(self._handler, self._pool)  # noqa: E731
        self._server = self._loop.run_until_complete(
            self._loop.create_server(factory, sock=self._sock)
        )
        self._started.set()
        self._loop.run_forever()
        self._loop.run_until_complete(self._loop.shutdown_asyncgens())
        self._loop.close()

    def stop(self, timeout: float = 10.0) -> None:
        loop, server = self._loop, self._server
        if loop is None or server is None:
            return

        def close() -> None:
            server.close()
            loop.stop()

        loop.call_soon_threadsafe(close)
        self._thread.join(timeout)
        self._pool.shutdown(wait=False, cancel_futures=True)
