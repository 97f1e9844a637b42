"""``python -m infra.local.dataplane --port N [--state-dir D | --no-persist]``: the data plane
alone (DynamoDB and Streams, SQS, EventBridge, Lambda's API, Step Functions) on one port, with
nothing provisioned: a plain AWS emulator for scripts and for the peer benchmark."""

from __future__ import annotations

import argparse
import signal
import threading
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m infra.local.dataplane", description=__doc__)
    p.add_argument("--port", type=int, default=4566)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--state-dir", type=Path, default=None, help="keep state here (else memory)")
    ns = p.parse_args(argv)

    from infra.local import moto_patches
    from infra.local.dataplane.engine import Engine
    from infra.local.dataplane.http import HttpServer
    from infra.local.dataplane.store import Store
    from infra.local.process import bind
    from infra.local.sandbox.environment import Surroundings
    from infra.local.sandbox.sandboxes import Sandboxes

    url = f"http://{ns.host}:{ns.port}"
    sock = bind(ns.host, ns.port, "--port")
    store = Store(ns.state_dir / "stack.db" if ns.state_dir else None)
    sandboxes = Sandboxes(Surroundings(endpoint=url, region="us-east-1", task_root=Path.cwd()))
    moto_patches.apply(local_stack=True)
    engine = Engine(
        store, runner=sandboxes, endpoint=url, region="us-east-1", account="123456789012"
    )
    moto_patches.route_interpreter(engine.invoke, url)
    engine.start()
    server = HttpServer(engine.endpoint, sock, "aws-endpoint")
    server.start()
    print(f"data plane on {url}", flush=True)
    stopping = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopping.set())
    stopping.wait()
    server.stop()
    engine.stop()
    sandboxes.close()
    store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
