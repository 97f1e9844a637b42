"""The stack's process: its ports, and an environment that only ever talks to itself."""

from __future__ import annotations

import os
import socket
import warnings

REGION = "us-east-1"


class PortBusy(Exception):
    def __init__(self, port: int, flag: str) -> None:
        super().__init__(f"port {port} is already in use: pick another one with {flag} <port>")


def bind(host: str, port: int, flag: str) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Answers go out as two writes (head, body): without this, Nagle and the client's delayed
    # ACK add 40 ms to every request on a kept-alive connection. Accepted sockets inherit it.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise PortBusy(port, flag) from None
    sock.listen(128)
    return sock


def environment(endpoint: str, port: int, handler_logs: bool) -> None:
    """Everything in this process that speaks AWS speaks to the local endpoint, never to AWS.

    Unless ``handler_logs``, the functions log warnings and errors only (Lambda's log level
    control, AWS_LAMBDA_LOG_LEVEL, which Powertools obeys) and print no metrics (EMF), so the
    step log stays readable.
    """
    for name in [n for n in os.environ if n.startswith("AWS_ENDPOINT_URL_")]:
        del os.environ[name]
    for name in (
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_SESSION_TOKEN",
        "AWS_CONFIG_FILE",
        "AWS_SHARED_CREDENTIALS_FILE",
    ):
        os.environ.pop(name, None)
    os.environ.update(
        {
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
            "MOTO_PORT": str(port),
            "POWERTOOLS_TRACE_DISABLED": "true",
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        }
    )
    if not handler_logs:
        os.environ.update({"AWS_LAMBDA_LOG_LEVEL": "WARN", "POWERTOOLS_METRICS_DISABLED": "true"})
        warnings.filterwarnings("ignore", message=".*Advanced Logging Controls.*")
        warnings.filterwarnings("ignore", message="No application metrics to publish")
